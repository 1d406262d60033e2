"""The command line's input files answered when they are not what their flag takes: discover's output given as a
configured catalog, and a state of none of the selected streams."""

import json

import pytest

from source_analytics import SourceAnalytics
from unit_tests.builders import first_page, first_page_request, first_stream_records, oauth_config
from unit_tests.harness import given_token_endpoint, read_streams, stream_errors
from unit_tests.builders import DEFAULT_TOKEN_URLS

STREAM = {"name": "users", "json_schema": {"type": "object"}, "supported_sync_modes": ["full_refresh"]}
CATALOG = {"streams": [STREAM]}
DISCOVER_OUTPUT = "\n".join([
    json.dumps({"type": "LOG", "log": {"level": "INFO", "message": "discovering"}}),
    json.dumps({"type": "CATALOG", "catalog": CATALOG}),
])


@pytest.mark.parametrize("text", [DISCOVER_OUTPUT, json.dumps({"type": "CATALOG", "catalog": CATALOG}),
                                  json.dumps(CATALOG)],
                         ids=["discover's whole output", "its CATALOG line", "its catalog object"])
def test_discover_s_output_as_a_catalog_says_a_configured_one_is_needed_and_how_to_make_it(tmp_path, text):
    path = tmp_path / "catalog.json"
    path.write_text(text)

    with pytest.raises(ValueError) as refused:
        SourceAnalytics.read_catalog(str(path))

    assert "configured catalog" in str(refused.value)
    assert "python -m source_analytics.catalog > catalog.json" in str(refused.value)


def test_a_configured_catalog_is_read_as_the_cdk_reads_it(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"streams": [{"stream": STREAM, "sync_mode": "full_refresh",
                                             "destination_sync_mode": "overwrite"}]}))

    assert [s.stream.name for s in SourceAnalytics.read_catalog(str(path)).streams] == ["users"]


def _state(stream):
    from airbyte_cdk.models import AirbyteStateMessageSerializer

    return [AirbyteStateMessageSerializer.load({"type": "STREAM", "stream": {
        "stream_descriptor": {"name": stream}, "stream_state": {"created": "2024-01-01T00:00:00Z"}}})]


def _warnings(output):
    return [m.log.message for m in output.logs if m.log.level.value == "WARN"]


@pytest.mark.parametrize("state_of, warned", [("events", True), ("users", False)],
                         ids=["none of the selected streams", "a selected stream"])
def test_a_state_of_none_of_the_selected_streams_is_said_and_one_of_a_deselected_stream_is_not(
        http_mocker, state_of, warned):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["tracking"])
    http_mocker.get(first_page_request("tracking"), first_page("tracking", first_stream_records("tracking", "u1")))

    output = read_streams(oauth_config("tracking"), ["users"], state=_state(state_of))

    assert stream_errors(output) == []
    said = [w for w in _warnings(output) if "none of which the catalog selects" in w]
    assert bool(said) == warned, _warnings(output)
    if warned:
        assert "events" in said[0] and "users" in said[0]
