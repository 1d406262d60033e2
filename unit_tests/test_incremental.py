"""Incremental streams filter on the client by their cursor and keep the latest cursor value as state."""

import pytest
from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.builders import (
    DEFAULT_TOKEN_URLS,
    api_request,
    hal_page,
    PROFILES,
    oauth_config,
    page,
    profile,
)
from unit_tests.harness import each, final_state, given_token_endpoint, read_streams, record_ids, records, stream_errors

EVENTS = api_request("/events")
BANK_TRANSACTIONS = api_request("/v1/bank_transactions", {"page": 1, "page_size": 100})
CONTACTS = api_request("/v1/contacts", {"page": 1, "page_size": 100})
STUDIES = api_request("/v1/study", {"page": 1, "page_size": 50})


def trail(study_id):
    return api_request(f"/v1/study/{study_id}/audit-trail", {"page": 1, "page_size": 1000})


def event(event_id, created):
    return {"id": event_id, "created": created}


def transaction(transaction_id, updated):
    return {"BankTransactionID": transaction_id, "UpdatedDateUTC": updated}


def audit(uuid, when, study_id):
    return {"uuid": uuid, "datetime": when, "study_id": study_id}


def read_incremental(api, stream, state=None, **config):
    output = read_streams(oauth_config(api, **config), [stream], SyncMode.incremental, state=state)
    assert stream_errors(output) == []
    return output


