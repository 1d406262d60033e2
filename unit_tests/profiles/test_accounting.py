"""accounting (003) pages: page (from 1) and page_size=100; a short or empty page is the last.

What is this API's alone: how it pages, and what its document's types rule out or allow in the schemas.
"""

import pytest

from unit_tests.builders import DEFAULT_TOKEN_URLS, api_request, page, profile
from unit_tests.harness import given_token_endpoint, read_ok
from unit_tests.test_schema_types import validator

API = "accounting"


def full_page(prefix, key, size=100):
    return [{key: f"{prefix}-{i}"} for i in range(size)]


@pytest.mark.parametrize("stream, path, key", [(s.name, s.path, s.key) for s in profile(API).streams])
def test_accounting_pages_by_number_until_a_short_page(http_mocker, stream, path, key):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    http_mocker.get(api_request(path, {"page": 1, "page_size": 100}), page(API, stream, full_page("p1", key)))
    http_mocker.get(api_request(path, {"page": 2, "page_size": 100}), page(API, stream, [{key: "last"}]))

    ids = read_ok(API, stream, key)

    assert ids == [f"p1-{i}" for i in range(100)] + ["last"]


def test_accounting_stops_at_an_empty_page_after_a_full_one(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    http_mocker.get(api_request("/v1/contacts", {"page": 1, "page_size": 100}), page(API, "contacts", full_page("c", "ContactID")))
    empty_page = api_request("/v1/contacts", {"page": 2, "page_size": 100})
    http_mocker.get(empty_page, page(API, "contacts", []))

    assert len(read_ok(API, "contacts", "ContactID")) == 100
    http_mocker.assert_number_of_calls(empty_page, 1)


# ---- schemas: what the document rules out or allows, case by case (the rule: test_schema_types.py) --------------
@pytest.mark.parametrize("stream, record", [
    ("bank_transactions", {"BankTransactionID": 42, "LineItems": [{"Quantity": 1.5, "LineItemID": 7}]}),
])
def test_undocumented_numbers_and_ids_accept_what_an_api_may_send(stream, record):
    errors = [e.message for e in validator(API, stream).iter_errors(record)]
    assert errors == []
