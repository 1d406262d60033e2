"""The manifest-only build (`make bundle`: one manifest.yaml with every schema inline, one components.py) where
Airbyte runs a low-code connector without its own image: the CDK's `source-declarative-manifest` command and its
Connector Builder handler, in a virtualenv holding airbyte-cdk alone (`make test` makes .venv-manifest-only).

Every profile's check, discover and full read go through `source-declarative-manifest` against the sandbox, and
must give exactly the packaged connector's catalog and records; every stream answers the Builder's test_read.
"""

import ast
import hashlib
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from integration_tests.conftest import RUNTIME_BIN, RUNTIME_ENV
from integration_tests.connector import PROFILE_STREAMS, PROFILES, Launcher, configured_catalog, run
from integration_tests.reliability import assert_read_exactly_what_is_served
from integration_tests.traits import SECRET_FIELD, answered_not_retried, on_https, sign_ins, wrong

# The setting a rejected static credential's message names.
SECRET_SETTING = {kind: f"credentials.{field}" for kind, field in SECRET_FIELD.items()}

REPO = Path(__file__).resolve().parent.parent


def _runtime(manifest_only, command, config, catalog=None):
    launcher, args = manifest_only
    return run(command, config, catalog, launcher=launcher, args=args, timeout=600)


def test_the_runtime_has_the_cdk_and_not_this_package():
    probe = ("import importlib.util as u, importlib.metadata as m; "
             "print(u.find_spec('source_analytics') is None, m.version('airbyte-cdk'))")
    done = subprocess.run([str(RUNTIME_BIN / "python"), "-c", probe], capture_output=True, text=True,
                          env=RUNTIME_ENV, cwd="/", timeout=60)
    pinned = next(line for line in (REPO / "pyproject.toml").read_text().splitlines() if "airbyte-cdk==" in line)
    assert done.stdout.split() == ["True", pinned.split("==")[1].split('"')[0]], done.stderr


def test_the_bundle_names_only_its_own_components_file(bundled):
    manifest, components = bundled
    text = manifest.read_text()
    assert "class_name: source_analytics" not in text and "JsonFileSchemaLoader" not in text
    imported = {alias.name for node in ast.walk(ast.parse(components.read_text())) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(ast.parse(components.read_text()))
                 if isinstance(node, ast.ImportFrom)}
    assert not [name for name in imported if name.split(".")[0] == "source_analytics"]
    loaded = yaml.safe_load(text)
    assert set(loaded["schemas"]) == {f"{p}_{s}" for p in PROFILES for s in PROFILE_STREAMS[p]}


@pytest.fixture(scope="module")
def both_syncs(sandbox_api, manifest_only):
    """Per profile: the packaged connector's discover and read, and the manifest-only build's check, discover and
    read of the same catalog."""
    cache = {}

    def sync(profile):
        if profile not in cache:
            config = sandbox_api.config(profile)
            packaged = run("discover", config)
            catalog = configured_catalog(packaged.catalog)
            cache[profile] = {
                "packaged_discover": packaged,
                "packaged_read": run("read", config, catalog),
                "check": _runtime(manifest_only, "check", config),
                "discover": _runtime(manifest_only, "discover", config),
                "read": _runtime(manifest_only, "read", config, catalog),
                "catalog": catalog,
            }
        return cache[profile]

    return sync


@pytest.mark.parametrize("profile", PROFILES)
def test_check_succeeds(both_syncs, profile):
    result = both_syncs(profile)["check"]
    assert [s["status"] for s in result.connection_statuses] == ["SUCCEEDED"], result.stdout[-2000:]


@pytest.mark.parametrize("profile", PROFILES)
def test_discover_gives_the_packaged_catalog(both_syncs, profile):
    syncs = both_syncs(profile)
    assert syncs["discover"].catalog == syncs["packaged_discover"].catalog


