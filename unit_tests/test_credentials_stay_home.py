"""No credential of any kind reaches a host other than the API's own (base_url's, the token URL's and
additional_hosts), on a next link or on a redirect: one test per kind of credentials, through a read of a probe API
that takes that kind (unit_tests/probe.py), so that a kind no shipped profile takes yet is covered too.

requests takes only `Authorization` off a redirect to another host: an API key in another header, or in the query
that a redirecting proxy keeps, would follow it. These tests mock HTTP with requests_mock itself (which the CDK's
HttpMocker wraps) because they must read what the foreign host received, every header and the URL.
"""

import pytest
import requests_mock
from airbyte_cdk.models import FailureType

from unit_tests.builders import ACCESS_TOKEN, API_KEY_VALUE, CLIENT_SECRET, PASSWORD, USERNAME, credentials
from unit_tests.harness import read_streams, records, stream_errors
from unit_tests.probe import PROBE, PROBE_URL, install, probe_manifest

FOREIGN = "https://collector.example.net"
ISSUED = "probe-issued-token-4f8a2c"
# The probe's credentials definition -> the sandbox's kind of the tests' credentials.
KINDS = {
    "oauth2_client_credentials": "oauth2",
    "bearer_token": "bearer",
    "api_key_in_header": "api_key",
    "api_key_in_query": "api_key",
    "basic_http": "basic",
}
# Every secret a request of the probe may carry, as it travels (basic auth's is base64 of user:password).
SECRETS = [ISSUED, ACCESS_TOKEN, API_KEY_VALUE, CLIENT_SECRET, PASSWORD, USERNAME,
           __import__("base64").b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()]


def _config(definition):
    return {"api": PROBE, "credentials": credentials(KINDS[definition])}


def _token_endpoint(mock):
    mock.post(f"{PROBE_URL}/oauth/token", json={"access_token": ISSUED, "expires_in": 3600})


def _moved_to_foreign(request, context):
    context.status_code = 302
    context.headers["Location"] = f"{FOREIGN}{request.path}" + (f"?{request.query}" if request.query else "")
    return ""


def _carried(request):
    """The secrets a request that reached the mock carried, in any header or in its URL."""
    text = " ".join(f"{name}: {value}" for name, value in request.headers.items()) + " " + request.url
    return [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize("definition", KINDS)
def test_no_credential_follows_a_redirect_to_another_host(tmp_path, monkeypatch, definition):
    install(probe_manifest(definition), tmp_path, monkeypatch)
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock)
        # A proxy that sends the client elsewhere, keeping the query (and so an API key in it).
        mock.get(f"{PROBE_URL}/v1/things", text=_moved_to_foreign)
        mock.get(f"{FOREIGN}/v1/things", json=[{"id": "t1"}])

        output = read_streams(_config(definition), ["things"])

    home = [r for r in mock.request_history if r.url.startswith(f"{PROBE_URL}/v1/things")]
    foreign = [r for r in mock.request_history if r.url.startswith(FOREIGN)]
    assert home and _carried(home[0]), "the API itself was asked without the credentials"
    assert foreign, "the redirect was not followed: no fault happened"
    assert [_carried(r) for r in foreign] == [[]] * len(foreign)
    assert stream_errors(output) == [] and records(output) == [{"id": "t1"}]


@pytest.mark.parametrize("paginator", ["link_header_paginator", "links_next_paginator"])
@pytest.mark.parametrize("definition", KINDS)
def test_a_next_link_to_another_host_is_never_requested(tmp_path, monkeypatch, definition, paginator):
    in_body = paginator == "links_next_paginator"
    install(probe_manifest(definition, paginator, data_selector="data" if in_body else "$"), tmp_path, monkeypatch)
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock)
        elsewhere = f"{FOREIGN}/v1/things?cursor=2"
        if in_body:
            mock.get(f"{PROBE_URL}/v1/things", json={"data": [{"id": "t1"}], "links": {"next": elsewhere}})
        else:
            mock.get(f"{PROBE_URL}/v1/things", json=[{"id": "t1"}], headers={"Link": f'<{elsewhere}>; rel="next"'})
        foreign = mock.get(f"{FOREIGN}/v1/things", json=[{"id": "t2"}])

        output = read_streams(_config(definition), ["things"], expect_failure=True)

    assert foreign.call_count == 0
    [error] = stream_errors(output)
    assert error.trace.error.failure_type == FailureType.config_error
    assert "collector.example.net" in error.trace.error.message and "additional_hosts" in error.trace.error.message
    assert records(output) == [{"id": "t1"}]


def test_a_host_a_redirect_took_the_request_to_that_refuses_it_is_named_with_additional_hosts(tmp_path, monkeypatch):
    install(probe_manifest("bearer_token"), tmp_path, monkeypatch)
    with requests_mock.Mocker() as mock:
        mock.get(f"{PROBE_URL}/v1/things", text=_moved_to_foreign)
        foreign = mock.get(f"{FOREIGN}/v1/things", status_code=401, json={"error": "unauthorized"})

        output = read_streams(_config("bearer_token"), ["things"], expect_failure=True)

    assert foreign.call_count == 1 and _carried(foreign.last_request) == []
    [error] = stream_errors(output)
    assert error.trace.error.failure_type == FailureType.config_error
    message = error.trace.error.message
    assert "collector.example.net" in message and "additional_hosts" in message, message
    assert "credentials.access_token" not in message  # the credentials were never shown to it


@pytest.mark.parametrize("definition", KINDS)
def test_a_redirect_to_a_host_the_config_lists_keeps_the_credentials(tmp_path, monkeypatch, definition):
    install(probe_manifest(definition), tmp_path, monkeypatch)
    with requests_mock.Mocker() as mock:
        _token_endpoint(mock)
        mock.get(f"{PROBE_URL}/v1/things", text=_moved_to_foreign)
        foreign = mock.get(f"{FOREIGN}/v1/things", json=[{"id": "t1"}])

        output = read_streams({**_config(definition), "additional_hosts": ["collector.example.net"]}, ["things"])

    assert stream_errors(output) == [] and records(output) == [{"id": "t1"}]
    assert _carried(foreign.last_request), "the API's own host got no credentials"