def test_start_date_filters_older_records(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(
        EVENTS,
        hal_page(
            "events",
            [
                event("before", "2023-12-31T23:59:59Z"),
                event("at-start", "2024-01-01T00:00:00Z"),
                event("after", "2024-02-01T12:00:00Z"),
            ],
        ),
    )

    output = read_incremental("payments", "events", start_date="2024-01-01T00:00:00Z")

    assert record_ids(output, "events") == ["at-start", "after"]
    assert final_state(output, "events") == {"created": "2024-02-01T12:00:00Z"}


def test_without_start_date_all_history_is_read(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(EVENTS, hal_page("events", [event("old", "1999-05-01T00:00:00Z"), event("new", "2024-01-01T00:00:00Z")]))

    output = read_incremental("payments", "events")

    assert record_ids(output, "events") == ["old", "new"]


def test_state_is_honoured_and_only_the_boundary_record_is_re_emitted(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["accounting"])
    http_mocker.get(
        BANK_TRANSACTIONS,
        page("accounting", "bank_transactions", [
                transaction("synced-earlier", "2024-02-28T08:00:00Z"),
                transaction("boundary", "2024-03-01T00:00:00Z"),
                transaction("new", "2024-03-02T00:00:00Z"),
            ],
        ),
    )
    state = StateBuilder().with_stream_state("bank_transactions", {"UpdatedDateUTC": "2024-03-01T00:00:00Z"}).build()

    output = read_incremental("accounting", "bank_transactions", state, start_date="2020-01-01T00:00:00Z")

    assert record_ids(output, "bank_transactions", "BankTransactionID") == ["boundary", "new"]


def test_state_wins_over_an_older_start_date(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(EVENTS, hal_page("events", [event("e1", "2024-01-10T00:00:00Z"), event("e2", "2024-06-01T00:00:00Z")]))
    state = StateBuilder().with_stream_state("events", {"created": "2024-05-01T00:00:00Z"}).build()

    output = read_incremental("payments", "events", state, start_date="2024-01-01T00:00:00Z")

    assert record_ids(output, "events") == ["e2"]


def test_final_state_is_the_maximum_cursor_whatever_the_record_order(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["accounting"])
    http_mocker.get(
        CONTACTS,
        page("accounting", "contacts", [
                {"ContactID": "c1", "UpdatedDateUTC": "2024-03-05T10:00:00Z"},
                {"ContactID": "c2", "UpdatedDateUTC": "2024-03-09T23:59:59Z"},
                {"ContactID": "c3", "UpdatedDateUTC": "2024-03-01T00:00:00Z"},
            ],
        ),
    )

    output = read_incremental("accounting", "contacts")

    assert final_state(output, "contacts") == {"UpdatedDateUTC": "2024-03-09T23:59:59Z"}


def test_audit_trail_keeps_one_cursor_per_study(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    http_mocker.get(STUDIES, page("studies", "study", [{"crf_id": "c1", "study_id": "s1"}, {"crf_id": "c2", "study_id": "s2"}]))
    http_mocker.get(
        trail("s1"),
        page("studies", "audit_trail", [audit("s1-old", "2024-01-01T00:00:00Z", "s1"), audit("s1-new", "2024-04-01T00:00:00Z", "s1")]),
    )
    http_mocker.get(trail("s2"), page("studies", "audit_trail", [audit("s2-only", "2024-02-01T00:00:00Z", "s2")]))
    # s1 was read up to March; s2 was never read.
    state = StateBuilder().with_stream_state(
        "audit_trail",
        {"states": [{"partition": {"parent_slice": {}, "study_id": "s1"}, "cursor": {"datetime": "2024-03-01T00:00:00Z"}}]},
    ).build()

    output = read_incremental("studies", "audit_trail", state)

    assert sorted(record_ids(output, "audit_trail", "uuid")) == ["s1-new", "s2-only"]
    cursors = {
        entry["partition"]["study_id"]: entry["cursor"]["datetime"] for entry in final_state(output, "audit_trail")["states"]
    }
    assert cursors == {"s1": "2024-04-01T00:00:00Z", "s2": "2024-02-01T00:00:00Z"}


def test_a_state_from_the_future_yields_nothing_and_does_not_fail(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(EVENTS, hal_page("events", [event("e1", "2024-01-01T00:00:00Z"), event("e2", "2025-01-01T00:00:00Z")]))
    future = {"created": "2999-01-01T00:00:00Z"}
    state = StateBuilder().with_stream_state("events", future).build()

    output = read_incremental("payments", "events", state)

    assert output.records == []
    assert final_state(output, "events") == future


def test_cursor_values_with_fractions_or_offsets_are_compared_as_datetimes(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(
        EVENTS,
        hal_page(
            "events",
            [
                event("fraction-before", "2023-12-31T23:59:59.999Z"),
                event("fraction-after", "2024-01-01T00:00:00.500Z"),
                event("offset-before", "2024-01-01T00:30:00+01:00"),
                event("offset-after", "2024-01-01T02:00:00+01:00"),
            ],
        ),
    )

    output = read_incremental("payments", "events", start_date="2024-01-01T00:00:00Z")

    assert record_ids(output, "events") == ["fraction-after", "offset-after"]


def test_records_without_a_cursor_value_are_kept_and_do_not_move_the_state(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["accounting"])
    http_mocker.get(
        CONTACTS,
        page("accounting", "contacts", [
                {"ContactID": "null-cursor", "UpdatedDateUTC": None},
                {"ContactID": "no-cursor"},
                {"ContactID": "dated", "UpdatedDateUTC": "2024-01-01T00:00:00Z"},
            ],
        ),
    )

    output = read_incremental("accounting", "contacts", start_date="2023-01-01T00:00:00Z")

    assert record_ids(output, "contacts", "ContactID") == ["null-cursor", "no-cursor", "dated"]
    assert final_state(output, "contacts") == {"UpdatedDateUTC": "2024-01-01T00:00:00Z"}


# A saved state whose cursor value the stream's cursor cannot read: refused before any request, naming the stream and
# the value, as a config error (components/state_check.py), for every incremental stream the documents describe;
# per partition too, for a child read once per parent.
INCREMENTAL = [(api, stream.name, stream.cursor) for api in PROFILES for stream in profile(api).streams if stream.cursor]


@each("api, stream, cursor", INCREMENTAL, ids=[f"{api}-{stream}" for api, stream, _ in INCREMENTAL])
@pytest.mark.parametrize("shape", ["stream", "a partition's", "the global one"])
def test_a_state_whose_cursor_is_not_a_date_is_refused_naming_the_stream_before_any_request(api, stream, cursor, shape):
    bad, good = {cursor: "yesterday"}, {cursor: "2024-01-01T00:00:00Z"}
    value = {"stream": bad,
             "a partition's": {"states": [{"partition": {"id": "p1"}, "cursor": bad}], "state": good},
             "the global one": {"states": [{"partition": {"id": "p1"}, "cursor": good}], "state": bad}}[shape]
    state = StateBuilder().with_stream_state(stream, value).build()

    # No request is mocked: one sent would fail the read with another message.
    output = read_streams(oauth_config(api), [stream], SyncMode.incremental, state=state, expect_failure=True)

    [error] = [m.trace.error for m in output.errors]
    assert error.failure_type == FailureType.config_error
    assert error.message.startswith(f"Stream '{stream}': the state given to this sync cannot be read: its {cursor} "
                                    "'yesterday' is not a date-time"), error.message
    assert records(output) == []


def test_a_state_in_another_format_the_cursor_reads_is_honoured(http_mocker):
    # The check reads the stream's own cursor formats: a cursor value with fractions of a second is one of them.
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(EVENTS, hal_page("events", [event("e1", "2024-05-01T00:00:00Z"), event("e2", "2024-06-01T00:00:00Z")]))
    state = StateBuilder().with_stream_state("events", {"created": "2024-05-15T00:00:00.250000Z"}).build()

    output = read_incremental("payments", "events", state)

    assert record_ids(output, "events") == ["e2"]
