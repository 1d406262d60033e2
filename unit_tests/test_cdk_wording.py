"""components/messages.py's CDK_WORDING: the CDK still says each of its keys, and the requester's words replace it.

Each test makes the CDK itself produce the message (its HttpClient against a mocked or closed port, its backoff
strategy, its OAuth authenticator), asserts the table's key is in it, and passes it through messages.said, which
the stream's requester applies to every error it raises (test_error_handling.py reads through it). A CDK release
that words one of these errors differently fails here, instead of the rewording silently switching off.
"""

import logging
import socket

import pytest
import requests
import requests_mock
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.requesters.error_handlers.backoff_strategies.wait_time_from_header_backoff_strategy import (
    WaitTimeFromHeaderBackoffStrategy,
)
from airbyte_cdk.sources.declarative.requesters.error_handlers import DefaultErrorHandler
from airbyte_cdk.sources.streams.http import HttpClient
from airbyte_cdk.sources.streams.http.error_handlers import HttpStatusErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.requests_native_auth import Oauth2Authenticator
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.messages import CDK_WORDING, said

URL = "https://api.example.com/v1/users"
TOKEN_URL = "https://api.example.com/oauth/token"
RETRIES_EXHAUSTED = "Exhausted available request attempts. Please see logs for more details. Exception: "
logger = logging.getLogger("airbyte.test_cdk_wording")


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch):
    """The CDK's retries (the backoff library) wait without sleeping."""
    import backoff._sync

    monkeypatch.setattr(backoff._sync.time, "sleep", lambda seconds: None)


def _client(mapping, max_retries=0, authenticator=None):
    handler = HttpStatusErrorHandler(logger, error_mapping=mapping, max_retries=max_retries)
    return HttpClient(name="users", logger=logger, error_handler=handler, authenticator=authenticator)


def _cdk_error(send):
    with pytest.raises(AirbyteTracedException) as raised:
        send()
    return raised.value


def _reworded(error: AirbyteTracedException, stream=""):
    error = said(error, stream)
    return error.message, error.failure_type.value


def test_the_table_holds_what_these_tests_cover():
    assert sorted(CDK_WORDING) == sorted([
        "API rate limit exceeded.",
        "The rate limit wait time is longer than the connector is allowed to wait.",
        "Refreshed OAuth access token is rejected by the API.",
        RETRIES_EXHAUSTED,
        "ConnectionError",
    ])


def test_a_rate_limit_through_every_retry():
    client = _client({429: ErrorResolution(ResponseAction.RATE_LIMITED, FailureType.transient_error, "Rate limits hit")})
    with requests_mock.Mocker() as mock:
        mock.get(URL, status_code=429, json={})
        error = _cdk_error(lambda: client.send_request("GET", URL, request_kwargs={}))

    assert error.message == "API rate limit exceeded."
    assert _reworded(error, "users")[0] == f"Stream 'users': {CDK_WORDING['API rate limit exceeded.']}"


def test_a_retry_after_beyond_the_cap():
    strategy = WaitTimeFromHeaderBackoffStrategy(
        header="Retry-After", max_waiting_time_in_seconds=900, parameters={}, config={}
    )
    response = requests.Response()
    response.status_code, response.headers["Retry-After"] = 429, "86400"

    error = _cdk_error(lambda: strategy.backoff_time(response, 1))

    key = "The rate limit wait time is longer than the connector is allowed to wait."
    assert error.message == key
    assert _reworded(error)[0] == CDK_WORDING[key][:1].upper() + CDK_WORDING[key][1:]
    assert "quota" in _reworded(error)[0]


def _authenticator():
    return Oauth2Authenticator(
        token_refresh_endpoint=TOKEN_URL, client_id="id", client_secret="secret", refresh_token="",
        grant_type="client_credentials",
    )


