"""Retry-After as delay-seconds or as an HTTP-date (RFC 9110 10.2.3), capped like the CDK's WaitTimeFromHeader."""

import email.utils
import time

import pytest
import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.retry_after import RetryAfterBackoffStrategy, retry_after_seconds


def answer(retry_after: str) -> requests.Response:
    response = requests.Response()
    response.status_code = 429
    response.headers["Retry-After"] = retry_after
    return response


def strategy() -> RetryAfterBackoffStrategy:
    return RetryAfterBackoffStrategy(header="Retry-After", parameters={}, config={}, max_waiting_time_in_seconds=900)


def in_seconds(seconds: float) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


def test_delay_seconds_are_read_as_the_cdk_reads_them():
    assert strategy().backoff_time(answer("7"), 1) == 7


def test_an_http_date_is_the_seconds_until_then():
    assert 28 < strategy().backoff_time(answer(in_seconds(30)), 1) <= 30


def test_an_http_date_in_the_past_asks_for_no_wait():
    assert strategy().backoff_time(answer(in_seconds(-60)), 1) is None
    assert retry_after_seconds(answer(in_seconds(-60))) == 0


def test_an_http_date_beyond_the_cap_ends_the_stream_as_a_number_would():
    with pytest.raises(AirbyteTracedException) as number:
        strategy().backoff_time(answer("3600"), 1)
    with pytest.raises(AirbyteTracedException) as date:
        strategy().backoff_time(answer(in_seconds(3600)), 1)
    assert date.value.message == number.value.message


def test_a_header_that_is_neither_is_ignored():
    assert strategy().backoff_time(answer("soon"), 1) is None
