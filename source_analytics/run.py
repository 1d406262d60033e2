import sys
import traceback
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER, is_platform_debug_log_enabled
from airbyte_cdk.models import (
    AirbyteErrorTraceMessage,
    AirbyteLogMessage,
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteTraceMessage,
    FailureType,
    Level,
    TraceType,
    Type,
)
from airbyte_cdk.sources.utils.schema_helpers import split_config
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for

from source_analytics.logs import lower_cdk_notices
from source_analytics.components.messages import capitalized, names_its_stream
from source_analytics.source import SourceAnalytics


def _start_up_error(message: str, error: Exception, failure_type: FailureType) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.ERROR,
            emitted_at=datetime.now(timezone.utc).timestamp() * 1000,
            error=AirbyteErrorTraceMessage(
                message=filter_secrets(f"{message} {error}"),
                internal_message=filter_secrets(str(error)),
                stack_trace=filter_secrets(traceback.format_exc()),
                failure_type=failure_type,
            ),
        ),
    )


def _get_source(args: List[str]) -> Optional[SourceAnalytics]:
    files: Dict[str, Any] = {}
    for name, path, load in (
        ("catalog", AirbyteEntrypoint.extract_catalog(args), SourceAnalytics.read_catalog),
        ("config", AirbyteEntrypoint.extract_config(args), SourceAnalytics.read_config),
        ("state", AirbyteEntrypoint.extract_state(args), SourceAnalytics.read_state),
    ):
        try:
            files[name] = load(path) if path else None
        except Exception as error:
            # The caller's files could not be loaded: that is input to fix, not a connector failure.
            _emit(_start_up_error(f"Could not read the {name} file {path}:", error, FailureType.config_error))
            return None
    try:
        return SourceAnalytics(**files, config_path=AirbyteEntrypoint.extract_config(args))
    except Exception as error:
        _emit(_start_up_error("The connector failed to start:", error, FailureType.system_error))
        return None


def _emit(message: AirbyteMessage) -> None:
    print(orjson.dumps(AirbyteMessageSerializer.dump(message)).decode(), flush=True)


class _OneErrorTrace:
    """Keeps a failed sync to one ERROR trace that says what to fix.

    The CDK reports an error per failing stream, and then a closing summary of them all typed config_error; when
    bad credentials fail every stream, the user gets the same error many times and a summary that is not the
    cause. The first error is the cause the platform shows (in the words its stream's requester said it in,
    components/messages.py); every later error goes to the log instead, once per wording (a quota
    used up fails every partition still queued alike), its repeats counted in one line at the end.
    """

    def __init__(self) -> None:
        self.reported = False
        self._repeats: Dict[str, int] = {}  # later errors already logged -> times they came again

    def pass_through(self, message: str) -> Optional[str]:
        if not message.startswith('{"type":"TRACE"'):
            return message
        parsed = orjson.loads(message)
        if parsed["trace"]["type"] != "ERROR":
            return message
        error = parsed["trace"]["error"]
        if self.reported:
            return self.log_once(self.reword(error)[0], error.get("internal_message"))
        self.reported = True
        error["message"], error["failure_type"] = self.reword(error)
        return orjson.dumps(parsed).decode()

    @staticmethod
    def reword(error: Dict[str, Any]) -> tuple:
        """The requester has said it in the user's words (components/messages.py); an error from elsewhere (the CDK's
        closing summary, a failure outside a request) names its stream here, by the same rule."""
        message, failure_type = error.get("message") or "", error.get("failure_type")
        stream = (error.get("stream_descriptor") or {}).get("name") or ""
        if names_its_stream(message, failure_type, stream) and f"stream {stream}" not in message:
            message = f"Stream '{stream}': {message}"
        return capitalized(message), failure_type

    def log_once(self, message: str, internal_message: Optional[str] = None) -> Optional[str]:
        """A later error's log line, or None for one already logged with the same words (a quota used up fails
        every partition still queued alike): `repeats` counts those instead."""
        if message in self._repeats:
            self._repeats[message] += 1
            return None
        self._repeats[message] = 0
        return self.to_log(message, internal_message)

    def repeats(self) -> List[str]:
        """One log line per later error that came again, with how often; for the end of the command."""
        lines = []
        for message, times in self._repeats.items():
            if times:
                log = AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(
                    level=Level.ERROR, message=filter_secrets(f"Also failed {times} more times: {message}")))
                lines.append(orjson.dumps(AirbyteMessageSerializer.dump(log)).decode())
        return lines

    @staticmethod
    def to_log(message: str, internal_message: Optional[str] = None) -> str:
        text = f"Also failed: {message}" + (f" ({internal_message})" if internal_message else "")
        log = AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=Level.ERROR, message=filter_secrets(text)))
        return orjson.dumps(AirbyteMessageSerializer.dump(log)).decode()


