"""End-to-end tests of the dev sandbox over real HTTP (127.0.0.1, port 0)."""

import base64
import json
import math
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # sandbox/ is a top-level dev package, not installed
    sys.path.insert(0, str(ROOT))

import sandbox  # noqa: E402

N = 250  # not a multiple of any page size, and large enough for one >1000-item audit trail
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture(scope="module")
def sb():
    with sandbox.start(records=N, seed=7) as s:
        yield s


@pytest.fixture
def fresh():
    with sandbox.start(records=30, seed=3) as s:
        yield s


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


# ---- auth ----------------------------------------------------------------
@pytest.mark.parametrize("profile", sandbox.PROFILES)
def test_token_endpoint_form_basic_json(sb, profile):
    url = f"{sb.url}/{profile}{sandbox.profile(profile).token_path}"
    assert sb.config(profile)["credentials"]["token_url"] == url
    form = requests.post(url, data={"grant_type": "client_credentials", "client_id": sandbox.CLIENT_ID,
                                    "client_secret": sandbox.CLIENT_SECRET})
    basic = requests.post(url, data={"grant_type": "client_credentials"},
                          auth=(sandbox.CLIENT_ID, sandbox.CLIENT_SECRET))
    as_json = requests.post(url, json={"grant_type": "client_credentials", "client_id": sandbox.CLIENT_ID,
                                       "client_secret": sandbox.CLIENT_SECRET})
    tokens = set()
    for r in (form, basic, as_json):
        assert r.status_code == 200
        body = r.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        assert len(body["access_token"]) >= 20 and sandbox.CLIENT_SECRET not in r.text
        tokens.add(body["access_token"])
    assert len(tokens) == 3  # opaque and fresh each time


def test_token_endpoint_rejects_bad_credentials_and_grant(sb):
    url = sb.url + "/payments/token"
    bad = requests.post(url, data={"grant_type": "client_credentials", "client_id": sandbox.CLIENT_ID,
                                   "client_secret": sandbox.CLIENT_SECRET + "x"})
    assert (bad.status_code, bad.json()) == (401, {"error": "invalid_client"})
    missing = requests.post(url, data={"grant_type": "client_credentials"})
    assert (missing.status_code, missing.json()) == (401, {"error": "invalid_client"})
    bad_basic = requests.post(url, data={"grant_type": "client_credentials"}, auth=(sandbox.CLIENT_ID, "nope"))
    assert bad_basic.status_code == 401
    grant = requests.post(url, data={"grant_type": "password", "client_id": sandbox.CLIENT_ID,
                                     "client_secret": sandbox.CLIENT_SECRET})
    assert (grant.status_code, grant.json()) == (400, {"error": "unsupported_grant_type"})


def test_config_shapes(sb):
    cfg = sb.config("accounting")
    assert cfg == {"api": "accounting", "base_url": sb.url + "/accounting",
                   "credentials": {"auth_type": "oauth2_client_credentials", "client_id": sandbox.CLIENT_ID,
                                   "client_secret": sandbox.CLIENT_SECRET,
                                   "token_url": sb.url + "/accounting/connect/token"}}
    assert sb.config("studies", auth="bearer")["credentials"] == {"auth_type": "bearer_token",
                                                                  "access_token": sandbox.BEARER_TOKEN}
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sb.url)
    assert len(sandbox.CLIENT_SECRET) >= 40 and len(sandbox.BEARER_TOKEN) >= 40


