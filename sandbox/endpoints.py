"""The routes of every profile in the registry, and the corrupt switch's damage to a page.

A stream's builder returns (envelope, data_path[, headers]): data_path locates the record list in the envelope so the
corrupt switch can damage exactly that part (() for a body that is the list, None for a single-object body). A stream
without a builder of its own is served from its traits (sandbox/listing.py).
"""

import re

from . import listing
from .pages import ApiError, Request  # noqa: F401 (the request pipeline's names)
from .profile import OAUTH2, join
from .profiles import REGISTRY


class Route:
    __slots__ = ("method", "profile", "template", "kind", "builder", "stream", "regex")

    def __init__(self, method, profile, template, kind, stream=None):
        self.method, self.profile, self.template, self.kind, self.stream = method, profile, template, kind, stream
        self.builder = None if stream is None else stream.build or listing.builder(REGISTRY[profile], stream)
        # A {placeholder} (the parent field a child's path takes, under any name) matches any one segment: ids may
        # be untyped (the studies API's are strings with the string_ids switch).
        pattern = re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template))
        self.regex = re.compile(pattern + "$")


ROUTES = [Route("POST", name, join(join(f"/{name}", p.base_path), p.token_path), "token")
          for name, p in REGISTRY.items() if OAUTH2 in p.auth] + [
    Route("GET", name, listing.route_path(p, s), "data", s) for name, p in REGISTRY.items() for s in p.streams
]


def match(method, path):
    """(route, params) for the request; (None, allowed methods) when unmatched."""
    if len(path) > 1:
        path = path.rstrip("/")
    allowed = []
    for route in ROUTES:
        m = route.regex.match(path)
        if m:
            if route.method == method:
                return route, m.groups()
            allowed.append(route.method)
    return None, allowed


# What a CDN or gateway answers in front of an API being deployed: 200, and a page for people.
MAINTENANCE_PAGE = (b"<!DOCTYPE html><html><head><title>Service notice</title></head>"
                    b"<body><h1>We'll be right back</h1></body></html>")
HTML = "text/html; charset=utf-8"
JSON = "application/json"


def corrupt(envelope, data_path, mode):
    """Damage a page: (body, content type), the body bytes or a JSON value. A body that is the list of records (data_path ()) loses it to an
    object holding none, or holds other things than records; a single-object body can only stop being JSON."""
    if mode == "not_json":
        return MAINTENANCE_PAGE, HTML
    if data_path is None:
        raise ValueError(f"corrupt mode {mode!r} needs a body holding a list of records; use 'not_json'")
    if data_path == ():
        if mode == "missing_key":
            return {"message": "Service temporarily unavailable"}, JSON
        return [f"record-{k}" if k % 2 == 0 else k for k in range(max(2, len(envelope)))], JSON
    parent = envelope
    for key in data_path[:-1]:
        parent = parent[key]
    if mode == "missing_key":
        del parent[data_path[-1]]
    else:  # wrong_shape: records that are not objects
        n = max(2, len(parent[data_path[-1]]))
        parent[data_path[-1]] = [f"record-{k}" if k % 2 == 0 else k for k in range(n)]
    return envelope, JSON
