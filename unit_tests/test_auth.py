"""Each kind of credentials a profile's document takes, sent where it says: OAuth2 client credentials against the
profile's token endpoint, a static bearer token, an API key (a header or a query parameter), HTTP basic."""

from datetime import timedelta

import pytest
import requests
import requests_mock
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components import auth as components
from source_analytics.components.auth import ClientCredentialsAuthenticator
from sandbox.profile import BEARER, OAUTH2
from unit_tests.builders import (
    CLIENT_ID,
    DEFAULT_TOKEN_URLS,
    PROFILES,
    api_request,
    bearer_config,
    error_response,
    first_page,
    first_page_request,
    first_stream,
    first_stream_records,
    oauth_config,
    page,
    profile,
    token_request,
    token_response,
    token_url,
    taking,
    tracking_page,
)
from unit_tests.builders import config as config_of
from unit_tests.builders import first_query, given_credentials, request
from airbyte_cdk.models import Status

from unit_tests.builders import credentials
from unit_tests.harness import (check, discover_streams, each, given_token_endpoint, read_streams, record_ids, records,
                                stream_errors)
from unit_tests.probe import PROBE, install, probe_manifest

OAUTH_PROFILES = taking(OAUTH2)
# Every kind of credentials each profile takes.
SIGN_INS = [(api, kind) for api in PROFILES for kind in profile(api).auth]


def read_first_stream(config):
    output = read_streams(config, [first_stream(config["api"])])
    assert stream_errors(output) == []
    return records(output)


@each("api, kind", SIGN_INS, ids=[f"{api}-{kind}" for api, kind in SIGN_INS])
def test_each_kind_of_credentials_the_document_takes_is_sent_where_it_says(http_mocker, api, kind):
    settings = config_of(api, kind)
    given_credentials(http_mocker, settings)
    stream = profile(api).first_stream
    signed = request(api, stream.path, first_query(stream), settings)  # the credentials in their header or query
    http_mocker.get(signed, page(api, stream.name, first_stream_records(api, "r1")))

    output = read_streams(settings, [stream.name])

    assert stream_errors(output) == [] and len(output.records) == 1
    http_mocker.assert_number_of_calls(signed, 1)


@pytest.mark.parametrize("api", OAUTH_PROFILES)
def test_the_documented_token_url_is_used_by_default(http_mocker, api):
    token_call = token_request(DEFAULT_TOKEN_URLS[api])
    http_mocker.post(token_call, token_response("issued-token"))
    http_mocker.get(first_page_request(api, token="issued-token"), first_page(api, first_stream_records(api, "r1")))

    assert len(read_first_stream(oauth_config(api))) == 1
    http_mocker.assert_number_of_calls(token_call, 1)


# A base URL under a path, with and without a trailing slash: the document's token URL for it (accounting's identity
# server is its own host, whatever the API's base URL).
@pytest.mark.parametrize("base_url", ["https://gw.example.org/analytics/", "https://gw.example.org/analytics"])
@pytest.mark.parametrize("api", OAUTH_PROFILES)
def test_token_url_default_follows_base_url(http_mocker, api, base_url):
    http_mocker.post(token_request(token_url(api, base_url)), token_response("issued-token"))
    http_mocker.get(
        first_page_request(api, token="issued-token", base_url="https://gw.example.org/analytics"),
        first_page(api, first_stream_records(api, "r1")),
    )

    assert len(read_first_stream(oauth_config(api, base_url=base_url))) == 1


@pytest.mark.parametrize("api", OAUTH_PROFILES)
def test_an_explicit_token_url_wins(http_mocker, api):
    explicit = token_request("https://sso.example.net/tenant-7/token")
    http_mocker.post(explicit, token_response("sso-token"))
    http_mocker.get(first_page_request(api, token="sso-token"), first_page(api, first_stream_records(api, "r1")))

    config = oauth_config(api, credentials={"token_url": "https://sso.example.net/tenant-7/token"})

    assert len(read_first_stream(config)) == 1
    http_mocker.assert_number_of_calls(explicit, 1)


def test_client_credentials_are_posted_as_a_client_credentials_grant(http_mocker):
    # token_request matches the exact form body: grant_type=client_credentials&client_id=...&client_secret=...
    grant = token_request(DEFAULT_TOKEN_URLS["tracking"], client_id="id-from-config", client_secret="secret-from-config")
    http_mocker.post(grant, token_response("t"))
    http_mocker.get(api_request("/v1/users", token="t"), tracking_page([{"id": "u1"}]))

    config = oauth_config("tracking", credentials={"client_id": "id-from-config", "client_secret": "secret-from-config"})

    assert read_first_stream(config) == [{"id": "u1"}]
    http_mocker.assert_number_of_calls(grant, 1)


