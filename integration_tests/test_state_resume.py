"""State: a killed sync resumed from the last state it emitted loses nothing and repeats at most the boundary.

What the connector checkpoints while it reads (the APIs have no server-side filter, so every incremental stream is
one slice filtered on the client):
* a stream's state when the stream completes, while the other streams go on reading;
* a per-partition stream (audit_trail, per study) at its first closed partition, then at most every 10 minutes
  (the CDK throttles per-partition state), then at the end.
A state covers the records up to its cursor; the boundary records are those exactly at it, which the client-side
filter (cursor >= state) reads again.
"""

import json
from collections import defaultdict

import pytest

import sandbox
from integration_tests.connector import run
from integration_tests.reliability import BackgroundRead, catalog_of

FUTURE = "2999-01-01T00:00:00Z"
EPOCH = "1970-01-01T00:00:00Z"  # where a partition's cursor starts (no start_date)


def _stream_state(state_message):
    return state_message["stream"]["stream_state"]


def _states_of(result, stream):
    return [s for s in result.states if s["stream"]["stream_descriptor"]["name"] == stream]


def _partition_cursors(state, partition_field, cursor_field):
    return {p["partition"][partition_field]: p["cursor"][cursor_field] for p in state.get("states", [])}


def test_a_killed_per_partition_sync_resumes_from_its_checkpoint():
    """audit_trail, killed after its first mid-sync checkpoint, resumes without losing or repeating records."""
    with sandbox.start(records=200, seed=3, latency_ms=30) as api:
        # Two workers: one lists the studies, one reads their trails in order, so the first partition to close
        # (and be checkpointed) is study 1, which has records; with many workers it may be one without any.
        config = dict(api.config("studies"), num_workers=2)
        catalog = catalog_of(api, "studies", ["audit_trail"], incremental=True)
        served = api.truth("studies", "audit_trail")

        sync = BackgroundRead(config, catalog)
        for message in sync:
            if message["type"] != "STATE":
                continue
            cursors = _partition_cursors(_stream_state(message["state"]), "study_id", "datetime")
            if any(cursor > EPOCH for cursor in cursors.values()):  # a partition has closed with records
                sync.kill()
                break
        killed = sync.finish()
        checkpoint = killed.states[-1]
        resumed = run("read", config, catalog, state=[checkpoint])

    assert killed.returncode < 0, "the sync ended before it could be killed"
    assert resumed.returncode == 0 and resumed.errors == [], resumed.errors
    read_before, read_after = killed.records(), resumed.records()
    assert len(read_before) < len(served), "the sync was killed after it had read everything"
    assert {r["uuid"] for r in read_before} | {r["uuid"] for r in read_after} == {r["uuid"] for r in served}

    cursors = _partition_cursors(_stream_state(checkpoint), "study_id", "datetime")
    covered = {r["uuid"] for r in served if r["study_id"] in cursors and r["datetime"] < cursors[r["study_id"]]}
    assert covered, "the checkpoint covers no record: the test would prove nothing"
    assert not covered & {r["uuid"] for r in read_after}, "records the checkpoint covers were read again"


def test_a_killed_sync_resumes_after_the_streams_it_completed():
    """payments, killed once `events` has checkpointed but funding_sources is still reading: events is not read again."""
    with sandbox.start(records=600, seed=3, latency_ms=100) as api:
        config = api.config("payments")
        catalog = catalog_of(api, "payments", incremental=True)
        served = {s["stream"]["name"]: api.truth("payments", s["stream"]["name"]) for s in catalog["streams"]}

        sync = BackgroundRead(config, catalog)
        for message in sync:
            if message["type"] == "STATE" and message["state"]["stream"]["stream_descriptor"]["name"] == "events":
                sync.kill()
                break
        killed = sync.finish()
        resumed = run("read", config, catalog, state=[killed.states[-1]])

    assert killed.returncode < 0, "the sync ended before it could be killed"
    assert resumed.returncode == 0 and resumed.errors == [], resumed.errors
    assert sum(len(r) for r in served.values()) > len(killed.records()), "nothing was left to read"
    for stream, records in served.items():
        before = {r["id"] for r in killed.records(stream)}
        after = {r["id"] for r in resumed.records(stream)}
        assert before | after == {r["id"] for r in records}, f"{stream} lost records across the kill"

    checkpoint = _stream_state(_states_of(killed, "events")[-1])["created"]
    assert all(r["created"] == checkpoint for r in resumed.records("events")), "events the checkpoint covers were read again"


@pytest.mark.parametrize(
    "profile, stream, cursor",
    [(p.name, s.name, s.cursor) for p in sandbox.REGISTRY.values() for s in p.streams if s.cursor and not s.parent],
)
def test_a_state_from_the_future_reads_nothing_and_succeeds(sandbox_api, profile, stream, cursor):
    catalog = catalog_of(sandbox_api, profile, [stream], incremental=True)
    state = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": stream}, "stream_state": {cursor: FUTURE}}}]

    result = run("read", sandbox_api.config(profile), catalog, state=state)

    assert result.returncode == 0 and result.errors == []
    assert result.records() == []
    assert _stream_state(result.states[-1]) == {cursor: FUTURE}, "the state moved back"


@pytest.fixture(scope="module")
def audit_trail_sync(sandbox_api):
    config, catalog = sandbox_api.config("studies"), catalog_of(sandbox_api, "studies", ["audit_trail"], True)
    return config, catalog, run("read", config, catalog)


def test_a_child_stream_keeps_a_cursor_per_parent(sandbox_api, audit_trail_sync):
    _, _, result = audit_trail_sync
    assert result.errors == []

    latest = defaultdict(str)
    for record in sandbox_api.truth("studies", "audit_trail"):
        latest[record["study_id"]] = max(latest[record["study_id"]], record["datetime"])
    final = _stream_state(result.states[-1])
    assert final["use_global_cursor"] is False
    cursors = _partition_cursors(final, "study_id", "datetime")
    assert {study: cursors.get(study) for study in latest} == dict(latest)


def test_a_per_partition_state_from_the_future_reads_nothing_and_succeeds(audit_trail_sync):
    config, catalog, first = audit_trail_sync
    future = json.loads(json.dumps(first.states[-1]))
    state = _stream_state(future)
    for partition in state["states"]:
        partition["cursor"]["datetime"] = FUTURE
    state["state"] = {"datetime": FUTURE}

    result = run("read", config, catalog, state=[future])

    assert result.returncode == 0 and result.errors == []
    assert result.records() == []
