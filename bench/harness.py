"""Shared machinery: an in-process sandbox with a request trace, and measured subprocess runs.

The sandbox serves from this process (one core), the connector and the raw client run as subprocesses (the other
core), so a client's figures never include the sandbox's own CPU and every client is measured the same way:
wall time around the process, CPU time and peak RSS from os.wait4() for exactly that child.
"""

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import sandbox

# Each profile's streams (from the sandbox's registry) and the command runner, shared with the tests.
from integration_tests.connector import FAN_OUT, PROFILE_STREAMS, PROFILES, invocation  # noqa: F401  (re-exported)


@dataclass
class Hit:
    start: float
    end: float
    method: str
    path: str
    status: int


class TracedSandbox:
    """A running sandbox that also records when each request started and ended (perf_counter seconds)."""

    def __init__(self, records: int, seed: int = 1, page_cache_bytes: Optional[int] = None, **switches: Any):
        self.api = sandbox.start(records=records, seed=seed, **switches)
        if page_cache_bytes:
            # Big enough for every page of a bulk run, so after one warm-up pass the sandbox only copies bytes and
            # never becomes the bottleneck of the clients it is measuring. (PageCache's budget is a plain attribute.)
            self.api._pages.max_bytes = page_cache_bytes
        self.hits: List[Hit] = []
        self._lock = threading.Lock()
        handle = self.api.handle

        def traced(method, path, query, headers, body, base):
            start = time.perf_counter()
            response = handle(method, path, query, headers, body, base)
            if not path.startswith("/_sandbox/"):
                with self._lock:
                    self.hits.append(Hit(start, time.perf_counter(), method, path, response.status))
            return response

        self.api.handle = traced  # the HTTP handler calls app.handle(...), so the instance attribute wins

    def reset(self) -> None:
        self.api.reset_stats()
        with self._lock:
            self.hits = []

    def stop(self) -> None:
        self.api.stop()

    def __enter__(self) -> "TracedSandbox":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def span(self) -> float:
        """Seconds from the first request's arrival to the last request's answer."""
        if not self.hits:
            return 0.0
        return max(h.end for h in self.hits) - min(h.start for h in self.hits)


@dataclass
class ProcessRun:
    returncode: int
    wall: float
    cpu: float
    max_rss_mb: float
    stdout_path: Optional[str]
    stderr: str
    messages: List[Mapping[str, Any]] = field(default_factory=list)

    def record_counts(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for message in self.messages:
            if message.get("type") == "RECORD":
                stream = message["record"]["stream"]
                counts[stream] = counts.get(stream, 0) + 1
        return counts

    def errors(self) -> List[str]:
        return [m["trace"]["error"]["message"] for m in self.messages
                if m.get("type") == "TRACE" and m["trace"].get("type") == "ERROR"]


def _vm_hwm_kib(pid: int) -> Optional[int]:
    """The process's peak resident set so far (VmHWM), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def run_process(args: List[str], cwd: str, keep_stdout: bool, env: Optional[Mapping[str, str]] = None,
                timeout: float = 3600) -> ProcessRun:
    """Run a child with stdout to /dev/null (or a file), measure wall time, its CPU time (os.wait4) and its peak
    RSS: /proc/<pid>/status VmHWM, polled until it exits. (wait4's ru_maxrss would count the pages the child
    shared with this process between fork and exec, and this process holds the sandbox's page cache.)"""
    out_path = os.path.join(cwd, "stdout.jsonl") if keep_stdout else None
    err_path = os.path.join(cwd, "stderr.txt")
    with open(out_path or os.devnull, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=cwd, env=dict(env) if env else None)
        deadline = started + timeout
        peak_kib = 0
        while True:
            # VmHWM only grows, so the last reading before exit is the peak (up to one interval of growth)
            peak_kib = max(peak_kib, _vm_hwm_kib(proc.pid) or 0)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    messages = []
    if out_path:
        with open(out_path, "rb") as f:
            for line in f:
                if line.startswith(b"{"):
                    messages.append(json.loads(line))
    return ProcessRun(
        returncode=proc.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=peak_kib / 1024.0,
        stdout_path=out_path,
        stderr=Path(err_path).read_text(errors="replace"),
        messages=messages,
    )


def catalog(profile: str, streams: Optional[List[str]] = None) -> Dict[str, Any]:
    """Full refresh of the given streams (default: every stream of the profile), in the profile's stream order."""
    return {
        "streams": [
            {
                "stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                "sync_mode": "full_refresh",
                "destination_sync_mode": "overwrite",
            }
            for name in (streams or PROFILE_STREAMS[profile])
        ]
    }


def read(config: Mapping[str, Any], configured_catalog: Mapping[str, Any], keep_stdout: bool = False,
         timeout: float = 3600) -> ProcessRun:
    """`source-analytics read` in a fresh directory, as Airbyte would run it."""
    with invocation("read", config, configured_catalog) as (args, tmp):
        return run_process(args, tmp, keep_stdout=keep_stdout, timeout=timeout)


def discover(config: Mapping[str, Any]) -> ProcessRun:
    """`source-analytics discover`: the streams in the order a catalog built from it lists them. It builds every
    stream but sends no request, so its CPU time is the connector's start-up cost."""
    with invocation("discover", config) as (args, tmp):
        return run_process(args, tmp, keep_stdout=True, timeout=300)


def discovered_catalog(config: Mapping[str, Any], run: Optional[ProcessRun] = None) -> Dict[str, Any]:
    """Every discovered stream, full refresh, in discover's order (as the platform builds a catalog)."""
    run = run or discover(config)
    catalogs = [m["catalog"] for m in run.messages if m.get("type") == "CATALOG"]
    if run.returncode or not catalogs:
        raise RuntimeError(f"discover failed: {run.errors() or run.stderr[-1000:]}")
    return {"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
                        for s in catalogs[-1]["streams"]]}
