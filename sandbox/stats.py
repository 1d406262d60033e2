"""Request counters for data and token requests (control requests are not counted)."""

import threading


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self._in_flight = 0
        self.reset()

    def reset(self):
        with self._lock:
            self._requests = 0
            self._token_requests = 0
            self._by_status = {}
            self._by_endpoint = {}
            self._by_profile = {}  # profile -> status -> answers
            self._bytes_sent = 0
            self._duplicates = 0
            self._served_ok = set()  # exact data URLs answered 200 at least once
            self._stalled = 0
            self._rejected_tokens = {}  # reason -> 401s answered for it
            self._maintenance = 0
            self._by_host = {}  # the Host a request named -> {"requests": n, "with_credentials": n}
            self._max_in_flight = self._in_flight

    def begin(self):
        with self._lock:
            self._in_flight += 1
            if self._in_flight > self._max_in_flight:
                self._max_in_flight = self._in_flight

    def host(self, host, with_credentials):
        """A request naming this Host, with or without an Authorization header."""
        with self._lock:
            counts = self._by_host.setdefault(host, {"requests": 0, "with_credentials": 0})
            counts["requests"] += 1
            counts["with_credentials"] += bool(with_credentials)

    def end(self, endpoint, status, is_token, data_url, nbytes, maintenance=False):
        """data_url: path+query of a data request answered with a page (None for token/unrouted requests and
        maintenance pages); maintenance: answered with a maintenance page instead of the API's."""
        with self._lock:
            self._maintenance += bool(maintenance)
            self._in_flight -= 1
            self._requests += 1
            if is_token:
                self._token_requests += 1
            key = str(status)
            self._by_status[key] = self._by_status.get(key, 0) + 1
            self._by_endpoint[endpoint] = self._by_endpoint.get(endpoint, 0) + 1
            profile = endpoint.split(" ", 1)[-1].split("/")[1] if "/" in endpoint else ""
            statuses = self._by_profile.setdefault(profile, {})
            counted = "token" if is_token else "maintenance" if maintenance else key
            statuses[counted] = statuses.get(counted, 0) + 1
            self._bytes_sent += nbytes
            if data_url is not None:
                if data_url in self._served_ok:
                    self._duplicates += 1
                elif status == 200:
                    self._served_ok.add(data_url)

    def rejected_token(self, reason):
        with self._lock:
            self._rejected_tokens[reason] = self._rejected_tokens.get(reason, 0) + 1

    def end_stalled(self, endpoint):
        """A request the stall switch held and never answered: neither a response nor a served page."""
        with self._lock:
            self._in_flight -= 1
            self._stalled += 1
            key = f"{endpoint} (stalled)"
            self._by_endpoint[key] = self._by_endpoint.get(key, 0) + 1

    def snapshot(self):
        with self._lock:
            by_status = dict(self._by_status)
            return {
                "requests": self._requests,
                "token_requests": self._token_requests,
                "data_requests": self._requests - self._token_requests,
                "by_status": by_status,
                "by_endpoint": dict(self._by_endpoint),
                # the first path segment (the profile) -> status -> answers; token answers under "token", maintenance
                # pages (200s that are not the API's) under "maintenance"
                "by_profile": {p: dict(v) for p, v in self._by_profile.items()},
                "responses_401": by_status.get("401", 0),
                "responses_429": by_status.get("429", 0),
                "responses_5xx": sum(v for k, v in by_status.items() if k.startswith("5")),
                "in_flight": self._in_flight,
                "max_in_flight": self._max_in_flight,
                "duplicate_requests": self._duplicates,
                "stalled_requests": self._stalled,
                "rejected_tokens": dict(self._rejected_tokens),  # e.g. {"token expired": 3}
                "maintenance_pages": self._maintenance,
                "by_host": {h: dict(v) for h, v in self._by_host.items()},
                "distinct_pages": len(self._served_ok),
                "bytes_sent": self._bytes_sent,
            }
