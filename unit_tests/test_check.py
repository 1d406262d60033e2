"""`check` reads the first page of the chosen profile's check stream (the manifest's table of them)."""

import json

import pytest
import yaml
from airbyte_cdk.models import FailureType, Status

import sandbox
from source_analytics import source
from source_analytics.run import _get_source
from unit_tests.builders import (
    DEFAULT_TOKEN_URLS,
    PROFILES,
    error_response,
    first_page,
    first_page_request,
    first_stream_records,
    oauth_config,
    token_request,
)
from unit_tests.builders import config, first_request, given_credentials
from unit_tests.harness import check, given_token_endpoint


def check_stream(api):
    [stream] = source.check_streams(yaml.safe_load(source.MANIFEST_PATH.read_text()))[api]
    return stream


@pytest.mark.parametrize("api", PROFILES)
def test_check_succeeds_when_the_check_stream_answers(http_mocker, api):
    settings = config(api)
    given_credentials(http_mocker, settings)
    # Only this one request is mocked: checking any other stream would find no mock and fail.
    stream = check_stream(api)
    request = first_request(api, settings, stream)
    http_mocker.get(request, first_page(api, first_stream_records(api, "r1", stream=stream), stream=stream))

    assert check(settings).status == Status.SUCCEEDED
    http_mocker.assert_number_of_calls(request, 1)


@pytest.mark.parametrize("api", PROFILES)
def test_the_check_stream_is_a_top_level_stream_of_the_profile(api):
    """One request proves the credentials and base URL: a stream of the API's document that needs no parent."""
    assert check_stream(api) in [s.name for s in sandbox.profile(api).streams if s.kind == sandbox.LIST]


def test_check_fails_with_a_wrong_client_secret(http_mocker):
    http_mocker.post(token_request(DEFAULT_TOKEN_URLS["payments"]), error_response(401, body={"error": "invalid_client"}))

    status = check(oauth_config("payments"))

    assert status.status == Status.FAILED
    assert "invalid_client" in status.message


def test_check_fails_when_access_is_refused(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    http_mocker.get(first_page_request("studies", stream=check_stream("studies")), error_response(403))

    status = check(oauth_config("studies"))

    assert status.status == Status.FAILED
    assert "HTTP 403" in status.message


# ------------------------------------------------------------------------------------------------------------------
# Check fails closed: a profile the spec offers without a check stream stops the connector at start-up, instead of
# a check that answers SUCCEEDED without sending a request.
# ------------------------------------------------------------------------------------------------------------------
# No API of the family would be called this: a contributor's real sixth profile never collides with it.
MADE_UP = "zz_profile_without_a_check_stream"


@pytest.fixture
def manifest_with_a_sixth_profile(tmp_path, monkeypatch):
    """The connector's manifest with a made-up profile added the way a contributor might add one: in the spec's
    list of profiles and with streams of its own (tracking's), but with no check stream named for it."""
    manifest = yaml.safe_load(source.MANIFEST_PATH.read_text())
    manifest["spec"]["connection_specification"]["properties"]["api"]["enum"].append(MADE_UP)
    tracking = next(block for block in manifest["streams"] if "'tracking'" in block.get("condition", ""))
    manifest["streams"].append({**tracking, "condition": f"{{{{ config.get('api') == '{MADE_UP}' }}}}"})
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    monkeypatch.setattr(source, "MANIFEST_PATH", path)


@pytest.mark.usefixtures("manifest_with_a_sixth_profile")
@pytest.mark.parametrize("api", [MADE_UP, "tracking"])
def test_a_profile_without_a_check_stream_stops_the_connector_at_start_up(tmp_path, capsys, api):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(oauth_config(api)))

    assert _get_source(["check", "--config", str(config)]) is None

    messages = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [m["type"] for m in messages] == ["TRACE"]  # no CONNECTION_STATUS, let alone SUCCEEDED
    error = messages[0]["trace"]["error"]
    assert error["failure_type"] == FailureType.system_error.value
    assert MADE_UP in error["message"] and "check stream" in error["message"]
