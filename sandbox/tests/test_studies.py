"""studies (004) as the sandbox serves it: one user page, numbered study pages, an audit trail per study."""

from sandbox.tests.support import N, TS, session, walk_numbered, flat


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
