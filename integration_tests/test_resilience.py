"""What real APIs do that a kind sandbox does not, met by a default config: stalled connections, parents deleted
mid-sync, a rate limit nobody configured, an unreachable host. Each test proves its fault happened."""

import re
import time

import pytest

import sandbox
from integration_tests.connector import FAN_OUT, PROFILES, records_for, run
from integration_tests.reliability import assert_read_exactly_what_is_served as _exact
from integration_tests.reliability import assert_both_builds_alike, catalog_of, in_parallel
from integration_tests.traits import answered_not_retried, on_https, sign_ins

# Records per profile so each sync makes about 42 data requests (the profile's floor; the page-by-page profiles stop
# at connector.MOST_RECORDS, 15-30 requests), as the fault matrix's.
RECORDS = {profile: records_for(profile, 42, seed=8) for profile in PROFILES}
DEFAULT_READ_TIMEOUT = 60  # seconds, the manifest's default


# ---- stalled connections ----------------------------------------------------------------------------------------
def _clean_and_stalled(profile):
    with sandbox.start(records=RECORDS[profile], seed=8, latency_ms=10) as api:
        catalog = catalog_of(api, profile)
        started = time.monotonic()
        clean = run("read", api.config(profile), catalog)
        clean_seconds = time.monotonic() - started
        _exact(clean, api, profile, catalog)
        # A few percent of requests (data and token) accepted and never answered, each URL once.
        api.configure(stall_rate=0.05)
        api.reset_stats()
        started = time.monotonic()
        stalled = run("read", api.config(profile), catalog, timeout=600)
        return stalled, api, catalog, clean_seconds, time.monotonic() - started, api.stats()


@pytest.fixture(scope="module")
def stalled_syncs():
    return in_parallel({p: (lambda p=p: _clean_and_stalled(p)) for p in PROFILES}, workers=len(PROFILES))


@pytest.mark.parametrize("profile", PROFILES)
def test_a_stalled_request_times_out_and_is_retried_with_the_default_config(stalled_syncs, profile):
    result, api, catalog, clean_seconds, seconds, stats = stalled_syncs[profile]

    assert stats["stalled_requests"] > 0, f"no request stalled: {stats}"
    _exact(result, api, profile, catalog)
    # About one read timeout more than a clean sync (stalled requests wait out their timeouts side by side; a
    # second one in a row of the same request chain adds another).
    assert seconds < clean_seconds + 2 * DEFAULT_READ_TIMEOUT + 30, (seconds, clean_seconds, stats)


def test_the_token_request_and_every_data_request_have_the_configured_timeouts():
    """Every first attempt stalls, the token request included: with a 2 s read timeout each is retried."""
    with sandbox.start(records=150, seed=8, stall_rate=1.0) as api:
        config = dict(api.config("tracking"), read_timeout_seconds=2)
        catalog = catalog_of(api, "tracking")
        api.reset_stats()
        started = time.monotonic()
        result = run("read", config, catalog, timeout=300)
        seconds, stats = time.monotonic() - started, api.stats()

    _exact(result, api, "tracking", catalog)
    assert stats["by_endpoint"].get("POST /tracking/auth/token (stalled)") == 1, stats["by_endpoint"]
    assert stats["stalled_requests"] == stats["distinct_pages"] + 1, stats
    assert seconds < 120


# ---- deleted parents ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def deleted_parent_syncs():
    def sync(profile):
        with sandbox.start(records=RECORDS[profile], seed=9, deleted_parents=0.2) as api:
            catalog = catalog_of(api, profile)
            result = run("read", api.config(profile), catalog)
            _exact(result, api, profile, catalog)
            return result, api.stats()

    return in_parallel({p: (lambda p=p: sync(p)) for p in FAN_OUT}, workers=len(FAN_OUT))


@pytest.mark.parametrize("profile", FAN_OUT)
def test_a_parent_deleted_after_listing_is_skipped_with_one_warning(deleted_parent_syncs, profile):
    result, stats = deleted_parent_syncs[profile]  # every other parent's children were read (_exact)

    not_found = stats["by_status"].get("404", 0)
    assert not_found > 0, f"no parent was deleted: {stats}"
    warnings = [m["log"]["message"] for m in result.of("LOG")
                if m["log"]["level"] == "WARN" and "skipped the parent at" in m["log"]["message"]]
    assert len(warnings) == not_found, (len(warnings), not_found)
    assert all("HTTP 404" in w and "http://127.0.0.1" in w for w in warnings), warnings[:3]


