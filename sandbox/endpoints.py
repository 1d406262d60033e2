"""The routes of every profile in the registry, and the corrupt switch's damage to a page.

A stream's builder returns (envelope, data_path): data_path locates the record list in the envelope so the corrupt
switch can damage exactly that part.
"""

import re

from .pages import ApiError, Request  # noqa: F401 (the request pipeline's names)
from .profiles import REGISTRY

class Route:
    __slots__ = ("method", "profile", "template", "kind", "builder", "stream", "regex")

    def __init__(self, method, profile, template, kind, stream=None):
        self.method, self.profile, self.template, self.kind, self.stream = method, profile, template, kind, stream
        self.builder = stream.build if stream is not None else None
        # A {placeholder} (the parent field a child's path takes, under any name) matches any one segment: ids may
        # be untyped (the studies API's are strings with the string_ids switch).
        pattern = re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template))
        self.regex = re.compile(pattern + "$")


ROUTES = [Route("POST", name, f"/{name}{p.token_path}", "token") for name, p in REGISTRY.items()] + [
    Route("GET", name, f"/{name}{s.path}", "data", s) for name, p in REGISTRY.items() for s in p.streams
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


def corrupt(envelope, data_path, mode):
    """Damage a page: (body bytes, content type)."""
    if mode == "not_json":
        return MAINTENANCE_PAGE, HTML
    parent = envelope
    for key in data_path[:-1]:
        parent = parent[key]
    if mode == "missing_key":
        del parent[data_path[-1]]
    else:  # wrong_shape: records that are not objects
        n = max(2, len(parent[data_path[-1]]))
        parent[data_path[-1]] = [f"record-{k}" if k % 2 == 0 else k for k in range(n)]
    return None, "application/json"
