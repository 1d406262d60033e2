"""What every profile's paging shares; each API's own paging style is tested in unit_tests/profiles/test_<name>.py."""

from pathlib import Path

import pytest

from unit_tests.builders import DEFAULT_TOKEN_URLS, PROFILES, api_request, oauth_config, page, profile
from unit_tests.harness import given_token_endpoint, read_streams, stream_errors

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
