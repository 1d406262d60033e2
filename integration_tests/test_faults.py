"""The fault matrix: every profile synced through the faults its API document anticipates, alone and combined.

Each sync must complete and read exactly the primary keys the API serves, which is what a fault-free sync reads
(test_end_to_end). Every scenario also proves its fault happened, so a sandbox that stopped injecting it would fail
the test instead of passing it vacuously. Faults are deterministic enough to hold on a slow CI runner: a seeded
sandbox, at most `max_consecutive_errors` injected 5xx in a row per URL (within every document's retry budget), and
`Retry-After: 1` on them so a retry waits 2 s instead of an exponential or 30 s backoff.
"""

import time

import pytest

import sandbox
from integration_tests.connector import PROFILE_STREAMS, run
from integration_tests.reliability import catalog_of, in_parallel, keys_read, keys_served

# Records per profile so each sync makes 20-70 requests: enough for every fault to land, few enough to take seconds.
RECORDS = {"tracking": 1200, "meetings": 40, "payments": 40, "accounting": 1200, "studies": 60}

# Requests per second the API allows, well below what the connector makes without faults: tracking and
# accounting read 2-3 streams page by page (tens of requests a second), the others fan out over up to 32
# partitions at once (a hundred and more). Combined with the other faults, the fan-out profiles get 20: see below.
RATE_LIMIT = {"tracking": 5, "meetings": 10, "payments": 10, "accounting": 5, "studies": 10}
COMBINED_RATE_LIMIT = dict(RATE_LIMIT, meetings=20, payments=20, studies=20)

SCENARIOS = {
    # 15 % of data requests answer 500/502/503/504, up to twice in a row for one URL (3 retries documented).
    "server_errors": dict(error_rate=0.15, error_retry_after=1, latency_ms=10),
    # 429 with Retry-After whenever the connector outpaces the API (RATE_LIMIT).
    "rate_limit": dict(latency_ms=10),
    # Tokens live 1 s; 300 ms per request keeps each sync, fan-outs included, going past a token's half-life, when
    # the connector renews it.
    "expiring_tokens": dict(token_ttl=1, latency_ms=300),
    # All at once (COMBINED_RATE_LIMIT). Every 429, 5xx and 401 spends one of a request's 3 documented retries, so
    # the mix stays where a request practically never meets four: one injected 5xx in a row per URL, 2 s tokens,
    # and 429s on about one fan-out request in four. At 10/s the request budget, holding requests after a 429 with
    # their token already attached, lets 1-2 s tokens expire in flight, and about one sync in six spends a
    # request's retries: a known limit of the connector, not covered here.
    "combined": dict(error_rate=0.15, error_retry_after=1, max_consecutive_errors=1, token_ttl=2, latency_ms=30),
}


def _fault_seen(scenario, stats, streams):
    """Evidence in the sandbox's stats that the scenario's faults reached the connector."""
    return {
        "server_errors": {"5xx": stats["responses_5xx"] > 0},
        "rate_limit": {"429": stats["responses_429"] > 0},
        # Every stream of a sync shares one token (ClientCredentialsAuthenticator): a second one is a renewal.
        "expiring_tokens": {"renewed tokens": stats["token_requests"] > 1},
        "combined": {
            "5xx": stats["responses_5xx"] > 0,
            "429": stats["responses_429"] > 0,
            "renewed tokens": stats["token_requests"] > 1,
        },
    }[scenario]


def _sync(profile, scenario):
    faults = dict(SCENARIOS[scenario])
    if scenario in ("rate_limit", "combined"):
        faults["rate_limit"] = (RATE_LIMIT if scenario == "rate_limit" else COMBINED_RATE_LIMIT)[profile]
    with sandbox.start(records=RECORDS[profile], seed=7, **faults) as api:
        catalog = catalog_of(api, profile)
        started = time.monotonic()
        result = run("read", api.config(profile), catalog, timeout=240)
        return result, keys_served(api, profile, catalog), api.stats(), time.monotonic() - started, catalog


@pytest.fixture(scope="module")
def fault_syncs():
    """Every (profile, scenario) sync, run four at a time: they spend most of their time waiting out faults."""
    jobs = {(p, s): (lambda p=p, s=s: _sync(p, s)) for p in PROFILE_STREAMS for s in SCENARIOS}
    return in_parallel(jobs, workers=4)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("profile", list(PROFILE_STREAMS))
def test_sync_under_faults_reads_exactly_what_a_fault_free_sync_reads(fault_syncs, profile, scenario):
    outcome = fault_syncs[(profile, scenario)]
    result, served, stats, seconds, catalog = outcome

    assert result.returncode == 0 and result.errors == [], (result.errors, result.stderr[-2000:])
    assert all(_fault_seen(scenario, stats, PROFILE_STREAMS[profile]).values()), (
        f"the sandbox did not inject the {scenario} faults: {stats}"
    )
    for stream, read in keys_read(result, catalog).items():
        assert served[stream], f"the sandbox serves no {profile}.{stream}: the test would prove nothing"
        assert len(read) == len(set(read)), f"{profile}.{stream} emitted records twice under {scenario}"
        assert set(read) == served[stream], f"{profile}.{stream} missed or invented records under {scenario}"
