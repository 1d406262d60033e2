"""The README's "Command line" section, run as it is written, against the sandbox.

discover piped into `python -m source_analytics.catalog` gives a catalog that reads every stream of the profile;
the STATE lines of one read, grepped into a file, are the --state of the next, which reads what is new plus the
records on the cursor's boundary (the cursor includes it); errors reach the user once, without a traceback.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

import sandbox
from integration_tests.connector import EXECUTABLE, PROFILE_STREAMS, PROFILES, Run, run
from integration_tests.traits import answered_not_retried

BIN = str(Path(EXECUTABLE).parent)


def _shell(script, cwd, timeout=240):
    """Run the documented commands with the connector's virtualenv first on PATH (`python`, `source-analytics`)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{script}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def _messages(path):
    lines = Path(path).read_text().splitlines()
    return Run(0, [json.loads(line) for line in lines if line.startswith("{")], "", "")


@pytest.fixture(scope="module")
def api():
    with sandbox.start(records=20, seed=13) as api:
        yield api


@pytest.mark.parametrize("profile", PROFILES)
def test_a_catalog_made_from_discover_reads_every_stream_of_the_profile(api, tmp_path, profile):
    (tmp_path / "config.json").write_text(json.dumps(api.config(profile)))

    _shell(
        "source-analytics discover --config config.json | python -m source_analytics.catalog > catalog.json\n"
        "source-analytics read --config config.json --catalog catalog.json > output.jsonl",
        cwd=tmp_path,
    )

    catalog = json.loads((tmp_path / "catalog.json").read_text())
    assert [s["stream"]["name"] for s in catalog["streams"]] == PROFILE_STREAMS[profile]
    assert {s["sync_mode"] for s in catalog["streams"]} == {"full_refresh"}
    output = _messages(tmp_path / "output.jsonl")
    assert output.errors == []
    for stream in PROFILE_STREAMS[profile]:
        assert len(output.records(stream)) == len(api.truth(profile, stream)), stream


def test_the_state_lines_of_a_read_are_the_state_of_the_next(tmp_path):
    with sandbox.start(records=40, seed=14) as api:
        (tmp_path / "config.json").write_text(json.dumps(api.config("payments")))
        _shell(
            "source-analytics discover --config config.json"
            " | python -m source_analytics.catalog --incremental --streams events > catalog.json\n"
            "source-analytics read --config config.json --catalog catalog.json > sync1.jsonl\n"
            "grep '\"type\":\"STATE\"' sync1.jsonl > state.json",
            cwd=tmp_path,
        )
        first_served = api.truth("payments", "events")
        api.advance(5)
        added = [e for e in api.truth("payments", "events") if e["id"] not in {r["id"] for r in first_served}]
        _shell("source-analytics read --config config.json --catalog catalog.json --state state.json > sync2.jsonl",
               cwd=tmp_path)

    [events] = json.loads((tmp_path / "catalog.json").read_text())["streams"]
    assert (events["sync_mode"], events["destination_sync_mode"], events["cursor_field"]) == (
        "incremental", "append_dedup", ["created"])
    first = _messages(tmp_path / "sync1.jsonl")
    assert sorted(r["id"] for r in first.records()) == sorted(r["id"] for r in first_served)
    latest = max(r["created"] for r in first_served)
    on_the_boundary = [r["id"] for r in first_served if r["created"] == latest]
    second = _messages(tmp_path / "sync2.jsonl")
    assert second.errors == []
    # What is new, and again the record(s) whose cursor equals the saved state: the cursor includes its boundary.
    assert sorted(r["id"] for r in second.records()) == sorted(on_the_boundary + [r["id"] for r in added])
    assert len(added) == 5 and on_the_boundary


def _shown(result):
    """Every text the user reads: log lines, error traces, connection statuses."""
    texts = [m["log"]["message"] for m in result.of("LOG")]
    texts += [e["message"] for e in result.errors]
    texts += [m["connectionStatus"].get("message") or "" for m in result.of("CONNECTION_STATUS")]
    return texts


@pytest.mark.parametrize("mistake", ["catalog of another profile", "base_url without scheme", "legacy state",
                                     "empty state file", "discover's output as the catalog", "two config mistakes"])