def test_data_requires_valid_token(sb):
    url = sb.url + "/tracking/v1/users"
    assert requests.get(url).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {token(sb, 'meetings')}"}).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {token(sb, 'tracking')}"}).status_code == 200
    assert requests.get(url, headers={"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}).status_code == 200
    r = requests.get(url)
    assert "error" in r.json()


def test_expired_token_gets_401():
    with sandbox.start(records=5, token_ttl=0.2) as s:
        tok = token(s, "studies")
        url = s.url + "/studies/v1/user"
        assert requests.get(url, headers={"Authorization": f"Bearer {tok}"}).status_code == 200
        time.sleep(0.3)
        assert requests.get(url, headers={"Authorization": f"Bearer {tok}"}).status_code == 401
        assert requests.get(url, headers={"Authorization": f"Bearer {token(s, 'studies')}"}).status_code == 200


def test_revoke_tokens_and_reject_all(fresh):
    url = fresh.url + "/payments/customers"
    old = token(fresh, "payments")
    assert requests.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 200
    fresh.revoke_tokens()
    assert requests.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 401
    new = token(fresh, "payments")
    assert requests.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 200
    fresh.configure(reject_all_tokens=True)
    assert requests.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}).status_code == 401
    fresh.configure(reject_all_tokens=False)
    assert requests.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 200


# ---- pagination, walked the way each document describes --------------------
MAX_PAGES = 500  # a pagination bug must fail the test, not hang it


def walk_tracking(s, url):
    pages = []
    while url:
        assert len(pages) < MAX_PAGES
        body = s.get(url).json()
        pages.append(body["data"])
        url = body["links"].get("next")
        if url is None:
            assert "next" not in body["links"]
    return pages


def walk_meetings_users(s, base):
    pages, tok = [], ""
    while True:
        assert len(pages) < MAX_PAGES
        body = s.get(base + "/v1/users", params={"page_size": 30, "next_page_token": tok}).json()
        pages.append(body["users"])
        assert body["total_records"] == N and body["page_size"] == 30
        tok = body["next_page_token"]
        if tok == "":
            return pages


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


