"""Reading the --state file: the state of a previous read's last STATE messages, in the forms people pass it."""

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

from airbyte_cdk.models import AirbyteStateMessage, AirbyteStateMessageSerializer

EXPECTED_SHAPE = (
    "a JSON list of the `state` objects of the previous read's last STATE messages, e.g. "
    '[{"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"}, '
    '"stream_state": {"created": "2024-05-01T00:00:00Z"}}}], or the STATE lines of its output themselves '
    "(grep '\"type\":\"STATE\"' output.jsonl > state.json)"
)


class StateShapeError(ValueError):
    """The state file is JSON but not state messages; the message says which shape is expected."""


def read_state_messages(path: str) -> List[AirbyteStateMessage]:
    """The state messages in the file at `path`, the last one per stream when a stream has several.

    The CDK reads only a JSON list of state objects (`[{"type": "STREAM", ...}]`) and answers anything else with
    `"type" is not of type "object"`, although the forms people pass are unambiguous: the connector's own STATE
    lines (`{"type": "STATE", "state": {...}}`, one per line, as grep leaves them, or in a list), or one state
    object without its list. Each is a state message in a wrapper, and a later message for a stream supersedes an
    earlier one, as the platform keeps them. A legacy per-stream object ({"events": {...}}) is not a state
    message: it is refused with the expected shape rather than guessed at.
    """
    text = Path(path).read_text()
    if not text.strip():
        # What a grep that matched nothing leaves: reading everything again in silence would hide it.
        raise StateShapeError(
            "it is empty. A state file holds the STATE lines of the previous read (grep '\"type\":\"STATE\"' "
            "sync1.jsonl > state.json); if that read emitted none, run without --state, or pass [] for no state"
        )
    try:
        entries = _as_list(json.loads(text))
    except json.JSONDecodeError as not_json:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise not_json
        try:
            parsed = [json.loads(line) for line in lines]
        except json.JSONDecodeError:
            raise not_json from None
        entries = [entry for value in parsed for entry in _as_list(value)]

    latest: Dict[Tuple[Any, ...], AirbyteStateMessage] = {}
    for entry in entries:
        message = _state_message(entry)
        if message.stream is not None:
            descriptor = message.stream.stream_descriptor
            key: Tuple[Any, ...] = ("STREAM", descriptor.name, descriptor.namespace)
        else:
            key = ("GLOBAL",)
        latest.pop(key, None)  # keep the order of the last messages
        latest[key] = message
    return list(latest.values())


def _as_list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


def _state_message(entry: Any) -> AirbyteStateMessage:
    if isinstance(entry, dict) and entry.get("type") == "STATE" and isinstance(entry.get("state"), dict):
        entry = entry["state"]  # an Airbyte message, e.g. a STATE line of a previous read's output
    if not isinstance(entry, dict):
        raise StateShapeError(f"it holds {_kind(entry)}; expected {EXPECTED_SHAPE}")
    kind = entry.get("type")
    if kind in ("STREAM", "GLOBAL") and isinstance(entry.get(kind.lower()), dict):
        try:
            return AirbyteStateMessageSerializer.load(entry)
        except Exception as error:
            raise StateShapeError(f"a {kind} state object that does not parse ({error}); expected {EXPECTED_SHAPE}")
    if kind is None:
        if entry and all(isinstance(value, dict) for value in entry.values()):
            found = f"a legacy per-stream state object (keys {', '.join(map(repr, list(entry)[:5]))})"
        else:
            found = "an object without a state `type`"
    elif kind in ("STREAM", "GLOBAL"):
        found = f"a {kind} state object without its `{kind.lower()}` object"
    else:
        found = f"a {kind!r} message, not a state"
    raise StateShapeError(f"it holds {found}; expected {EXPECTED_SHAPE}")


def _kind(value: Any) -> str:
    return {list: "a nested list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), f"a {type(value).__name__}"
    )
