"""Retries, rate limits and failures, per profile, as each API document describes them.

Waits are recorded by the `backoff_waits` fixture instead of being slept. The CDK sleeps one second more than the
computed or announced wait (CDK_EXTRA_SECOND).
"""

import pytest
from airbyte_cdk.models import FailureType

from unit_tests.builders import (
    DEFAULT_TOKEN_URLS,
    PROFILES,
    api_request,
    error_response,
    first_page,
    first_page_request,
    first_stream,
    first_stream_records,
    oauth_config,
    profile,
    token_request,
    tracking_page,
)
from sandbox.profile import API_KEY, BASIC, BEARER, OAUTH2
from unit_tests.builders import config, first_request, given_credentials, taking
from unit_tests.harness import (
    CDK_EXTRA_SECOND,
    ended_with_failure_summary,
    failure_types,
    given_token_endpoint,
    read_streams,
    each,
    records,
    resolved_manifest,
    stream_errors,
)



def retry_waits(api):
    """The waits the document has a client make before each retry when the API gives no Retry-After: its length is
    the documented number of retries (each profile's retry_waits in sandbox/profiles/)."""
    return list(profile(api).retry_waits)


def max_attempts(api):
    return len(profile(api).retry_waits) + 1


RETRIES_403 = [api for api in PROFILES if profile(api).retries_403]
NO_RETRY_403 = [api for api in PROFILES if not profile(api).retries_403]


def waited(*seconds):
    return [s + CDK_EXTRA_SECOND for s in seconds]


def read_first_stream(api, settings=None, expect_failure=False):
    return read_streams(settings or config(api), [first_stream(api)], expect_failure=expect_failure)


def given_first_page(http_mocker, api, *responses):
    request = first_request(api)
    http_mocker.get(request, list(responses))
    return request


def ok_records(api):
    """The records of a good first page: two, or the one record of a single-object resource."""
    return first_stream_records(api, *(("r1",) if profile(api).first_stream.single else ("r1", "r2")))


def ok_page(api):
    return first_page(api, ok_records(api))


# ---- rate limits -------------------------------------------------------------------------------------------------
# A 429 is the API asking to wait, not an error: the request budget holds the host's requests as long as it asks and
# sends the request again, below the CDK's retries, for up to the requester's rate_limit_patience_in_seconds. Only a
# 429 that outlasts that patience reaches the error handler's documented retries and backoff. (The pacers' holds are
# recorded by `pacer_waits`, the CDK's backoff by `backoff_waits`; neither is slept.)
PATIENCE = resolved_manifest()["definitions"]["requester"]["rate_limit_patience_in_seconds"]


@pytest.mark.parametrize("api", PROFILES)
def test_a_429_is_waited_out_as_long_as_retry_after_says_without_spending_a_retry(
        http_mocker, backoff_waits, pacer_waits, api):
    given_credentials(http_mocker, config(api))
    request = given_first_page(http_mocker, api, error_response(429, {"Retry-After": "7"}), ok_page(api))

    output = read_first_stream(api)

    assert records(output) == ok_records(api)
    assert stream_errors(output) == []
    http_mocker.assert_number_of_calls(request, 2)
    assert pacer_waits[:1] == [pytest.approx(7, abs=0.2)]
    assert backoff_waits == []


@pytest.mark.parametrize("api", PROFILES)
def test_a_429_without_retry_after_holds_requests_a_second_then_sends_again(http_mocker, backoff_waits, pacer_waits, api):
    given_credentials(http_mocker, config(api))
    request = given_first_page(http_mocker, api, error_response(429), ok_page(api))

    output = read_first_stream(api)

    assert records(output) == ok_records(api)
    http_mocker.assert_number_of_calls(request, 2)
    assert pacer_waits[:1] == [pytest.approx(1, abs=0.2)]
    assert backoff_waits == []


@pytest.mark.parametrize("api", PROFILES)
def test_a_retry_after_beyond_15_minutes_stops_the_stream_instead_of_waiting(http_mocker, backoff_waits, api):
    given_credentials(http_mocker, config(api))
    given_first_page(http_mocker, api, error_response(429, {"Retry-After": "86400"}))

    output = read_first_stream(api, expect_failure=True)

    assert backoff_waits == []
    assert failure_types(output) == [FailureType.transient_error]


