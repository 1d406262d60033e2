"""Deterministic record generation, for every profile in the registry.

Every record is a pure function of (seed, stream, index), so nothing is materialised up front: a server with a
million records starts instantly and endpoints build only the slice a page needs. The only mutable state is what
advance() appended, which is itself deterministic (n-th appended record). The records of each profile are made by
its module's Data mixin (sandbox/profiles/<name>.py); this class holds what they share.
"""

import random
import threading

from .ids import hval
from .listing import child_truth
from .profile import LIST
from .profiles import REGISTRY

# stream names per profile; the kind says how truth() enumerates it.
STREAMS = {name: {s.name: s.kind for s in p.streams} for name, p in REGISTRY.items()}
_STREAMS = {f"{name}.{s.name}": s for name, p in REGISTRY.items() for s in p.streams}


class DatasetCore:
    def __init__(self, records, seed, base_url):
        if records < 0:
            raise ValueError("records must be >= 0")
        self.n = int(records)
        self.seed = seed
        self.base_url = base_url
        self.lock = threading.Lock()
        self.epoch = 0  # bumped by advance(); part of every page-cache key
        self.added = {key: 0 for key, s in _STREAMS.items() if s.grows}  # records advance() appended per stream
        self.deleted_share = 0.0  # share of parents deleted after listing (the deleted_parents switch)
        for p in REGISTRY.values():
            if p.setup:
                p.setup(self)
        # advance() timestamps start after everything generated (and a day's gap).
        span = max([self.n * 60] + [p.timeline(self) for p in REGISTRY.values() if p.timeline])
        self.horizon = (span // 3600 + 24) * 3600

    # ---- helpers -------------------------------------------------------
    def _rng(self, stream, i):
        return random.Random(f"{self.seed}|{stream}|{i}")

    def _h(self, stream, i):
        return hval(self.seed, stream, i)

    def set_deleted_parents(self, share):
        self.deleted_share = float(share)

    def deleted(self, parent, key):
        """Whether this parent (a stream name and its key) was deleted after it was listed: the parent list still
        shows it, its child endpoint answers 404. A fixed choice per parent, so a retry sees the same."""
        return self.deleted_share > 0 and self._h(f"deleted.{parent}", key) % 10000 < self.deleted_share * 10000

    def _url(self, path):
        return f"{self.base_url}{path}"

    def count(self, key):
        """Records a LIST stream ("profile.stream") serves now."""
        stream = _STREAMS[key]
        return (stream.count(self) if stream.count else 1) + self.added.get(key, 0)

    def record(self, key, i):
        return _STREAMS[key].record(self, i)

    def records(self, key, start, stop):
        stop = min(stop, self.count(key))
        gen = _STREAMS[key].record
        return [gen(self, i) for i in range(max(0, start), stop)]

    def _incremental_offset(self, stream, i):
        """Cursor offset for index i: strictly increasing, jittered, appended records after horizon."""
        jitter = self._h(stream + ".t", i) % 60
        if i < self.n:
            return i * 60 + jitter
        return self.horizon + (i - self.n) * 60 + jitter

    # ---- whole-stream views ----------------------------------------------
    def truth(self, profile, stream):
        p = REGISTRY.get(profile)
        name = stream.replace("-", "_")
        name = p.aliases.get(name, name) if p else name
        s = _STREAMS.get(f"{profile}.{name}")
        if s is None:
            raise KeyError(f"unknown stream {profile}.{stream}")
        if s.kind == LIST:
            key = f"{profile}.{name}"
            return self.records(key, 0, self.count(key))
        # a deleted parent's children are not in it: a sync cannot read them
        return s.truth(self) if s.truth else child_truth(p, s, self)

    def advance(self, n):
        """Append n records with later timestamps to every incremental stream."""
        n = int(n)
        if n < 0:
            raise ValueError("n must be >= 0")
        with self.lock:
            for key in self.added:
                self.added[key] += n
            for p in REGISTRY.values():
                if p.advance:
                    p.advance(self, n)
            self.epoch += 1


def _compose():
    """One class with every profile's Data mixin: a method two mixins (or a mixin and the core) both define would
    silently shadow the other, so that is refused."""
    seen = {name: "DatasetCore" for name in vars(DatasetCore) if not name.startswith("__")}
    for p in REGISTRY.values():
        for name in vars(p.data):
            if not name.startswith("__"):
                if name in seen:
                    raise TypeError(f"{p.name}'s Data defines {name}, which {seen[name]} defines too")
                seen[name] = f"{p.name}'s Data"
    return type("Dataset", tuple(p.data for p in REGISTRY.values()) + (DatasetCore,), {})


Dataset = _compose()
