"""Broken pagination, as real APIs have it: what the paging switches (faults.py) do to a listing's page.

Each stream declares how its document pages (profile.Paging); the switches break exactly that:
- next_link_cycles: the last page of a next-link or next-token listing names itself as its next page (a cursor that
  does not advance past the end): its own URL, or the token it was asked with. A last page asked without a token
  (a one-page listing of a next-token API) has no token to name, and ends as usual.
- repeat_last_page: a page-number listing answers any page past the end with its last page again (an API that
  clamps the page number instead of answering an empty page). A client stops at a short last page; one whose
  last page is full asks past the end and meets the repeat.
- foreign_next_host: next links name another host, the path and query unchanged.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .pages import Request
from .profile import NEXT_LINK, NEXT_TOKEN, PAGE_NUMBER

SWITCHES = ("next_link_cycles", "repeat_last_page", "foreign_next_host")


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


def _with_page(req, param, page):
    query = urlencode([(k, page if k == param else v) for k, v in parse_qsl(req.query, keep_blank_values=True)])
    return Request(req.path, query, req.params, req.base)


def apply(stream, req, built, build, faults):
    """The page `built` ((envelope, data_path) for `req`) as the switches break it; `build(req)` builds another."""
    paging = stream.paging
    if paging is None:
        return built
    envelope, data_path = built
    if paging.style == PAGE_NUMBER:
        page = int(req.q.get(paging.param) or 1)
        if faults.get("repeat_last_page") and page > 1 and not _get(envelope, data_path):
            while page > 1 and not _get(envelope, data_path):  # back to the last page that has records
                page -= 1
                envelope, data_path = build(_with_page(req, paging.param, page))
        return envelope, data_path
    current = _get(envelope, paging.at)
    if not current and faults.get("next_link_cycles"):
        if paging.style == NEXT_LINK:
            current = req.self_url
        elif paging.style == NEXT_TOKEN and req.q.get(paging.param):
            current = req.q[paging.param]
        if current:
            _set(envelope, paging.at, current)
    host = faults.get("foreign_next_host")
    if current and host and paging.style == NEXT_LINK:
        parts = urlsplit(current)
        _set(envelope, paging.at, urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)))
    return envelope, data_path
