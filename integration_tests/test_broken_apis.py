"""What broken and hostile APIs do, over real HTTP with a default config: pagination that loops, pages for people on
a 200, next links to another host (a daily quota used up mid-sync: test_retries.py). Each test proves its fault
happened."""

import pytest

import sandbox
from integration_tests.connector import PROFILES, records_for, run
from integration_tests.reliability import assert_read_exactly_what_is_served as _exact
from integration_tests.reliability import assert_both_builds_alike, catalog_of, in_parallel, keys_read, keys_served
from sandbox.profile import LINK_HEADER, NEXT_LINK, NEXT_TOKEN, OFFSET, PAGE_NUMBER


def _paged(profile, *styles):
    return [s.name for s in sandbox.profile(profile).streams if s.paging is not None and s.paging.style in styles]


def _logged(result):
    return [m["log"]["message"] for m in result.of("LOG")]


def _sync(profile, records, seed=12, config=None, **switches):
    with sandbox.start(records=records, seed=seed, **switches) as api:
        catalog = catalog_of(api, profile)
        result = run("read", {**api.config(profile), **(config or {})}, catalog, timeout=300)
        return result, api, catalog, api.stats()


def _each_record_once_and_the_loop_named(result, api, profile, catalog, looping):
    """Every stream read each record once; the streams that loop read every record the API serves (the loop comes
    past their end), stopped with the loop's error. A child of a looping parent reads the children of what its
    parent listed, all but the last parent's: the CDK's SubstreamPartitionRouter holds each parent record back
    until it has the next one, and the loop's error comes instead."""
    assert result.returncode != 0
    [error] = result.errors
    assert error["failure_type"] == "system_error", error
    text = " ".join([error["message"]] + _logged(result))
    served = keys_served(api, profile, catalog)
    for stream, read in keys_read(result, catalog).items():
        assert len(read) == len(set(read)), f"{profile}.{stream} emitted records twice"
        assert set(read) <= served[stream], f"{profile}.{stream} invented records"
        if stream in looping and sandbox.profile(profile).stream(stream).parent not in looping:
            assert set(read) == served[stream], f"{profile}.{stream} missed records before the loop"
            assert f"Stream '{stream}'" in text, f"{profile}.{stream}: no error named it"
    assert "the API's pagination is broken; the records before it were read once" in error["message"]


# ---- pagination that loops ------------------------------------------------------------------------------------------
CYCLING = [p for p in PROFILES if _paged(p, NEXT_LINK, LINK_HEADER, NEXT_TOKEN)]
REPEATING = [p for p in PROFILES if _paged(p, PAGE_NUMBER, OFFSET)]


@pytest.fixture(scope="module")
def cycling_syncs():
    return in_parallel({p: (lambda p=p: _sync(p, 250, next_link_cycles=True)) for p in CYCLING}, workers=3)


@pytest.mark.parametrize("profile", CYCLING)
def test_a_next_link_that_cycles_ends_each_stream_in_seconds_with_every_record_read_once(cycling_syncs, profile):
    result, api, catalog, stats = cycling_syncs[profile]

    _each_record_once_and_the_loop_named(result, api, profile, catalog,
                                         _paged(profile, NEXT_LINK, LINK_HEADER, NEXT_TOKEN))
    assert stats["duplicate_requests"] == 0, "a page was asked for twice"
    assert result.seconds < 60, f"{result.seconds:.0f} s"


def _ending_on_full_pages(profile, at_least=300):
    """The fewest records from `at_least` at which every counted listing of the profile can meet the repeat: each
    top-level one ends on a full page, and each child one the sandbox serves from its traits does for some parent
    (the five first profiles' children have builders of their own). A client stops at a short last page,
    so only a listing that ends on a full page is asked past its end (one that counts its records or pages is asked
    there by the count the switch inflates, once it ends full)."""
    registered = sandbox.profile(profile)
    counted = [s for s in registered.streams if s.paging is not None and s.paging.style in (PAGE_NUMBER, OFFSET)]

    def size(stream):
        return int(stream.first_query.get(stream.paging.size_param) or stream.paging.size) if stream.paging.size_param \
            else stream.paging.size

    def full(count, stream):
        return count and count % size(stream) == 0

    for records in range(at_least, at_least + 2000):
        dataset = sandbox.data.Dataset(records, 12, "http://127.0.0.1")
        if all(full(dataset.count(f"{profile}.{s.name}"), s) for s in counted if not s.parent) and all(
                any(full(len(stream_children), s) for stream_children in _children(dataset, registered, s))
                for s in counted if s.parent and s.children is not None):
            return records
    raise AssertionError(f"{profile}: no record count lets every counted listing end on a full page (a child listing "
                         "needs some parent with a positive multiple of its page size: docs/adding-a-profile.md)")


