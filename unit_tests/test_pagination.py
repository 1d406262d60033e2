"""Each profile pages the way its API document says: two pages are read, then the reader stops."""

import pytest

from unit_tests.builders import (
    BASE_URL,
    DEFAULT_TOKEN_URLS,
    accounting_page,
    api_request,
    audit_trail_page,
    hal_page,
    meetings_users_page,
    oauth_config,
    studies_page,
    tracking_page,
)
from unit_tests.harness import given_token_endpoint, read_streams, record_ids, stream_errors


def read_ok(api, stream, key="id"):
    output = read_streams(oauth_config(api), [stream])
    assert stream_errors(output) == []
    return record_ids(output, stream, key)


# ---- tracking: the absolute URL in `links.next` is the next request -------------------------------------------
@pytest.mark.parametrize(
    "stream, path",
    [("users", "/v1/users"), ("user_groups", "/v1/user-groups"), ("tracker_settings", "/v1/tracker/settings")],
)
def test_tracking_follows_links_next_until_it_is_absent(http_mocker, stream, path):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["tracking"])
    next_url = f"{BASE_URL}{path}?cursor=opaque-2"
    http_mocker.get(api_request(path), tracking_page([{"id": "a"}, {"id": "b"}], next_url=next_url))
    second_page = api_request(path, {"cursor": "opaque-2"})
    http_mocker.get(second_page, tracking_page([{"id": "c"}]))

    assert read_ok("tracking", stream) == ["a", "b", "c"]
    http_mocker.assert_number_of_calls(second_page, 1)


def test_tracking_next_link_may_point_to_another_host(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["tracking"])
    http_mocker.get(
        api_request("/v1/users"), tracking_page([{"id": "a"}], next_url="https://eu.api.example.com/v1/users?cursor=x")
    )
    http_mocker.get(api_request("/v1/users", {"cursor": "x"}, base_url="https://eu.api.example.com"), tracking_page([{"id": "b"}]))

    assert read_ok("tracking", "users") == ["a", "b"]


# ---- meetings: next_page_token sent back with page_size=30; "" ends --------------------------------------------
def test_meetings_users_sends_next_page_token_back_with_page_size_30(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["meetings"])
    http_mocker.get(api_request("/v1/users", {"page_size": 30}), meetings_users_page([{"id": "u1"}], next_page_token="tok-2"))
    second_page = api_request("/v1/users", {"page_size": 30, "next_page_token": "tok-2"})
    http_mocker.get(second_page, meetings_users_page([{"id": "u2"}], next_page_token=""))

    assert read_ok("meetings", "users") == ["u1", "u2"]
    http_mocker.assert_number_of_calls(second_page, 1)


def test_meetings_users_missing_next_page_token_ends(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["meetings"])
    http_mocker.get(api_request("/v1/users", {"page_size": 30}), meetings_users_page([{"id": "u1"}]))

    assert read_ok("meetings", "users") == ["u1"]


# ---- payments: the absolute URL in `_links.next.href`; records under `_embedded.<hyphenated name>` -------------
@pytest.mark.parametrize(
    "stream, path, resource",
    [
        ("customers", "/customers", "customers"),
        ("events", "/events", "events"),
        ("exchange_partners", "/exchange-partners", "exchange-partners"),
        ("business_classifications", "/business-classifications", "business-classifications"),
    ],
)
def test_payments_follows_links_next_href_until_it_is_absent(http_mocker, stream, path, resource):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(
        api_request(path), hal_page(resource, [{"id": "p1"}, {"id": "p2"}], next_href=f"{BASE_URL}{path}?limit=2&offset=2")
    )
    second_page = api_request(path, {"limit": 2, "offset": 2})
    http_mocker.get(second_page, hal_page(resource, [{"id": "p3"}]))

    assert read_ok("payments", stream) == ["p1", "p2", "p3"]
    http_mocker.assert_number_of_calls(second_page, 1)


# ---- accounting: page (from 1) and page_size=100; a short or empty page is the last ----------------------------
def full_page(prefix, key, size=100):
    return [{key: f"{prefix}-{i}"} for i in range(size)]


