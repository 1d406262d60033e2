"""The data every profile serves: incremental cursors, determinism per seed, advance() (streams from the registry)."""

import json

import sandbox
from sandbox.tests.support import TS, session, walk_hal, flat


# The top-level streams with a cursor; every stream advance() appends to, with its cursor; every stream.
INCREMENTAL = [(p, s.name, s.cursor) for p in sandbox.PROFILES for s in sandbox.profile(p).streams
               if s.cursor and s.kind == sandbox.LIST]
GROWING = [(p, s.name, s.cursor) for p in sandbox.PROFILES for s in sandbox.profile(p).streams
           if s.grows or (s.cursor and sandbox.profile(p).advance)]
ALL_STREAMS = [(p, s.name) for p in sandbox.PROFILES for s in sandbox.profile(p).streams]


def test_incremental_cursors_increase_and_are_formatted(sb):
    assert INCREMENTAL
    for profile, stream, field in INCREMENTAL:
        values = [r[field] for r in sb.truth(profile, stream)]
        assert all(TS.match(v) for v in values)
        assert all(a < b for a, b in zip(values, values[1:])), stream
        assert values[0].startswith("2024-01-01T00:0")


def truth(s, profile, stream):
    """The stream's records, with the links that name this sandbox's own address (payments) made relative."""
    return json.loads(json.dumps(s.truth(profile, stream)).replace(s.url, ""))


def test_deterministic_per_seed():
    with sandbox.start(records=15, seed=11) as a, sandbox.start(records=15, seed=11) as b, \
            sandbox.start(records=15, seed=12) as c:
        for profile, stream in ALL_STREAMS:
            assert truth(a, profile, stream) == truth(b, profile, stream), (profile, stream)
            assert truth(a, profile, stream) != truth(c, profile, stream), (profile, stream)


def test_advance_appends_later_records(fresh):
    assert GROWING
    before = {(profile, stream): fresh.truth(profile, stream) for profile, stream, _ in GROWING}
    fields = {(profile, stream): field for profile, stream, field in GROWING}
    s = session(fresh, "payments")
    first_walk = flat(walk_hal(s, fresh.base_url("payments") + "/events", "events"))
    fresh.advance(4)
    for (profile, stream), old in before.items():
        new = fresh.truth(profile, stream)
        assert len(new) == len(old) + 4, stream
        f = fields[(profile, stream)]
        added = [r for r in new if r not in old]
        assert len(added) == 4 and min(r[f] for r in added) > max(r[f] for r in old)
    walked = flat(walk_hal(s, fresh.base_url("payments") + "/events", "events"))
    assert walked[:len(first_walk)] == first_walk and len(walked) == len(first_walk) + 4
    assert walked == fresh.truth("payments", "events")
    sess = session(fresh, "studies")
    sid = next(r["study_id"] for r in fresh.truth("studies", "audit_trail") if r not in before[("studies", "audit_trail")])
    served = sess.get(f"{fresh.base_url('studies')}/v1/study/{sid}/audit-trail").json()["items"]
    assert served == [r for r in fresh.truth("studies", "audit_trail") if r["study_id"] == sid]