def _children(dataset, registered, child):
    """Each parent's children of a child stream the sandbox serves from its traits."""
    key = f"{registered.name}.{child.parent}"
    return [child.children(dataset, str(parent[child.parent_field])) or []
            for parent in dataset.records(key, 0, dataset.count(key))]


@pytest.fixture(scope="module")
def repeating_syncs():
    return in_parallel({p: (lambda p=p: _sync(p, _ending_on_full_pages(p), repeat_last_page=True)) for p in REPEATING},
                       workers=2)


@pytest.mark.parametrize("profile", REPEATING)
def test_a_counted_listing_that_repeats_its_last_page_ends_each_stream_with_every_record_read_once(
    repeating_syncs, profile
):
    result, api, catalog, stats = repeating_syncs[profile]
    top_level = [name for name in _paged(profile, PAGE_NUMBER, OFFSET)
                 if not sandbox.profile(profile).stream(name).parent]

    _each_record_once_and_the_loop_named(result, api, profile, catalog, top_level)
    assert "with exactly the records it answered" in " ".join(_logged(result) + [result.errors[0]["message"]])
    assert stats["duplicate_requests"] == 0
    assert result.seconds < 60, f"{result.seconds:.0f} s"


# ---- a page for people on a 200 -------------------------------------------------------------------------------------
# About 100 data requests a profile: a few maintenance pages each at 3 % (which URLs is a fixed choice of the
# sandbox's, so each profile meets the same ones every run).
MAINTENANCE_RECORDS = {profile: records_for(profile, 100, seed=13, at_most=10_000) for profile in PROFILES}


@pytest.fixture(scope="module")
def maintenance_syncs():
    return in_parallel({p: (lambda p=p: _sync(p, MAINTENANCE_RECORDS[p], seed=13, maintenance_rate=0.03))
                        for p in PROFILES}, workers=3)


@pytest.mark.parametrize("profile", PROFILES)
def test_maintenance_pages_on_three_percent_of_the_requests_are_asked_again_and_the_sync_is_exact(
    maintenance_syncs, profile
):
    result, api, catalog, stats = maintenance_syncs[profile]

    assert stats["by_profile"][profile].get("maintenance", 0) > 0, "no maintenance page was served"
    _exact(result, api, profile, catalog)


# ---- next links to another host -------------------------------------------------------------------------------------
FOREIGN = [p for p in PROFILES if _paged(p, NEXT_LINK, LINK_HEADER)]


def _foreign(profile, allowed):
    with sandbox.start(records=250, seed=14) as api:
        # The other host is this sandbox by another name: whatever the connector sent there would be counted here.
        host = f"localhost:{api.port}"
        api.configure(foreign_next_host=host)
        catalog = catalog_of(api, profile)
        config = {**api.config(profile), **({"additional_hosts": [host]} if allowed else {})}
        result = run("read", config, catalog, timeout=300)
        return result, api, catalog, api.stats()["by_host"].get(host, {"requests": 0, "with_credentials": 0})


@pytest.fixture(scope="module")
def foreign_syncs():
    jobs = {(p, allowed): (lambda p=p, a=allowed: _foreign(p, a)) for p in FOREIGN for allowed in (False, True)}
    return in_parallel(jobs, workers=4)


@pytest.mark.parametrize("profile", FOREIGN)
def test_a_next_link_to_another_host_stops_the_stream_naming_it_and_that_host_receives_nothing(
    foreign_syncs, profile
):
    result, api, catalog, foreign_host = foreign_syncs[profile, False]

    assert result.returncode != 0
    [error] = result.errors
    assert error["failure_type"] == "config_error"
    assert "localhost" in error["message"] and "additional_hosts" in error["message"], error["message"]
    assert foreign_host == {"requests": 0, "with_credentials": 0}


