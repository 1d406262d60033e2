"""2. Latency-bound: a full sync of every stream of a profile, each request answered after L ms.

The sandbox's pages are built by an untimed sync at zero latency first, so every timed request costs L plus
serving bytes. The sync's span runs from the first request's arrival to the last answer; the process's wall time
adds the connector's start-up (importing the CDK, building the streams), which is shown apart.
"""

from dataclasses import dataclass
from typing import Dict, Optional

import sandbox

from bench import floors, harness

# Each child stream and the parent it reads its partitions from, per fan-out profile (the sandbox's registry).
PARENTS = {
    name: {s.name: s.parent for s in profile.streams if s.parent}
    for name, profile in sandbox.REGISTRY.items()
    if any(s.parent for s in profile.streams)
}


def parents_first(profile: str, catalog: Dict) -> Dict:
    """The catalog with each parent stream moved right before its child (discover lists children first)."""
    streams = list(catalog["streams"])
    for child, parent in PARENTS.get(profile, {}).items():
        names = [s["stream"]["name"] for s in streams]
        if child in names and parent in names and names.index(parent) > names.index(child):
            moved = streams.pop(names.index(parent))
            streams.insert(names.index(child), moved)
    return {"streams": streams}


@dataclass
class LatencyResult:
    profile: str
    workers: Optional[int]
    latency_ms: float
    run: harness.ProcessRun
    span: float
    floor: floors.Floor
    stats: Dict
    records_ok: bool
    order: list
    startup_cpu: float

    @property
    def floor_seconds(self) -> float:
        return self.floor.chain * self.latency_ms / 1000.0

    @property
    def sync_cpu(self) -> float:
        """The connector's CPU time beyond its start-up: what the sync itself cost it."""
        return max(0.0, self.run.cpu - self.startup_cpu)


def measure(profile: str, records: int, latency_ms: float, workers: Optional[int] = None,
            sb: Optional[harness.TracedSandbox] = None, warm: bool = True,
            parents_first_order: bool = False) -> LatencyResult:
    """sb: a sandbox to reuse (its pages stay built, so warm=False skips the warm-up sync). parents_first_order:
    list each parent stream before its child instead of discover's order."""
    own = sb is None
    sb = sb or harness.TracedSandbox(records=records)
    try:
        config = sb.api.config(profile)
        if workers:
            config["num_workers"] = workers
        discovered = harness.discover(config)
        catalog = harness.discovered_catalog(config, discovered)
        if parents_first_order:
            catalog = parents_first(profile, catalog)
        if warm:
            sb.api.configure(latency_ms=0)
            warm_run = harness.read(config, catalog)
            if warm_run.returncode:
                raise RuntimeError(f"{profile}: warm-up sync failed: {warm_run.stderr[-2000:]}")
        sb.api.configure(latency_ms=latency_ms)
        sb.reset()
        run = harness.read(config, catalog, keep_stdout=True)
        stats = sb.api.stats()
        span = sb.span()
        floor = floors.floor(profile, sb.api.data)
        counts = run.record_counts()
        records_ok = run.returncode == 0 and all(
            counts.get(stream, 0) == len(sb.api.truth(profile, stream)) for stream in harness.PROFILE_STREAMS[profile])
    finally:
        if own:
            sb.stop()
    return LatencyResult(profile, workers, latency_ms, run, span, floor, stats, records_ok,
                         [s["stream"]["name"] for s in catalog["streams"]], discovered.cpu)
