"""What every profile's endpoints share: the parsed request, API errors, integer parameters, opaque offsets."""

import base64
from urllib.parse import parse_qs, parse_qsl, urlencode


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

    @staticmethod
    def query_value(query, name):
        """The first value of a query parameter, None without it."""
        values = parse_qs(query or "", keep_blank_values=True).get(name)
        return values[0] if values else None

    def url_without(self, names):
        """The request's own URL without the query parameters `names` (credentials a link leaves out)."""
        if not names:
            return self.self_url
        kept = [(k, v) for k, v in parse_qsl(self.query, keep_blank_values=True) if k not in names]
        return f"{self.base}{self.path}" + (f"?{urlencode(kept)}" if kept else "")

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
