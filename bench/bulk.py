"""1. Bulk: tracking `users`, no latency. The connector's records/s against the raw client's, and peak memory.

For each size, one sandbox serves both clients from its page cache (warmed by an untimed pass of the raw client).
The raw client runs before, between and after the connector's runs, and each side's best run counts: on a machine
shared with other work, the best of a few runs is the one least disturbed, for both sides alike.
"""

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List

import sandbox

from bench import harness


@dataclass
class BulkResult:
    records: int
    connectors: List[harness.ProcessRun]
    raw: List[harness.ProcessRun]
    startup_cpu: float  # the connector's CPU before its first request (discover)
    sandbox_cpu: float  # this process's CPU while the connector ran: the sandbox serving it
    pages_ok: bool

    @property
    def connector(self) -> harness.ProcessRun:
        return min(self.connectors, key=lambda r: r.wall)

    @property
    def connector_rate(self) -> float:
        return self.records / self.connector.wall

    @property
    def raw_rate(self) -> float:
        return self.records / min(r.wall for r in self.raw)

    @property
    def connector_max_rss_mb(self) -> float:
        return max(r.max_rss_mb for r in self.connectors)

    @property
    def raw_max_rss_mb(self) -> float:
        return max(r.max_rss_mb for r in self.raw)


def _raw(api) -> harness.ProcessRun:
    args = [sys.executable, "-m", "bench.rawclient", api.base_url("tracking"), api.token_url("tracking"),
            sandbox.CLIENT_ID, sandbox.CLIENT_SECRET]
    with tempfile.TemporaryDirectory(prefix="bench-raw-") as tmp:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_root(), os.environ.get("PYTHONPATH")])))
        run = harness.run_process(args, tmp, keep_stdout=False, env=env)
    if run.returncode:
        raise RuntimeError(f"raw client failed: {run.stderr[-1000:]}")
    return run


def _root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def measure(records: int, log, repeat: int = 1) -> BulkResult:
    pages = sandbox.profile("tracking").floor(sandbox.data.Dataset(records, 1, ""))[0]["users"]
    # ~350 bytes a record: room for every page, so no page is built twice
    with harness.TracedSandbox(records=records, page_cache_bytes=max(256 << 20, records * 700)) as sb:
        config = sb.api.config("tracking")
        log(f"bulk {records:,}: warming the sandbox's page cache ({pages:,} pages) ...")
        _raw(sb.api)
        startup = harness.discover(config).cpu
        raws, connectors, pages_ok, sandbox_cpu = [_raw(sb.api)], [], True, 0.0
        for attempt in range(repeat):
            log(f"bulk {records:,}: source-analytics read, stdout to /dev/null ({attempt + 1} of {repeat}) ...")
            sb.reset()
            cpu0 = time.process_time()
            connector = harness.read(config, harness.catalog("tracking", ["users"]))
            sandbox_cpu = max(sandbox_cpu, time.process_time() - cpu0)
            stats = sb.api.stats()
            if connector.returncode:
                raise RuntimeError(f"connector failed: {connector.stderr[-2000:]}")
            # stdout went to /dev/null: the sandbox's count of the pages it served, each once, proves every record
            # was read
            pages_ok &= (stats["distinct_pages"] == pages and stats["duplicate_requests"] == 0
                         and stats["data_requests"] == pages)
            connectors.append(connector)
            raws.append(_raw(sb.api))
    return BulkResult(records, connectors, raws, startup, sandbox_cpu, pages_ok)
