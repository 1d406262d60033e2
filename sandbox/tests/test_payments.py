"""payments (002) as the sandbox serves it: HAL pages, funding sources per customer."""

import math

import sandbox
from sandbox.tests.support import N, session, walk_hal, flat


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


def test_no_trailing_page_when_total_is_a_multiple_of_page_size():
    with sandbox.start(records=200, seed=2) as s:
        payments = walk_hal(session(s, "payments"), s.base_url("payments") + "/customers?limit=50", "customers")
        assert [len(p) for p in payments] == [50] * 4
