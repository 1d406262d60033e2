"""python -m source_analytics.catalog turns discover's output into the configured catalog `read --catalog` takes."""

import io
import json
import subprocess
import sys

import pytest

from source_analytics.catalog import main

EVENTS = {
    "name": "events",
    "json_schema": {"type": "object"},
    "supported_sync_modes": ["full_refresh", "incremental"],
    "source_defined_cursor": True,
    "default_cursor_field": ["created"],
    "source_defined_primary_key": [["id"]],
    "is_resumable": True,
}
CUSTOMERS = {
    "name": "customers",
    "json_schema": {"type": "object"},
    "supported_sync_modes": ["full_refresh"],
    "source_defined_primary_key": [["id"]],
    "is_resumable": True,
}
# What `source-analytics discover` prints: log lines, then the CATALOG message.
DISCOVER_OUTPUT = "\n".join(
    [
        '{"type":"LOG","log":{"level":"INFO","message":"Starting discover"}}',
        json.dumps({"type": "CATALOG", "catalog": {"streams": [CUSTOMERS, EVENTS]}}),
    ]
) + "\n"


def _catalog(*args, text=DISCOVER_OUTPUT):
    out = io.StringIO()
    assert main(list(args), stdin=io.StringIO(text), stdout=out) == 0
    return json.loads(out.getvalue())


def test_every_stream_is_selected_full_refresh_overwrite():
    assert _catalog() == {
        "streams": [
            {"stream": CUSTOMERS, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite",
             "cursor_field": [], "primary_key": [["id"]]},
            {"stream": EVENTS, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite",
             "cursor_field": [], "primary_key": [["id"]]},
        ]
    }


def test_incremental_streams_are_deduplicated_on_their_primary_key_with_their_cursor():
    [customers, events] = _catalog("--incremental")["streams"]

    assert (customers["sync_mode"], customers["destination_sync_mode"]) == ("full_refresh", "overwrite")
    assert events == {"stream": EVENTS, "sync_mode": "incremental", "destination_sync_mode": "append_dedup",
                      "cursor_field": ["created"], "primary_key": [["id"]]}


def test_streams_selects_the_named_streams_only():
    assert [s["stream"]["name"] for s in _catalog("--streams", "events")["streams"]] == ["events"]


def test_a_catalog_object_is_read_as_well_as_discover_output(tmp_path):
    path = tmp_path / "discovered.json"
    path.write_text(json.dumps({"streams": [EVENTS]}))
    output = tmp_path / "configured.json"

    assert main([str(path), "-o", str(output)], stdin=io.StringIO(""), stdout=io.StringIO()) == 0
    assert [s["stream"]["name"] for s in json.loads(output.read_text())["streams"]] == ["events"]


@pytest.mark.e2e  # starts a process
def test_an_unknown_stream_or_a_failed_discover_is_one_line_and_exit_2():
    unknown = subprocess.run([sys.executable, "-m", "source_analytics.catalog", "--streams", "users"],
                             input=DISCOVER_OUTPUT, capture_output=True, text=True, timeout=60)
    failed_discover = json.dumps({"type": "TRACE", "trace": {"type": "ERROR", "error": {
        "message": "Config validation error: api: 'nope' is not one of ['tracking']"}}})
    failed = subprocess.run([sys.executable, "-m", "source_analytics.catalog"],
                            input=failed_discover + "\n", capture_output=True, text=True, timeout=60)

    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr == ("source_analytics.catalog: no stream users in the catalog "
                              "(its streams: customers, events)\n")
    assert (failed.returncode, failed.stdout) == (2, "")
    assert failed.stderr == ("source_analytics.catalog: discover failed: Config validation error: api: 'nope' "
                             "is not one of ['tracking']\n")