@each("api", taking(BEARER))
def test_bearer_token_is_sent_as_is_and_no_token_endpoint_is_called(http_mocker, api):
    # No POST is mocked: a call to any token endpoint would find no mock and fail the read.
    http_mocker.get(first_page_request(api, token="long-lived-token"), first_page(api, first_stream_records(api, "r1", "r2")))

    assert len(read_first_stream(bearer_config(api, "long-lived-token"))) == 2


def test_the_oauth_token_is_reused_across_pages(http_mocker):
    token_call = token_request(DEFAULT_TOKEN_URLS["tracking"])
    http_mocker.post(token_call, [token_response("first"), token_response("second")])
    http_mocker.get(api_request("/v1/users", token="first"), tracking_page([{"id": "a"}], next_url="https://api.example.com/v1/users?c=2"))
    http_mocker.get(api_request("/v1/users", {"c": 2}, token="first"), tracking_page([{"id": "b"}], next_url="https://api.example.com/v1/users?c=3"))
    http_mocker.get(api_request("/v1/users", {"c": 3}, token="first"), tracking_page([{"id": "c"}]))

    assert [r["id"] for r in read_first_stream(oauth_config("tracking"))] == ["a", "b", "c"]
    http_mocker.assert_number_of_calls(token_call, 1)


# ------------------------------------------------------------------------------------------------------------------
# One token per client: every requester of a sync (each stream, and the parent copy a child reads through) uses the
# client's newest token instead of fetching its own.
# ------------------------------------------------------------------------------------------------------------------
def test_streams_of_one_client_share_its_token(http_mocker):
    # The endpoint would hand a second requester "second"; only requests carrying "first" are answered.
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["meetings"], "first", "second")
    http_mocker.get(api_request("/v1/users", {"page_size": 30}, token="first"), page("meetings", "users", [{"id": "u1"}]))
    http_mocker.get(api_request("/v1/meetings/u1", token="first"), page("meetings", "meetings", [{"id": 11}]))

    output = read_streams(oauth_config("meetings"), ["users", "meetings"])

    assert stream_errors(output) == []
    assert record_ids(output, "users") == ["u1"] and record_ids(output, "meetings") == [11]


def _authenticator(client_id=CLIENT_ID, token_url=DEFAULT_TOKEN_URLS["tracking"]) -> ClientCredentialsAuthenticator:
    config = oauth_config("tracking", credentials={"client_id": client_id})
    return ClientCredentialsAuthenticator(
        config=config, parameters={}, grant_type="client_credentials", token_refresh_endpoint=token_url,
        client_id="{{ config['credentials']['client_id'] }}", client_secret="{{ config['credentials']['client_secret'] }}",
    )


def _token_endpoint(mock, *tokens, url=DEFAULT_TOKEN_URLS["tracking"], expires_in=3600):
    mock.post(url, [{"json": {"access_token": token, "expires_in": expires_in}} for token in tokens])


def test_a_token_rejected_for_one_requester_is_renewed_once_for_all():
    first, second = _authenticator(), _authenticator()
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock, "t1", "t2", "t3")
        assert first.get_access_token() == second.get_access_token() == "t1"

        first.refresh_and_set_access_token()  # the API answered 401 to t1
        second.refresh_and_set_access_token()  # ... and to t1 again, on a request sent before the renewal

        assert first.get_access_token() == second.get_access_token() == "t2"


def test_a_renewed_token_is_rejected_too_then_a_new_one_is_fetched():
    first, second = _authenticator(), _authenticator()
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock, "t1", "t2", "t3")
        first.get_access_token()
        first.refresh_and_set_access_token()
        second.get_access_token()

        second.refresh_and_set_access_token()  # 401 to t2 itself: the shared token is no better

        assert second.get_access_token() == "t3"


@pytest.mark.parametrize("other", [{"client_id": "another-client"}, {"token_url": "https://sso.example.net/token"}])
def test_another_client_or_token_endpoint_gets_its_own_token(other):
    ours, theirs = _authenticator(), _authenticator(**other)
    with requests_mock.Mocker() as mock:
        if "token_url" in other:
            _token_endpoint(mock, "ours")
            _token_endpoint(mock, "theirs", url=other["token_url"])
        else:
            _token_endpoint(mock, "ours", "theirs")

        assert (ours.get_access_token(), theirs.get_access_token()) == ("ours", "theirs")


def test_a_token_due_for_renewal_is_not_handed_on(monkeypatch):
    first, second = _authenticator(), _authenticator()
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock, "first", "fresh")
        assert first.get_access_token() == "first"
        # In the token's last minute it is due for renewal, so it is not handed to a new requester.
        later = components.ab_datetime_now() + timedelta(minutes=59, seconds=30)
        monkeypatch.setattr(components, "ab_datetime_now", lambda: later)

        assert second.get_access_token() == "fresh"


