"""The `source-analytics` entry point: start-up errors are reported as protocol messages, from any directory."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from airbyte_cdk.models import FailureType

from source_analytics import SourceAnalytics
from source_analytics.run import _get_source
from unit_tests.builders import oauth_config

# The console script installed next to the interpreter running the tests (the project's virtualenv).
SCRIPT = Path(sys.executable).parent / "source-analytics"


def protocol_messages(stdout: str):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def error_traces(messages):
    return [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]


@pytest.fixture
def bad_config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"api": "tracking", "credentials": ')  # truncated JSON
    return path


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(oauth_config("tracking")))
    return path


def run_script(*args, cwd):
    assert SCRIPT.exists(), f"console script not installed at {SCRIPT}"
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_a_config_file_that_is_not_json_is_one_config_error(bad_config_file, capsys):
    source = _get_source(["check", "--config", str(bad_config_file)])

    assert source is None
    messages = protocol_messages(capsys.readouterr().out)
    assert len(messages) == 1
    assert [e["failure_type"] for e in error_traces(messages)] == [FailureType.config_error.value]


def test_a_missing_config_file_is_one_config_error(tmp_path, capsys):
    source = _get_source(["discover", "--config", str(tmp_path / "absent.json")])

    assert source is None
    assert [e["failure_type"] for e in error_traces(protocol_messages(capsys.readouterr().out))] == ["config_error"]


def test_a_valid_config_file_builds_the_source(config_file, capsys):
    assert isinstance(_get_source(["discover", "--config", str(config_file)]), SourceAnalytics)
    assert capsys.readouterr().out == ""


@pytest.mark.e2e  # starts a process
def test_the_console_script_prints_the_spec_from_another_directory(tmp_path):
    result = run_script("spec", cwd=tmp_path)

    assert result.returncode == 0
    specs = [m["spec"] for m in protocol_messages(result.stdout) if m["type"] == "SPEC"]
    assert len(specs) == 1
    assert specs[0]["connectionSpecification"]["required"] == ["api", "credentials"]


@pytest.mark.e2e  # starts a process
def test_the_console_script_discovers_with_packaged_schemas_from_another_directory(tmp_path, config_file):
    result = run_script("discover", "--config", str(config_file), cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    catalogs = [m["catalog"] for m in protocol_messages(result.stdout) if m["type"] == "CATALOG"]
    streams = {s["name"]: s for s in catalogs[0]["streams"]}
    assert sorted(streams) == ["tracker_settings", "user_groups", "users"]
    assert "email" in streams["users"]["json_schema"]["properties"]


@pytest.mark.e2e  # starts a process
def test_the_console_script_exits_non_zero_with_one_trace_on_a_bad_config(tmp_path, bad_config_file):
    result = run_script("check", "--config", str(bad_config_file), cwd=tmp_path)

    assert result.returncode == 1
    messages = protocol_messages(result.stdout)
    assert len(messages) == 1
    assert [e["failure_type"] for e in error_traces(messages)] == ["config_error"]
