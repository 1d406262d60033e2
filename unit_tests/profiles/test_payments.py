"""payments (002) pages: the absolute URL in `_links.next.href`; records under `_embedded.<hyphenated name>`.

What is this API's alone: how it pages, and what its document's types rule out or allow in the schemas.
"""

import pytest

from unit_tests.builders import BASE_URL, DEFAULT_TOKEN_URLS, api_request, page, profile
from unit_tests.harness import given_token_endpoint, read_ok
from unit_tests.test_schema_types import validator

API = "payments"


@pytest.mark.parametrize("stream, path", [(s.name, s.path) for s in profile(API).streams if s.kind == "list"])
def test_payments_follows_links_next_href_until_it_is_absent(http_mocker, stream, path):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    http_mocker.get(
        api_request(path), page(API, stream, [{"id": "p1"}, {"id": "p2"}], next=f"{BASE_URL}{path}?limit=2&offset=2")
    )
    second_page = api_request(path, {"limit": 2, "offset": 2})
    http_mocker.get(second_page, page(API, stream, [{"id": "p3"}]))

    assert read_ok(API, stream) == ["p1", "p2", "p3"]
    http_mocker.assert_number_of_calls(second_page, 1)


# ---- schemas: what the document rules out or allows, case by case (the rule: test_schema_types.py) --------------
@pytest.mark.parametrize("stream, record", [
    ("customers", {"id": 12345, "correlationId": 99}),
])
def test_undocumented_numbers_and_ids_accept_what_an_api_may_send(stream, record):
    errors = [e.message for e in validator(API, stream).iter_errors(record)]
    assert errors == []