# ---- server errors -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("api", PROFILES)
def test_server_errors_are_retried_with_the_documented_backoff_then_succeed(http_mocker, backoff_waits, api):
    given_credentials(http_mocker, config(api))
    first, last = profile(api).server_errors[0], profile(api).server_errors[-1]  # two the document retries
    given_first_page(http_mocker, api, error_response(first), error_response(last), ok_page(api))

    output = read_first_stream(api)

    assert records(output) == ok_records(api)
    assert stream_errors(output) == []
    assert backoff_waits == waited(*retry_waits(api)[:2])


RETRIED_5XX = [(api, status) for api in PROFILES for status in profile(api).server_errors]
UNRETRIED_5XX = [(api, status) for api in PROFILES for status in (500, 502, 503, 504)
                 if status not in profile(api).server_errors]


@each("api, status", RETRIED_5XX, ids=[f"{api}-{status}" for api, status in RETRIED_5XX])
def test_every_documented_5xx_is_retried(http_mocker, api, status):
    given_credentials(http_mocker, config(api))
    given_first_page(http_mocker, api, error_response(status), ok_page(api))

    assert records(read_first_stream(api)) == ok_records(api)


@each("api, status", UNRETRIED_5XX, ids=[f"{api}-{status}" for api, status in UNRETRIED_5XX])
def test_a_5xx_the_document_does_not_retry_fails_at_once(http_mocker, backoff_waits, api, status):
    given_credentials(http_mocker, config(api))
    request = given_first_page(http_mocker, api, error_response(status), ok_page(api))

    output = read_first_stream(api, expect_failure=True)

    http_mocker.assert_number_of_calls(request, 1)
    assert backoff_waits == [] and records(output) == []
    assert failure_types(output) == [FailureType.transient_error]


# Retries exhausted, on a rate limit (429) or a server error the document retries: the documented number of attempts
# and waits, then one transient error naming the stream; a rate limit says so in the documented message. Each attempt
# at a rate limit is first waited out and sent again for the requester's patience, below the CDK.
@pytest.mark.parametrize("api, status", [(api, status) for api in PROFILES for status in (
    429, profile(api).server_errors[0])], ids=[f"{api}-{s}" for api in PROFILES for s in ("429", "5xx")])
def test_retries_exhausted_end_with_one_transient_error(http_mocker, backoff_waits, pacer_waits, api, status):
    given_credentials(http_mocker, config(api))
    request = given_first_page(http_mocker, api, error_response(status))

    output = read_first_stream(api, expect_failure=True)

    if status == 429:
        # Held (a second at a time without Retry-After, then at the pace the 429s set) and sent again until the
        # patience ran out, in every attempt: a hold before each send again, the patience's length of them per attempt.
        assert len(pacer_waits) > 2 * max_attempts(api)
        # Each attempt holds until one more hold would pass its patience: at most the longest hold short of it.
        assert sum(pacer_waits) >= max_attempts(api) * (PATIENCE - max(pacer_waits))
    else:
        http_mocker.assert_number_of_calls(request, max_attempts(api))
    assert backoff_waits == waited(*retry_waits(api))
    assert failure_types(output) == [FailureType.transient_error]
    assert stream_errors(output)[0].trace.error.stream_descriptor.name == first_stream(api)
    assert ended_with_failure_summary(output)
    error = stream_errors(output)[0].trace.error
    # In the user's words, said by the stream's requester (so in every build), not the CDK's.
    assert error.message.startswith(f"Stream '{first_stream(api)}': "), error.message
    assert "Exhausted available request attempts" not in error.message
    if status == 429:
        assert "Rate limits hit" in error.internal_message
        assert "kept answering HTTP 429 (rate limited) through every retry" in error.message, error.message
    else:
        assert "retries exhausted: " in error.message and "Run the sync again later" in error.message, error.message


# ---- 401: an OAuth2 token is refreshed once; other credentials cannot be -------------------------------------------
@each("api", taking(OAUTH2))
def test_401_refreshes_the_token_and_retries_with_the_new_one(http_mocker, api):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[api], "expired-token", "fresh-token")
    with_expired = first_page_request(api, token="expired-token")
    http_mocker.get(with_expired, error_response(401))
    http_mocker.get(first_page_request(api, token="fresh-token"), ok_page(api))

    output = read_first_stream(api, oauth_config(api))

    http_mocker.assert_number_of_calls(with_expired, 1)
    assert records(output) == ok_records(api)
    assert stream_errors(output) == []


@each("api", taking(OAUTH2))
def test_401_again_after_the_refresh_is_a_config_error(http_mocker, api):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[api], "token-1", "token-2")
    http_mocker.get(first_page_request(api), error_response(401))  # whichever token it carries

    output = read_first_stream(api, oauth_config(api), expect_failure=True)

    assert failure_types(output) == [FailureType.config_error]
    assert ended_with_failure_summary(output)


