"""5. Fan-out memory: a payments sync of customers and their funding sources (one request per customer) at two
sizes. Peak RSS of the larger next to the smaller, and every page requested once."""

from dataclasses import dataclass

from bench import harness

STREAMS = ["funding_sources", "customers"]


@dataclass
class FanOutResult:
    customers: int
    run: harness.ProcessRun
    pages_once: bool


def measure(customers: int, log) -> FanOutResult:
    with harness.TracedSandbox(records=customers) as sb:
        config = sb.api.config("payments")
        log(f"fan-out memory: payments, {customers:,} customers ...")
        sb.reset()
        run = harness.read(config, harness.catalog("payments", STREAMS), timeout=3600)
        if run.returncode:
            raise RuntimeError(f"payments sync failed: {run.stderr[-2000:]}")
        stats = sb.api.stats()
        return FanOutResult(customers, run, stats["duplicate_requests"] == 0 and stats["data_requests"] > customers)
