"""`check` reads the first page of the chosen profile's check stream (the manifest's table of them)."""


import pytest
import yaml
from airbyte_cdk.models import Status

import sandbox
from bundle import build
from bundle.components import BundleError
from bundle.tables import check_streams, missing_from_tables
from source_analytics import source
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
    [stream] = check_streams(yaml.safe_load(source.MANIFEST_PATH.read_text()))[api]
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
# Check fails closed: a profile the spec offers without a check stream is refused by the tests and by `make bundle`,
# instead of a check that answers SUCCEEDED without sending a request (bundle/tables.py).
# ------------------------------------------------------------------------------------------------------------------
# No API of the family would be called this: a contributor's real sixth profile never collides with it.
MADE_UP = "zz_profile_without_a_check_stream"


def with_a_sixth_profile(manifest):
    """The manifest with a made-up profile added the way a contributor might add one: in the spec's list of
    profiles and with streams of its own (tracking's), but in neither table."""
    manifest["spec"]["connection_specification"]["properties"]["api"]["enum"].append(MADE_UP)
    tracking = next(block for block in manifest["streams"] if "'tracking'" in block.get("condition", ""))
    manifest["streams"].append({**tracking, "condition": f"{{{{ config.get('api') == '{MADE_UP}' }}}}"})
    return manifest


def test_every_profile_the_spec_offers_has_a_check_stream_and_a_base_url():
    assert missing_from_tables(yaml.safe_load(source.MANIFEST_PATH.read_text())) == []


def test_a_profile_without_a_check_stream_or_base_url_is_refused_naming_both_tables():
    said = missing_from_tables(with_a_sixth_profile(yaml.safe_load(source.MANIFEST_PATH.read_text())))

    assert len(said) == 2 and all(MADE_UP in sentence for sentence in said)
    assert "check stream" in said[0] and "base URL" in said[1]


def test_make_bundle_refuses_a_manifest_with_a_profile_missing_from_the_tables(tmp_path, monkeypatch):
    package = tmp_path / "source_analytics"
    package.mkdir()
    (package / "manifest.yaml").write_text(
        yaml.safe_dump(with_a_sixth_profile(yaml.safe_load(source.MANIFEST_PATH.read_text())), sort_keys=False))
    monkeypatch.setattr("bundle.PACKAGE_DIR", package)
    monkeypatch.setattr("bundle.flatten", lambda directory: "")

    with pytest.raises(BundleError, match=MADE_UP):
        build(tmp_path / "out")
    assert not (tmp_path / "out").exists()
