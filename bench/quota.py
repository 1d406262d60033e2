"""6. Quota stop: the sandbox allows a daily quota of requests and answers every later one 429 with a Retry-After of a
day, part way through a fan-out sync (one request per parent still to go). The connector has to end at once with the
quota's message rather than send each queued partition's request into it: seconds from the quota's first 429 to the
connector's exit, and the requests sent after it, next to the connector's start-up and exit alone (a `discover`,
which sends no request) in the same run.
"""

import time
from dataclasses import dataclass

from bench import harness

FAN_OUT = harness.FAN_OUT


@dataclass
class QuotaResult:
    profile: str
    quota: int
    run: harness.ProcessRun
    stop: float  # seconds from the first quota answer to the connector's exit
    after: int  # requests that arrived after the first quota answer
    discover_wall: float
    said: bool  # the first error is the quota's

    @property
    def ratio(self) -> float:
        return self.stop / self.discover_wall if self.discover_wall else 0.0


def measure(profile: str, records: int, log) -> QuotaResult:
    with harness.TracedSandbox(records=records) as sb:
        config = sb.api.config(profile)
        discovered = harness.discover(config)
        catalog = harness.discovered_catalog(config, discovered)
        sb.reset()
        full = harness.read(config, catalog)  # how many requests the whole sync takes
        needed = sb.api.stats()["requests"]
        if full.returncode:
            raise RuntimeError(f"{profile}: sync failed: {full.stderr[-1000:]}")
        quota = needed // 3
        log(f"quota stop: {profile}, quota {quota} of the {needed} requests a sync takes ...")
        sb.api.configure(quota=quota)
        sb.reset()
        started = time.perf_counter()
        run = harness.read(config, catalog, keep_stdout=True, timeout=900)
        ended = started + run.wall
        refused = [h for h in sb.hits if h.status == 429]
        first = min((h.end for h in refused), default=ended)
        errors = run.errors()
        return QuotaResult(profile, quota, run, ended - first, sum(1 for h in sb.hits if h.start > first),
                           discovered.wall, bool(errors) and "quota" in errors[0].lower())