def test_an_error_reaches_the_user_once_without_a_traceback(api, mistake):
    config = api.config("meetings")
    meetings = api.config("meetings")
    tracking_catalog = {"streams": [{"stream": {"name": "user_groups", "json_schema": {},
                                                "supported_sync_modes": ["full_refresh"]},
                                     "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
    users_catalog = {"streams": [{"stream": {"name": "users", "json_schema": {},
                                             "supported_sync_modes": ["full_refresh"]},
                                  "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
    if mistake == "catalog of another profile":
        files = dict(config=meetings, catalog=tracking_catalog)
        words = "The catalog selects user_groups, which the 'meetings' API does not have"
    elif mistake == "base_url without scheme":
        files = dict(config=dict(config, base_url=config["base_url"].split("://")[1]), catalog=users_catalog)
        words = "Config validation error: base_url must be of the form http(s)://host[/path]"
    elif mistake == "legacy state":
        files = dict(config=meetings, catalog=users_catalog, state={"users": {"updated": "2024-01-01"}})
        words = "it holds a legacy per-stream state object (keys 'users'); expected a JSON list"
    elif mistake == "empty state file":  # what a grep that matched nothing leaves
        files = dict(config=meetings, catalog=users_catalog, state="")
        words = "Could not read the state file"
    elif mistake == "discover's output as the catalog":
        files = dict(config=meetings, catalog=run("discover", meetings).stdout)
        words = "it holds discover's output (the streams the source offers), not a configured catalog"
    else:
        files = dict(config=dict(config, start_date="2024-01-01", num_workers=100), catalog=users_catalog)
        words = "start_date must be of the form YYYY-MM-DDTHH:MM:SSZ; got '2024-01-01'"

    reference = run("read", config=meetings, catalog=users_catalog, timeout=240)  # the same read, nothing wrong
    api.reset_stats()
    result = run("read", **files, timeout=240)

    assert reference.returncode == 0 and result.returncode == 1
    # Answered before any request, so in the time a good read takes: within the load's spread of it (a bound of
    # 2 s flaked on a loaded runner, 11.6 s against 6.5 s), far below what a retried request would wait.
    assert api.stats()["requests"] == 0, api.stats()
    assert answered_not_retried(result.seconds, reference.seconds, "meetings"), (result.seconds, reference.seconds)
    [error] = result.errors
    assert words in error["message"] and error["failure_type"] == "config_error"
    assert [text for text in _shown(result) if words in text] == [error["message"]], _shown(result)
    assert not [text for text in _shown(result) if "Traceback" in text]
    assert not [m for m in result.of("LOG") if m["log"]["level"] == "FATAL"]
    assert "Traceback" in error["stack_trace"]
    if mistake == "empty state file":
        assert "it is empty" in error["message"] and "grep '\"type\":\"STATE\"'" in error["message"]
    if mistake == "discover's output as the catalog":
        assert "python -m source_analytics.catalog > catalog.json" in error["message"]
    if mistake == "two config mistakes":
        assert "num_workers: 100 is greater than the maximum of 64" in error["message"], error["message"]


def test_a_state_of_another_profile_s_streams_is_said_in_a_warning_and_the_read_goes_on(api):
    config = api.config("meetings")
    catalog = {"streams": [{"stream": {"name": "users", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                            "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
    state = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"},
                                           "stream_state": {"created": "2024-01-01T00:00:00Z"}}}]

    result = run("read", config, catalog, state=state, timeout=240)

    assert result.returncode == 0 and result.errors == [] and result.records("users")
    [warning] = [m["log"]["message"] for m in result.of("LOG") if "none of which the catalog selects" in
                 m["log"]["message"]]
    assert warning.startswith("The state given to this sync is for events, none of which the catalog selects (users)")


def test_a_fan_out_read_logs_no_deferral_and_no_memory_monitor_at_info(api, tmp_path):
    config = api.config("payments")
    (tmp_path / "config.json").write_text(json.dumps(config))
    _shell("source-analytics discover --config config.json | python -m source_analytics.catalog"
           " --streams funding_sources,customers > catalog.json", cwd=tmp_path)
    catalog = json.loads((tmp_path / "catalog.json").read_text())

    quiet = run("read", config, catalog, timeout=240)
    debug = run("read", config, catalog, args=["--debug"], timeout=240)

    assert quiet.errors == [] and len(quiet.records("customers")) == 20
    logged = [m["log"]["message"] for m in quiet.of("LOG")]
    assert not [text for text in logged if text.startswith(("Deferring stream", "MemoryMonitor"))]
    assert any(m["message"].startswith("Deferring stream 'customers'") for m in debug.of("DEBUG"))