def _error_trace(error: Exception) -> str:
    """The one ERROR trace for an exception that ended the command, secrets filtered."""
    if not isinstance(error, AirbyteTracedException):
        error = AirbyteTracedException.from_exception(error, message=f"The connector failed: {error}")
    return orjson.dumps(AirbyteMessageSerializer.dump(error.as_sanitized_airbyte_message())).decode()


def _readable_config_error(schema: Dict[str, Any], config: Dict[str, Any]) -> Optional[str]:
    """Every spec violation of the config in the spec's own words, each naming its field; None if it is valid.

    The CDK reports jsonschema's first error alone (a config with two mistakes takes two round trips), in words that
    for a `pattern` are the raw regex, although the spec gives every pattern a `pattern_descriptor` for people; that
    name no field (`100 is greater than the maximum of 64`); and that inside `credentials` (a oneOf) come from
    whichever branch jsonschema ranks best: "'bearer_token' was expected" for an OAuth config whose token_url is
    wrong. Here each error is said once, the oneOf's branch is the one whose `auth_type` the config names, the field
    is named, and a pattern error says the expected form.
    """
    errors = sorted(validator_for(schema)(schema).iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return None
    said = list(dict.fromkeys(_readable(error) for error in errors))
    if len(said) == 1:
        return f"Config validation error: {said[0]}"
    return f"Config validation error: {' '.join(text.rstrip('.') + '.' for text in said)}"


def _readable(error: ValidationError) -> str:
    """One spec violation in the spec's words (see _readable_config_error)."""
    while error.validator == "oneOf" and error.context:
        branches: Dict[Any, List[ValidationError]] = {}
        for suberror in error.context:
            branches.setdefault(suberror.relative_schema_path[0], []).append(suberror)
        discriminators = [e for errs in branches.values() for e in errs if e.validator == "const"]
        named = [errs for errs in branches.values() if not any(e.validator == "const" for e in errs)]
        if not named and len(discriminators) == len(branches):
            allowed = ", ".join(str(e.schema["const"]) for e in discriminators)
            where = ".".join(str(key) for key in discriminators[0].absolute_path)
            return f"{where} must be one of {allowed}; got {discriminators[0].instance!r}."
        if len(named) != 1:
            break
        error = best_match(named[0])
    field = ".".join(str(key) for key in error.absolute_path)
    descriptor = error.schema.get("pattern_descriptor") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and descriptor:
        return f"{field} must be of the form {descriptor}; got {error.instance!r}."
    return f"{field + ': ' if field else ''}{error.message}"


class _Entrypoint(AirbyteEntrypoint):
    """The CDK's entrypoint, with config errors in the spec's words (see _readable_config_error)."""

    @staticmethod
    def validate_connection(source_spec: Any, config: Any) -> None:
        try:
            AirbyteEntrypoint.validate_connection(source_spec, config)
        except AirbyteTracedException:
            readable = _readable_config_error(source_spec.connectionSpecification, split_config(config)[0])
            if readable is None:
                raise
            readable = filter_secrets(readable)  # a value in the message may be a secret
            raise AirbyteTracedException(
                message=readable, internal_message=readable, failure_type=FailureType.config_error
            ) from None


def run() -> None:
    _run(sys.argv[1:])


def _run(args: List[str]) -> None:
    """airbyte_cdk.entrypoint.launch, with the CDK's AirbyteEntrypoint (parse_args, run) doing the work.

    launch itself cannot be reused: it builds a plain AirbyteEntrypoint (no _Entrypoint, so config errors would
    be jsonschema's words), writes each message as the CDK words it (no _OneErrorTrace), and leaves an exception to
    the CDK's exception hook, which logs it FATAL with its traceback and then emits it again as a trace. What
    launch does besides is the loop below: each message written in one call inside PRINT_BUFFER.
    """
    source = _get_source(args)
    if source is None:
        sys.exit(1)
    lower_cdk_notices(debug="--debug" in args or is_platform_debug_log_enabled())
    entrypoint = _Entrypoint(source)
    errors = _OneErrorTrace()
    with PRINT_BUFFER:
        write = sys.stdout.write  # the PRINT_BUFFER, except under pytest
        try:
            for message in entrypoint.run(entrypoint.parse_args(args)):
                line = errors.pass_through(message)
                if line is not None:
                    write(f"{line}\n")
        except Exception as error:
            if not errors.reported:
                # One trace, the traceback in its stack_trace only.
                write(f"{errors.pass_through(_error_trace(error))}\n")
                sys.exit(1)
            for line in errors.repeats():
                write(f"{line}\n")
            # Most often the CDK's closing summary of the failed streams, already reported.
            summary = error.message if isinstance(error, AirbyteTracedException) else repr(error)
            write(f"{errors.to_log(summary, getattr(error, 'internal_message', None))}\n")
            sys.exit(1)
