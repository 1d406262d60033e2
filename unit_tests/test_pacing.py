"""AdaptivePacer: the rate an API allows, found from its answers (the clock is the test's, nothing sleeps)."""

import email.utils

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.pacing import AdaptivePacer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def answer(status=200, **headers) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update({k.replace("_", "-"): str(v) for k, v in headers.items()})
    return response


def served(pacer, clock, status=200, after=0.0, **headers):
    """One request sent now and answered `after` seconds later; returns what release returned."""
    sent = pacer.acquire()
    clock.now += after
    return pacer.release(sent, answer(status, **headers))


def test_an_unlimited_api_is_reached_at_full_speed_after_a_few_answers():
    clock = Clock()
    pacer = AdaptivePacer(clock)
    in_flight = []
    for _ in range(40):  # answers widen the window: 1 in flight at first, then more
        while pacer.wait_time() == 0:
            in_flight.append(pacer.acquire())
        pacer.release(in_flight.pop(0), answer())
    assert len(in_flight) >= 8
    assert pacer.rate is None  # no limit met: no pace at all


def test_the_first_429_holds_every_request_for_its_retry_after_and_sets_the_pace_to_what_was_admitted():
    clock = Clock()
    pacer = AdaptivePacer(clock)
    for _ in range(10):  # 10 answers in 1 s (one in flight at a time is enough here)
        served(pacer, clock, after=0.1)

    wait = served(pacer, clock, status=429, Retry_After=3)

    assert wait == 3
    assert 2.9 < pacer.wait_time() <= 3.0
    # 10 admitted in 1 s plus the second's burst a limiter is assumed to allow: 5/s, less the margin
    assert 4.5 < pacer.rate < 5.0


def test_an_echo_of_the_same_overshoot_does_not_cut_again():
    clock = Clock()
    pacer = AdaptivePacer(clock)
    for _ in range(20):
        served(pacer, clock, after=0.05)
    early = pacer.acquire()  # sent before the 429 below arrives
    served(pacer, clock, status=429)
    rate = pacer.rate

    pacer.release(early, answer(429))

    assert pacer.rate == rate and pacer.cuts == 1


def test_a_later_429_sets_the_pace_to_what_the_api_admitted_since_the_previous_one_or_a_cut_of_the_pace():
    clock = Clock()
    pacer = AdaptivePacer(clock)
    for _ in range(10):
        served(pacer, clock, after=0.1)
    served(pacer, clock, status=429)
    cut_at = clock.now
    admitted = 0
    while clock.now < cut_at + 10:  # requests as fast as the pace allows, for 10 s
        clock.now += pacer.wait_time()
        served(pacer, clock, after=0.01)
        admitted += 1
    before = pacer.rate
    clock.now += pacer.wait_time()

    served(pacer, clock, status=429)

    measured = max(admitted / (clock.now - cut_at), AdaptivePacer.CUT * before)
    assert abs(pacer.rate - AdaptivePacer.MARGIN * measured) < 1e-6
    assert pacer.rate < before


def test_the_pace_rises_slowly_between_429s():
    clock = Clock()
    pacer = AdaptivePacer(clock)
    for _ in range(10):
        served(pacer, clock, after=0.1)
    served(pacer, clock, status=429)  # first cut
    clock.now += 1
    served(pacer, clock, after=0.5)
    clock.now += 10
    served(pacer, clock, status=429)  # second cut: the rate is measured, probing is slow from here
    rate = pacer.rate
    clock.now += 1
    for _ in range(100):  # 100 s of answers
        served(pacer, clock, after=1.0)

    assert rate * 1.3 < pacer.rate * 1.0 < rate * 1.7  # 0.5 % a second


def test_retry_after_as_an_http_date_holds_requests_until_then():
    clock = Clock()
    pacer = AdaptivePacer(clock)
    date = email.utils.formatdate(__import__("time").time() + 5, usegmt=True)

    wait = served(pacer, clock, status=429, Retry_After=date)

    assert 3.5 < wait <= 5.0
    assert 3.5 < pacer.wait_time() <= 5.0


def test_ratelimit_remaining_zero_holds_requests_until_the_reset():
    clock = Clock()
    pacer = AdaptivePacer(clock)

    served(pacer, clock, RateLimit_Remaining=0, RateLimit_Reset=4)

    assert 3.9 < pacer.wait_time() <= 4.0
    assert pacer.rate is None  # a header is no 429: nothing to measure


def test_an_epoch_reset_on_a_429_holds_until_that_time_not_for_decades():
    clock = Clock()
    pacer = AdaptivePacer(clock)
    reset = int(__import__("time").time()) + 5

    wait = served(pacer, clock, status=429, X_RateLimit_Remaining=0, X_RateLimit_Reset=reset)

    assert 3.5 < wait <= 5.0 and 3.5 < pacer.wait_time() <= 5.0


def test_a_daily_quota_ends_every_later_request_at_once_without_sending_it():
    """The request that met the quota goes to the CDK, whose wait cap ends its stream; every request after it, of
    any stream or partition, fails at once with the quota's message instead of meeting its own 429."""
    clock = Clock()
    pacer = AdaptivePacer(clock)

    wait = served(pacer, clock, status=429, Retry_After=36000)

    assert wait == 36000
    with pytest.raises(AirbyteTracedException) as stopped:
        pacer.acquire()
    assert stopped.value.failure_type == FailureType.transient_error
    assert "daily quota" in stopped.value.message and "HTTP 429" in stopped.value.message
    with pytest.raises(AirbyteTracedException):
        pacer.acquire(in_window=False)  # a token request too
    clock.now += 36000  # the quota resets
    assert served(pacer, clock) is None


def test_the_manifest_s_wait_caps_are_the_pacer_s_quota_threshold():
    """A Retry-After the CDK will not wait for is the one that ends every request: one number, in three places."""
    from unit_tests.harness import manifest_nodes, resolved_manifest

    caps = {node[key] for node in manifest_nodes(resolved_manifest())
            for key in ("max_waiting_time_in_seconds", "max_rate_limit_wait_in_seconds") if key in node}
    assert caps == {AdaptivePacer.MAX_HOLD}


def test_a_retry_after_of_zero_still_holds_a_moment():
    clock = Clock()
    pacer = AdaptivePacer(clock)

    assert served(pacer, clock, status=429, Retry_After=0) == AdaptivePacer.DEFAULT_HOLD
