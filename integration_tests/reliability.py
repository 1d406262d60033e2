"""Shared by the reliability tests: many syncs at once, a sync to watch and kill, and what a sync must have read."""

import json
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Set

from integration_tests.connector import Run, configured_catalog, invocation, run

_catalogs: Dict[str, Mapping[str, Any]] = {}
_catalogs_lock = threading.Lock()


def discovered(sandbox_api, profile: str) -> Mapping[str, Any]:
    """The profile's discovered catalog (it does not depend on the API's data, so it is discovered once)."""
    with _catalogs_lock:
        if profile not in _catalogs:
            result = run("discover", sandbox_api.config(profile))
            assert result.returncode == 0, result.stdout[-2000:]
            _catalogs[profile] = result.catalog
        return _catalogs[profile]


def catalog_of(sandbox_api, profile: str, streams: Optional[Sequence[str]] = None, incremental: bool = False):
    """A configured catalog of the profile's streams (all, or those named)."""
    return configured_catalog(discovered(sandbox_api, profile), streams, incremental)


def key_of(configured_stream: Mapping[str, Any], record: Mapping[str, Any]) -> Any:
    """A record's primary key as the catalog names it: its one field's value, or a composite key's tuple."""
    fields = [path[0] for path in configured_stream["primary_key"]]
    return record[fields[0]] if len(fields) == 1 else tuple(record[field] for field in fields)


def keys_read(result: Run, catalog: Mapping[str, Any]) -> Dict[str, List[Any]]:
    """Each stream's primary keys in the order the sync emitted them."""
    return {
        s["stream"]["name"]: [key_of(s, r) for r in result.records(s["stream"]["name"])]
        for s in catalog["streams"]
    }


def keys_served(sandbox_api, profile: str, catalog: Mapping[str, Any]) -> Dict[str, Set[Any]]:
    """Each stream's primary keys as the API serves them: what a fault-free sync reads (test_end_to_end)."""
    return {
        s["stream"]["name"]: {key_of(s, r) for r in sandbox_api.truth(profile, s["stream"]["name"])}
        for s in catalog["streams"]
    }


def assert_both_builds_alike(package: Run, built: Run, catalog: Mapping[str, Any],
                             same: Callable[[str], str] = lambda message: message) -> None:
    """The manifest-only build read the package's records (by primary key, whatever their order) and, when the
    package failed, failed too and said the package's first error in its words and failure type among its own (it
    also reports each later failing stream and the CDK's closing summary, which the package logs: run.py). `same`
    takes out of a message what a race between requests in flight may change."""
    assert {s: sorted(map(str, keys)) for s, keys in keys_read(built, catalog).items()} == \
        {s: sorted(map(str, keys)) for s, keys in keys_read(package, catalog).items()}
    assert (package.returncode == 0) == (built.returncode == 0), (package.errors, built.errors)
    if package.returncode:
        said = {same(e["message"]): e["failure_type"] for e in built.errors}
        first = package.errors[0]
        assert said.get(same(first["message"])) == first["failure_type"], (first, list(said))


def assert_read_exactly_what_is_served(result: Run, sandbox_api, profile: str, catalog: Mapping[str, Any]) -> None:
    """The sync completed and read each stream's primary keys exactly as the API serves them, each once."""
    assert result.returncode == 0 and result.errors == [], (result.errors, result.stderr[-2000:])
    served = keys_served(sandbox_api, profile, catalog)
    for stream, read in keys_read(result, catalog).items():
        assert served[stream], f"the sandbox serves no {profile}.{stream}: the test would prove nothing"
        assert len(read) == len(set(read)), f"{profile}.{stream} emitted records twice"
        assert set(read) == served[stream], f"{profile}.{stream} missed or invented records"


class Outcomes(dict):
    """Results by job name; reading a job that raised raises its error in the test that reads it."""

    def __getitem__(self, name: str) -> Any:
        outcome = super().__getitem__(name)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def in_parallel(jobs: Mapping[str, Callable[[], Any]], workers: int = 4) -> "Outcomes":
    """Run independent jobs (each a sync against its own sandbox, mostly waiting) at once."""

    def attempt(job: Callable[[], Any]) -> Any:
        try:
            return job()
        except Exception as error:  # reported by the test that reads this result
            return error

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(attempt, job) for name, job in jobs.items()}
        return Outcomes({name: future.result() for name, future in futures.items()})


class BackgroundRead:
    """`source-analytics read` as a child process whose messages are read as it emits them, and which can be killed."""

    def __init__(self, config, catalog, state=None) -> None:
        self._files = ExitStack()
        args, tmp = self._files.enter_context(invocation("read", config, catalog, state))
        self._stderr = open(Path(tmp) / "stderr.txt", "w+")
        self.process = subprocess.Popen(
            args, cwd=tmp, stdout=subprocess.PIPE, stderr=self._stderr, text=True, bufsize=1
        )
        self.messages: List[Mapping[str, Any]] = []
        self._lines: List[str] = []

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for line in self.process.stdout:
            self._lines.append(line)
            if line.startswith("{"):
                message = json.loads(line)
                self.messages.append(message)
                yield message

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def finish(self, timeout: float = 300) -> Run:
        """Read to the end (or what a killed process left) and return everything as a Run."""
        for _ in self:
            pass
        returncode = self.process.wait(timeout=timeout)
        self._stderr.seek(0)
        stderr = self._stderr.read()
        self._stderr.close()
        self._files.close()
        return Run(returncode, list(self.messages), "".join(self._lines), stderr)
