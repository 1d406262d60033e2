"""The test tiers, named by pytest markers (README, "Tests"):

- `unit`: in-process, in seconds: HTTP answered by HttpMocker / requests-mock, no process started, no server
  listening, no real wait; a test still running after UNIT_TIMEOUT has hung and fails. `make unit`.
- `e2e`: the sandbox over real HTTP, the installed command, other processes. `make e2e`.
- `image_tests`: the connector image in a Docker engine (integration_tests/docker_engine.py). In `make test`.

A test's tier comes from where it lives (integration_tests/ and sandbox/tests/ are e2e, unit_tests/ is unit) unless
it is marked `e2e` itself; `image_tests` wins over both. A test of the unit tier that starts a process, listens on
a socket or sleeps for real (one `time.sleep` of LONGEST_NAP or more) fails, naming what it did: such a test
belongs in the e2e tier (mark it `e2e`).
"""

import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
E2E_DIRECTORIES = [ROOT / "integration_tests", ROOT / "sandbox" / "tests"]
# A sleep this long in the unit tier is a real wait (the CDK's partition enqueuer naps 0.1 s on a full queue).
LONGEST_NAP = 0.5
# A unit test takes 2 s at most (--durations): one still running after this has hung (a request whose pacer place
# is never given back waits for ever). pytest-timeout then prints every thread's stack and ends the test's process
# (timeout_method "thread"; under -n, its worker, which xdist reports as that test failing), instead of the live
# tiers' 20 minutes.
UNIT_TIMEOUT = 30


def pytest_configure(config):
    config.addinivalue_line("markers", "unit: in-process, no process, no server, no real wait (make unit)")
    config.addinivalue_line("markers", "e2e: the sandbox over real HTTP, the installed command, other processes (make e2e)")


def _tier(item) -> str:
    if item.get_closest_marker("image_tests"):
        return "image_tests"
    path = Path(str(item.fspath)).resolve()
    if item.get_closest_marker("e2e") or any(d in path.parents for d in E2E_DIRECTORIES):
        return "e2e"
    return "unit"


def pytest_collection_modifyitems(config, items):
    for item in items:
        tier = _tier(item)
        if not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))
        if tier == "unit" and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(UNIT_TIMEOUT))


@pytest.fixture(autouse=True)
def unit_tier_stays_in_process(request, monkeypatch):
    if _tier(request.node) != "unit":
        yield
        return
    refusals = []

    def refuse(what):
        def refused(*args, **kwargs):
            refusals.append(what)  # failed at teardown too, in case the code under test swallows the error
            raise AssertionError(f"a unit test {what}: mark it e2e (conftest.py)")
        return refused

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse("started a process"))
    monkeypatch.setattr(socket.socket, "listen", refuse("listened on a socket"))
    sleep, slept = time.sleep, []

    def nap(seconds):
        if seconds >= LONGEST_NAP:
            slept.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(time, "sleep", nap)
    yield
    assert not refusals, f"a unit test {refusals[0]}: mark it e2e (conftest.py)"
    assert not slept, f"a unit test slept {slept[0]} s for real: record the wait instead, or mark it e2e (conftest.py)"
