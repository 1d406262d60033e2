"""What a request that failed for good tells the user: said by the stream's requester (requester.AnalyticsHttpRequester),
where the failure happens, so the package, the manifest-only build and the Connector Builder say the same words.

For some failures the CDK writes its own text, and the manifest's `error_message` is then at most the cause after
its prefix, or nothing at all. CDK_WORDING maps each such text to what the user is told instead; every message a
requester raises names its stream first. unit_tests/test_cdk_wording.py makes the real CDK produce each key and
fails when it no longer says it, instead of the rewording silently switching off.
"""

import re

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.retry_after import QUOTA_USED_UP, WAIT_TOO_LONG

RETRIES_EXHAUSTED = "Exhausted available request attempts. Please see logs for more details. Exception: "
CONNECTION_ERROR = "ConnectionError"
CDK_WORDING = {
    # Whole messages.
    "API rate limit exceeded.": "the API kept answering HTTP 429 (rate limited) through every retry. Lower "
    "num_workers, set requests_per_second below the API's limit, or run the sync later.",
    WAIT_TOO_LONG: QUOTA_USED_UP,
    "Refreshed OAuth access token is rejected by the API.": "the API answered HTTP 401 to a token its token "
    "endpoint had just issued. Check that credentials.token_url is this API's token endpoint and that the client "
    "may read this resource.",
    # The prefix of a request that failed through every retry; the cause (the manifest's error_message, or the
    # exception) follows it.
    RETRIES_EXHAUSTED: "retries exhausted: ",
    # In a cause: no connection could be made (requests' exception, as the CDK writes it).
    CONNECTION_ERROR: "could not connect to {host} through every retry. Run the sync again later; if it persists, "
    "check base_url, and that the API can be reached from where the connector runs.",
}
_WHOLE_MESSAGES = {key: text for key, text in CDK_WORDING.items() if key not in (RETRIES_EXHAUSTED, CONNECTION_ERROR)}
# The host a ConnectionError names, in urllib3's words (HTTPConnectionPool(host='…', port=…)).
_HOST = re.compile(r"host=\\?'([^'\\]*)\\?', port=(\d+)")
# How a message that is about one stream begins.
NAMED_STREAM = re.compile(r"Stream '([^']+)': ")
# What a transient failure can do about it.
TRY_AGAIN = " Run the sync again later; incremental streams resume from their last state."


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def said(error: AirbyteTracedException, stream: str) -> AirbyteTracedException:
    """The error in the user's words, naming `stream` first unless it names a stream already. Changed in place (its
    message and failure type), so the CDK's stream descriptor, cause and traceback stay as they were."""
    message, failure_type = error.message or "", error.failure_type
    if message.startswith(RETRIES_EXHAUSTED):
        cause = message[len(RETRIES_EXHAUSTED):]
        if CONNECTION_ERROR in cause:
            host = _HOST.search(cause)
            # A host never reached is a config error at once (ApiErrorHandler); this one answered before, or its
            # name did not resolve for a while: transient.
            message = CDK_WORDING[CONNECTION_ERROR].format(host=f"{host[1]}:{host[2]}" if host else "the API")
            failure_type = FailureType.transient_error
        else:
            named = NAMED_STREAM.match(cause)  # a message of ours names its stream first: keep that first
            prefix = named[0] if named else ""
            message = f"{prefix}{CDK_WORDING[RETRIES_EXHAUSTED]}{cause[len(prefix):]}"
            if failure_type == FailureType.transient_error:
                message += TRY_AGAIN
    elif message in _WHOLE_MESSAGES:
        message = _WHOLE_MESSAGES[message]
    if names_its_stream(message, failure_type, stream):
        message = f"Stream '{stream}': {message}"
    if message:
        error.message, error.failure_type = capitalized(message), failure_type
    return error


def names_its_stream(message: str, failure_type: object, stream: str) -> bool:
    """Whether a message is to be prefixed with its stream: one about a stream's data (retries exhausted, a quota, a
    broken page) is; one about the config names the setting to fix, which is the same for every stream (and check
    puts "Stream <name> is not available: " before it already); an empty one keeps the CDK's own fallback."""
    if not stream or not message or NAMED_STREAM.match(message) or f"'{stream}'" in message:
        return False
    return failure_type not in (FailureType.config_error, FailureType.config_error.value)
