"""Runs the connector as Airbyte does (a subprocess speaking the Airbyte protocol), and the per-profile facts the
tests, bench, demo and ci/ need, all taken from the sandbox's registry (sandbox/profiles/) so that a new profile
module is covered without editing any table here.

One helper writes a command's config, catalog and state files and runs it: `run` (or `invocation`, for a caller
that starts the process itself). What starts the connector is a `Launcher`: the installed console script
(`INSTALLED`, the default), an installed executable of another
virtualenv (`Launcher((path,), env=...)`), or the image (`docker_image(image)`: `docker run` with the files
mounted). This module imports only the standard library and the sandbox (ci/check_packaging.py runs it outside
the development virtualenv's CDK); `configured_catalog` imports the connector's own catalog builder when called.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import sandbox

REPO = Path(__file__).resolve().parent.parent

# The console script installed beside the interpreter running the tests.
EXECUTABLE = shutil.which("source-analytics", path=str(Path(sys.executable).parent)) or "source-analytics"

# ---- per-profile facts, from the sandbox's registry ----------------------------------------------------------------
PROFILES: Tuple[str, ...] = sandbox.PROFILES  # the connector spec's enum order (test_end_to_end checks the spec)


def discover_order(profile: str) -> List[str]:
    """The profile's streams in discover's order: the document's order, each child stream moved right before its
    parent (manifest.yaml says why). test_end_to_end checks discover against it."""
    names: List[str] = []
    for stream in sandbox.profile(profile).streams:
        if stream.parent in names:
            names.insert(names.index(stream.parent), stream.name)
        else:
            names.append(stream.name)
    return names


PROFILE_STREAMS: Dict[str, List[str]] = {profile: discover_order(profile) for profile in PROFILES}
# Profiles with a stream read once per parent record.
FAN_OUT: List[str] = [p for p in PROFILES if any(s.parent for s in sandbox.profile(p).streams)]


def endpoint(profile: str, stream: str) -> str:
    """The sandbox's name for the endpoint serving a stream, as its stats count requests (`by_endpoint`)."""
    from sandbox.listing import route_path

    return f"GET {route_path(sandbox.profile(profile), sandbox.profile(profile).stream(stream))}"


def data_requests(profile: str, records: int, seed: int) -> int:
    """The fewest data requests a full sync of the profile makes against a sandbox of that size and seed."""
    dataset = sandbox.data.Dataset(records, seed, f"http://127.0.0.1/{profile}")
    pages, _ = sandbox.profile(profile).floor(dataset)
    return sum(pages.values())


# Profiles that page through their records one request at a time need thousands of records to make as many
# requests as a fan-out makes with forty; this many (12 pages of 100) keeps their syncs at seconds.
MOST_RECORDS = 1200


def records_for(profile: str, data_requests_at_least: int, seed: int, at_most: int = MOST_RECORDS) -> int:
    """The smallest record count whose full sync makes at least that many data requests (the profile's floor),
    or `at_most` when even that many records make fewer. The floor grows with the records: a binary search."""
    if data_requests(profile, at_most, seed) < data_requests_at_least:
        return at_most
    low, high = 1, at_most
    while low < high:
        middle = (low + high) // 2
        if data_requests(profile, middle, seed) >= data_requests_at_least:
            high = middle
        else:
            low = middle + 1
    return low


# ---- configs and catalogs ------------------------------------------------------------------------------------------
def changed(config: Mapping[str, Any], **changes: Any) -> Dict[str, Any]:
    """A deep copy of a config with changes: `credentials__client_secret="x"` sets a nested key, None deletes it."""
    config = json.loads(json.dumps(config))
    for path, value in changes.items():
        *parents, key = path.split("__")
        target = config
        for parent in parents:
            target = target[parent]
        if value is None:
            del target[key]
        else:
            target[key] = value
    return config


def configured_catalog(catalog: Mapping[str, Any], streams: Optional[Sequence[str]] = None,
                       incremental: bool = False) -> Dict[str, Any]:
    """Every discovered stream (or those named), as `python -m source_analytics.catalog` configures them: the
    connector's own builder, so the tests read what a user's documented catalog reads."""
    from source_analytics.catalog import configured_catalog as build

    return build(catalog, streams, incremental)