@pytest.mark.parametrize("profile", FAN_OUT)
def test_every_child_request_answering_404_is_a_config_error_naming_the_path(profile):
    with sandbox.start(records=RECORDS[profile], seed=9, deleted_parents=1.0) as api:
        config, catalog = _every_child(api, profile)
        child = catalog["streams"][0]["stream"]["name"]
        result = run("read", config, catalog)
        stats = api.stats()

    assert result.returncode != 0
    [error] = result.errors
    assert error["failure_type"] == "config_error"
    assert f"'{child}'" in error["message"] and "HTTP 404" in error["message"] and "base_url" in error["message"]
    assert "http://127.0.0.1" in error["message"], error["message"]
    assert stats["by_status"].get("404", 0) >= 5


@pytest.mark.parametrize("profile", PROFILES)
def test_a_404_on_a_top_level_stream_is_a_config_error(profile):
    with sandbox.start(records=20, seed=9) as api:
        result = run("read", *_top_level_404(api, profile))

    assert result.returncode != 0
    [error] = result.errors
    assert error["failure_type"] == "config_error"
    assert "HTTP 404" in error["message"] and "Check base_url" in error["message"], error["message"]


# ---- a rate limit nobody configured -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def unknown_limit_syncs():
    def sync(profile):
        # No requests_per_second: the API allows 5 requests/s and says so only with 429s. About 150 requests, 30 s
        # at the limit: finding the limit costs a few 429s, which a sync this long spreads below a tenth.
        with sandbox.start(records=3 * RECORDS[profile], seed=10, latency_ms=10, rate_limit=5) as api:
            catalog = catalog_of(api, profile)
            api.reset_stats()
            result = run("read", api.config(profile), catalog, timeout=600)
            _exact(result, api, profile, catalog)
            return result, api.stats()

    return in_parallel({p: (lambda p=p: sync(p)) for p in FAN_OUT}, workers=len(FAN_OUT))


@pytest.mark.parametrize("profile", FAN_OUT)
def test_an_unknown_rate_limit_is_met_and_waited_out_without_spending_the_retries(unknown_limit_syncs, profile):
    result, stats = unknown_limit_syncs[profile]  # completed exactly (_exact)

    assert stats["responses_429"] > 0, f"the API never rate limited the sync: {stats}"
    # Most requests went through at the first try: the connector paced itself instead of meeting a wall of 429s.
    assert stats["responses_429"] < 0.1 * stats["requests"], stats
    paced = [m for m in result.of("LOG") if "then pacing requests to" in m["log"]["message"]]
    assert paced, "the connector did not say it paces itself"


def test_a_retry_after_given_as_an_http_date_is_waited_for():
    """Every data request fails (503) with `Retry-After: <now + 2 s as an HTTP-date>`: each retry waits for it."""
    with sandbox.start(records=20, seed=3, error_rate=1.0, max_consecutive_errors=1000, error_retry_after=3,
                       retry_after_format="http-date") as api:
        result = run("read", api.config("tracking"), catalog_of(api, "tracking", ["users"]), timeout=180)

    assert result.returncode != 0
    logged = [m["log"]["message"] for m in result.of("LOG") if "Max retry limit reached after" in m["log"]["message"]]
    assert logged
    seconds = float(logged[0].split("after ")[1].split("s")[0])
    # 3 retries, each waiting the date's 2-3 s plus the CDK's extra second; the documented exponential backoff alone
    # (factor 2: 2, 4, 8 s plus a second each) or no wait would be outside this range.
    assert 3 * 3 <= seconds < 3 * 4 + 2, seconds


def test_a_daily_quota_given_as_an_http_date_ends_the_sync_at_once():
    with sandbox.start(records=250, seed=3, rate_limit=0.001, retry_after_format="http-date") as api:
        started = time.monotonic()
        result = run("read", api.config("tracking", auth="bearer"), catalog_of(api, "tracking", ["users"]))
        seconds, stats = time.monotonic() - started, api.stats()

    assert result.returncode != 0
    [error] = result.errors
    assert "quota" in error["message"] and "HTTP 429" in error["message"], error["message"]
    assert stats["responses_429"] == 1
    assert seconds < 60


