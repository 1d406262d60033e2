"""Retries are bounded and honest: each document's retry count, Retry-After honoured, one error that says what to do.

Every injected 5xx carries `Retry-After: 1`, which the CDK waits plus one second: a retry costs 2 s here, where the
documents' own backoffs would cost 5, 9 and 17 s (factor 2), 30 s (accounting) or 5 s (studies).
"""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import sandbox
from integration_tests.connector import FAN_OUT, endpoint, run
from integration_tests.reliability import catalog_of, in_parallel
from integration_tests.traits import each
from sandbox.instance import connector_config

PROFILES = sandbox.PROFILES
# The stream each test reads (its first top-level stream, so one URL fails), the sandbox's endpoint serving it, and
# the documented number of retries.
FIRST = {name: (p.first_stream.name, endpoint(name, p.first_stream.name), len(p.retry_waits))
         for name, p in sandbox.REGISTRY.items()}
# What the documented backoffs alone would make the retries wait, had Retry-After been ignored: the document's
# waits, plus the CDK's extra second per retry.
DOCUMENTED_WAIT = {name: sum(p.retry_waits) + len(p.retry_waits) for name, p in sandbox.REGISTRY.items()}


def _exhaust(profile, **launch):
    stream, endpoint, _ = FIRST[profile]
    # Every data request fails, as long as the connector keeps asking.
    with sandbox.start(records=20, seed=3, error_rate=1.0, max_consecutive_errors=1000, error_retry_after=1) as api:
        result = run("read", api.config(profile), catalog_of(api, profile, [stream]), timeout=180, **launch)
        return result, api.stats()["by_endpoint"].get(endpoint, 0)


def _seconds_retrying(result):
    """How long the request was retried, as the CDK logs it when it gives up (the process also starts and stops)."""
    logged = [m["log"]["message"] for m in result.of("LOG") if "Max retry limit reached after" in m["log"]["message"]]
    assert logged, "the CDK did not log giving up"
    return float(re.search(r"after ([0-9.]+)s", logged[0])[1])


@pytest.fixture(scope="module")
def exhausted(manifest_only):
    """Each profile through the package, and through the manifest-only build (`manifest-only`, profile)."""
    launcher, args = manifest_only
    jobs = {profile: (lambda p=profile: _exhaust(p)) for profile in PROFILES}
    jobs.update({("manifest-only", profile): (lambda p=profile: _exhaust(p, launcher=launcher, args=args))
                 for profile in PROFILES})
    return in_parallel(jobs, workers=len(PROFILES))


@pytest.mark.parametrize("profile", PROFILES)
def test_server_errors_are_retried_as_documented_then_end_the_sync_with_one_clear_error(exhausted, profile):
    outcome = exhausted[profile]
    result, attempts = outcome
    stream, _, retries = FIRST[profile]

    assert result.returncode != 0
    [error] = result.errors
    assert error["failure_type"] == "transient_error"
    message = error["message"]
    assert f"'{stream}'" in message and "HTTP 5xx" in message and "Run the sync again later" in message, message
    assert "Traceback" not in message
    assert attempts == retries + 1, f"{profile} made {attempts} attempts; its document allows {retries} retries"
    # Each retry waited what Retry-After asked (1 s, plus the CDK's extra second), not the documented backoff.
    seconds = _seconds_retrying(result)
    assert retries * 2 <= seconds < DOCUMENTED_WAIT[profile], f"retried for {seconds:.0f} s"


@pytest.mark.parametrize("profile", PROFILES)
def test_both_builds_say_retries_exhausted_in_the_same_words(exhausted, profile):
    """The manifest-only build (the CDK's source-declarative-manifest) retries as often and says what the package
    says, the stream named: the words come from the stream's requester, not from the package's entrypoint."""
    package, package_attempts = exhausted[profile]
    built, attempts = exhausted[("manifest-only", profile)]

    assert built.returncode != 0 and attempts == package_attempts
    assert (built.errors[0]["failure_type"], built.errors[0]["message"]) == \
        (package.errors[0]["failure_type"], package.errors[0]["message"])


