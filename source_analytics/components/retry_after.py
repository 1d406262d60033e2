"""Retry-After in both forms RFC 9110 (section 10.2.3) allows: delay-seconds or an HTTP-date."""

import email.utils
import time
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.requesters.error_handlers.backoff_strategies.max_waiting_time_helper import (
    evaluate_max_waiting_time,
    interpolated_max_waiting_time,
)
from airbyte_cdk.sources.declarative.requesters.error_handlers.backoff_strategies.wait_time_from_header_backoff_strategy import (
    WaitTimeFromHeaderBackoffStrategy,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

# The CDK's words when a Retry-After in seconds is over the cap: the HTTP-date branch says the same, so the one
# rewording of messages.CDK_WORDING (keyed by this constant) covers both.
WAIT_TOO_LONG = "The rate limit wait time is longer than the connector is allowed to wait."
# What the user is told instead, by the stream that met the quota (messages.CDK_WORDING) and by every request after it
# (pacing.AdaptivePacer, which stops them all).
QUOTA_USED_UP = (
    "the API answered HTTP 429 with a Retry-After of 15 minutes or more, as when a daily quota is used up. Run the "
    "sync again once the quota resets."
)


def retry_after_seconds(
    response: Optional[requests.Response], now: Optional[float] = None, header: str = "Retry-After"
) -> Optional[float]:
    """Seconds the response's Retry-After asks to wait (0 for a date in the past), None without a usable header."""
    value = (response.headers.get(header) if response is not None else None) or ""
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None  # RFC 9110 HTTP-dates are GMT; a zoneless date is not one
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class RetryAfterBackoffStrategy(WaitTimeFromHeaderBackoffStrategy):
    """WaitTimeFromHeader that also reads an HTTP-date.

    The CDK's WaitTimeFromHeader reads a number only: given `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT` it returns
    nothing and the next strategy's short backoff retries before the API allows it (and, for a daily quota, never
    sees that the wait is too long). This one turns the date into seconds and applies the same
    `max_waiting_time_in_seconds` cap, with the CDK's own error, so both forms behave alike.
    """

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        # The cap from the public field, with the CDK's public helpers (not the parent's private copy of it).
        self.wait_cap = interpolated_max_waiting_time(self.max_waiting_time_in_seconds, parameters)

    def backoff_time(
        self,
        response_or_exception: Optional[Union[requests.Response, requests.RequestException]],
        attempt_count: int,
    ) -> Optional[float]:
        seconds = super().backoff_time(response_or_exception, attempt_count)
        if seconds is not None or not isinstance(response_or_exception, requests.Response):
            return seconds
        seconds = retry_after_seconds(response_or_exception, header=self.header.eval(config=self.config))
        if not seconds:
            return None
        cap = evaluate_max_waiting_time(self.wait_cap, self.config)
        if cap is not None and seconds >= cap:
            raise AirbyteTracedException(
                internal_message=f"Rate limit wait time {seconds:.0f}s (Retry-After "
                f"{response_or_exception.headers.get('Retry-After')}) is not below the {cap}s this stream may wait.",
                message=WAIT_TOO_LONG,
                failure_type=FailureType.transient_error,
            )
        return seconds
