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