# ---- running a command ---------------------------------------------------------------------------------------------
@dataclass
class Run:
    returncode: int
    messages: List[Mapping[str, Any]]
    stdout: str
    stderr: str
    seconds: float = 0.0  # the process's wall time
    by_type: Dict[str, List[Mapping[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for message in self.messages:
            self.by_type.setdefault(message["type"], []).append(message)

    def of(self, kind: str) -> List[Mapping[str, Any]]:
        return self.by_type.get(kind, [])

    def records(self, stream: Optional[str] = None) -> List[Mapping[str, Any]]:
        return [m["record"]["data"] for m in self.of("RECORD") if stream is None or m["record"]["stream"] == stream]

    @property
    def errors(self) -> List[Mapping[str, Any]]:
        return [m["trace"]["error"] for m in self.of("TRACE") if m["trace"]["type"] == "ERROR"]

    @property
    def catalog(self) -> Mapping[str, Any]:
        return self.of("CATALOG")[-1]["catalog"]

    @property
    def states(self) -> List[Mapping[str, Any]]:
        return [m["state"] for m in self.of("STATE")]

    @property
    def connection_statuses(self) -> List[Mapping[str, Any]]:
        return [m["connectionStatus"] for m in self.of("CONNECTION_STATUS")]


def messages_of(stdout: str) -> List[Mapping[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


@dataclass(frozen=True)
class Launcher:
    """What starts the connector: an argv prefix ("{files}" in it stands for the directory of the command's files),
    where the command sees that directory (a container's mount; None: where it is), and the environment."""

    argv: Tuple[str, ...]
    files_at: Optional[str] = None
    env: Optional[Mapping[str, str]] = None
    shared: bool = False  # the files are read by another user (the image's): directory 755, files 644


INSTALLED = Launcher((EXECUTABLE,))


def docker_image(image: str, mount: str = "/secrets") -> Launcher:
    """`docker run --rm --network host -v <files>:/secrets:ro IMAGE` (where the CDK's image tests mount them too)."""
    return Launcher(("docker", "run", "--rm", "--network", "host", "-v", f"{{files}}:{mount}:ro", image),
                    files_at=mount, shared=True)


# A file whose flag is given but which is not written: the command meets a path that does not exist.
MISSING = object()


@contextmanager
def invocation(command: str, config: Any = None, catalog: Any = None, state: Any = None, *,
               args: Sequence[str] = (), launcher: Launcher = INSTALLED) -> Iterator[Tuple[List[str], str]]:
    """(argv, directory) of one command with its files written to a temporary directory, removed afterwards.
    Each file: an object (written as JSON), a str (written as it is), MISSING (not written) or None (no flag)."""
    with tempfile.TemporaryDirectory(prefix="source-analytics-") as tmp:
        if launcher.shared:
            os.chmod(tmp, 0o755)
        flags: List[str] = []
        for name, content in (("config", config), ("catalog", catalog), ("state", state)):
            if content is None:
                continue
            path = Path(tmp, f"{name}.json")
            if content is not MISSING:
                path.write_text(content if isinstance(content, str) else json.dumps(content))
                if launcher.shared:
                    path.chmod(0o644)
            flags += [f"--{name}", f"{launcher.files_at or tmp}/{path.name}"]
        prefix = [part.replace("{files}", tmp) for part in launcher.argv]
        yield prefix + [command, *flags, *args], tmp


def run(command: str, config: Any = None, catalog: Any = None, state: Any = None, *, args: Sequence[str] = (),
        launcher: Launcher = INSTALLED, timeout: float = 300, cwd: Optional[str] = None) -> Run:
    """Run one connector command (from the directory of its files unless `cwd`) and parse its output."""
    with invocation(command, config, catalog, state, args=args, launcher=launcher) as (argv, tmp):
        started = time.monotonic()
        done = subprocess.run(argv, cwd=cwd or tmp, capture_output=True, text=True, timeout=timeout,
                              env=dict(launcher.env) if launcher.env is not None else None)
        seconds = time.monotonic() - started
    return Run(done.returncode, messages_of(done.stdout), done.stdout, done.stderr, seconds)