@pytest.mark.parametrize("path,stream,count", [("/v1/users", "users", N), ("/v1/user-groups", "user_groups", N // 10),
                                               ("/v1/tracker/settings", "tracker_settings", N // 50)])
def test_tracking_cursor_pagination(sb, path, stream, count):
    pages = walk_tracking(session(sb, "tracking"), sb.base_url("tracking") + path)
    assert [len(p) for p in pages] == [min(100, count - k) for k in range(0, count, 100)]
    assert flat(pages) == sb.truth("tracking", stream)
    assert len({r["id"] for r in flat(pages)}) == count


def test_tracking_next_link_uses_client_host(sb):
    s = session(sb, "tracking")
    body = s.get(f"http://localhost:{sb.port}/tracking/v1/users").json()
    assert body["links"]["next"].startswith(f"http://localhost:{sb.port}/tracking/v1/users?")


def test_meetings_users_and_children(sb):
    s = session(sb, "meetings")
    base = sb.base_url("meetings")
    pages = walk_meetings_users(s, base)
    assert [len(p) for p in pages] == [30] * (N // 30) + [N % 30]
    users = flat(pages)
    assert users == sb.truth("meetings", "users")
    meetings, empty = [], 0
    for u in users:
        body = s.get(f"{base}/v1/meetings/{u['id']}").json()
        assert set(body) == {"meetings"}
        assert all(m["host_id"] == u["id"] for m in body["meetings"])
        empty += not body["meetings"]
        meetings += body["meetings"]
    assert meetings == sb.truth("meetings", "meetings")
    assert len({m["id"] for m in meetings}) == len(meetings) and all(isinstance(m["id"], int) for m in meetings)
    assert 0.15 * N < empty < 0.5 * N  # about a third have none
    assert s.get(f"{base}/v1/meetings/no-such-user").status_code == 404
    assert s.get(base + "/v1/users", params={"page_size": 1000}).json()["page_size"] == 300


def test_payments_hal_pagination(sb):
    s = session(sb, "payments")
    base = sb.base_url("payments")
    for path, key, stream, count in [("/customers", "customers", "customers", N), ("/events", "events", "events", N),
                                     ("/exchange-partners", "exchange-partners", "exchange_partners", 5),
                                     ("/business-classifications", "business-classifications",
                                      "business_classifications", 12)]:
        pages = walk_hal(s, base + path, key)
        assert [len(p) for p in pages] == [min(100, count - k) for k in range(0, count, 100)]
        assert flat(pages) == sb.truth("payments", stream)
    last = s.get(base + "/customers", params={"offset": 200}).json()
    assert "next" not in last["_links"] and last["total"] == N and len(last["_embedded"]["customers"]) == 50
    assert len(walk_hal(s, base + "/events?limit=7", "events")) == math.ceil(N / 7)


def test_payments_funding_sources(sb):
    s = session(sb, "payments")
    base = sb.base_url("payments")
    found, empty = [], 0
    for c in sb.truth("payments", "customers"):
        body = s.get(f"{base}/customers/{c['id']}/funding-sources").json()
        assert "next" not in body["_links"]
        rows = body["_embedded"]["funding-sources"]
        assert all(f["_links"]["customer"]["href"].endswith("/customers/" + c["id"]) for f in rows)
        empty += not rows
        found += rows
    assert found == sb.truth("payments", "funding_sources")
    assert 0.15 * N < empty < 0.5 * N
    assert s.get(f"{base}/customers/00000000-0000-4000-8000-000000000000/funding-sources").status_code == 404


def test_accounting_page_numbers():
    with sandbox.start(records=200, seed=5) as s:
        sess = session(s, "accounting")
        for path, key, stream in [("/v1/bank_transactions", "BankTransactions", "bank_transactions"),
                                  ("/v1/contacts", "Contacts", "contacts")]:
            pages = walk_numbered(sess, s.base_url("accounting") + path, lambda b: b[key], 100)
            assert [len(p) for p in pages] == [100, 100, 0]  # multiple of page size: empty page ends it
            assert flat(pages) == s.truth("accounting", stream)
        pages = walk_numbered(sess, s.base_url("accounting") + "/v1/contacts", lambda b: b["Contacts"], 30)
        assert [len(p) for p in pages] == [30] * 6 + [20]
        assert sess.get(s.base_url("accounting") + "/v1/contacts", params={"page": 0}).status_code == 400


def test_no_trailing_page_when_total_is_a_multiple_of_page_size():
    with sandbox.start(records=200, seed=2) as s:
        tracking = walk_tracking(session(s, "tracking"), s.base_url("tracking") + "/v1/users")
        assert [len(p) for p in tracking] == [100, 100]
        payments = walk_hal(session(s, "payments"), s.base_url("payments") + "/customers?limit=50", "customers")
        assert [len(p) for p in payments] == [50] * 4
        body = session(s, "meetings").get(s.base_url("meetings") + "/v1/users", params={"page_size": 200}).json()
        assert len(body["users"]) == 200 and body["next_page_token"] == ""


def test_studies_pagination_and_study_rows(sb):
    s = session(sb, "studies")
    base = sb.base_url("studies")
    users = s.get(base + "/v1/user").json()["_embedded"]["user"]
    assert users == sb.truth("studies", "user") and len(users) == N // 10
    pages = walk_numbered(s, base + "/v1/study", lambda b: b["_embedded"]["study"], 50)
    assert [len(p) for p in pages] == [50] * 5 + [0]
    rows = flat(pages)
    assert rows == sb.truth("studies", "study")
    assert len({r["crf_id"] for r in rows}) == N
    runs = [(k, len(list(g))) for k, g in __import__("itertools").groupby(r["study_id"] for r in rows)]
    assert len({k for k, _ in runs}) == len(runs)  # a study's rows are consecutive
    assert all(1 <= n <= 3 for _, n in runs[:-1]) and max(n for _, n in runs) > 1
    meta = s.get(base + "/v1/study", params={"page": 2, "page_size": 50}).json()["page"]
    assert meta == {"number": 2, "size": 50, "totalElements": N, "totalPages": 5}


def test_studies_audit_trail(sb):
    s = session(sb, "studies")
    base = sb.base_url("studies")
    study_ids = list(dict.fromkeys(r["study_id"] for r in sb.truth("studies", "study")))
    items, empty, multi_page = [], 0, 0
    for sid in study_ids:
        pages = walk_numbered(s, f"{base}/v1/study/{sid}/audit-trail", lambda b: b["items"], 1000)
        multi_page += len(pages) > 1 and len(pages[0]) == 1000
        empty += not flat(pages)
        assert all(i["study_id"] == sid for i in flat(pages))
        items += flat(pages)
    assert items == sb.truth("studies", "audit_trail")
    assert empty > 0 and multi_page >= 1
    assert len({i["uuid"] for i in items}) == len(items)
    times = [i["datetime"] for i in items]
    assert times == sorted(times) and all(TS.match(t) for t in times) and times[0] == "2024-01-01T00:00:00Z"
    assert s.get(f"{base}/v1/study/999999/audit-trail").status_code == 404


def test_incremental_cursors_increase_and_are_formatted(sb):
    for profile, stream, field in [("payments", "events", "created"),
                                   ("accounting", "bank_transactions", "UpdatedDateUTC"),
                                   ("accounting", "contacts", "UpdatedDateUTC")]:
        values = [r[field] for r in sb.truth(profile, stream)]
        assert all(TS.match(v) for v in values)
        assert all(a < b for a, b in zip(values, values[1:])), stream
        assert values[0].startswith("2024-01-01T00:0")


def test_deterministic_per_seed():
    with sandbox.start(records=15, seed=11) as a, sandbox.start(records=15, seed=11) as b, \
            sandbox.start(records=15, seed=12) as c:
        for profile, stream in [("accounting", "contacts"), ("studies", "study"), ("meetings", "meetings")]:
            assert a.truth(profile, stream) == b.truth(profile, stream)
            assert a.truth(profile, stream) != c.truth(profile, stream)


def test_nulls_present_in_records(sb):
    users = sb.truth("tracking", "users")
    assert any(u["last_login_at"] is None for u in users) and any(u["last_login_at"] for u in users)


# ---- faults ---------------------------------------------------------------
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


# ---- advance ----------------------------------------------------------------
def test_advance_appends_later_records(fresh):
    before = {k: fresh.truth(*k) for k in [("payments", "events"), ("accounting", "bank_transactions"),
                                            ("accounting", "contacts"), ("studies", "audit_trail")]}
    fields = {"events": "created", "bank_transactions": "UpdatedDateUTC", "contacts": "UpdatedDateUTC",
              "audit_trail": "datetime"}
    s = session(fresh, "payments")
    first_walk = flat(walk_hal(s, fresh.base_url("payments") + "/events", "events"))
    fresh.advance(4)
    for (profile, stream), old in before.items():
        new = fresh.truth(profile, stream)
        assert len(new) == len(old) + 4, stream
        f = fields[stream]
        added = [r for r in new if r not in old]
        assert len(added) == 4 and min(r[f] for r in added) > max(r[f] for r in old)
    walked = flat(walk_hal(s, fresh.base_url("payments") + "/events", "events"))
    assert walked[:len(first_walk)] == first_walk and len(walked) == len(first_walk) + 4
    assert walked == fresh.truth("payments", "events")
    sess = session(fresh, "studies")
    sid = next(r["study_id"] for r in fresh.truth("studies", "audit_trail") if r not in before[("studies", "audit_trail")])
    served = sess.get(f"{fresh.base_url('studies')}/v1/study/{sid}/audit-trail").json()["items"]
    assert served == [r for r in fresh.truth("studies", "audit_trail") if r["study_id"] == sid]


# ---- stats -----------------------------------------------------------------
def test_stats_counters_and_duplicates(fresh):
    fresh.reset_stats()
    s = session(fresh, "meetings")  # 1 token request
    user = fresh.truth("meetings", "users")[0]["id"]
    s.get(fresh.url + "/meetings/v1/users")
    s.get(fresh.url + "/meetings/v1/users")  # duplicate
    s.get(fresh.url + "/meetings/v1/users?page_size=10")
    s.get(f"{fresh.url}/meetings/v1/meetings/{user}")
    requests.get(fresh.url + "/meetings/v1/users")  # 401, URL already served: duplicate too
    requests.get(fresh.url + "/_sandbox/stats")  # control: not counted
    st = fresh.stats()
    assert st["requests"] == 6 and st["token_requests"] == 1
    assert st["by_status"] == {"200": 5, "401": 1} and st["responses_401"] == 1
    assert st["by_endpoint"] == {"POST /meetings/oauth/token": 1, "GET /meetings/v1/users": 4,
                                 "GET /meetings/v1/meetings/{id}": 1}
    assert st["duplicate_requests"] == 2
    assert requests.get(fresh.url + "/_sandbox/stats").json()["requests"] == 6
    fresh.reset_stats()
    st = fresh.stats()
    assert st["requests"] == 0 and st["duplicate_requests"] == 0 and st["by_endpoint"] == {}


def test_latency_overlaps_and_max_in_flight():
    with sandbox.start(records=5, latency_ms=300) as s:
        h = {"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}
        codes = []
        threads = [threading.Thread(target=lambda k=k: codes.append(
            requests.get(f"{s.url}/studies/v1/study?page={k}", headers=h).status_code)) for k in range(1, 5)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        assert codes == [200] * 4 and 0.3 <= elapsed < 1.0
        assert s.stats()["max_in_flight"] >= 3


# ---- control API, transport, CLI ---------------------------------------------
def test_control_api_over_http(fresh):
    r = requests.post(fresh.url + "/_sandbox/configure", json={"error_rate": 1.0, "max_consecutive_errors": 1})
    assert r.status_code == 200 and r.json()["error_rate"] == 1.0
    h = {"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}
    assert requests.get(fresh.url + "/studies/v1/user", headers=h).status_code >= 500
    assert requests.get(fresh.url + "/studies/v1/user", headers=h).status_code == 200
    assert requests.post(fresh.url + "/_sandbox/configure", json={"bogus": 1}).status_code == 400
    n = len(fresh.truth("payments", "events"))
    assert requests.post(fresh.url + "/_sandbox/advance", json={"n": 3}).status_code == 200
    assert len(fresh.truth("payments", "events")) == n + 3
    tok = token(fresh, "tracking")
    assert requests.post(fresh.url + "/_sandbox/revoke-tokens").status_code == 200
    assert requests.get(fresh.url + "/tracking/v1/users", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
    assert requests.post(fresh.url + "/_sandbox/reset-stats").status_code == 200
    assert requests.get(fresh.url + "/_sandbox/stats").json()["requests"] == 0


def test_connection_close_and_abrupt_clients(fresh):
    r = requests.get(fresh.url + "/studies/v1/user",
                     headers={"Authorization": f"Bearer {sandbox.BEARER_TOKEN}", "Connection": "close"})
    assert r.status_code == 200 and r.headers.get("Connection") == "close"
    for _ in range(3):  # half-sent request, then hang up
        with socket.create_connection(("127.0.0.1", fresh.port)) as c:
            c.sendall(b"GET /studies/v1/user HTTP/1.1\r\nHost: x\r\n")
    with socket.create_connection(("127.0.0.1", fresh.port)) as c:
        c.sendall(b"GET /studies/v1/study?page_size=1000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + sandbox.BEARER_TOKEN.encode() + b"\r\n\r\n")
    assert requests.get(fresh.url + "/studies/v1/user",
                        headers={"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}).status_code == 200


def test_cli_prints_url_and_serves():
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0", "--records", "12", "--seed", "4",
                             "--token-ttl", "60"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", line), line
        body = requests.post(line + "/studies/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(sandbox.CLIENT_ID, sandbox.CLIENT_SECRET)).json()
        assert body["expires_in"] == 60
        rows = requests.get(line + "/studies/v1/study",
                            headers={"Authorization": f"Bearer {body['access_token']}"}).json()["_embedded"]["study"]
        with sandbox.start(records=12, seed=4) as same:
            assert [r["crf_id"] for r in rows] == [r["crf_id"] for r in same.truth("studies", "study")]
            assert rows[0]["name"] == same.truth("studies", "study")[0]["name"]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0 and "Traceback" not in err
    assert sandbox.CLIENT_SECRET not in out + err
