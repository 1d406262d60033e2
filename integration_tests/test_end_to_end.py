"""Every stream of every profile, synced through the installed `source-analytics` command over real HTTP."""

import pytest
from jsonschema import Draft7Validator

import sandbox

from integration_tests.connector import PROFILE_STREAMS, PROFILES, configured_catalog, run
from integration_tests.reliability import assert_read_exactly_what_is_served
from integration_tests.traits import each, sign_ins, taking, wrong


@pytest.fixture(scope="session")
def full_syncs(sandbox_api):
    """One full sync per profile (discover, then read every stream), shared by the tests below."""
    cache = {}

    def sync(profile):
        if profile not in cache:
            config = sandbox_api.config(profile)
            discovered = run("discover", config)
            sandbox_api.reset_stats()
            result = run("read", config, configured_catalog(discovered.catalog))
            cache[profile] = (discovered.catalog, result, sandbox_api.stats())
        return cache[profile]

    return sync


def test_the_spec_offers_exactly_the_profiles_the_sandbox_serves():
    # Every test parametrized by profile covers the sandbox's registry: a profile the spec offers and the
    # registry lacks (or the other way round) would go untested.
    [spec] = run("spec").of("SPEC")
    assert spec["spec"]["connectionSpecification"]["properties"]["api"]["enum"] == list(PROFILES)


@pytest.mark.parametrize("profile", PROFILES)
def test_discover_lists_the_profile_streams(full_syncs, profile):
    catalog, _, _ = full_syncs(profile)
    assert [s["name"] for s in catalog["streams"]] == PROFILE_STREAMS[profile]


@pytest.mark.parametrize("profile", PROFILES)
def test_full_sync_returns_every_record_exactly_once(full_syncs, sandbox_api, profile):
    catalog, result, _ = full_syncs(profile)

    assert_read_exactly_what_is_served(result, sandbox_api, profile, configured_catalog(catalog))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_record_validates_against_its_stream_schema(full_syncs, profile):
    catalog, result, _ = full_syncs(profile)

    for stream in catalog["streams"]:
        validator = Draft7Validator(stream["json_schema"], format_checker=Draft7Validator.FORMAT_CHECKER)
        records = result.records(stream["name"])
        assert records
        problems = [f"{e.json_path}: {e.message}" for record in records for e in validator.iter_errors(record)]
        assert problems == [], f"{profile}.{stream['name']}: {problems[:5]}"


@pytest.mark.parametrize("profile", PROFILES)
def test_every_page_is_requested_once(full_syncs, profile):
    # A child stream reads its parent for partitions; the parent's own pages must not be fetched twice.
    _, _, stats = full_syncs(profile)
    assert stats["data_requests"] > 0
    assert stats["duplicate_requests"] == 0


# The full syncs sign in with each profile's first kind of credentials; every other kind it takes reads alike.
OTHER_SIGN_INS = [(p, kind) for p, kind in sign_ins() if kind != sandbox.profile(p).auth[0]]


@each("profile, kind", OTHER_SIGN_INS, ids=[f"{p}-{kind}" for p, kind in OTHER_SIGN_INS])
def test_every_other_kind_of_credentials_syncs_alike(sandbox_api, profile, kind):
    config = sandbox_api.config(profile, auth=kind)
    first = run("discover", config).catalog["streams"][0]

    result = run("read", config, configured_catalog({"streams": [first]}))

    assert result.errors == []
    documented = sandbox.profile(profile).stream(first["name"])
    assert {documented.key_of(r) for r in result.records()} == {
        documented.key_of(r) for r in sandbox_api.truth(profile, first["name"])}


@pytest.mark.parametrize("profile", PROFILES)
def test_check_succeeds_with_good_credentials(sandbox_api, profile):
    result = run("check", sandbox_api.config(profile))
    assert [m["connectionStatus"]["status"] for m in result.of("CONNECTION_STATUS")] == ["SUCCEEDED"]


# Profiles whose document puts the token endpoint under the API's base URL: without token_url the connector's
# default must be the endpoint the sandbox serves (both sides' token paths agree).
SAME_HOST_TOKEN = [p for p in taking(sandbox.OAUTH2) if sandbox.profile(p).default_token_url.startswith("{base_url}")]


@each("profile", SAME_HOST_TOKEN)
def test_check_without_token_url_uses_the_documented_token_endpoint(sandbox_api, profile):
    config = sandbox_api.config(profile, auth=sandbox.OAUTH2)
    del config["credentials"]["token_url"]

    result = run("check", config)

    assert [m["connectionStatus"]["status"] for m in result.of("CONNECTION_STATUS")] == ["SUCCEEDED"]
    token_endpoint = f"POST /{profile}{sandbox.profile(profile).base_path}{sandbox.profile(profile).token_path}"
    assert sandbox_api.stats()["by_endpoint"].get(token_endpoint, 0) >= 1


@pytest.mark.parametrize("profile, kind", sign_ins(), ids=[f"{p}-{kind}" for p, kind in sign_ins()])
def test_check_fails_with_a_wrong_secret(sandbox_api, profile, kind):
    result = run("check", wrong(sandbox_api.config(profile, auth=kind), kind))

    statuses = [m["connectionStatus"]["status"] for m in result.of("CONNECTION_STATUS")]
    assert statuses == ["FAILED"] or [e["failure_type"] for e in result.errors] == ["config_error"]