@pytest.mark.parametrize(
    "stream, path, resource, key",
    [
        ("bank_transactions", "/v1/bank_transactions", "BankTransactions", "BankTransactionID"),
        ("contacts", "/v1/contacts", "Contacts", "ContactID"),
    ],
)
def test_accounting_pages_by_number_until_a_short_page(http_mocker, stream, path, resource, key):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["accounting"])
    http_mocker.get(api_request(path, {"page": 1, "page_size": 100}), accounting_page(resource, full_page("p1", key)))
    http_mocker.get(api_request(path, {"page": 2, "page_size": 100}), accounting_page(resource, [{key: "last"}]))

    ids = read_ok("accounting", stream, key)

    assert ids == [f"p1-{i}" for i in range(100)] + ["last"]


def test_accounting_stops_at_an_empty_page_after_a_full_one(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["accounting"])
    http_mocker.get(api_request("/v1/contacts", {"page": 1, "page_size": 100}), accounting_page("Contacts", full_page("c", "ContactID")))
    empty_page = api_request("/v1/contacts", {"page": 2, "page_size": 100})
    http_mocker.get(empty_page, accounting_page("Contacts", []))

    assert len(read_ok("accounting", "contacts", "ContactID")) == 100
    http_mocker.assert_number_of_calls(empty_page, 1)


# ---- studies: study page_size=50, audit_trail page_size=1000, user a single page -------------------------------
def test_studies_study_pages_by_number_with_page_size_50(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    http_mocker.get(
        api_request("/v1/study", {"page": 1, "page_size": 50}),
        studies_page("study", [{"crf_id": f"crf-{i}", "study_id": None} for i in range(50)]),
    )
    http_mocker.get(api_request("/v1/study", {"page": 2, "page_size": 50}), studies_page("study", [{"crf_id": "crf-last"}]))

    assert read_ok("studies", "study", "crf_id") == [f"crf-{i}" for i in range(50)] + ["crf-last"]


def test_studies_audit_trail_pages_by_number_with_page_size_1000(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    http_mocker.get(api_request("/v1/study", {"page": 1, "page_size": 50}), studies_page("study", [{"crf_id": "c1", "study_id": "s1"}]))
    trail = "/v1/study/s1/audit-trail"
    http_mocker.get(
        api_request(trail, {"page": 1, "page_size": 1000}),
        audit_trail_page([{"uuid": f"a-{i}", "datetime": "2024-01-01T00:00:00Z"} for i in range(1000)]),
    )
    http_mocker.get(
        api_request(trail, {"page": 2, "page_size": 1000}), audit_trail_page([{"uuid": "a-last", "datetime": "2024-01-02T00:00:00Z"}])
    )

    assert read_ok("studies", "audit_trail", "uuid") == [f"a-{i}" for i in range(1000)] + ["a-last"]


def test_studies_user_is_a_single_page(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    only_page = api_request("/v1/user")
    # Exact query matching: no page or page_size parameter, and no second request however full the page looks.
    http_mocker.get(only_page, studies_page("user", [{"id": f"u{i}"} for i in range(50)]))

    assert read_ok("studies", "user") == [f"u{i}" for i in range(50)]
    http_mocker.assert_number_of_calls(only_page, 1)


# ---- every stream: an empty first page is a quiet, empty read ---------------------------------------------------
@pytest.mark.parametrize(
    "api, stream, request_, empty_page",
    [
        ("tracking", "users", api_request("/v1/users"), tracking_page([])),
        ("meetings", "users", api_request("/v1/users", {"page_size": 30}), meetings_users_page([])),
        ("payments", "events", api_request("/events"), hal_page("events", [])),
        ("accounting", "bank_transactions", api_request("/v1/bank_transactions", {"page": 1, "page_size": 100}), accounting_page("BankTransactions", [])),
        ("studies", "study", api_request("/v1/study", {"page": 1, "page_size": 50}), studies_page("study", [])),
        ("studies", "user", api_request("/v1/user"), studies_page("user", [])),
    ],
)
def test_an_empty_first_page_yields_no_records_and_no_error(http_mocker, api, stream, request_, empty_page):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[api])
    http_mocker.get(request_, empty_page)

    output = read_streams(oauth_config(api), [stream])

    assert output.records == []
    assert stream_errors(output) == []
    http_mocker.assert_number_of_calls(request_, 1)
