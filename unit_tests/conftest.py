import copy
import threading
import time
from typing import Dict, List

import backoff._sync
import orjson
import pyrate_limiter.clocks
import pytest
from airbyte_cdk.sources.declarative import concurrent_declarative_source as cds
from airbyte_cdk.sources.streams import call_rate
from airbyte_cdk.sources.streams.http import rate_limiting
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.utils.airbyte_secrets_utils import update_secrets

from source_analytics.components import pacing, requester
from source_analytics.components.auth import ClientCredentialsAuthenticator


class _RecordingTime:
    """Stands in for the `time` module inside the retry machinery: sleeps are recorded, never slept."""

    def __init__(self, waits: List[float]) -> None:
        self._waits = waits

    def sleep(self, seconds: float) -> None:
        # The backoff library calls sleep(0) between the CDK's own (recorded) waits; that is no wait at all.
        if seconds:
            self._waits.append(seconds)

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture(autouse=True)
def backoff_waits(monkeypatch) -> List[float]:
    """Every retry wait the connector asked for, in seconds, in order. Tests never really wait."""
    waits: List[float] = []
    recording_time = _RecordingTime(waits)
    monkeypatch.setattr(rate_limiting, "time", recording_time)  # the CDK's user-defined backoff (strategies)
    monkeypatch.setattr(backoff._sync, "time", recording_time)  # the backoff library's own expo waits
    return waits


class _BudgetClock:
    """The clock of the connector's request budget (api_budget), advanced by the budget's own waits.

    After a 429 the budget holds further requests for the rest of its one-second window; with this clock that
    wait is recorded and passes at once instead of costing a real second per rate-limited response.
    """

    def __init__(self, waits: List[float]) -> None:
        self._waits = waits
        self._offset = 0.0

    def time(self) -> float:
        return time.time() + self._offset

    def sleep(self, seconds: float) -> None:
        # The budget polls with sleep(0) while its bucket catches up with the clock; that is no wait at all.
        if seconds:
            self._waits.append(seconds)
            self._offset += seconds

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture(autouse=True)
def budget_waits(monkeypatch) -> List[float]:
    """Every wait the request budget imposed, in seconds."""
    waits: List[float] = []
    clock = _BudgetClock(waits)
    monkeypatch.setattr(pyrate_limiter.clocks, "time", clock.time)
    monkeypatch.setattr(call_rate, "time", clock)
    return waits


class _PacerTime:
    """The clock of the API hosts' pacers (pacing.AdaptivePacer), moved by their own waits: a 429 holds the host's
    requests for its Retry-After (a second without one), recorded here and passed at once. Polls of a full window
    (50 ms, woken by the next answer) stay real: they wait for another thread, not for the clock."""

    POLL = 0.05

    def __init__(self, waits: List[float]) -> None:
        self._waits = waits
        self._offset = 0.0
        self._lock = threading.Lock()  # one clock for every pacer of the test (API host, token host)

    def now(self) -> float:
        return time.monotonic() + self._offset

    def _pass(self, seconds: float) -> None:
        with self._lock:
            self._waits.append(seconds)
            self._offset += seconds

    def condition(self) -> threading.Condition:
        clock = self

        class MovingClock(threading.Condition):
            def wait(self, timeout=None):
                if timeout is None or timeout <= clock.POLL:
                    return super().wait(timeout)
                clock._pass(timeout)
                return super().wait(0)

        return MovingClock()


@pytest.fixture(autouse=True)
def pacer_waits(monkeypatch) -> List[float]:
    """Every hold the pacers imposed, in seconds."""
    waits: List[float] = []
    clock = _PacerTime(waits)
    pacer = pacing.AdaptivePacer
    monkeypatch.setattr(pacing, "AdaptivePacer", lambda: pacer(clock=clock.now, condition=clock.condition()))
    return waits


@pytest.fixture(autouse=True)
def isolated_request_cache(tmp_path, monkeypatch):
    """Parents marked use_cache keep their pages in a request cache; without a path that cache is one in-memory
    database shared by the whole process, so a page from one test could answer the next test's request."""
    monkeypatch.setenv("REQUEST_CACHE_PATH", str(tmp_path))


@pytest.fixture(autouse=True)
def no_pace_or_host_from_an_earlier_test():
    """The pacers (one per API host) and the hosts seen answering live as long as the process: each test starts
    with neither, as a sync does."""
    pacing._pacers.clear()
    requester._reached.clear()
    yield
    pacing._pacers.clear()
    requester._reached.clear()


@pytest.fixture(autouse=True)
def no_token_from_an_earlier_test():
    """Authenticators of one client share its newest token for the life of the process; each test starts anew."""
    ClientCredentialsAuthenticator._shared_tokens.clear()
    yield
    ClientCredentialsAuthenticator._shared_tokens.clear()


@pytest.fixture(autouse=True)
def no_secret_from_an_earlier_test():
    """The CDK masks every secret a config registered, process-wide and for good: a one-letter client secret of one
    test would star that letter out of the next test's messages (seen with two workers, whose order differs)."""
    update_secrets([])
    yield
    update_secrets([])


@pytest.fixture
def http_mocker():
    with HttpMocker() as mocker:
        yield mocker


# Building a source re-reads the CDK's component schema, re-validates the manifest against it and propagates types
# and $parameters through it: most of the unit tier's time, identical work for every test that does not change the
# manifest. The results are kept for the session; each test installs the patches for itself (function scope), so
# that no test of another tier on the same worker meets them.
_COMPONENT_SCHEMA = cds.get_declarative_component_schema()
_VALIDATED: set = set()
_PROPAGATED: Dict[bytes, Dict] = {}
_validate = cds.validate_manifest


def _key(manifest) -> bytes:
    return orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS, default=str)


def _validate_once(manifest, component_schema):
    key = _key(manifest)
    if component_schema is not _COMPONENT_SCHEMA or key not in _VALIDATED:
        _validate(manifest, component_schema)  # a manifest's first construction still fails on an invalid one
        _VALIDATED.add(key)


class _PropagateOnce(cds.ManifestComponentTransformer):
    """Each distinct manifest propagated once; every source gets its own deep copy of the result, so a test that
    changes its manifest gets its own propagation and no source shares a mutable part with another."""

    def propagate_types_and_parameters(self, parent_field_identifier, declarative_component, parent_parameters,
                                       use_parent_parameters=None):
        whole = parent_field_identifier == "" and declarative_component.get("type") == "DeclarativeSource"
        if not whole:
            return super().propagate_types_and_parameters(
                parent_field_identifier, declarative_component, parent_parameters, use_parent_parameters)
        key = _key(declarative_component)
        if key not in _PROPAGATED:
            _PROPAGATED[key] = super().propagate_types_and_parameters(
                parent_field_identifier, copy.deepcopy(declarative_component), parent_parameters,
                use_parent_parameters)
        return copy.deepcopy(_PROPAGATED[key])


@pytest.fixture(autouse=True)
def build_each_manifest_once(monkeypatch):
    monkeypatch.setattr(cds, "get_declarative_component_schema", lambda: _COMPONENT_SCHEMA)
    monkeypatch.setattr(cds, "validate_manifest", _validate_once)
    monkeypatch.setattr(cds, "ManifestComponentTransformer", _PropagateOnce)
