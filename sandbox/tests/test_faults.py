"""Fault switches: rate limits, injected errors, corrupt bodies."""

import json
from collections import Counter

import pytest
import requests

import sandbox


def test_rate_limit_gives_429_with_retry_after():
    with sandbox.start(records=5, rate_limit=5) as s:
        h = {"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}
        responses = [requests.get(s.url + "/payments/customers", headers=h) for _ in range(20)]
        codes = Counter(r.status_code for r in responses)
        assert codes[429] >= 10 and 1 <= codes[200] <= 7
        limited = next(r for r in responses if r.status_code == 429)
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.json() == {"error": "rate limit exceeded"}
        assert s.stats()["responses_429"] == codes[429]
        s.configure(rate_limit=None)
        assert requests.get(s.url + "/payments/customers", headers=h).status_code == 200


def test_error_rate_never_fails_a_url_more_than_max_consecutive():
    with sandbox.start(records=5, error_rate=1.0, error_retry_after=0) as s:
        h = {"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}
        url = s.url + "/accounting/v1/contacts?page=1"
        codes = [requests.get(url, headers=h) for _ in range(6)]
        assert [r.status_code in (500, 502, 503, 504) for r in codes] == [True, True, False] * 2
        assert codes[2].json()["Contacts"] == s.truth("accounting", "contacts")
        assert codes[0].headers["Retry-After"] == "0" and "error" in codes[0].json()
        assert s.stats()["responses_5xx"] == 4
        s.configure(max_consecutive_errors=0)
        assert requests.get(url, headers=h).status_code == 200
        s.configure(error_rate=0.0, max_consecutive_errors=2)
        assert requests.get(url, headers=h).status_code == 200


def test_error_rate_fraction_is_roughly_honoured():
    with sandbox.start(records=5, error_rate=0.3, max_consecutive_errors=100) as s:
        h = {"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}
        codes = [requests.get(f"{s.url}/tracking/v1/users?x={k}", headers=h).status_code for k in range(200)]
        assert 30 <= sum(c >= 500 for c in codes) <= 90


def test_corrupt_switch(fresh):
    h = {"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}
    fresh.configure(corrupt={"/payments/events": "not_json", "/tracking/v1/users": "missing_key",
                             "/accounting/v1/contacts": "wrong_shape"})
    r = requests.get(fresh.url + "/payments/events", headers=h)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.text)
    body = requests.get(fresh.url + "/tracking/v1/users", headers=h).json()
    assert "data" not in body and "links" in body
    contacts = requests.get(fresh.url + "/accounting/v1/contacts", headers=h).json()["Contacts"]
    assert contacts and not any(isinstance(c, dict) for c in contacts)
    ok = requests.get(fresh.url + "/payments/customers", headers=h).json()  # other paths untouched
    assert ok["_embedded"]["customers"] == fresh.truth("payments", "customers")
    fresh.configure(corrupt={})
    assert requests.get(fresh.url + "/payments/events", headers=h).json()["_embedded"]["events"]


def test_bad_switch_rejected(fresh):
    with pytest.raises(ValueError):
        fresh.configure(error_rate=2)
    with pytest.raises(ValueError):
        fresh.configure(no_such_switch=1)
    with pytest.raises(ValueError):
        fresh.configure(corrupt={"/x": "melt"})