def _quota_at_once(**launch):
    # One request allowed, then a Retry-After of 1000 s (the cap is 900 s). Bearer: no token request takes the one.
    with sandbox.start(records=250, seed=3, rate_limit=0.001) as api:
        started = time.monotonic()
        result = run("read", api.config("tracking", auth="bearer"), catalog_of(api, "tracking", ["users"]), **launch)
        return result, time.monotonic() - started, api.stats()


def test_a_retry_after_beyond_the_cap_ends_the_sync_at_once():
    """A daily quota answers 429 with a Retry-After of hours: not waited out, not retried forever."""
    result, seconds, stats = _quota_at_once()

    assert result.returncode != 0
    [error] = result.errors
    assert error["failure_type"] == "transient_error"
    assert "'users'" in error["message"] and "HTTP 429" in error["message"] and "quota" in error["message"]
    assert stats["responses_429"] == 1, "the 429 was retried"
    assert seconds < 120


def test_both_builds_say_a_quota_used_up_in_the_same_words(manifest_only):
    launcher, args = manifest_only
    package, built = (_quota_at_once(**launch)[0] for launch in ({}, dict(launcher=launcher, args=args)))

    assert "quota" in package.errors[0]["message"]
    assert built.errors[0]["message"] == package.errors[0]["message"]
    assert built.records() == package.records()


@pytest.mark.parametrize("profile", FAN_OUT)
def test_a_daily_quota_used_up_ends_a_fan_out_sync_in_seconds_with_the_quota_message(profile):
    # Enough parents that each child partition meeting its own 429 (or its pace) would take minutes.
    with sandbox.start(records=2000, seed=15, quota=40) as api:
        catalog = catalog_of(api, profile)
        api.reset_stats()
        started = time.monotonic()
        result = run("read", api.config(profile), catalog, timeout=300)
        seconds, stats = time.monotonic() - started, api.stats()

    assert result.returncode != 0
    [error] = result.errors
    assert error["failure_type"] == "transient_error"
    assert "daily quota" in error["message"] and "HTTP 429" in error["message"], error["message"]
    # The quota's first answer stopped the rest: only requests already in flight (at most num_workers, 32, and a
    # token request) met one, where each of the 2000 parents would have met its own.
    assert 1 <= stats["responses_429"] <= 33, stats["responses_429"]
    # Nothing waited for the quota's day-long Retry-After or paced the parents out: minutes, where this ends in the
    # time a process takes to start and read 40 pages (5 s here, 24 s on a CI machine under four test files).
    assert seconds < 60, f"{seconds:.1f} s"


class _Forbidden(BaseHTTPRequestHandler):
    """Every request: 403 with Retry-After: 1."""

    requests = 0
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            type(self).requests += 1
        body = json.dumps({"error": "forbidden"}).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Retry-After", "1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def forbidding_api():
    """The sandbox has no 403 switch: a stub API that refuses every request."""
    handler = type("Forbidden", (_Forbidden,), {"requests": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


# A stub that refuses everything has no token endpoint: the profiles that take a static credential, signing in with it.
STATIC_SIGN_IN = {p: next(kind for kind in sandbox.profile(p).auth if kind != sandbox.OAUTH2) for p in PROFILES
                  if any(kind != sandbox.OAUTH2 for kind in sandbox.profile(p).auth)}


@each("profile", list(STATIC_SIGN_IN))
def test_403_is_a_config_error_after_the_retries_its_document_asks_for(sandbox_api, forbidding_api, profile):
    # A document that retries 403 retries it as often as any error (accounting's); the others do not retry it.
    stream, _, retries = FIRST[profile]
    attempts = 1 + retries if sandbox.profile(profile).retries_403 else 1
    url, handler = forbidding_api
    config = connector_config(profile, url, STATIC_SIGN_IN[profile])

    result = run("read", config, catalog_of(sandbox_api, profile, [stream]), timeout=120)

    assert result.returncode != 0
    [error] = result.errors
    assert error["failure_type"] == "config_error"
    assert "HTTP 403" in error["message"] and "allowed to read" in error["message"], error["message"]
    assert handler.requests == attempts
