"""--state takes the state of a previous read's last STATE messages, as a list or as the STATE lines themselves.

The CDK reads only a JSON list of state objects; the STATE line a read prints, a bare state object and the grep of
a read's STATE lines are the same state in a wrapper, so they are read as it. A legacy per-stream object is refused
with a message that shows the expected shape.
"""

import json

import pytest

from source_analytics import SourceAnalytics
from source_analytics.state import StateShapeError

EVENTS_AT_MAY = {"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"},
                                               "stream_state": {"created": "2024-05-01T00:00:00Z"}}}
EVENTS_AT_JUNE = {"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"},
                                                "stream_state": {"created": "2024-06-01T00:00:00Z"}}}
CUSTOMERS_DONE = {"type": "STREAM", "stream": {"stream_descriptor": {"name": "customers"},
                                                "stream_state": {"__ab_no_cursor_state_message": True}}}


def _line(state):
    """A STATE message as the connector prints it (one line, with its sourceStats)."""
    return json.dumps({"type": "STATE", "state": {**state, "sourceStats": {"recordCount": 3.0}}},
                      separators=(",", ":"))


def _read(tmp_path, text):
    path = tmp_path / "state.json"
    path.write_text(text)
    return [
        (m.stream.stream_descriptor.name, m.stream.stream_state.__dict__)
        for m in SourceAnalytics.read_state(str(path))
    ]


@pytest.mark.parametrize(
    "text",
    [
        json.dumps([EVENTS_AT_JUNE]),
        json.dumps(EVENTS_AT_JUNE),
        _line(EVENTS_AT_JUNE),
        json.dumps([json.loads(_line(EVENTS_AT_JUNE))]),
    ],
    ids=["list of state objects", "bare state object", "the STATE line", "list of STATE messages"],
)
def test_each_form_of_one_state_reads_as_that_state(tmp_path, text):
    assert _read(tmp_path, text) == [("events", {"created": "2024-06-01T00:00:00Z"})]


def test_the_grepped_state_lines_of_a_read_give_each_stream_its_last_state(tmp_path):
    grepped = "\n".join([_line(EVENTS_AT_MAY), _line(CUSTOMERS_DONE), _line(EVENTS_AT_JUNE)]) + "\n"

    assert _read(tmp_path, grepped) == [
        ("customers", {"__ab_no_cursor_state_message": True}),
        ("events", {"created": "2024-06-01T00:00:00Z"}),
    ]


def test_an_empty_list_is_no_state(tmp_path):
    assert _read(tmp_path, "[]") == []


@pytest.mark.parametrize("text", ["", "\n", "  \n\n"], ids=["0 bytes", "a newline", "blanks"])
def test_an_empty_state_file_is_refused_with_the_command_that_makes_one(tmp_path, text):
    # What a grep that matched nothing leaves: read as no state, it would read everything again in silence.
    with pytest.raises(StateShapeError) as refused:
        _read(tmp_path, text)

    assert str(refused.value).startswith("it is empty.")
    assert "grep '\"type\":\"STATE\"' sync1.jsonl > state.json" in str(refused.value)


@pytest.mark.parametrize(
    "text, found",
    [
        (json.dumps({"events": {"created": "2024-06-01T00:00:00Z"}}), "a legacy per-stream state object (keys 'events')"),
        (json.dumps({"type": "LOG", "log": {"level": "INFO", "message": "x"}}), "a 'LOG' message, not a state"),
        (json.dumps([{"type": "STREAM"}]), "a STREAM state object without its `stream` object"),
        (json.dumps(["events"]), "a string"),
    ],
    ids=["legacy per-stream object", "another message", "state without its stream", "a list of names"],
)
def test_a_state_of_another_shape_is_refused_with_the_expected_shape(tmp_path, text, found):
    with pytest.raises(StateShapeError) as refused:
        _read(tmp_path, text)

    message = str(refused.value)
    assert message.startswith(f"it holds {found}; expected a JSON list of the `state` objects")
    assert '[{"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"}' in message
    assert "grep '\"type\":\"STATE\"' output.jsonl > state.json" in message


def test_a_state_file_that_is_not_json_is_still_a_json_error(tmp_path):
    with pytest.raises(json.JSONDecodeError):
        _read(tmp_path, "[{")
