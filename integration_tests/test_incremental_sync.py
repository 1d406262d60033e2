"""Incremental streams over real HTTP: state carried between syncs, start_date honoured."""

from collections import defaultdict

import pytest

import sandbox
from integration_tests.connector import configured_catalog, run
from integration_tests.scenarios import partition_field
from integration_tests.traits import each
from sandbox.profile import key_of

# Every stream with a documented cursor: profile, stream, primary key, cursor field, and for a stream read per
# parent the partition field its state is kept per (the manifest's partition_field), else None.
INCREMENTAL = [
    (p.name, s.name, s.key, s.cursor, partition_field(p.name, s.name) if s.parent else None)
    for p in sandbox.REGISTRY.values() for s in p.streams if s.cursor
]


def _catalog_for(config, stream):
    discovered = run("discover", config)
    [entry] = [s for s in discovered.catalog["streams"] if s["name"] == stream]
    return configured_catalog({"streams": [entry]}, incremental=True)


def _boundary(records, key, cursor, partition):
    """Records sitting exactly on their partition's latest cursor value: the only ones a resumed sync may repeat."""
    latest = defaultdict(str)
    for record in records:
        group = record.get(partition) if partition else None
        latest[group] = max(latest[group], record[cursor])
    return {key_of(r, key) for r in records if r[cursor] == latest[r.get(partition) if partition else None]}


@pytest.mark.parametrize("profile,stream,key,cursor,partition", INCREMENTAL)
def test_second_sync_reads_only_what_is_new(fresh_sandbox, profile, stream, key, cursor, partition):
    config = fresh_sandbox.config(profile)
    catalog = _catalog_for(config, stream)
    old_records = fresh_sandbox.truth(profile, stream)

    first = run("read", config, catalog)
    assert first.errors == []
    assert {key_of(r, key) for r in first.records()} == {key_of(r, key) for r in old_records}
    assert first.states, "an incremental sync must emit state"

    fresh_sandbox.advance(7)
    new_keys = {key_of(r, key) for r in fresh_sandbox.truth(profile, stream)} - {key_of(r, key) for r in old_records}
    assert new_keys

    second = run("read", config, catalog, state=[first.states[-1]])

    assert second.errors == []
    read = {key_of(r, key) for r in second.records()}
    assert new_keys <= read, "records added since the last sync were lost"
    assert read - new_keys <= _boundary(old_records, key, cursor, partition), "old records were read again"


@pytest.mark.parametrize("profile,stream,key,cursor,partition", INCREMENTAL)
def test_start_date_skips_older_records(fresh_sandbox, profile, stream, key, cursor, partition):
    served = sorted(fresh_sandbox.truth(profile, stream), key=lambda r: r[cursor])
    start_date = served[len(served) // 2][cursor]
    config = dict(fresh_sandbox.config(profile), start_date=start_date)

    result = run("read", config, _catalog_for(config, stream))

    assert result.errors == []
    assert {key_of(r, key) for r in result.records()} == {key_of(r, key) for r in served if r[cursor] >= start_date}


# A full-refresh child of an incremental parent reads the children of every parent: start_date filters the parent
# stream's own records, never which parents the child reads (docs/adding-a-profile.md, the child recipe).
CHILDREN_OF_INCREMENTAL_PARENTS = [(p.name, s.name) for p in sandbox.REGISTRY.values() for s in p.streams
                                   if s.parent and not s.cursor and p.stream(s.parent).cursor]


@each("profile, stream", CHILDREN_OF_INCREMENTAL_PARENTS,
      ids=[f"{p}-{s}" for p, s in CHILDREN_OF_INCREMENTAL_PARENTS])
def test_start_date_drops_no_parent_of_a_full_refresh_child(fresh_sandbox, profile, stream):
    documented = sandbox.profile(profile).stream(stream)
    parent = sandbox.profile(profile).stream(documented.parent)
    parents = sorted(fresh_sandbox.truth(profile, parent.name), key=lambda r: r[parent.cursor])
    config = dict(fresh_sandbox.config(profile), start_date=parents[len(parents) // 2][parent.cursor])

    result = run("read", config, configured_catalog(run("discover", config).catalog, [stream]))

    assert result.errors == []
    assert {key_of(r, documented.key) for r in result.records()} == {
        key_of(r, documented.key) for r in fresh_sandbox.truth(profile, stream)}
