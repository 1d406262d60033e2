"""CursorStateCheck: a saved state the stream's cursor cannot read, refused naming the stream and what to do."""

from dataclasses import InitVar, dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, List, Mapping

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.datetime.datetime_parser import DatetimeParser
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.migrations.state_migration import StateMigration
from airbyte_cdk.sources.types import Config
from airbyte_cdk.utils.traced_exception import AirbyteTracedException


@dataclass
class CursorStateCheck(StateMigration):
    """Checks each cursor value of a stream's saved state against the formats its cursor reads; migrates nothing.

    The CDK reads a stream's state when it builds the stream's cursor, before any request: a cursor value in none of
    the cursor's formats (a hand-edited state, another connector's) raises a bare ValueError there ("No format in
    [...] matching yesterday"), which both builds report as "Something went wrong in the connector", a system_error
    naming no stream. A state migration is the CDK's extension point that sees a stream's state first (its factory
    applies a stream's `state_migrations` before building the cursor), so the mistake is said here, as a config
    error, in the package, the manifest-only runtime and the Builder alike.

    The cursor (its field and formats) is the stream's own `incremental_sync`, which the CDK's factory hands every
    state migration as `declarative_stream`. Reads the cursor value at the top of the state, in a per-partition
    state's global `state` and in each of its `states`' `cursor`; a state of another shape is left to the CDK.
    """

    config: Config
    parameters: InitVar[Mapping[str, Any]]
    declarative_stream: Any = None  # the stream's model, as the factory passes it to a state migration

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        cursor = getattr(self.declarative_stream, "incremental_sync", None)
        self._field = InterpolatedString.create(cursor.cursor_field, parameters=parameters).eval(self.config) \
            if cursor is not None else None
        formats = list(getattr(cursor, "cursor_datetime_formats", None) or [])
        self.cursor_datetime_formats: List[str] = formats + [getattr(cursor, "datetime_format", None) or ""]
        # What a value looks like, in the format the cursor writes its state in.
        written = self.cursor_datetime_formats[-1] or "%Y-%m-%dT%H:%M:%SZ"
        self._example = DatetimeParser().format(datetime(2024, 1, 1, tzinfo=timezone.utc), written)
        self._stream = parameters.get("name", "")

    def _values(self, state: Mapping[str, Any]) -> Iterator[Any]:
        if self._field in state:
            yield state[self._field]
        if isinstance(state.get("state"), Mapping) and self._field in state["state"]:
            yield state["state"][self._field]
        partitions = state.get("states")
        for partition in partitions if isinstance(partitions, list) else []:
            cursor = partition.get("cursor") if isinstance(partition, Mapping) else None
            if isinstance(cursor, Mapping) and self._field in cursor:
                yield cursor[self._field]

    def _readable(self, value: Any) -> bool:
        for form in self.cursor_datetime_formats:
            try:
                DatetimeParser().parse(value, form)
                return True
            except (ValueError, TypeError):
                continue
        return False

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        if self._field is None or not isinstance(stream_state, Mapping):
            return False
        for value in self._values(stream_state):
            if not isinstance(value, str) or not self._readable(value):
                message = (
                    f"Stream '{self._stream}': the state given to this sync cannot be read: its {self._field} "
                    f"{value!r} is not a date-time like {self._example}. Pass the last state this connector "
                    "emitted, or clear the stream's state to read it again from start_date."
                )
                raise AirbyteTracedException(message=message, internal_message=message,
                                             failure_type=FailureType.config_error)
        return False

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        return stream_state
