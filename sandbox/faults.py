"""Fault switches: latency, global rate limit, a daily quota, injected 5xx, stalled requests, maintenance pages,
deleted parents, corrupt bodies, broken pagination, foreign next links, redirects to another host, rejected
credentials."""

import email.utils
import math
import random
import threading
import time

from .ids import hval

CORRUPT_MODES = ("not_json", "missing_key", "wrong_shape")
RETRY_AFTER_FORMATS = ("seconds", "http-date")
RATE_LIMIT_HEADER_STYLES = (None, "x-ratelimit", "ratelimit")
ERROR_STATUSES = (500, 502, 503, 504)

DEFAULTS = {
    "latency_ms": 0,
    "rate_limit": None,  # requests/second over data+token requests, None = unlimited
    "error_rate": 0.0,
    "error_retry_after": None,  # Retry-After (seconds) on injected 5xx, None = no header
    "token_ttl": 3600,
    "max_consecutive_errors": 2,  # per URL, so a client retrying 3 times always gets through
    "corrupt": {},  # request path or route template -> one of CORRUPT_MODES
    "reject_all_tokens": False,
    # Share of requests (data and token) accepted and never answered, each URL at most once so a retry gets through.
    "stall_rate": 0.0,
    # Share of parents (meetings users, payments customers, studies) deleted after they were listed: their child
    # endpoint answers 404 while the parent list still shows them.
    "deleted_parents": 0.0,
    # How a 429 says when to come back: delay-seconds or an HTTP-date (RFC 9110 10.2.3 allows both).
    "retry_after_format": "seconds",
    # Rate-limit headers on every answer while rate_limit is set: none, X-RateLimit-Limit/-Remaining/-Reset (the
    # reset as seconds from now), or the IETF draft's RateLimit-Limit/-Remaining/-Reset.
    "rate_limit_headers": None,
    # Requests (data and token) a daily quota allows; every later one is answered 429 with a Retry-After of a day.
    "quota": None,
    # Share of data URLs answered once with 200 and an HTML maintenance page, as a CDN or gateway does for a few
    # seconds during a deploy; each URL at most once, so the request asked again gets its page. Which URLs is a fixed
    # choice per URL (and seed), whatever order the requests come in.
    "maintenance_rate": 0.0,
    # Broken pagination, as real APIs have it (sandbox/paging_faults.py): the last page of a next-link or next-token
    # listing names itself as its next page; a page-number listing answers any page past the end with its last page.
    "next_link_cycles": False,
    "repeat_last_page": False,
    # Next links name this host (host[:port]) instead of the one the client called, as a misconfigured proxy or a
    # compromised upstream might write them. None: the client's own host.
    "foreign_next_host": None,
    # Every data request naming another Host is answered 307 to this host (host[:port]), path and query unchanged,
    # as an API that moved (or a proxy in front of it) does; the request asked there is answered as usual. None: no
    # redirects.
    "redirect_host": None,
}
QUOTA_RETRY_AFTER = 86400  # seconds: the quota resets tomorrow


def _number(name, value, lo=0.0, hi=None, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        raise ValueError(f"{name} must be in [{lo}, {hi if hi is not None else 'inf'}], got {value!r}")
    return value


def validate(name, value):
    if name == "latency_ms":
        return _number(name, value)
    if name == "rate_limit":
        value = _number(name, value, allow_none=True)
        if value == 0:
            raise ValueError("rate_limit must be > 0 (or None for unlimited)")
        return value
    if name == "error_rate":
        return _number(name, value, 0.0, 1.0)
    if name == "error_retry_after":
        return _number(name, value, allow_none=True)
    if name == "token_ttl":
        return _number(name, value)
    if name == "max_consecutive_errors":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"max_consecutive_errors must be an int >= 0, got {value!r}")
        return value
    if name == "corrupt":
        value = dict(value or {})
        for path, mode in value.items():
            if not isinstance(path, str) or mode not in CORRUPT_MODES:
                raise ValueError(f"corrupt maps a path to one of {CORRUPT_MODES}, got {path!r}: {mode!r}")
        return value
    if name in ("stall_rate", "deleted_parents"):
        return _number(name, value, 0.0, 1.0)
    if name == "retry_after_format":
        if value not in RETRY_AFTER_FORMATS:
            raise ValueError(f"retry_after_format must be one of {RETRY_AFTER_FORMATS}, got {value!r}")
        return value
    if name == "rate_limit_headers":
        if value not in RATE_LIMIT_HEADER_STYLES:
            raise ValueError(f"rate_limit_headers must be one of {RATE_LIMIT_HEADER_STYLES}, got {value!r}")
        return value
    if name in ("reject_all_tokens", "next_link_cycles", "repeat_last_page"):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be a bool, got {value!r}")
        return value
    if name == "quota":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"quota must be an int >= 0 (or None for no quota), got {value!r}")
        return value
    if name == "maintenance_rate":
        return _number(name, value, 0.0, 1.0)
    if name in ("foreign_next_host", "redirect_host"):
        if value is not None and (not isinstance(value, str) or not value or "/" in value):
            raise ValueError(f"{name} must be host[:port] (or None), got {value!r}")
        return value
    raise ValueError(f"unknown switch {name!r}; known: {sorted(DEFAULTS)}")


