"""Broken pagination, as real APIs have it: what the paging switches (faults.py) do to a listing's page.

Each stream declares how its document pages (profile.Paging); the switches break exactly that, whatever the style:
- next_link_cycles: the last page of a listing that names its next page (a link in the body or a `Link` header, a
  token in the body or a header) names itself as its next page, as a cursor that does not advance past the end
  does: its own URL, or the token it was asked with. A last page asked without a token (a one-page listing of a
  token API) has no token to name, and ends as usual.
- repeat_last_page: a listing the client counts (page numbers, offsets) answers any position past the end with its
  last page again, as an API that clamps the position instead of answering an empty page; one that counts its
  records or pages in the body counts one page more than it has, so a client that stops at the count asks past
  the end too. A client that stops at a short last page without a count never meets the repeat.
- foreign_next_host: next links (in the body or a `Link` header) name another host, the path and query unchanged.
"""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .pages import Request
from .profile import LINK_HEADER, NEXT_LINK, NEXT_TOKEN, OFFSET, PAGE_NUMBER

SWITCHES = ("next_link_cycles", "repeat_last_page", "foreign_next_host")
_LINK = re.compile(r"<([^>]*)>\s*;\s*rel=\"?next\"?")


def state(faults):
    """The switches' values: part of a page's cache key while any is set."""
    return tuple(faults.get(name) for name in SWITCHES)


def _get(body, path):
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _set(body, path, value):
    for key in path[:-1]:
        body = body.setdefault(key, {})
    body[path[-1]] = value


def _at(req, param, value):
    query = [(k, v) for k, v in parse_qsl(req.query, keep_blank_values=True) if k != param] + [(param, value)]
    return Request(req.path, urlencode(query), req.params, req.base)


def _header(headers, name):
    return next((value for key, value in headers if key.lower() == name.lower()), None)


def _replace_header(headers, name, value):
    return [(k, v) for k, v in headers if k.lower() != name.lower()] + [(name, value)]


def _next(paging, body, headers):
    """The next page a page names (a URL or a token), None on the last."""
    if paging.style == LINK_HEADER:
        found = _LINK.search(_header(headers, "Link") or "")
        return found[1] if found else None
    if paging.style == NEXT_TOKEN and paging.header:
        return _header(headers, paging.header) or None
    return _get(body, paging.at) or None


def _name_next(paging, body, headers, value):
    if paging.style == LINK_HEADER:
        return body, _replace_header(headers, "Link", f'<{value}>; rel="next"')
    if paging.style == NEXT_TOKEN and paging.header:
        return body, _replace_header(headers, paging.header, value)
    _set(body, paging.at, value)
    return body, headers


def _repeat_past_the_end(stream, req, built, build):
    """A counted listing's position past its end answered with its last page; its counts one page too many."""
    paging = stream.paging
    body, data_path, headers = built
    size = int(req.q.get(paging.size_param) or paging.size) if paging.size_param else paging.size
    if paging.style == PAGE_NUMBER:
        position, step, first = int(req.q.get(paging.param) or paging.first), 1, paging.first
    else:
        position, step, first = int(req.q.get(paging.param) or 0), size, 0
    while position > first and not _get(body, data_path):  # back to the last position that has records
        position -= step
        body, data_path, headers = build(_at(req, paging.param, str(position)))
    if paging.total_at and isinstance(_get(body, paging.total_at), int):
        _set(body, paging.total_at, _get(body, paging.total_at) + size)
    if paging.pages_at and isinstance(_get(body, paging.pages_at), int):
        _set(body, paging.pages_at, _get(body, paging.pages_at) + 1)
    return body, data_path, headers


def apply(stream, req, built, build, faults, private=()):
    """The page `built` ((body, data path, headers) for `req`) as the switches break it; `build(req)` builds another.
    `private`: query parameters that carry credentials, which a link the API writes leaves out."""
    paging = stream.paging
    if paging is None:
        return built
    if paging.style in (PAGE_NUMBER, OFFSET):
        return _repeat_past_the_end(stream, req, built, build) if faults.get("repeat_last_page") else built
    body, data_path, headers = built
    current = _next(paging, body, headers)
    if not current and faults.get("next_link_cycles"):
        if paging.style in (NEXT_LINK, LINK_HEADER):
            current = req.url_without(private)
        elif paging.style == NEXT_TOKEN and req.q.get(paging.param):
            current = req.q[paging.param]
        if current:
            body, headers = _name_next(paging, body, headers, current)
    host = faults.get("foreign_next_host")
    if current and host and paging.style in (NEXT_LINK, LINK_HEADER):
        parts = urlsplit(current)
        body, headers = _name_next(paging, body, headers,
                                   urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)))
    return body, data_path, headers