@pytest.mark.parametrize("profile", PROFILES)
def test_read_gives_exactly_the_packaged_records(both_syncs, sandbox_api, profile):
    syncs = both_syncs(profile)
    result, packaged = syncs["read"], syncs["packaged_read"]
    assert result.returncode == 0 and not result.errors, result.stdout[-2000:]

    assert_read_exactly_what_is_served(result, sandbox_api, profile, syncs["catalog"])
    for stream in PROFILE_STREAMS[profile]:
        ours = sorted(json.dumps(r, sort_keys=True) for r in result.records(stream))
        assert ours and ours == sorted(json.dumps(r, sort_keys=True) for r in packaged.records(stream)), stream
    assert [s["type"] for s in result.states] == [s["type"] for s in packaged.states]


# ---- the Connector Builder --------------------------------------------------------------------------------------
def _builder_test_read(bundled, config, stream):
    """The Builder's test_read of one stream, the manifest and components injected as the Builder injects them."""
    manifest, components = bundled
    code = components.read_text()
    injected = dict(config, **{
        "__command": "test_read",
        "__injected_declarative_manifest": yaml.safe_load(manifest.read_text()),
        "__injected_components_py": code,
        "__injected_components_py_checksums": {"md5": hashlib.md5(code.encode()).hexdigest()},
        "__test_read_config": {"max_records": 50, "max_pages_per_slice": 2, "max_slices": 3},
    })
    catalog = {"streams": [{"stream": {"name": stream, "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                            "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
    launcher = Launcher((str(RUNTIME_BIN / "python"), "-m", "airbyte_cdk.connector_builder.main"), env=RUNTIME_ENV)
    result = run("read", injected, catalog, launcher=launcher, timeout=300)
    [answer] = result.records()
    return answer


def _without_nulls(record):
    return json.dumps({key: value for key, value in record.items() if value is not None}, sort_keys=True)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_builder_test_read_returns_records_for_every_stream(bundled, both_syncs, sandbox_api, profile):
    config = sandbox_api.config(profile)
    streams = PROFILE_STREAMS[profile]
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = dict(zip(streams, pool.map(lambda s: _builder_test_read(bundled, config, s), streams)))
    packaged = both_syncs(profile)["packaged_read"]
    for stream, answer in answers.items():
        records = [r for s in answer["slices"] for page in s["pages"] for r in page["records"]]
        errors = [log["message"] for log in answer["logs"] if log.get("level") == "ERROR"]
        assert records and not errors, (stream, errors)
        # What the Builder shows is what a sync reads: each of its records is one of the packaged sync's.
        # (The Builder shows a field the record lacks as null.)
        synced = {_without_nulls(r) for r in packaged.records(stream)}
        unknown = [r for r in records if _without_nulls(r) not in synced]
        assert not unknown, (stream, len(unknown), len(records), unknown[:1])


# ---- mistakes answered in seconds, in the same words, by both builds ------------------------------------------------
def _status(result):
    [status] = [m["connectionStatus"] for m in result.of("CONNECTION_STATUS")]
    return status


STATIC_SIGN_INS = [(p, kind) for p, kind in sign_ins() if kind != "oauth2"]


@pytest.mark.parametrize("mistake", ["https on a plain-http port", "a wrong static credential"])
@pytest.mark.parametrize("profile, kind", STATIC_SIGN_INS, ids=[f"{p}-{kind}" for p, kind in STATIC_SIGN_INS])
def test_a_mistake_is_answered_by_check_in_seconds_in_the_same_words_by_both_builds(
        sandbox_api, manifest_only, profile, kind, mistake):
    config = sandbox_api.config(profile, auth=kind)
    bad = on_https(config) if mistake.startswith("https") else wrong(config, kind)
    launchers = {"package": lambda c: run("check", c, timeout=300),
                 "manifest-only": lambda c: _runtime(manifest_only, "check", c)}
    for build_name, check in launchers.items():
        reference = check(config)  # the same check where nothing is wrong, timed in the same test
        result = check(bad)

        assert _status(reference)["status"] == "SUCCEEDED", (build_name, _status(reference))
        status = _status(result)
        assert status["status"] == "FAILED", (build_name, status)
        if mistake.startswith("https"):
            assert "the TLS handshake failed" in status["message"] and "write http://" in status["message"], status
        else:
            assert "HTTP 401" in status["message"] and SECRET_SETTING[kind] in status["message"], status
        assert answered_not_retried(result.seconds, reference.seconds, profile), (
            build_name, result.seconds, reference.seconds)
