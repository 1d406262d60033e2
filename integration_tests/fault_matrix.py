"""The fault matrix: every profile synced through the faults its API document anticipates, alone and all at once.

Used by test_faults.py (once per scenario) and by `python -m bench.fault_matrix` (the combined scenario many times
in a row, which is too long for CI). A sync passes when it completes and reads exactly the primary keys the API
serves, which is what a fault-free sync reads (test_end_to_end), and when the sandbox's stats show its faults
happened, so a sandbox that stopped injecting them fails instead of passing vacuously.
"""

import time

import sandbox
from integration_tests.connector import PROFILES, records_for, run
from integration_tests.reliability import catalog_of, in_parallel, keys_read, keys_served

SEED = 7
# Records per profile so each sync makes about 42 data requests (the profile's floor): enough for every fault to
# land, few enough to take seconds. The page-by-page profiles stop at connector.MOST_RECORDS (15-30 requests).
RECORDS = {profile: records_for(profile, 42, SEED) for profile in PROFILES}

# Requests per second the API allows, well below what the connector makes without faults (tens of requests a
# second for tracking and accounting, a hundred and more for the fan-outs). The config never says so.
RATE_LIMIT = 5
# All profiles syncing at once against one API whose limit they share, with records enough for each fan-out to
# make 30-70 requests (the page-by-page profiles then make a few).
SHARED_RATE_LIMIT = 10
SHARED_RECORDS = 60

SCENARIOS = {
    # 15 % of data requests answer a server error its document retries, up to twice in a row for one URL.
    "server_errors": dict(error_rate=0.15, error_retry_after=1, latency_ms=10),
    # 429 with Retry-After whenever the connector outpaces the API.
    "rate_limit": dict(latency_ms=10, rate_limit=RATE_LIMIT),
    # Tokens live 2 s; 300 ms per request keeps each sync, fan-outs included, going past a token's half-life, when
    # the connector renews it. A request taken with a token just before its renewal reaches the API up to 300 ms
    # later, so a second's margin leaves 0.7 s for a loaded machine to stall the process (at 1 s it was 0.2 s, and
    # a CI run under four test files on two cores went past it once).
    "expiring_tokens": dict(token_ttl=2, latency_ms=300),
    # Everything at once, against one API shared by every profile: 15 % 5xx (up to twice in a row per URL),
    # tokens of 2 s, 30 ms a request, and a limit far below what five syncs want.
    "combined": dict(error_rate=0.15, error_retry_after=1, token_ttl=2, latency_ms=30, rate_limit=SHARED_RATE_LIMIT),
}


def signs_in_with_tokens(profile):
    """The profile's syncs here (its first kind of credentials) take OAuth2 tokens, which expire."""
    return sandbox.profile(profile).auth[0] == sandbox.OAUTH2


def scenarios_of(profile):
    """The scenarios a profile's sync meets: expiring tokens only where it signs in with them."""
    return [s for s in SCENARIOS if s != "expiring_tokens" or signs_in_with_tokens(profile)]


def faults_seen(scenario, stats, profile):
    """Evidence in the sandbox's stats that the scenario's faults reached this profile's sync."""
    answers = stats["by_profile"].get(profile, {})
    server_errors = sum(n for status, n in answers.items() if status.startswith("5"))
    rate_limited = answers.get("429", 0)
    # Every stream of a sync shares one token (ClientCredentialsAuthenticator): a second one is a renewal.
    renewed = {"renewed tokens": answers.get("token", 0) > 1} if signs_in_with_tokens(profile) else {}
    return {
        "server_errors": {"5xx": server_errors > 0},
        "rate_limit": {"429": rate_limited > 0},
        "expiring_tokens": renewed,
        "combined": {"5xx": server_errors > 0, "429": rate_limited > 0, **renewed},
    }[scenario]


def _read(api, profile):
    catalog = catalog_of(api, profile)
    started = time.monotonic()
    result = run("read", api.config(profile), catalog, timeout=600)
    return result, catalog, time.monotonic() - started


def sync_alone(profile, scenario):
    """One profile's sync against its own sandbox with the scenario's faults."""
    with sandbox.start(records=RECORDS[profile], seed=SEED, **SCENARIOS[scenario]) as api:
        catalog_of(api, profile)  # discover before the faults count
        api.reset_stats()
        result, catalog, seconds = _read(api, profile)
        return result, keys_served(api, profile, catalog), api.stats(), seconds, catalog


def syncs_together(scenario="combined", seed=SEED):
    """Every profile at once against one sandbox: {profile: (result, served, seconds, catalog)} and its stats."""
    with sandbox.start(records=SHARED_RECORDS, seed=seed, **SCENARIOS[scenario]) as api:
        for profile in PROFILES:
            catalog_of(api, profile)
        api.reset_stats()
        outcomes = in_parallel({p: (lambda p=p: _read(api, p)) for p in PROFILES}, workers=len(PROFILES))
        stats = api.stats()
        results = {}
        for profile in PROFILES:
            result, catalog, seconds = outcomes[profile]
            results[profile] = (result, keys_served(api, profile, catalog), seconds, catalog)
        return results, stats


def problems(result, served, catalog):
    """What is wrong with a sync's outcome (empty when it read exactly what the API serves)."""
    if result.returncode != 0 or result.errors:
        return [f"failed: {[e['message'][:300] for e in result.errors]}"]
    found = []
    for stream, read in keys_read(result, catalog).items():
        if not served[stream]:
            found.append(f"the sandbox serves no {stream}: nothing proven")
        if len(read) != len(set(read)):
            found.append(f"{stream}: records emitted twice")
        if set(read) != served[stream]:
            found.append(f"{stream}: {len(served[stream] - set(read))} missed, {len(set(read) - served[stream])} invented")
    return found
