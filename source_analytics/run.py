"""The `source-analytics` command: the CDK's entrypoint on the package's manifest, and what only the package adds
around it (README, "Run it without building an image"): input files read leniently and their mistakes said as config
errors, config errors in the spec's words, and a failed sync kept to one error trace."""

import sys
from typing import Any, Dict, List, Optional

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER, is_platform_debug_log_enabled
from airbyte_cdk.models import AirbyteLogMessage, AirbyteMessage, AirbyteMessageSerializer, FailureType, Level, Type
from airbyte_cdk.sources.utils.schema_helpers import split_config
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for

from source_analytics.logs import lower_cdk_notices
from source_analytics.source import SourceAnalytics


def _trace(error: Exception, message: str, failure_type: FailureType = FailureType.system_error,
           as_said: bool = False) -> str:
    """An ERROR trace for an exception that ended the command, with its traceback, secrets filtered: in `message`,
    or (`as_said`) in its own words when a component said it."""
    if not (as_said and isinstance(error, AirbyteTracedException)):
        error = AirbyteTracedException.from_exception(error, message=message, failure_type=failure_type)
    return orjson.dumps(AirbyteMessageSerializer.dump(error.as_sanitized_airbyte_message())).decode()


def _get_source(args: List[str]) -> Optional[SourceAnalytics]:
    """The source on the command's files, or None once an ERROR trace has said which file could not be read."""
    files: Dict[str, Any] = {}
    for name, path, load in (
        ("catalog", AirbyteEntrypoint.extract_catalog(args), SourceAnalytics.read_catalog),
        ("config", AirbyteEntrypoint.extract_config(args), SourceAnalytics.read_config),
        ("state", AirbyteEntrypoint.extract_state(args), SourceAnalytics.read_state),
    ):
        try:
            files[name] = load(path) if path else None
        except Exception as error:  # the caller's file: input to fix, not the connector's failure
            print(_trace(error, f"Could not read the {name} file {path}: {error}", FailureType.config_error), flush=True)
            return None
    try:
        return SourceAnalytics(**files, config_path=AirbyteEntrypoint.extract_config(args))
    except Exception as error:
        print(_trace(error, f"The connector failed to start: {error}"), flush=True)
        return None


def _log(text: str) -> str:
    log = AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=Level.ERROR, message=filter_secrets(text)))
    return orjson.dumps(AirbyteMessageSerializer.dump(log)).decode()


class _OneErrorTrace:
    """Keeps a failed sync to one ERROR trace, the first: the cause the platform shows, in the words its component
    said it in (components/messages.py). The CDK reports an error per failing stream and then a closing summary of
    them all, typed config_error: when bad credentials fail every stream, the user would get the same error many
    times and a summary that is not the cause. Every later error goes to the log, once per wording (a quota used up
    fails every partition still queued alike), its repeats counted at the end."""

    def __init__(self) -> None:
        self.reported = False
        self._repeats: Dict[str, int] = {}  # later errors already logged -> times they came again

    def pass_through(self, line: str) -> Optional[str]:
        if not line.startswith('{"type":"TRACE"') or orjson.loads(line)["trace"]["type"] != "ERROR":
            return line
        if not self.reported:
            self.reported = True
            return line
        error = orjson.loads(line)["trace"]["error"]
        message, internal = error.get("message") or "", error.get("internal_message")
        if message in self._repeats:
            self._repeats[message] += 1
            return None
        self._repeats[message] = 0
        return _log(f"Also failed: {message}" + (f" ({internal})" if internal else ""))

    def repeats(self) -> List[str]:
        """One log line per later error that came again, with how often; for the end of the command."""
        return [_log(f"Also failed {times} more times: {message}") for message, times in self._repeats.items() if times]


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
    said = list(dict.fromkeys(_readable(error) for error in errors))
    if not said:
        return None
    return "Config validation error: " + (said[0] if len(said) == 1 else " ".join(t.rstrip(".") + "." for t in said))


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
    """airbyte_cdk.entrypoint.launch, with the CDK's AirbyteEntrypoint (parse_args, run) doing the work.

    launch itself cannot be reused: it builds a plain AirbyteEntrypoint (no _Entrypoint, so config errors would
    be jsonschema's words), writes each message as the CDK words it (no _OneErrorTrace), and leaves an exception to
    the CDK's exception hook, which logs it FATAL with its traceback and then emits it again as a trace. What
    launch does besides is the loop below: each message written in one call inside PRINT_BUFFER.
    """
    args = sys.argv[1:]
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
            if not errors.reported:  # one trace, the traceback in its stack_trace only
                write(f"{_trace(error, f'The connector failed: {error}', as_said=True)}\n")
                sys.exit(1)
            for line in errors.repeats():
                write(f"{line}\n")
            # Most often the CDK's closing summary of the failed streams, already reported.
            summary = error.message if isinstance(error, AirbyteTracedException) else repr(error)
            internal = getattr(error, "internal_message", None)
            write(_log(f"Also failed: {summary}" + (f" ({internal})" if internal else "")) + "\n")
            sys.exit(1)
