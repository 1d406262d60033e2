"""Routes, envelopes and pagination of the five profiles, as their API documents describe.

A builder returns (envelope, data_path): data_path locates the record list in
the envelope so the corrupt switch can damage exactly that part.
"""

import base64
import math
import re
from urllib.parse import parse_qs

from .ids import hval, uid

PROFILES = ("tracking", "meetings", "payments", "accounting", "studies")
TOKEN_PATHS = {
    "tracking": "/auth/token",
    "meetings": "/oauth/token",
    "payments": "/token",
    "accounting": "/connect/token",
    "studies": "/oauth/token",
}

# Page sizes: server-chosen (tracking) or request defaults and clamps.
TRACKING_PAGE_SIZE = 100
MEETINGS_PAGE_SIZE, MEETINGS_MAX_PAGE_SIZE = 30, 300
PAYMENTS_PAGE_SIZE, PAYMENTS_MAX_PAGE_SIZE = 100, 200
ACCOUNTING_PAGE_SIZE, ACCOUNTING_MAX_PAGE_SIZE = 100, 1000
STUDY_PAGE_SIZE, STUDY_MAX_PAGE_SIZE = 50, 1000
AUDIT_PAGE_SIZE, AUDIT_MAX_PAGE_SIZE = 1000, 1000


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(status, body)
        self.status = status
        self.body = body


class Request:
    __slots__ = ("path", "query", "q", "params", "base")

    def __init__(self, path, query, params, base):
        self.path = path
        self.query = query
        self.q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        self.params = params
        self.base = base  # scheme://host:port the client used, for absolute links

    @property
    def self_url(self):
        return f"{self.base}{self.path}" + (f"?{self.query}" if self.query else "")


def int_param(req, name, default, lo, hi=None):
    raw = req.q.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, {"error": "invalid_request", "message": f"{name} must be an integer"}) from None
    if value < lo:
        raise ApiError(400, {"error": "invalid_request", "message": f"{name} must be >= {lo}"})
    return min(value, hi) if hi is not None else value


def encode_offset(offset, tag):
    return base64.urlsafe_b64encode(f"{tag}:{offset}".encode()).decode().rstrip("=")


def decode_offset(token, tag, name):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        got, offset = raw.split(":")
        if got != tag or int(offset) < 0:
            raise ValueError
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, {"error": "invalid_request", "message": f"invalid {name}"}) from None


# ---- tracking: {"data": [...], "links": {"self", "next"?}} with an opaque cursor ----
def tracking_list(key):
    def build(ds, req):
        offset = decode_offset(req.q["cursor"], "t", "cursor") if req.q.get("cursor") else 0
        total = ds.count(key)
        links = {"self": req.self_url}
        if offset + TRACKING_PAGE_SIZE < total:
            links["next"] = f"{req.base}{req.path}?cursor={encode_offset(offset + TRACKING_PAGE_SIZE, 't')}"
        return {"data": ds.records(key, offset, offset + TRACKING_PAGE_SIZE), "links": links}, ("data",)
    return build


# ---- meetings: page_size + next_page_token ("" on the last page) ----
def meetings_users(ds, req):
    size = int_param(req, "page_size", MEETINGS_PAGE_SIZE, 1, MEETINGS_MAX_PAGE_SIZE)
    token = req.q.get("next_page_token")
    offset = decode_offset(token, "m", "next_page_token") if token else 0
    total = ds.count("meetings.users")
    nxt = encode_offset(offset + size, "m") if offset + size < total else ""
    return {"page_size": size, "total_records": total, "next_page_token": nxt,
            "users": ds.records("meetings.users", offset, offset + size)}, ("users",)


def meetings_of_user(ds, req):
    meetings = ds.meetings_of(req.params[0])
    if meetings is None:
        raise ApiError(404, {"code": 1001, "message": "User does not exist: " + req.params[0]})
    return {"meetings": meetings}, ("meetings",)


# ---- payments: HAL, _links.next.href with offset/limit ----
def _hal_page(req, embedded, total, slicer):
    limit = int_param(req, "limit", PAYMENTS_PAGE_SIZE, 1, PAYMENTS_MAX_PAGE_SIZE)
    offset = int_param(req, "offset", 0, 0)
    links = {"self": {"href": req.self_url}}
    if offset + limit < total:
        links["next"] = {"href": f"{req.base}{req.path}?offset={offset + limit}&limit={limit}"}
    return {"_links": links, "_embedded": {embedded: slicer(offset, offset + limit)}, "total": total}, \
        ("_embedded", embedded)


def payments_list(key, embedded):
    def build(ds, req):
        return _hal_page(req, embedded, ds.count(key), lambda a, b: ds.records(key, a, b))
    return build


def funding_sources(ds, req):
    sources = ds.funding_sources_of(req.params[0])
    if sources is None:
        raise ApiError(404, {"code": "NotFound", "message": "Customer not found."})
    return _hal_page(req, "funding-sources", len(sources), lambda a, b: sources[a:b])


