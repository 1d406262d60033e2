"""Pacing to an API rate limit that nobody told the connector."""

import threading
import time
from typing import Callable, Dict, Optional

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.retry_after import QUOTA_USED_UP, retry_after_seconds

# Rate-limit headers, as the IETF draft and the older X- convention name them.
_REMAINING = ("RateLimit-Remaining", "X-RateLimit-Remaining")
_RESET = ("RateLimit-Reset", "X-RateLimit-Reset")


def quota_used_up(internal_message: str) -> AirbyteTracedException:
    """The one error of a sync whose API quota is used up (any request after the quota's first answer); its
    requester names the stream before it (messages.said)."""
    return AirbyteTracedException(message=QUOTA_USED_UP,
                                  internal_message=internal_message, failure_type=FailureType.transient_error)


def _header_number(response: requests.Response, names) -> Optional[float]:
    for name in names:
        value = response.headers.get(name)
        if value is not None:
            try:
                return float(value.split(",")[0].strip())
            except ValueError:
                return None
    return None


def _reset_seconds(response: requests.Response) -> Optional[float]:
    """Seconds until a `-Reset` header's time: delta-seconds, or an epoch (GitHub and others send one)."""
    reset = _header_number(response, _RESET)
    if reset is None:
        return None
    return max(0.0, reset - time.time()) if reset > 1e9 else max(0.0, reset)


