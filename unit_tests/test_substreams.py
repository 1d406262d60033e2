"""Child streams read one partition per parent record, from the parent's own pages."""

from source_analytics import SourceAnalytics
from unit_tests.builders import (
    DEFAULT_TOKEN_URLS,
    PROFILES,
    api_request,
    hal_page,
    oauth_config,
    page,
    profile,
    BASE_URL,
    json_response,
)
from unit_tests.builders import config, first_query, given_credentials, keyed, request
from unit_tests.harness import each, given_token_endpoint, read_streams, record_ids, records, stream_errors


def test_meetings_are_read_per_user_id(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["meetings"])
    http_mocker.get(api_request("/v1/users", {"page_size": 30}), page("meetings", "users", [{"id": "u1"}], next="t2"))
    http_mocker.get(api_request("/v1/users", {"page_size": 30, "next_page_token": "t2"}), page("meetings", "users", [{"id": "u2"}]))
    http_mocker.get(api_request("/v1/meetings/u1"), page("meetings", "meetings", [{"id": 11, "topic": "standup"}]))
    http_mocker.get(api_request("/v1/meetings/u2"), page("meetings", "meetings", [{"id": 21}, {"id": 22}]))

    output = read_streams(oauth_config("meetings"), ["meetings"])

    assert stream_errors(output) == []
    assert sorted(record_ids(output, "meetings")) == [11, 21, 22]


