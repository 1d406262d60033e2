"""meetings (001) pages: users by `next_page_token` sent back with page_size=30; "" (or no token) ends.

What is this API's alone: how it pages, and what its document's types rule out or allow in the schemas.
"""

import pytest

from unit_tests.builders import DEFAULT_TOKEN_URLS, api_request, page
from unit_tests.harness import given_token_endpoint, read_ok
from unit_tests.test_schema_types import validator

API = "meetings"


def test_meetings_users_sends_next_page_token_back_with_page_size_30(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    http_mocker.get(api_request("/v1/users", {"page_size": 30}), page(API, "users", [{"id": "u1"}], next="tok-2"))
    second_page = api_request("/v1/users", {"page_size": 30, "next_page_token": "tok-2"})
    http_mocker.get(second_page, page(API, "users", [{"id": "u2"}], next=""))

    assert read_ok(API, "users") == ["u1", "u2"]
    http_mocker.assert_number_of_calls(second_page, 1)


def test_meetings_users_missing_next_page_token_ends(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    http_mocker.get(api_request("/v1/users", {"page_size": 30}), page(API, "users", [{"id": "u1"}]))

    assert read_ok(API, "users") == ["u1"]


# ---- schemas: what the document rules out or allows, case by case (the rule: test_schema_types.py) --------------
@pytest.mark.parametrize("stream, record", [
    ("meetings", {"id": "81000000000"}),  # 001: id is a number
    ("meetings", {"id": 81000000000, "duration": "30"}),  # 001: duration is a number
    ("users", {"id": 17}),  # 001: id is a string
])
def test_what_the_document_rules_out_stays_invalid(stream, record):
    assert list(validator(API, stream).iter_errors(record)), f"{API}.{stream} accepted {record}"


@pytest.mark.parametrize("stream, record", [
    ("meetings", {"id": 81000000000.0, "duration": 29.5, "type": 2.0}),
    ("users", {"id": "u1", "pmi": "1234567890", "verified": 1, "type": 1.0}),
])
def test_undocumented_numbers_and_ids_accept_what_an_api_may_send(stream, record):
    errors = [e.message for e in validator(API, stream).iter_errors(record)]
    assert errors == []