class AdaptivePacer:
    """Finds the request rate an API allows from its answers, and keeps every stream and thread of a sync below it.

    The CDK's call-rate policies are static: without `requests_per_second` they admit everything, so 32 workers meet
    an unknown limit of 5/s with a wall of 429s, each spending one of the retries the documents give for errors.
    This keeps one rate per API host, shared by all requesters:

    - It starts like TCP's slow start: one request in flight, one more per answer (twice as many each round trip), so
      an unlimited API is at full speed after about 5 round trips and a limited one is found with a few 429s, not a
      wall of them from every worker at once.
    - A 429 holds every request for the Retry-After the API asks (seconds or an HTTP-date; 1 s without one) and
      sets the rate to what the API admitted since the previous 429, or CUT of the rate then if that is more.
      Between two 429s a limiter's allowance is spent, so what it admitted in between is its rate (a lower bound,
      exact while the sync keeps it busy); before the first 429 it is what was admitted since the start, less a
      second's burst. A 429 answering a request sent
      before the last cut is an echo of the same overshoot and changes nothing.
    - Each second of answers raises the rate by PROBE, so the limit is probed slowly and each probe costs about one
      429; a limit that rises is followed. Until a second 429 has measured the rate it grows by FIRST_PROBE: the
      first measure is low when the API also counted requests the connector does not pace (token requests).
    - An API that sends `RateLimit-Remaining` / `X-RateLimit-Remaining` with a `-Reset` gets no more requests in
      flight than it has left, and none at 0 until the reset.

    - A 429 asking for MAX_HOLD or more (a daily quota used up) ends every request to the host from then on, at
      once and without a request: the sync ends in seconds with the quota's message, whatever the number of
      partitions still to read, instead of each partition spending a request (and its pace) on its own 429.

    `requests_per_second`, when set, is still enforced by the manifest's request budget; this only ever slows down.
    """

    START_WINDOW = 1.0  # requests in flight before the first answer arrives
    WINDOW_GROWTH = 1.0  # more in flight per answer (twice as many each round trip), until the first 429
    BURST_SECONDS = 1.0  # the burst a limiter is assumed to allow at the start
    MIN_RATE = 0.1  # requests per second
    FIRST_MIN_RATE = 1.0  # ... at the first 429, where the few requests answered may be a poor measure
    MARGIN = 0.95  # share of the measured rate kept after a 429
    CUT = 0.85  # share of the rate then that a 429 leaves at least
    PROBE = 0.005  # growth of the rate per second of answers
    FIRST_PROBE = 0.02  # ... until a second 429 has measured the rate (the first measure may be low)
    DEFAULT_HOLD = 1.0  # seconds a 429 without Retry-After (or with one of 0) holds requests
    # A longer wait (a daily quota) holds nothing: it ends every request to the host. The manifest's wait caps
    # (retry_after_header, the requester's max_rate_limit_wait_in_seconds) are this number: test_pacing.py pins it.
    MAX_HOLD = 900.0

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 condition: Optional[threading.Condition] = None) -> None:
        # Tests pass a virtual clock and a condition whose waits move it (unit_tests/conftest.py).
        self._clock = clock
        self._cond = condition or threading.Condition()
        self.rate: Optional[float] = None  # None until the first 429: no limit known
        self._window: Optional[float] = self.START_WINDOW  # slow start's in-flight cap; None after it
        self._in_flight = 0
        self._next = 0.0  # earliest time of the next request at the current rate
        self._hold_until = 0.0
        self._started: Optional[float] = None
        self._last_cut: Optional[float] = None
        self._admitted = 0  # answers (not 429) since the last cut, or since the start
        self._discovery: Optional[float] = None  # span of the first cut, until its requests are all answered
        self._last_answer: Optional[float] = None
        self.responses_429 = 0
        self.cuts = 0
        self.last_cut_by: Optional[float] = None  # send time of the request whose 429 made the last cut
        self._remaining: Optional[float] = None  # what the API's last RateLimit-Remaining said is left...
        self._remaining_until = 0.0  # ... until its reset
        self.quota_until: Optional[float] = None  # after a daily-quota answer: no request before this time
        self.refusal: Optional[str] = None  # after the API rejected credentials that cannot be renewed: why

    # ---- before a request --------------------------------------------------------------------------------------
    def acquire(self, in_window: bool = True) -> float:
        """Wait until a request may go; returns its send time (to hand back to `release`). A request sent while
        another holds its place in the window (a token request made for a data request) passes `in_window=False`:
        it waits for holds and the rate only, never for the request it serves."""
        with self._cond:
            while True:
                now = self._clock()
                if self.quota_until is not None and now < self.quota_until:
                    raise quota_used_up(f"Not sent: the API's quota is used up for {self.quota_until - now:.0f} s.")
                if self.refusal is not None:
                    raise AirbyteTracedException(message=self.refusal, internal_message=f"Not sent: {self.refusal}",
                                                 failure_type=FailureType.config_error)
                wait = self._wait(now, in_window)
                if wait <= 1e-6:  # a clock's rounding, not a wait
                    break
                self._cond.wait(wait)
            if self._started is None:
                self._started = now
            if self._discovery is not None:
                # Every request sent before the first 429 has been answered by now: measure again with all of them.
                self.rate = max(self.FIRST_MIN_RATE, self.MARGIN * self._discovered / self._discovery)
                self._discovery = None
            if self.rate:
                self._next = max(self._next, now) + 1.0 / self.rate
            if in_window:
                self._in_flight += 1
            return now

    def now(self) -> float:
        """The pacer's clock: what its holds and waits are measured on."""
        return self._clock()

    def wait_time(self) -> float:
        """Seconds until the next request may go."""
        with self._cond:
            return max(0.0, self._wait(self._clock(), True))

    def _wait(self, now: float, in_window: bool) -> float:
        if now < self._hold_until:
            return self._hold_until - now
        if in_window and self._window is not None and self._in_flight >= int(self._window):
            return 0.05  # woken sooner by the next answer
        if in_window and self._remaining is not None and now < self._remaining_until \
                and self._in_flight >= max(1.0, self._remaining):
            return min(0.05, self._remaining_until - now)  # no more in flight than the API says it has left
        if self.rate and now < self._next:
            return self._next - now
        return 0.0

    def refuse_all(self, reason: str) -> None:
        """No more requests to this host: it rejected credentials that cannot be renewed (a static token, an API key,
        a password). Every request in flight or queued would meet the same 401; they end at once with `reason`."""
        with self._cond:
            self.refusal = reason
            self._cond.notify_all()

    # ---- after it ------------------------------------------------------------------------------------------------
    def release(self, sent_at: float, response: Optional[requests.Response], in_window: bool = True) -> Optional[float]:
        """Learn from the answer (None: no answer). Returns the seconds to wait before retrying a 429, else None."""
        with self._cond:
            if in_window:
                self._in_flight -= 1
            now = self._clock()
            try:
                if response is None:
                    return None
                if response.status_code == 429:
                    return self._rate_limited(sent_at, now, response)
                self._answered(sent_at, now, response)
                return None
            finally:
                self._cond.notify_all()

    def _rate_limited(self, sent_at: float, now: float, response: requests.Response) -> float:
        self.responses_429 += 1
        wait = retry_after_seconds(response)
        if wait is None and _header_number(response, _REMAINING) == 0:
            wait = _reset_seconds(response)
        wait = self.DEFAULT_HOLD if not wait else wait
        if wait >= self.MAX_HOLD:
            self.quota_until = max(self.quota_until or 0.0, now + wait)
            self._cond.notify_all()
            return wait
        self._hold_until = max(self._hold_until, now + wait)
        if self._last_cut is None or sent_at > self._last_cut:  # else an echo of the overshoot already cut for
            self._cut(now)
            self.last_cut_by = sent_at
        return wait

    def _cut(self, now: float) -> None:
        if self._last_cut is None:
            span = now - (self._started if self._started is not None else now) + self.BURST_SECONDS
            self._discovery, self._discovered = span, self._admitted
            measured = max(self.FIRST_MIN_RATE, self._admitted / max(span, 0.1))
        else:
            # What was admitted since the last 429 is a lower bound (less when the limiter's allowance overflowed
            # while the sync went slower); the rate now, which just met a 429, is an upper one.
            measured = max(self._admitted / max(now - self._last_cut, 0.1), self.CUT * (self.rate or 0.0))
        self.rate = max(self.MIN_RATE, self.MARGIN * measured)
        self._window = None
        self._last_cut = now
        self._admitted = 0
        self._last_answer = None
        self.cuts += 1

    def _answered(self, sent_at: float, now: float, response: requests.Response) -> None:
        self._admitted += 1
        if self._discovery is not None and self._last_cut is not None and sent_at < self._last_cut:
            self._discovered += 1
        remaining, reset = _header_number(response, _REMAINING), _reset_seconds(response)
        if remaining is not None and reset is not None and reset < self.MAX_HOLD:
            self._remaining, self._remaining_until = remaining, now + reset
            if remaining == 0:
                self._hold_until = max(self._hold_until, now + reset)
        if self._window is not None:
            self._window += self.WINDOW_GROWTH
        elif self.rate is not None and self._last_answer is not None:
            growth = self.PROBE if self.cuts > 1 else self.FIRST_PROBE
            self.rate *= 1 + growth * min(1.0, now - self._last_answer)
        self._last_answer = now


_pacers: Dict[str, AdaptivePacer] = {}
_pacers_lock = threading.Lock()


def pacer_for(host: str) -> AdaptivePacer:
    """The one pacer of an API host (scheme://host:port) in this process."""
    with _pacers_lock:
        if host not in _pacers:
            _pacers[host] = AdaptivePacer()
        return _pacers[host]
