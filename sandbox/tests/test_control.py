"""Stats, latency, the control API over HTTP and the transport."""

import socket
import threading
import time

import requests

import sandbox
from sandbox.tests.support import token, session


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
