"""3. Rate-limited: the sandbox admits R requests/s (a token bucket holding one second's worth, token requests
included) and answers the rest 429 with Retry-After. A fan-out sync (meetings: one request per user) wants far
more than R, so the connector either paces itself (requests_per_second = R) or collects 429s and backs off.
"""

from dataclasses import dataclass
from typing import Dict, Optional

from bench import harness


@dataclass
class RateResult:
    rate_limit: float
    requests_per_second: Optional[int]
    run: harness.ProcessRun
    span: float
    stats: Dict
    answered: int  # requests not answered 429

    @property
    def achieved(self) -> float:
        return self.answered / self.span if self.span else 0.0

    @property
    def share_429(self) -> float:
        return self.stats["responses_429"] / max(1, self.stats["requests"])


def measure(profile: str, records: int, rate_limit: float, requests_per_second: Optional[int],
            latency_ms: float = 0, workers: Optional[int] = None) -> RateResult:
    with harness.TracedSandbox(records=records) as sb:
        config = sb.api.config(profile)
        if workers:
            config["num_workers"] = workers
        catalog = harness.discovered_catalog(config)
        warm = harness.read(config, catalog)  # builds the pages; no limit yet
        if warm.returncode:
            raise RuntimeError(f"warm-up sync failed: {warm.stderr[-2000:]}")
        sb.api.configure(latency_ms=latency_ms, rate_limit=rate_limit)  # a fresh, full bucket
        sb.reset()
        if requests_per_second:
            config["requests_per_second"] = requests_per_second
        run = harness.read(config, catalog, keep_stdout=True, timeout=1200)
        stats = sb.api.stats()
        answered = sum(1 for h in sb.hits if h.status != 429)
        return RateResult(rate_limit, requests_per_second, run, sb.span(), stats, answered)