class Faults:
    def __init__(self, seed, **switches):
        self._lock = threading.Lock()
        self._rng = random.Random(f"faults|{seed}")
        self._values = dict(DEFAULTS)
        self._consecutive = {}  # url -> injected errors in a row
        self._stalled = set()  # urls already stalled once
        self._stall_rng = random.Random(f"stalls|{seed}")
        self._seed = seed
        self._maintained = set()  # urls already answered with a maintenance page
        self._quota_used = 0
        self._tokens = 0.0
        self._last = time.monotonic()
        self.configure(**switches)

    def configure(self, **switches):
        checked = {name: validate(name, value) for name, value in switches.items()}
        with self._lock:
            self._values.update(checked)
            if "rate_limit" in checked:
                self._tokens = max(1.0, checked["rate_limit"] or 0.0)  # fresh, full bucket
                self._last = time.monotonic()
            if "error_rate" in checked or "max_consecutive_errors" in checked:
                self._consecutive.clear()
            if "stall_rate" in checked:
                self._stalled.clear()
            if "maintenance_rate" in checked:
                self._maintained.clear()
            if "quota" in checked:
                self._quota_used = 0
        return self.snapshot()

    def snapshot(self):
        with self._lock:
            values = dict(self._values)
        values["corrupt"] = dict(values["corrupt"])
        return values

    def get(self, name):
        return self._values[name]

    def rate_check(self):
        """(retry_after, headers): retry_after None when admitted, else the Retry-After seconds (int >= 1); headers
        are the rate-limit headers to send with the answer. Token bucket, burst = rate."""
        with self._lock:
            rate = self._values["rate_limit"]
            if rate is None:
                return None, []
            now = time.monotonic()
            self._tokens = min(max(1.0, rate), self._tokens + (now - self._last) * rate)
            self._last = now
            retry_after = None
            if self._tokens >= 1.0:
                self._tokens -= 1.0
            else:
                retry_after = max(1, math.ceil((1.0 - self._tokens) / rate))
            return retry_after, self._limit_headers(rate, retry_after)

    def _limit_headers(self, rate, retry_after):
        style = self._values["rate_limit_headers"]
        if style is None:
            return []
        limit, remaining = max(1, int(rate)), int(self._tokens)
        # seconds until the bucket is full again
        reset = retry_after if retry_after is not None else max(0, math.ceil((max(1.0, rate) - self._tokens) / rate))
        prefix = "X-RateLimit-" if style == "x-ratelimit" else "RateLimit-"
        return [(prefix + "Limit", str(limit)), (prefix + "Remaining", str(remaining)), (prefix + "Reset", str(reset))]

    def retry_after_value(self, seconds):
        """The Retry-After header for a wait of `seconds`, in the configured format."""
        if self._values["retry_after_format"] == "http-date":
            return email.utils.formatdate(time.time() + seconds, usegmt=True)
        return str(int(seconds)) if float(seconds).is_integer() else str(seconds)

    def stall(self, url):
        """True when this request is to be held unanswered (each url at most once)."""
        with self._lock:
            rate = self._values["stall_rate"]
            if rate <= 0 or url in self._stalled or self._stall_rng.random() >= rate:
                return False
            self._stalled.add(url)
            return True

    def quota_spent(self):
        """True when this request is over the daily quota (each request counts, data and token)."""
        with self._lock:
            quota = self._values["quota"]
            if quota is None:
                return False
            self._quota_used += 1
            return self._quota_used > quota

    def maintenance(self, url):
        """True when this data request is to be answered with a maintenance page (each url at most once)."""
        with self._lock:
            rate = self._values["maintenance_rate"]
            if rate <= 0 or url in self._maintained or hval(self._seed, "maintenance", url) % 10000 >= rate * 10000:
                return False
            self._maintained.add(url)
            return True

    def inject(self, url, statuses=ERROR_STATUSES):
        """Status code of an injected error for this data request (one of `statuses`: the server errors its API's
        document retries), or None to serve it."""
        with self._lock:
            rate = self._values["error_rate"]
            if rate <= 0:
                return None
            fails = self._consecutive.get(url, 0)
            if fails < self._values["max_consecutive_errors"] and self._rng.random() < rate:
                self._consecutive[url] = fails + 1
                return self._rng.choice(statuses)
            self._consecutive.pop(url, None)
            return None
