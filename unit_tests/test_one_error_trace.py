"""The package's command keeps a failed sync to one ERROR trace (run._OneErrorTrace): the first error is the
cause the platform shows, every later one goes to the log, once per wording, its repeats counted."""

import orjson
from airbyte_cdk.models import AirbyteMessageSerializer, FailureType, StreamDescriptor
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.messages import said
from source_analytics.run import _OneErrorTrace

QUOTA = "The rate limit wait time is longer than the connector is allowed to wait."


def _line(stream):
    """The trace a stream's requester raises when the quota is used up, as the CDK writes it."""
    trace = said(AirbyteTracedException(message=QUOTA, failure_type=FailureType.transient_error), stream)
    return orjson.dumps(AirbyteMessageSerializer.dump(
        trace.as_airbyte_message(stream_descriptor=StreamDescriptor(name=stream)))).decode()


def test_the_errors_after_the_first_go_to_the_log():
    errors = _OneErrorTrace()
    first = errors.pass_through(_line("funding_sources"))
    later = errors.pass_through(_line("customers"))

    assert "daily quota" in orjson.loads(first)["trace"]["error"]["message"]
    logged = orjson.loads(later)["log"]["message"]
    assert logged.startswith("Also failed: Stream 'customers': the API answered HTTP 429") and "daily quota" in logged


def test_a_later_error_that_comes_again_is_logged_once_and_counted():
    """A quota used up fails every partition still queued alike: one log line for them, and their count."""
    errors = _OneErrorTrace()
    lines = [errors.pass_through(_line(stream)) for stream in ("funding_sources", "customers", "customers", "customers")]

    assert lines[2:] == [None, None] and lines[1] is not None
    [repeats] = [orjson.loads(line)["log"]["message"] for line in errors.repeats()]
    assert repeats.startswith("Also failed 2 more times: Stream 'customers': the API answered HTTP 429")

