"""tracking (000) pages: the absolute URL in `links.next` is the next request, absent on the last page.

What is this API's alone: how it pages, and what its document's types rule out or allow in the schemas.
"""

import pytest

from unit_tests.builders import BASE_URL, DEFAULT_TOKEN_URLS, api_request, page, profile
from unit_tests.harness import given_token_endpoint, read_ok
from unit_tests.test_schema_types import validator

API = "tracking"


@pytest.mark.parametrize("stream, path", [(stream.name, stream.path) for stream in profile(API).streams])
def test_tracking_follows_links_next_until_it_is_absent(http_mocker, stream, path):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    next_url = f"{BASE_URL}{path}?cursor=opaque-2"
    http_mocker.get(api_request(path), page(API, stream, [{"id": "a"}, {"id": "b"}], next=next_url))
    second_page = api_request(path, {"cursor": "opaque-2"})
    http_mocker.get(second_page, page(API, stream, [{"id": "c"}]))

    assert read_ok(API, stream) == ["a", "b", "c"]
    http_mocker.assert_number_of_calls(second_page, 1)


def test_tracking_next_link_may_point_to_another_host_the_config_lists(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    next_url = "https://eu.api.example.com/v1/users?cursor=x"
    http_mocker.get(api_request("/v1/users"), page(API, "users", [{"id": "a"}], next=next_url))
    other_host = api_request("/v1/users", {"cursor": "x"}, base_url="https://eu.api.example.com")
    http_mocker.get(other_host, page(API, "users", [{"id": "b"}]))

    assert read_ok(API, "users", additional_hosts=["eu.api.example.com"]) == ["a", "b"]


# ---- schemas: what the document rules out or allows, case by case (the rule: test_schema_types.py) --------------
@pytest.mark.parametrize("stream, record", [
    ("users", {"id": 17}),  # 000: id is a string
    ("users", {"id": "u1", "language": 1}),  # 000: language is a string
])
def test_what_the_document_rules_out_stays_invalid(stream, record):
    assert list(validator(API, stream).iter_errors(record)), f"{API}.{stream} accepted {record}"


@pytest.mark.parametrize("stream, record", [
    ("user_groups", {"id": 3, "member_count": 12.0}),
])
def test_undocumented_numbers_and_ids_accept_what_an_api_may_send(stream, record):
    errors = [e.message for e in validator(API, stream).iter_errors(record)]
    assert errors == []