def test_a_refreshed_token_the_api_rejects():
    client = _client(
        {401: ErrorResolution(ResponseAction.REFRESH_TOKEN_THEN_RETRY, FailureType.config_error, "rejected")},
        max_retries=3, authenticator=_authenticator(),
    )
    with requests_mock.Mocker() as mock:
        mock.post(TOKEN_URL, [{"json": {"access_token": f"token-{n}", "expires_in": 3600}} for n in (1, 2)])
        mock.get(URL, status_code=401, json={})
        error = _cdk_error(lambda: client.send_request("GET", URL, request_kwargs={}))

    key = "Refreshed OAuth access token is rejected by the API."
    assert error.message == key
    assert "token its token endpoint had just issued" in _reworded(error, "users")[0]


def test_a_server_error_through_every_retry_keeps_the_manifest_s_message_as_its_cause():
    manifest_message = "The API answered with a server error (HTTP 5xx); it may be temporarily unavailable."
    client = _client({503: ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, manifest_message)})
    with requests_mock.Mocker() as mock:
        mock.get(URL, status_code=503, json={})
        error = _cdk_error(lambda: client.send_request("GET", URL, request_kwargs={}))

    assert error.message.startswith(RETRIES_EXHAUSTED) and error.message.endswith(manifest_message)
    message, failure_type = _reworded(error, "users")
    assert message == f"Stream 'users': retries exhausted: {manifest_message} Run the sync again later; incremental " \
        "streams resume from their last state."
    assert failure_type == "transient_error"


def test_a_host_that_refuses_every_retry_is_named_from_the_cdk_s_message():
    # The manifest's error handlers: their filters match HTTP statuses, so an exception meets the CDK's defaults.
    handler = DefaultErrorHandler(parameters={}, config={}, max_retries=0)
    client = HttpClient(name="users", logger=logger, error_handler=handler)

    with socket.socket() as sock:  # bound, never listening: refused, and no server of a test beside can take it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        error = _cdk_error(lambda: client.send_request("GET", f"http://127.0.0.1:{port}/v1/users", request_kwargs={}))

    assert error.message.startswith(RETRIES_EXHAUSTED) and "ConnectionError" in error.message, error.message
    message, failure_type = _reworded(error, "users")
    assert message.startswith(f"Stream 'users': could not connect to 127.0.0.1:{port} through every retry. Run the "
                              "sync again later"), message
    assert failure_type == "transient_error"  # a host never reached is a config error before any retry


# ---- messages of ours that name their stream -----------------------------------------------------------------------
def test_a_broken_page_through_every_retry_names_its_stream_first():
    broken = "Stream 'customers': the API answered https://api.example.com/customers with a body that is not JSON"
    error = AirbyteTracedException(message=f"{RETRIES_EXHAUSTED}{broken}", failure_type=FailureType.system_error)

    message, failure_type = _reworded(error, "customers")

    assert message == "Stream 'customers': retries exhausted: the API answered https://api.example.com/customers " \
        "with a body that is not JSON"
    assert failure_type == "system_error"


def test_a_message_that_names_its_stream_keeps_it():
    """A message of ours names the stream whose page it is about (a parent's, read for its child's partitions)."""
    loop = "Stream 'customers': the API's next page is one already read (…)"

    for requester_of in ("customers", "funding_sources"):
        error = AirbyteTracedException(message=loop, failure_type=FailureType.system_error)
        assert _reworded(error, requester_of)[0] == loop


def test_a_config_error_names_the_setting_not_the_stream():
    """Check puts "Stream <name> is not available: " before a message already; the setting is the same for all."""
    error = AirbyteTracedException(message="Could not connect to http://127.0.0.1:1 (…). Check base_url.",
                                   failure_type=FailureType.config_error)

    assert _reworded(error, "users") == ("Could not connect to http://127.0.0.1:1 (…). Check base_url.", "config_error")


def test_an_error_without_a_message_keeps_the_cdk_s_fallback():
    error = AirbyteTracedException(internal_message="boom", failure_type=FailureType.system_error)

    assert said(error, "users").message is None
