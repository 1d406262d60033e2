"""A running sandbox: owns the data, switches, tokens and stats, and answers requests.

handle() is transport-independent (the HTTP handler only parses and writes),
so the request pipeline reads top to bottom in one place:
control API -> latency -> daily quota -> rate limit -> stall -> maintenance page -> redirect -> route -> token |
auth -> injected error -> page (as the paging switches break it).
"""

import base64
import json
import threading
import time
from urllib.parse import parse_qs, unquote_plus

from . import endpoints, paging_faults
from .auth import (API_KEY, BASIC_PASSWORD, BASIC_USER, BEARER_TOKEN, CLIENT_ID, CLIENT_SECRET, TokenStore,
                   basic_value, carries_credentials, same)
from .cache import PageCache
from .data import STREAMS, Dataset
from .profile import API_KEY as API_KEY_KIND
from .profile import BASIC, BEARER, OAUTH2, join
from .profiles import profile as registered
from .faults import QUOTA_RETRY_AFTER, Faults
from .server import STALLED, SandboxHTTPServer
from .stats import Stats

JSON = "application/json"


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def built_page(route, data, req):
    """(body, data path, headers) of a route's answer: a builder may leave out the headers."""
    built = route.builder(data, req)
    return built if len(built) == 3 else (built[0], built[1], [])


class Response:
    __slots__ = ("status", "body", "content_type", "headers", "page")

    def __init__(self, status, body, content_type=JSON, headers=(), page=True):
        self.status = status
        self.body = body if isinstance(body, bytes) else dumps(body)
        self.content_type = content_type
        self.headers = list(headers)
        self.page = page  # False: not the API's answer (a maintenance page), though its status may be 200