# ------------------------------------------------------------------------------------------------------------------
# Early renewal: a token is renewed at half its lifetime, at most a minute early, so a request sent near its expiry
# (or held by the request budget until then) never carries an expired token.
# ------------------------------------------------------------------------------------------------------------------
@pytest.fixture
def clock(monkeypatch):
    """Moves the authenticator's clock: `clock(seconds)` puts it that long after the test started.

    The CDK stamps a token's expiry with the real time when the token response arrives; only the clock of
    components/auth.py moves, so a token that the CDK would call expired only after its real expiry stays valid here.
    """
    start = components.ab_datetime_now()

    def move_to(seconds: float) -> None:
        monkeypatch.setattr(components, "ab_datetime_now", lambda: start + timedelta(seconds=seconds))

    return move_to


def test_a_token_is_renewed_once_half_its_lifetime_has_passed(clock):
    requester = _authenticator()
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock, "t1", "t2", expires_in=60)
        assert requester.get_access_token() == "t1"

        clock(29)
        assert requester.get_access_token() == "t1"
        clock(31)
        assert requester.get_access_token() == "t2"


def test_a_long_lived_token_is_renewed_a_minute_before_it_expires(clock):
    requester = _authenticator()
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock, "t1", "t2", expires_in=3600)
        assert requester.get_access_token() == "t1"

        clock(58 * 60 + 59)
        assert requester.get_access_token() == "t1"
        clock(59 * 60 + 1)
        assert requester.get_access_token() == "t2"


def test_a_shared_token_is_renewed_at_half_its_lifetime_by_the_requester_that_took_it_over(clock):
    fetcher, taker = _authenticator(), _authenticator()
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock, "t1", "t2", expires_in=60)
        assert fetcher.get_access_token() == "t1"
        clock(20)
        assert taker.get_access_token() == "t1"  # taken over with 40 s left: still renewed 30 s after it was issued

        clock(31)
        assert taker.get_access_token() == "t2"


def test_a_token_endpoint_whose_quota_is_used_up_ends_the_sync_with_the_quota_message(http_mocker):
    request = token_request(DEFAULT_TOKEN_URLS["tracking"])
    http_mocker.post(request, error_response(429, {"Retry-After": "86400"}))

    output = read_streams(oauth_config("tracking"), ["users"], expect_failure=True)

    [error] = stream_errors(output)
    assert error.trace.error.failure_type.value == "transient_error"
    assert "daily quota" in error.trace.error.message, error.trace.error.message
    http_mocker.assert_number_of_calls(request, 1)


def test_a_token_endpoint_that_stops_answering_ends_the_sync_naming_the_setting(monkeypatch):
    authenticator = _authenticator()

    def no_answer():
        raise requests.exceptions.ConnectionError("Connection reset by peer")  # through every retry

    monkeypatch.setattr(authenticator, "request_token", no_answer)
    with pytest.raises(AirbyteTracedException) as error:
        authenticator.refresh_access_token()

    assert error.value.failure_type.value == "transient_error"
    assert error.value.message.startswith("Could not connect to the token endpoint. Check credentials.token_url")


def test_a_token_answer_without_an_access_token_is_a_config_error():
    with requests_mock.Mocker() as mock:
        mock.post(DEFAULT_TOKEN_URLS["tracking"], json={"error_description": "no token for you"})
        with pytest.raises(AirbyteTracedException) as error:
            _authenticator().get_access_token()

    assert error.value.failure_type.value == "config_error"
    assert "without an access token (`access_token`)" in error.value.message


# ------------------------------------------------------------------------------------------------------------------
# A kind of credentials the profile's document does not take: refused before any request, naming those it takes.
# ------------------------------------------------------------------------------------------------------------------
OFFERED = sorted({kind for api in PROFILES for kind in profile(api).auth})  # the spec offers the kinds some profile takes
NOT_TAKEN = [(api, kind) for api in PROFILES for kind in OFFERED if not profile(api).takes(kind)]


@each("api, kind", NOT_TAKEN, ids=[f"{api}-{kind}" for api, kind in NOT_TAKEN])
def test_a_kind_of_credentials_the_profile_does_not_take_is_refused_naming_those_it_takes(http_mocker, api, kind):
    # No request is mocked: any request would fail the check with another message.
    status = check(config_of(api, kind))

    assert status.status == Status.FAILED
    for taken in profile(api).auth:
        assert credentials(taken)["auth_type"] in status.message, status.message


def test_the_probe_api_refuses_a_bearer_token_when_it_takes_an_api_key_only(http_mocker, tmp_path, monkeypatch):
    install(probe_manifest("api_key_in_header"), tmp_path, monkeypatch)

    output = discover_streams({"api": PROBE, "credentials": credentials(BEARER)})

    [error] = output.errors
    assert error.trace.error.failure_type.value == "config_error"
    assert error.trace.error.message == (
        "The 'probe' API takes an API key (auth_type api_key); this config's credentials.auth_type is "
        "'bearer_token'. Give credentials of a kind it takes.")