# ---- an unreachable API -------------------------------------------------------------------------------------------
@pytest.fixture
def refused_port():
    """A port bound and never listened on: a connection is refused, and no other test's server can take it (tests
    run side by side) while this one holds it."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


@pytest.mark.parametrize("profile, auth", sign_ins(), ids=[f"{p}-{kind}" for p, kind in sign_ins()])
def test_check_against_a_refused_port_answers_fast_naming_the_host(profile, auth, refused_port):
    port = refused_port
    with sandbox.start(records=5) as api:
        config = api.config(profile, auth=auth)
    config["base_url"] = f"http://127.0.0.1:{port}/{profile}"
    if auth == sandbox.OAUTH2:
        config["credentials"]["token_url"] = f"http://127.0.0.1:{port}/token"

    started = time.monotonic()
    result = run("check", config, timeout=120)
    seconds = time.monotonic() - started

    [status] = [m["connectionStatus"] for m in result.of("CONNECTION_STATUS")]
    assert status["status"] == "FAILED"
    assert f"127.0.0.1:{port}" in status["message"] and "Connection refused" in status["message"], status
    setting = "token_url" if auth == sandbox.OAUTH2 else "base_url"
    assert setting in status["message"], status["message"]
    assert "rate limit" not in status["message"].lower()
    assert seconds < 30, seconds


@pytest.mark.parametrize("style", ["x-ratelimit", "ratelimit"])
def test_rate_limit_headers_keep_the_sync_below_the_limit(style):
    """An API that says what is left (X-RateLimit-* / RateLimit-*) is followed: almost no 429 at all."""
    with sandbox.start(records=RECORDS["meetings"] * 3, seed=10, latency_ms=10, rate_limit=5,
                       rate_limit_headers=style) as api:
        catalog = catalog_of(api, "meetings")
        api.reset_stats()
        result = run("read", api.config("meetings"), catalog, timeout=600)
        _exact(result, api, "meetings", catalog)
        stats = api.stats()

    assert stats["requests"] > 100
    # 3 of 128 (2.3 %) on a loaded machine. The bound catches headers that break or stall the sync; it does not
    # tell following the headers apart from plain pacing (test_pacing.py pins the Remaining and Reset handling).
    assert stats["responses_429"] <= 0.05 * stats["requests"], stats


@pytest.mark.parametrize("profile, auth", sign_ins(), ids=[f"{p}-{kind}" for p, kind in sign_ins()])
def test_check_with_https_on_a_plain_http_port_answers_at_once_naming_the_fix(profile, auth):
    with sandbox.start(records=5) as api:
        config = api.config(profile, auth=auth)
        good = run("check", config, timeout=120)  # the reference: the same check where the URLs are right
        result = run("check", on_https(config), timeout=300)

    [status] = [m["connectionStatus"] for m in result.of("CONNECTION_STATUS")]
    assert status["status"] == "FAILED"
    setting = "token_url" if auth == sandbox.OAUTH2 else "base_url"
    assert "TLS" in status["message"] and "http://" in status["message"] and setting in status["message"], status
    assert answered_not_retried(result.seconds, good.seconds, profile), (result.seconds, good.seconds)


# ---- the manifest-only build meets the same faults -------------------------------------------------------------------
# Each fault above whose handling is the manifest's components' (timeouts and retries, a deleted parent's 404, a wrong
# base_url's 404, an HTTP-date Retry-After and quota), against one sandbox for both builds so that the URLs the
# messages name are the same: source-declarative-manifest with the CDK alone reads what the package reads, warns and
# fails in its words. (An unknown rate limit: test_retries.py; the faults that answer every request alike:
# test_broken_apis.py.)
def _top_level_404(api, profile):
    """A config whose base_url has a path the API does not serve, and a catalog of the first top-level stream."""
    config = dict(api.config(profile), base_url=api.url + "/no-such-api")
    if "token_url" in config["credentials"]:  # the token endpoint where it is: only the data paths are wrong
        config["credentials"] = dict(config["credentials"], token_url=api.token_url(profile))
    return config, catalog_of(api, profile, [sandbox.profile(profile).first_stream.name])


def _every_child(api, profile):
    """The config, and a catalog of the profile's first child stream."""
    child = next(s.name for s in sandbox.profile(profile).streams if s.parent)
    return api.config(profile), catalog_of(api, profile, [child])