# ---- accounting: 1-based page/page_size, short or empty last page ----
def accounting_list(key, envelope_key):
    def build(ds, req):
        page = int_param(req, "page", 1, 1)
        size = int_param(req, "page_size", ACCOUNTING_PAGE_SIZE, 1, ACCOUNTING_MAX_PAGE_SIZE)
        total = ds.count(key)
        return {
            "Id": uid(ds.seed, "accounting.response", hval(ds.seed, key, f"{page}|{size}|{total}") & 0xFFFFFFFF),
            "Status": "OK",
            "ProviderName": "Analytics Sandbox",
            "pagination": {"page": page, "pageSize": size, "pageCount": math.ceil(total / size), "itemCount": total},
            envelope_key: ds.records(key, (page - 1) * size, page * size),
        }, (envelope_key,)
    return build


# ---- studies ----
def studies_users(ds, req):
    return {"_links": {"self": {"href": req.self_url}},
            "_embedded": {"user": ds.records("studies.user", 0, ds.count("studies.user"))}}, ("_embedded", "user")


def studies_rows(ds, req):
    page = int_param(req, "page", 1, 1)
    size = int_param(req, "page_size", STUDY_PAGE_SIZE, 1, STUDY_MAX_PAGE_SIZE)
    total = ds.count("studies.study")
    return {"_embedded": {"study": ds.records("studies.study", (page - 1) * size, page * size)},
            "page": {"number": page, "size": size, "totalElements": total, "totalPages": math.ceil(total / size)}}, \
        ("_embedded", "study")


def audit_trail(ds, req):
    sid = ds.study_number(req.params[0])  # an integer or, with string_ids, a uuid-shaped study_id
    page = int_param(req, "page", 1, 1)
    size = int_param(req, "page_size", AUDIT_PAGE_SIZE, 1, AUDIT_MAX_PAGE_SIZE)
    items = ds.audit_items(sid, (page - 1) * size, page * size) if sid is not None else None
    if items is None:
        raise ApiError(404, {"error": "not_found", "message": f"study {req.params[0]} not found"})
    return {"items": items, "page": page, "page_size": size, "total": ds.audit_count(sid)}, ("items",)


class Route:
    __slots__ = ("method", "profile", "template", "kind", "builder", "regex")

    def __init__(self, method, profile, template, kind, builder=None):
        self.method, self.profile, self.template, self.kind, self.builder = method, profile, template, kind, builder
        # {study_id} takes any segment: the studies API's ids are untyped (strings with the string_ids switch).
        pattern = re.escape(template).replace(r"\{id\}", "([^/]+)").replace(r"\{study_id\}", "([^/]+)")
        self.regex = re.compile(pattern + "$")


ROUTES = [Route("POST", p, f"/{p}{TOKEN_PATHS[p]}", "token") for p in PROFILES] + [
    Route("GET", "tracking", "/tracking/v1/users", "data", tracking_list("tracking.users")),
    Route("GET", "tracking", "/tracking/v1/user-groups", "data", tracking_list("tracking.user_groups")),
    Route("GET", "tracking", "/tracking/v1/tracker/settings", "data", tracking_list("tracking.tracker_settings")),
    Route("GET", "meetings", "/meetings/v1/users", "data", meetings_users),
    Route("GET", "meetings", "/meetings/v1/meetings/{id}", "data", meetings_of_user),
    Route("GET", "payments", "/payments/customers", "data", payments_list("payments.customers", "customers")),
    Route("GET", "payments", "/payments/customers/{id}/funding-sources", "data", funding_sources),
    Route("GET", "payments", "/payments/events", "data", payments_list("payments.events", "events")),
    Route("GET", "payments", "/payments/exchange-partners", "data",
          payments_list("payments.exchange_partners", "exchange-partners")),
    Route("GET", "payments", "/payments/business-classifications", "data",
          payments_list("payments.business_classifications", "business-classifications")),
    Route("GET", "accounting", "/accounting/v1/bank_transactions", "data",
          accounting_list("accounting.bank_transactions", "BankTransactions")),
    Route("GET", "accounting", "/accounting/v1/contacts", "data", accounting_list("accounting.contacts", "Contacts")),
    Route("GET", "studies", "/studies/v1/user", "data", studies_users),
    Route("GET", "studies", "/studies/v1/study", "data", studies_rows),
    Route("GET", "studies", "/studies/v1/study/{study_id}/audit-trail", "data", audit_trail),
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


def corrupt(envelope, data_path, mode):
    """Damage a page: (body bytes, content type)."""
    if mode == "not_json":
        return (b"<!DOCTYPE html><html><head><title>Service notice</title></head>"
                b"<body><h1>We'll be right back</h1></body></html>"), "text/html; charset=utf-8"
    parent = envelope
    for key in data_path[:-1]:
        parent = parent[key]
    if mode == "missing_key":
        del parent[data_path[-1]]
    else:  # wrong_shape: records that are not objects
        n = max(2, len(parent[data_path[-1]]))
        parent[data_path[-1]] = [f"record-{k}" if k % 2 == 0 else k for k in range(n)]
    return None, "application/json"