def credentials(kind, token_url=None):
    """The connector's `credentials` for one kind of sign-in, with the sandbox's secrets (the connector's spec names
    each kind's fields; the sandbox knows them as a client of the API does)."""
    if kind == OAUTH2:
        return {"auth_type": "oauth2_client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                **({"token_url": token_url} if token_url else {})}
    if kind == BEARER:
        return {"auth_type": "bearer_token", "access_token": BEARER_TOKEN}
    if kind == API_KEY_KIND:
        return {"auth_type": "api_key", "api_key": API_KEY}
    if kind == BASIC:
        return {"auth_type": "basic_http", "username": BASIC_USER, "password": BASIC_PASSWORD}
    raise ValueError(f"auth must be one of oauth2, bearer, api_key, basic; got {kind!r}")


def profile_url(url, profile):
    """The base URL a sandbox at `url` serves the profile at: under the profile's name, its document's base path."""
    return join(f"{url}/{profile}", registered(profile).base_path)


def connector_config(profile, base_url, auth=None):
    """A connector config for the profile served at base_url, signing in with `auth` (one of the kinds the profile
    takes; the first it takes when None) with the sandbox's secrets."""
    p = registered(profile)
    kind = auth or p.auth[0]
    if kind not in p.auth:
        raise ValueError(f"{profile} takes {', '.join(p.auth)}, not {kind}")
    token_url = join(base_url, p.token_path) if kind == OAUTH2 else None
    return {"api": profile, "base_url": base_url, "credentials": credentials(kind, token_url)}


class Sandbox:
    def __init__(self, records=20, seed=1, port=0, string_ids=False, **switches):
        # string_ids: the studies profile serves its ids (which 004 leaves untyped) as strings; fixed for a sandbox's
        # life, as an API's id format is.
        if not isinstance(string_ids, bool):
            raise ValueError(f"string_ids must be a bool, got {string_ids!r}")
        self.records = records
        self.seed = seed
        self.faults = Faults(seed, **switches)  # validate before binding a port
        self.tokens = TokenStore()
        self._stats = Stats()
        self._pages = PageCache()
        self._server = SandboxHTTPServer(("127.0.0.1", port), self)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = Dataset(records, seed, self.url)
        self.data.string_ids = string_ids
        self.data.set_deleted_parents(self.faults.get("deleted_parents"))
        self._stopped = False
        self.stopping = threading.Event()  # ends stalled requests
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()

    # ---- public API ----------------------------------------------------
    def base_url(self, profile):
        self._check_profile(profile)
        return profile_url(self.url, profile)

    def token_url(self, profile):
        return join(self.base_url(profile), registered(profile).token_path)

    def config(self, profile, auth=None):
        return connector_config(profile, self.base_url(profile), auth)

    def truth(self, profile, stream):
        return self.data.truth(profile, stream)

    def streams(self, profile):
        self._check_profile(profile)
        return list(STREAMS[profile])

    def stats(self):
        return self._stats.snapshot()

    def reset_stats(self):
        self._stats.reset()

    def configure(self, **switches):
        values = self.faults.configure(**switches)
        if "deleted_parents" in switches:
            self.data.set_deleted_parents(values["deleted_parents"])
            self._pages.clear()
        return values

    def revoke_tokens(self):
        self.tokens.revoke_all()

    def advance(self, n):
        self.data.advance(n)
        self._pages.clear()  # epoch in the key already hides stale pages; this frees them

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        self.stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        return f"<Sandbox {self.url} records={self.records} seed={self.seed}>"

    @staticmethod
    def _check_profile(profile):
        registered(profile)  # ValueError naming the known ones

    # ---- request pipeline ------------------------------------------------
    def handle(self, method, path, query, headers, body, base):
        if path.startswith("/_sandbox/"):
            return self._control(method, path, query, body)
        if len(path) > 1:
            path = path.rstrip("/") or "/"
        route, found = endpoints.match(method, path)  # found: path params, or allowed methods if unmatched
        is_token = route is not None and route.kind == "token"
        data_url = f"{path}?{query}" if query else path
        endpoint = f"{method} {route.template if route else path}"
        self._stats.begin()
        self._stats.host(base.split("://", 1)[-1], carries_credentials(headers, query))
        response = None
        try:
            response = self._serve(route, found, method, path, query, headers, body, base, data_url)
            return response
        finally:
            # counted before the response is written, so a client that has its answer sees it in stats
            if response is STALLED:
                self._stats.end_stalled(endpoint)
            else:
                page = response is not None and response.page
                self._stats.end(endpoint, response.status if response else 500, is_token,
                                data_url if route is not None and not is_token and page else None,
                                len(response.body) if response else 0, maintenance=response is not None and not page)

    def _serve(self, route, found, method, path, query, headers, body, base, data_url):
        latency = self.faults.get("latency_ms")
        if latency:
            time.sleep(latency / 1000.0)
        if route is not None and self.faults.quota_spent():
            return Response(429, {"error": "daily_quota_exceeded", "message": "Daily request quota used up."},
                            headers=[("Retry-After", self.faults.retry_after_value(QUOTA_RETRY_AFTER))])
        retry_after, limit_headers = self.faults.rate_check()
        if retry_after is not None:
            return Response(429, {"error": "rate limit exceeded"},
                            headers=[("Retry-After", self.faults.retry_after_value(retry_after))] + limit_headers)
        if route is not None and self.faults.stall(path if route.kind == "token" else data_url):
            return STALLED
        if route is not None and route.kind == "data" and self.faults.maintenance(data_url):
            return Response(200, endpoints.MAINTENANCE_PAGE, endpoints.HTML, page=False)
        moved_to = self.faults.get("redirect_host")
        if route is not None and route.kind == "data" and moved_to and base.split("://", 1)[-1] != moved_to:
            location = f"http://{moved_to}{data_url}"
            return Response(307, {"error": "moved", "location": location}, headers=[("Location", location)])
        response = self._route(route, found, method, path, query, headers, body, base, data_url)
        response.headers.extend(limit_headers)
        return response

    def _route(self, route, found, method, path, query, headers, body, base, data_url):
        if route is None:
            if found:
                return Response(405, {"error": "method_not_allowed"}, headers=[("Allow", ", ".join(found))])
            return Response(404, {"error": "not_found", "message": f"no such endpoint: {path}"})
        if route.kind == "token":
            return self._token(route.profile, query, headers, body)

        denied = self._authorize(route.profile, headers, query)
        if denied is not None:
            return denied
        status = self.faults.inject(data_url, registered(route.profile).server_errors)
        if status is not None:
            extra = []
            retry = self.faults.get("error_retry_after")
            if retry is not None:
                extra.append(("Retry-After", self.faults.retry_after_value(retry)))
            return Response(status, {"error": "simulated server error", "status": status}, headers=extra)

        req = endpoints.Request(path, query, found, base)
        corrupt = self.faults.get("corrupt")
        mode = corrupt.get(path) or corrupt.get(route.template) if corrupt else None
        try:
            if mode:
                envelope, data_path, _ = built_page(route, self.data, req)
                damaged, ctype = endpoints.corrupt(envelope, data_path, mode)
                return Response(200, damaged, ctype)
            broken = paging_faults.state(self.faults) if route.stream.paging else ()
            key = (route.template, req.params, query, base, self.data.epoch, broken)
            cached = self._pages.get(key)
            if cached is None:
                built = built_page(route, self.data, req)
                if any(broken):
                    private = (registered(route.profile).api_key_param,) if registered(route.profile).api_key_param \
                        else ()
                    built = paging_faults.apply(route.stream, req, built, lambda r: built_page(route, self.data, r),
                                                self.faults, private)
                cached = (dumps(built[0]), tuple(built[2]))
                self._pages.put(key, cached)
            return Response(200, cached[0], headers=cached[1])
        except endpoints.ApiError as e:
            return Response(e.status, e.body)

    def _authorize(self, profile, headers, query):
        """None when the request signs in one of the ways its API takes; else the API's 401."""
        p = registered(profile)

        def unauthorized(reason):
            challenge = 'Basic realm="api"' if p.auth == (BASIC,) else 'Bearer error="invalid_token"'
            return Response(401, {"error": "invalid_token", "error_description": reason},
                            headers=[("WWW-Authenticate", challenge)])

        if self.faults.get("reject_all_tokens"):
            return unauthorized("access has been revoked")
        auth = headers.get("Authorization") or ""
        if API_KEY_KIND in p.auth:
            given = headers.get(p.api_key_header) if p.api_key_header else endpoints.Request.query_value(
                query, p.api_key_param)
            if given:
                return None if same(given, API_KEY) else unauthorized("invalid API key")
        if BASIC in p.auth and auth[:6].lower() == "basic ":
            return None if same(auth, basic_value()) else unauthorized("invalid username or password")
        if (OAUTH2 in p.auth or BEARER in p.auth) and auth[:7].lower() == "bearer " and auth[7:].strip():
            token = auth[7:].strip()
            if BEARER in p.auth and same(token, BEARER_TOKEN):
                return None
            reason = self.tokens.check(profile, token) if OAUTH2 in p.auth else "invalid bearer token"
            if reason:
                self._stats.rejected_token(reason)
            return unauthorized(reason) if reason else None
        return unauthorized("missing credentials")

    def _token(self, profile, query, headers, body):
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        ctype = (headers.get("Content-Type") or "").lower()
        if body:
            try:
                if "json" in ctype or body.lstrip()[:1] == b"{":
                    parsed = json.loads(body)
                    if not isinstance(parsed, dict):
                        raise ValueError
                    params.update({k: v for k, v in parsed.items() if isinstance(v, str)})
                else:
                    params.update({k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()})
            except (ValueError, UnicodeDecodeError):
                return Response(400, {"error": "invalid_request"})
        basic = headers.get("Authorization") or ""
        if basic[:6].lower() == "basic ":
            try:
                user, _, password = base64.b64decode(basic[6:].strip()).decode().partition(":")
                # RFC 6749 2.3.1: credentials are form-encoded before Basic encoding
                params.setdefault("client_id", unquote_plus(user))
                params.setdefault("client_secret", unquote_plus(password))
            except (ValueError, UnicodeDecodeError):
                pass
        if not (same(params.get("client_id"), CLIENT_ID) and same(params.get("client_secret"), CLIENT_SECRET)):
            return Response(401, {"error": "invalid_client"})
        if params.get("grant_type") != "client_credentials":
            return Response(400, {"error": "unsupported_grant_type"})
        ttl = self.faults.get("token_ttl")
        token = self.tokens.issue(profile, ttl)
        expires_in = int(ttl) if float(ttl).is_integer() else ttl
        return Response(200, {"access_token": token, "token_type": "Bearer", "expires_in": expires_in,
                              "scope": "read"}, headers=[("Cache-Control", "no-store")])

    # ---- control API (not counted, never faulted) -------------------------
    def _control(self, method, path, query, body):
        action = path[len("/_sandbox/"):].rstrip("/")
        try:
            payload = json.loads(body) if body else {}
            if not isinstance(payload, dict):
                raise ValueError("body must be a JSON object")
            if (method, action) == ("GET", "stats"):
                return Response(200, self.stats())
            if (method, action) == ("GET", "health"):
                return Response(200, {"status": "ok", "url": self.url, "records": self.records, "seed": self.seed})
            if (method, action) == ("GET", "config"):
                return Response(200, self.faults.snapshot())
            if (method, action) == ("GET", "truth"):
                q = {k: v[0] for k, v in parse_qs(query).items()}
                return Response(200, self.truth(q.get("profile", ""), q.get("stream", "")))
            if (method, action) == ("POST", "reset-stats"):
                self.reset_stats()
                return Response(200, {"ok": True})
            if (method, action) == ("POST", "configure"):
                return Response(200, self.configure(**payload))
            if (method, action) == ("POST", "revoke-tokens"):
                self.revoke_tokens()
                return Response(200, {"ok": True})
            if (method, action) == ("POST", "advance"):
                self.advance(payload.get("n", 1))
                return Response(200, {"ok": True})
        except (ValueError, TypeError, KeyError) as e:
            return Response(400, {"error": "bad_request", "message": str(e)})
        return Response(404, {"error": "not_found", "message": f"no control endpoint {method} {path}"})


def start(records=20, seed=1, latency_ms=0, rate_limit=None, error_rate=0.0, error_retry_after=None,
          token_ttl=3600, port=0, **switches):
    """Start a sandbox serving in a daemon thread; returns the running Sandbox."""
    return Sandbox(records=records, seed=seed, port=port, latency_ms=latency_ms, rate_limit=rate_limit,
                   error_rate=error_rate, error_retry_after=error_retry_after, token_ttl=token_ttl, **switches)


__all__ = ["Sandbox", "start"]