# ---- 403 ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("api", NO_RETRY_403)
def test_403_is_a_config_error_without_retrying(http_mocker, backoff_waits, api):
    given_credentials(http_mocker, config(api))
    request = given_first_page(http_mocker, api, error_response(403))

    output = read_first_stream(api, expect_failure=True)

    http_mocker.assert_number_of_calls(request, 1)
    assert backoff_waits == []
    assert failure_types(output) == [FailureType.config_error]


@pytest.mark.parametrize("api", RETRIES_403)
def test_a_profile_that_retries_403_retries_it_then_reports_a_config_error(http_mocker, backoff_waits, api):
    given_credentials(http_mocker, config(api))
    request = given_first_page(http_mocker, api, error_response(403))

    output = read_first_stream(api, expect_failure=True)

    http_mocker.assert_number_of_calls(request, max_attempts(api))
    assert backoff_waits == waited(*retry_waits(api))
    assert failure_types(output) == [FailureType.config_error]


@pytest.mark.parametrize("api", RETRIES_403)
def test_a_profile_that_retries_403_recovers_from_a_passing_one(http_mocker, backoff_waits, api):
    given_credentials(http_mocker, config(api))
    given_first_page(http_mocker, api, error_response(403), ok_page(api))

    output = read_first_stream(api)

    assert records(output) == ok_records(api)
    assert backoff_waits == waited(retry_waits(api)[0])


# ---- the token endpoint rejects the client -------------------------------------------------------------------
@each("api", taking(OAUTH2))
def test_a_wrong_client_secret_is_a_config_error(http_mocker, api):
    http_mocker.post(token_request(DEFAULT_TOKEN_URLS[api]), error_response(401, body={"error": "invalid_client"}))

    output = read_first_stream(api, oauth_config(api), expect_failure=True)

    assert records(output) == []
    assert failure_types(output) == [FailureType.config_error]


@pytest.mark.parametrize("error", ["invalid_client", "unauthorized_client", "invalid_grant"])
def test_a_400_from_the_token_endpoint_is_a_config_error(http_mocker, error):
    # RFC 6749 section 5.2: a rejected grant is a 400 (or 401 for client authentication) with an `error` code.
    http_mocker.post(token_request(DEFAULT_TOKEN_URLS["meetings"]), error_response(400, body={"error": error}))

    output = read_first_stream("meetings", expect_failure=True)

    assert failure_types(output) == [FailureType.config_error]


STATIC = [(api, kind) for api in PROFILES for kind in profile(api).auth if kind in (BEARER, API_KEY, BASIC)]
SETTINGS = {BEARER: "credentials.access_token", API_KEY: "credentials.api_key",
            BASIC: "credentials.username and credentials.password"}


@each("api, kind", STATIC, ids=[f"{api}-{kind}" for api, kind in STATIC])
def test_a_rejected_static_credential_is_a_config_error_at_the_first_401(http_mocker, backoff_waits, api, kind):
    # A bearer token, an API key or a password cannot be renewed: nothing to retry, whatever the document's rule.
    settings = config(api, kind)
    request = first_request(api, settings)
    http_mocker.get(request, error_response(401))

    output = read_first_stream(api, settings, expect_failure=True)

    http_mocker.assert_number_of_calls(request, 1)
    assert backoff_waits == []
    assert failure_types(output) == [FailureType.config_error]
    message = stream_errors(output)[0].trace.error.message
    assert SETTINGS[kind] in message and "client_secret" not in message, message


# ---- pacing ------------------------------------------------------------------------------------------------------
def given_five_tracking_pages(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["tracking"])
    for page in range(1, 6):
        next_url = f"https://api.example.com/v1/users?page={page + 1}" if page < 5 else None
        request = api_request("/v1/users", {"page": page} if page > 1 else None)
        http_mocker.get(request, tracking_page([{"id": f"u{page}"}], next_url=next_url))


def test_requests_per_second_paces_the_requests(http_mocker, budget_waits):
    given_five_tracking_pages(http_mocker)

    output = read_streams(oauth_config("tracking", requests_per_second=2), ["users"])

    assert len(records(output)) == 5
    # Five requests at two per second: the budget held some of them back, never longer than its 1 s window.
    assert budget_waits and all(0 < wait <= 1 for wait in budget_waits)


def test_without_requests_per_second_nothing_is_held_back(http_mocker, budget_waits):
    given_five_tracking_pages(http_mocker)

    output = read_streams(oauth_config("tracking"), ["users"])

    assert len(records(output)) == 5
    assert budget_waits == []
