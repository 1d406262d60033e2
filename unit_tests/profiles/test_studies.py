"""studies (004) pages: study by page number with page_size=50, audit_trail with page_size=1000, user a single page.

What is this API's alone: how it pages, and what its document's types rule out or allow in the schemas.
"""

import pytest

from unit_tests.builders import DEFAULT_TOKEN_URLS, api_request, page
from unit_tests.harness import given_token_endpoint, read_ok
from unit_tests.test_schema_types import UUID, validator

API = "studies"


def test_studies_study_pages_by_number_with_page_size_50(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    http_mocker.get(
        api_request("/v1/study", {"page": 1, "page_size": 50}),
        page(API, "study", [{"crf_id": f"crf-{i}", "study_id": None} for i in range(50)]),
    )
    http_mocker.get(api_request("/v1/study", {"page": 2, "page_size": 50}), page(API, "study", [{"crf_id": "crf-last"}]))

    assert read_ok(API, "study", "crf_id") == [f"crf-{i}" for i in range(50)] + ["crf-last"]


def test_studies_audit_trail_pages_by_number_with_page_size_1000(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    http_mocker.get(api_request("/v1/study", {"page": 1, "page_size": 50}), page(API, "study", [{"crf_id": "c1", "study_id": "s1"}]))
    trail = "/v1/study/s1/audit-trail"
    http_mocker.get(
        api_request(trail, {"page": 1, "page_size": 1000}),
        page(API, "audit_trail", [{"uuid": f"a-{i}", "datetime": "2024-01-01T00:00:00Z"} for i in range(1000)]),
    )
    http_mocker.get(
        api_request(trail, {"page": 2, "page_size": 1000}),
        page(API, "audit_trail", [{"uuid": "a-last", "datetime": "2024-01-02T00:00:00Z"}]),
    )

    assert read_ok(API, "audit_trail", "uuid") == [f"a-{i}" for i in range(1000)] + ["a-last"]


def test_studies_user_is_a_single_page(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[API])
    only_page = api_request("/v1/user")
    # Exact query matching: no page or page_size parameter, and no second request however full the page looks.
    http_mocker.get(only_page, page(API, "user", [{"id": f"u{i}"} for i in range(50)]))

    assert read_ok(API, "user") == [f"u{i}" for i in range(50)]
    http_mocker.assert_number_of_calls(only_page, 1)


# ---- schemas: what the document rules out or allows, case by case (the rule: test_schema_types.py) --------------
@pytest.mark.parametrize("stream, record", [
    ("study", {"crf_id": None}),  # a key is never null
    ("study", {"crf_id": 1.5}),  # an id is a string or an integer
    ("audit_trail", {"uuid": UUID, "study_id": {"id": 1}}),
])
def test_what_the_document_rules_out_stays_invalid(stream, record):
    assert list(validator(API, stream).iter_errors(record)), f"{API}.{stream} accepted {record}"


@pytest.mark.parametrize("value", [UUID, "s-17", 5001, 0])
def test_the_untyped_studies_ids_accept_strings_and_numbers(value):
    samples = {
        "user": {"id": value, "email": "ada@example.com"},
        "study": {"crf_id": value, "study_id": value, "name": "CARDIO-00001"},
        "audit_trail": {"uuid": UUID, "user_id": value, "study_id": value, "crf_id": value,
                        "datetime": "2024-01-01T00:00:00Z"},
    }
    for stream, record in samples.items():
        errors = [e.message for e in validator(API, stream).iter_errors(record)]
        assert errors == [], f"studies.{stream}: {errors}"
