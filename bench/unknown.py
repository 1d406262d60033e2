"""4. Unknown limits: the sandbox admits L requests/s (a token bucket holding one second's worth, token requests
included) and the config has no requests_per_second. The connector has to find L from the 429s and settle below
it: achieved rate next to L, the share of requests answered 429, and whether every record arrived.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Dict

from bench import harness

# Profiles with a stream read once per parent record: those that want far more than L at once.
FAN_OUT = harness.FAN_OUT


@dataclass
class UnknownResult:
    profile: str
    limit: float
    records: int
    returncode: int
    span: float
    answered: int
    stats: Dict
    complete: bool

    @property
    def achieved(self) -> float:
        return self.answered / self.span / self.limit if self.span else 0.0

    @property
    def share_429(self) -> float:
        return self.stats["responses_429"] / max(1, self.stats["requests"])


def requests_per_record(profile: str, records: int = 100) -> float:
    with harness.TracedSandbox(records=records) as sb:
        config = sb.api.config(profile)
        run = harness.read(config, harness.discovered_catalog(config))
        if run.returncode:
            raise RuntimeError(f"{profile}: calibration sync failed: {run.stderr[-1000:]}")
        return sb.api.stats()["requests"] / records


def measure(profile: str, limit: float, records: int, latency_ms: float) -> UnknownResult:
    with harness.TracedSandbox(records=records, latency_ms=latency_ms) as sb:
        config = sb.api.config(profile)
        catalog = harness.discovered_catalog(config)
        truth = {s: len(sb.api.truth(profile, s)) for s in harness.PROFILE_STREAMS[profile]}
        sb.api.configure(rate_limit=limit)  # a fresh, full bucket
        sb.reset()
        run = harness.read(config, catalog, keep_stdout=True, timeout=1800)
        answered = sum(1 for h in sb.hits if h.status != 429)
        complete = run.returncode == 0 and not run.errors() and run.record_counts() == truth
        return UnknownResult(profile, limit, records, run.returncode, sb.span(), answered, sb.api.stats(), complete)


def sweep(limits, seconds: float, latency_ms: float, log, parallel: int = 3):
    """Each fan-out profile at each limit, sized so a sync takes about `seconds` at the limit."""
    per_record = {p: requests_per_record(p) for p in FAN_OUT}
    cases = [(p, limit, max(20, int(limit * seconds / per_record[p]))) for limit in limits for p in FAN_OUT]

    def one(case):
        profile, limit, records = case
        log(f"unknown limit: {profile} at {limit:g}/s, {records} records ...")
        return measure(profile, limit, records, latency_ms)

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(one, cases))