def test_funding_sources_are_read_per_customer_id(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(
        api_request("/customers"), hal_page("customers", [{"id": "cus-1"}], next_href=f"{BASE_URL}/customers?page=2")
    )
    http_mocker.get(api_request("/customers", {"page": 2}), hal_page("customers", [{"id": "cus-2"}]))
    http_mocker.get(api_request("/customers/cus-1/funding-sources"), hal_page("funding-sources", [{"id": "fs-1"}]))
    http_mocker.get(api_request("/customers/cus-2/funding-sources"), hal_page("funding-sources", [{"id": "fs-2"}]))

    output = read_streams(oauth_config("payments"), ["funding_sources"])

    assert stream_errors(output) == []
    assert sorted(record_ids(output, "funding_sources")) == ["fs-1", "fs-2"]


def test_funding_sources_follow_their_own_next_links(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(api_request("/customers"), hal_page("customers", [{"id": "cus-1"}]))
    http_mocker.get(
        api_request("/customers/cus-1/funding-sources"),
        hal_page("funding-sources", [{"id": "fs-1"}], next_href=f"{BASE_URL}/customers/cus-1/funding-sources?page=2"),
    )
    http_mocker.get(api_request("/customers/cus-1/funding-sources", {"page": 2}), hal_page("funding-sources", [{"id": "fs-2"}]))

    output = read_streams(oauth_config("payments"), ["funding_sources"])

    assert record_ids(output, "funding_sources") == ["fs-1", "fs-2"]


def test_audit_trail_is_read_once_per_distinct_study_id(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    # One study row per CRF: s1 appears on three rows, two of them on the second page.
    http_mocker.get(
        api_request("/v1/study", {"page": 1, "page_size": 50}),
        page("studies", "study", [{"crf_id": f"crf-{i}", "study_id": "s1" if i == 0 else f"filler-{i}"} for i in range(50)]),
    )
    http_mocker.get(
        api_request("/v1/study", {"page": 2, "page_size": 50}),
        page("studies", "study", [{"crf_id": "crf-50", "study_id": "s1"}, {"crf_id": "crf-51", "study_id": "s1"}]),
    )
    s1_trail = api_request("/v1/study/s1/audit-trail", {"page": 1, "page_size": 1000})
    http_mocker.get(s1_trail, page("studies", "audit_trail", [{"uuid": "a1", "datetime": "2024-01-01T00:00:00Z", "study_id": "s1"}]))
    for i in range(1, 50):
        http_mocker.get(api_request(f"/v1/study/filler-{i}/audit-trail", {"page": 1, "page_size": 1000}), page("studies", "audit_trail", []))

    output = read_streams(oauth_config("studies"), ["audit_trail"])

    assert stream_errors(output) == []
    assert record_ids(output, "audit_trail", "uuid") == ["a1"]
    http_mocker.assert_number_of_calls(s1_trail, 1)


def test_a_parent_without_children_is_quiet(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(api_request("/customers"), hal_page("customers", [{"id": "cus-1"}, {"id": "cus-2"}]))
    # One customer has an empty list, the other no `_embedded` at all.
    http_mocker.get(api_request("/customers/cus-1/funding-sources"), hal_page("funding-sources", []))
    http_mocker.get(api_request("/customers/cus-2/funding-sources"), json_response({"_links": {}}))

    output = read_streams(oauth_config("payments"), ["funding_sources"])

    assert records(output) == []
    assert stream_errors(output) == []


def test_no_parent_records_means_no_child_requests(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["meetings"])
    http_mocker.get(api_request("/v1/users", {"page_size": 30}), page("meetings", "users", []))

    output = read_streams(oauth_config("meetings"), ["users", "meetings"])

    # Any child request would find no mock and fail the stream.
    assert records(output) == []
    assert stream_errors(output) == []


# Every child stream of every profile: the parent's field its path names ({id}, {study_id}) fills it.
CHILDREN = [(api, stream) for api in PROFILES for stream in profile(api).streams if stream.kind == "child"]


def given_parent_and_child(http_mocker, api, child, settings):
    """One parent record and one child record; returns the parent's (only) page request."""
    given_credentials(http_mocker, settings)
    parent = profile(api).stream(child.parent)
    [parent_record] = keyed(parent, ["p1"])
    parent_record[child.parent_field] = "s1"
    [child_record] = keyed(child, ["c1"])
    child_record.update({child.cursor: "2024-01-01T00:00:00Z"} if child.cursor else {})
    parent_request = request(api, parent.path, first_query(parent), settings)
    http_mocker.get(parent_request, page(api, parent.name, [parent_record], total=1, pages=1))
    child_request = request(api, child.path.format(**{child.placeholder: "s1"}), first_query(child), settings)
    http_mocker.get(child_request, page(api, child.name, [child_record], total=1, pages=1))
    return parent_request


@each("api, child", CHILDREN, ids=[f"{api}-{child.name}" for api, child in CHILDREN])
def test_parent_pages_are_requested_once_when_parent_and_child_are_both_synced(http_mocker, api, child):
    settings = config(api)
    parent_page = given_parent_and_child(http_mocker, api, child, settings)

    output = read_streams(settings, [child.parent, child.name])

    assert stream_errors(output) == []
    assert len(records(output, child.parent)) == 1
    assert len(records(output, child.name)) == 1
    http_mocker.assert_number_of_calls(parent_page, 1)


def audit_trail_partitions(config):
    """The study_id of every partition the audit_trail stream generates, in order.

    Each partition is closed as soon as it is generated, as if its read had finished at once: the CDK drops a
    repeated partition only while the first is still open, so this leaves the dropping to the partition router
    alone, whatever the threads' timing.
    """
    audit_trail = next(s for s in SourceAnalytics(config=config).streams(config) if s.name == "audit_trail")
    study_ids = []
    for partition in audit_trail.generate_partitions():
        study_ids.append(partition.to_slice().partition["study_id"])
        audit_trail.cursor.close_partition(partition)
    return study_ids


def test_a_study_id_repeated_across_study_rows_gives_one_audit_trail_partition(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    # One study row per CRF: s1 has rows next to each other and on the second page (the first page is full).
    first_rows = [{"crf_id": "crf-0", "study_id": "s1"}, {"crf_id": "crf-1", "study_id": "s1"}]
    first_rows += [{"crf_id": f"crf-{i}", "study_id": "s2"} for i in range(2, 50)]
    http_mocker.get(api_request("/v1/study", {"page": 1, "page_size": 50}), page("studies", "study", first_rows))
    http_mocker.get(
        api_request("/v1/study", {"page": 2, "page_size": 50}),
        page("studies", "study", [{"crf_id": "crf-50", "study_id": "s1"}, {"crf_id": "crf-51", "study_id": "s3"}]),
    )

    assert audit_trail_partitions(oauth_config("studies")) == ["s1", "s2", "s3"]
