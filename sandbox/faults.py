"""Fault switches: latency, global rate limit, injected 5xx, corrupt bodies, token rejection."""

import math
import random
import threading
import time

CORRUPT_MODES = ("not_json", "missing_key", "wrong_shape")
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
}


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
    if name == "reject_all_tokens":
        if not isinstance(value, bool):
            raise ValueError(f"reject_all_tokens must be a bool, got {value!r}")
        return value
    raise ValueError(f"unknown switch {name!r}; known: {sorted(DEFAULTS)}")


class Faults:
    def __init__(self, seed, **switches):
        self._lock = threading.Lock()
        self._rng = random.Random(f"faults|{seed}")
        self._values = dict(DEFAULTS)
        self._consecutive = {}  # url -> injected errors in a row
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
        return self.snapshot()

    def snapshot(self):
        with self._lock:
            values = dict(self._values)
        values["corrupt"] = dict(values["corrupt"])
        return values

    def get(self, name):
        return self._values[name]

    def rate_check(self):
        """None when admitted; else the Retry-After seconds (int >= 1). Token bucket, burst = rate."""
        with self._lock:
            rate = self._values["rate_limit"]
            if rate is None:
                return None
            now = time.monotonic()
            self._tokens = min(max(1.0, rate), self._tokens + (now - self._last) * rate)
            self._last = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - self._tokens) / rate))

    def inject(self, url):
        """Status code of an injected error for this data request, or None to serve it."""
        with self._lock:
            rate = self._values["error_rate"]
            if rate <= 0:
                return None
            fails = self._consecutive.get(url, 0)
            if fails < self._values["max_consecutive_errors"] and self._rng.random() < rate:
                self._consecutive[url] = fails + 1
                return self._rng.choice(ERROR_STATUSES)
            self._consecutive.pop(url, None)
            return None