# Stalls: half the URLs' first attempts, each timed out after 2 s, for the documents whose first retry waits a few
# seconds (a document's 30 s a retry would take minutes there; such a profile's stalls are the tests' above).
QUICK_RETRIES = [p for p in PROFILES if sandbox.profile(p).retry_waits[0] <= 5]
BOTH_BUILDS = (
    [("stalled requests", p, dict(stall_rate=0.5), None) for p in QUICK_RETRIES]
    + [("deleted parents", p, dict(deleted_parents=0.2), None) for p in FAN_OUT]
    + [("every child's parent deleted", p, dict(deleted_parents=1.0), _every_child) for p in FAN_OUT]
    + [("404 on a top-level stream", p, {}, _top_level_404) for p in PROFILES]
    + [("quota as an HTTP-date", p, dict(rate_limit=0.001, retry_after_format="http-date"), None) for p in PROFILES]
)


def _both_builds(profile, switches, setup, manifest_only):
    launcher, args = manifest_only
    with sandbox.start(records=RECORDS[profile], seed=9, latency_ms=10, **switches) as api:
        config, catalog = setup(api, profile) if setup else (api.config(profile), catalog_of(api, profile))
        # Stalled requests time out after 2 s instead of the default 60 s: the same retries, sooner.
        config = dict(config, read_timeout_seconds=2) if "stall_rate" in switches else config
        results = []
        for launch in ({}, dict(launcher=launcher, args=args)):
            api.configure(**{k: v for k, v in switches.items() if k in ("stall_rate", "rate_limit")})  # anew
            api.reset_stats()
            results.append((run("read", config, catalog, timeout=600, **launch), api.stats()))
        (package, package_stats), (built, built_stats) = results
        if setup is None and ("stall_rate" in switches or "deleted_parents" in switches):
            for result in (package, built):  # each build read exactly what is served (else its test raises this)
                _exact(result, api, profile, catalog)
        return package, built, catalog, package_stats, built_stats


def _skipped_parents(result):
    return [m["log"]["message"] for m in result.of("LOG")
            if m["log"]["level"] == "WARN" and "skipped the parent at" in m["log"]["message"]]


def _without_urls(messages):
    return {re.sub(r"http://\S+: ", "<url>: ", message) for message in messages}


@pytest.fixture(scope="module")
def both_builds_syncs(manifest_only):
    return in_parallel({(fault, p): (lambda p=p, s=switches, f=setup: _both_builds(p, s, f, manifest_only))
                        for fault, p, switches, setup in BOTH_BUILDS}, workers=4)


@pytest.mark.parametrize("fault, profile", [(fault, p) for fault, p, *_ in BOTH_BUILDS],
                         ids=[f"{fault}-{p}" for fault, p, *_ in BOTH_BUILDS])
def test_the_manifest_only_build_meets_each_fault_with_the_same_records_warnings_and_words(
        both_builds_syncs, fault, profile):
    package, built, catalog, package_stats, built_stats = both_builds_syncs[fault, profile]

    # The fault happened to each build.
    proof = {"stalled requests": "stalled_requests", "quota as an HTTP-date": "responses_429"}.get(fault)
    if proof:
        assert package_stats[proof] > 0 and built_stats[proof] > 0, (package_stats, built_stats)
    elif "deleted" in fault or "404" in fault:
        assert package_stats["by_status"].get("404", 0) > 0 and built_stats["by_status"].get("404", 0) > 0
    # A deleted parent's warning, one per 404 in each build, in the same words (the parent's URL aside: which
    # parents a listing finds deleted is the sandbox's draw).
    if fault == "deleted parents":
        for result, stats in ((package, package_stats), (built, built_stats)):
            assert len(_skipped_parents(result)) == stats["by_status"]["404"]
    assert _without_urls(_skipped_parents(built)) == _without_urls(_skipped_parents(package))
    # How many children answered 404 before the stream gave up on them, and which one it names, is a race between
    # the requests in flight.
    assert_both_builds_alike(package, built, catalog, same=_without_counts)


def _without_counts(message):
    message = re.sub(r"each of the first \d+ requests", "each of the first N requests", message)
    return re.sub(r"\(for example http://\S+\)", "(for example <url>)", message)
