"""What every profile's paging shares; each API's own paging style is tested in unit_tests/profiles/test_<name>.py."""

from pathlib import Path

import pytest
import yaml

from source_analytics import source
from unit_tests.builders import DEFAULT_TOKEN_URLS, PROFILES, api_request, oauth_config, page, profile
from unit_tests.harness import given_token_endpoint, read_streams, records, stream_errors

PROFILE_TESTS = Path(__file__).resolve().parent / "profiles"

# Every top-level stream of every profile, with its documented first request.
TOP_LEVEL = [(api, stream) for api in PROFILES for stream in profile(api).streams if stream.kind == "list"]


def test_every_profile_has_its_own_test_file():
    assert sorted(path.stem for path in PROFILE_TESTS.glob("test_*.py")) == sorted(f"test_{api}" for api in PROFILES)


# ---- every stream: an empty first page is a quiet, empty read ---------------------------------------------------
@pytest.mark.parametrize("api, stream", TOP_LEVEL, ids=[f"{api}-{stream.name}" for api, stream in TOP_LEVEL])
def test_an_empty_first_page_yields_no_records_and_no_error(http_mocker, api, stream):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[api])
    request = api_request(stream.path, stream.first_query)
    http_mocker.get(request, page(api, stream.name, []))

    output = read_streams(oauth_config(api), [stream.name])

    assert output.records == []
    assert stream_errors(output) == []
    http_mocker.assert_number_of_calls(request, 1)


# ---- a page-numbered API that names its parameters otherwise ----------------------------------------------------
@pytest.fixture
def study_paged_with_per_page(tmp_path, monkeypatch):
    """The manifest with studies' paginator naming its page size `per_page`, as another API might, the way
    docs/adding-a-profile.md says: the shared paginator by $ref with its `page_size_option` replaced."""
    manifest = yaml.safe_load(source.MANIFEST_PATH.read_text())
    manifest["definitions"]["studies_retriever"]["paginator"] = {
        "$ref": "#/definitions/page_number_paginator",
        "page_size_option": {"type": "RequestOption", "inject_into": "request_parameter", "field_name": "per_page"},
    }
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    monkeypatch.setattr(source, "MANIFEST_PATH", path)


@pytest.mark.usefixtures("study_paged_with_per_page")
def test_a_stream_can_rename_its_page_size_parameter(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    study = profile("studies").stream("study")
    renamed = api_request(study.path, {"page": 1, "per_page": 50})
    http_mocker.get(renamed, page("studies", "study", [{"crf_id": "s1"}]))

    output = read_streams(oauth_config("studies"), ["study"])

    assert stream_errors(output) == []
    assert [record["crf_id"] for record in records(output)] == ["s1"]
    http_mocker.assert_number_of_calls(renamed, 1)
