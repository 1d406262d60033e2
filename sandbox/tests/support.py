"""Talking to a running sandbox the way a client of each document does."""

import re

import requests

import sandbox

N = 250  # not a multiple of any page size, and large enough for one >1000-item audit trail
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MAX_PAGES = 500  # a pagination bug must fail the test, not hang it


def token(sb, profile):
    r = requests.post(sb.config(profile)["credentials"]["token_url"],
                      data={"grant_type": "client_credentials", "client_id": sandbox.CLIENT_ID,
                            "client_secret": sandbox.CLIENT_SECRET})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def signed(sb, profile, kind, wrong=False):
    """A session signing in to the profile's API with the sandbox's credentials of `kind`, where a client of that
    kind puts them (an API key where the profile's document says; a kind the profile does not take, where such an
    API would); `wrong`: the same with a secret the sandbox does not know."""
    p, s = sandbox.profile(profile), requests.Session()
    bad = "x" if wrong else ""
    if kind == sandbox.OAUTH2:
        s.headers["Authorization"] = f"Bearer {token(sb, profile) + bad if p.takes(kind) else 'sbx_not-issued'}"
    elif kind == sandbox.BEARER:
        s.headers["Authorization"] = f"Bearer {sandbox.BEARER_TOKEN}{bad}"
    elif kind == sandbox.API_KEY:
        if p.api_key_param:
            s.params = {p.api_key_param: sandbox.auth.API_KEY + bad}
        else:
            s.headers[p.api_key_header or "X-Api-Key"] = sandbox.auth.API_KEY + bad
    else:
        s.headers["Authorization"] = sandbox.auth.basic_value(password=sandbox.auth.BASIC_PASSWORD + bad)
    return s


def session(sb, profile):
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token(sb, profile)}"
    return s


def walk_hal(s, url, key):
    pages = []
    while url:
        assert len(pages) < MAX_PAGES
        body = s.get(url).json()
        pages.append(body["_embedded"][key])
        nxt = body["_links"].get("next")
        url = nxt["href"] if nxt else None
    return pages


def walk_numbered(s, url, select, size, params=None):
    pages, page = [], 1
    while True:
        assert len(pages) < MAX_PAGES
        records = select(s.get(url, params={**(params or {}), "page": page, "page_size": size}).json())
        pages.append(records)
        if len(records) < size:
            return pages
        page += 1


def flat(pages):
    return [r for p in pages for r in p]


def records_of(stream, body):
    """The records of a page of the stream, wherever its traits put them."""
    if stream.single:
        return [body]
    for key in stream.records_at if stream.records_at is not None else ():
        body = body.get(key) if isinstance(body, dict) else None
    return body or []


def _at(body, path):
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def walk(session, url, stream, limit=MAX_PAGES):
    """Reads a listing as a client that follows its paging style does: [(URL asked, records)] in order, at most
    `limit` pages. A counted listing ends at the count its body gives, or without one at a short page."""
    paging, pages = stream.paging, []
    size = stream.first_query.get(paging.size_param) if paging and paging.size_param else None
    size = int(size or (paging.size if paging else 0))
    params = dict(stream.first_query)
    while len(pages) < limit:
        response = session.get(url, params=params)
        assert response.status_code == 200, (response.status_code, response.text[:200])
        body = response.json()
        records = records_of(stream, body)
        pages.append((response.url, records))
        if paging is None:
            return pages
        if paging.style in ("link", "link_header"):
            url = response.links.get("next", {}).get("url") if paging.style == "link_header" else _at(body, paging.at)
            params = {}
            if not url:
                return pages
        elif paging.style == "token":
            token = response.headers.get(paging.header) if paging.header else _at(body, paging.at)
            if not token:
                return pages
            params = {**stream.first_query, paging.param: token}
        else:
            counted = len(pages) * size
            total = _at(body, paging.total_at) if paging.total_at else None
            page_count = _at(body, paging.pages_at) if paging.pages_at else None
            if total is not None or page_count is not None:
                if (total is not None and counted >= total) or (page_count is not None and len(pages) >= page_count):
                    return pages
            elif len(records) < size:
                return pages
            position = counted if paging.style == "offset" else paging.first + len(pages)
            params = {**stream.first_query, paging.param: position}
    return pages