@pytest.mark.parametrize("profile", FOREIGN)
def test_a_next_link_to_a_host_the_config_lists_is_followed(foreign_syncs, profile):
    result, api, catalog, foreign_host = foreign_syncs[profile, True]

    _exact(result, api, profile, catalog)
    assert foreign_host["with_credentials"] > 0


# ---- a redirect to another host ------------------------------------------------------------------------------------
def _redirected(profile, allowed):
    with sandbox.start(records=60, seed=15) as api:
        host = f"localhost:{api.port}"  # this sandbox by another name, which counts what it received
        api.configure(redirect_host=host)
        catalog = catalog_of(api, profile)
        config = {**api.config(profile), **({"additional_hosts": [host]} if allowed else {})}
        result = run("read", config, catalog, timeout=300)
        return result, api, catalog, api.stats()["by_host"].get(host, {"requests": 0, "with_credentials": 0})


@pytest.fixture(scope="module")
def redirected_syncs():
    jobs = {(p, allowed): (lambda p=p, a=allowed: _redirected(p, a)) for p in PROFILES for allowed in (False, True)}
    return in_parallel(jobs, workers=4)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_redirect_to_another_host_takes_no_credentials_there_and_the_error_names_it(redirected_syncs, profile):
    result, api, catalog, foreign_host = redirected_syncs[profile, False]

    assert foreign_host["requests"] > 0, "no request was redirected: no fault happened"
    assert foreign_host["with_credentials"] == 0
    assert result.returncode != 0
    error = result.errors[0]
    assert error["failure_type"] == "config_error"
    assert "localhost" in error["message"] and "additional_hosts" in error["message"], error["message"]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_redirect_to_a_host_the_config_lists_keeps_the_credentials_and_the_sync_is_exact(redirected_syncs, profile):
    result, api, catalog, foreign_host = redirected_syncs[profile, True]

    _exact(result, api, profile, catalog)
    assert foreign_host["with_credentials"] > 0


# ---- the manifest-only build meets the same faults -------------------------------------------------------------------
# Each fault above that answers every request alike (not the maintenance pages, served once per URL), against one
# sandbox for both builds so that the URLs the messages name are the same.
OTHER_HOST = "this sandbox by another name"  # localhost:<port>: what reaches it stays on this machine
BOTH_BUILDS = ([("cycling next link", p, dict(next_link_cycles=True)) for p in CYCLING]
               + [("repeated last page", p, dict(repeat_last_page=True)) for p in REPEATING]
               + [("next link to another host", p, dict(foreign_next_host=OTHER_HOST)) for p in FOREIGN]
               + [("redirect to another host", p, dict(redirect_host=OTHER_HOST)) for p in PROFILES])


def _both_builds(profile, switches, manifest_only):
    launcher, args = manifest_only
    records = _ending_on_full_pages(profile) if "repeat_last_page" in switches else 120
    with sandbox.start(records=records, seed=12) as api:
        api.configure(**{name: f"localhost:{api.port}" if value == OTHER_HOST else value
                         for name, value in switches.items()})
        catalog = catalog_of(api, profile)
        package = run("read", api.config(profile), catalog, timeout=300)
        built = run("read", api.config(profile), catalog, timeout=300, launcher=launcher, args=args)
        return package, built, catalog


@pytest.fixture(scope="module")
def both_builds_syncs(manifest_only):
    return in_parallel({(fault, p): (lambda p=p, s=switches: _both_builds(p, s, manifest_only))
                        for fault, p, switches in BOTH_BUILDS}, workers=4)


@pytest.mark.parametrize("fault, profile", [(fault, p) for fault, p, _ in BOTH_BUILDS],
                         ids=[f"{fault}-{p}" for fault, p, _ in BOTH_BUILDS])
def test_the_manifest_only_build_reads_the_same_records_and_says_the_same_words(both_builds_syncs, fault, profile):
    """Source-declarative-manifest (the CDK alone, the bundled manifest and components.py) reads what the package
    reads and fails with the package's words: they come from the manifest's components. It also reports each later
    failing stream and the CDK's closing summary, which the package logs instead (run.py)."""
    package, built, catalog = both_builds_syncs[fault, profile]

    assert package.returncode != 0 and built.returncode != 0, "no fault happened"
    assert_both_builds_alike(package, built, catalog)
