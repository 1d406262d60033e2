"""meetings (001) as the sandbox serves it: users by next_page_token, meetings per user."""

import sandbox
from sandbox.tests.support import N, MAX_PAGES, session, flat


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


def test_no_trailing_page_when_total_is_a_multiple_of_page_size():
    with sandbox.start(records=200, seed=2) as s:
        body = session(s, "meetings").get(s.base_url("meetings") + "/v1/users", params={"page_size": 200}).json()
        assert len(body["users"]) == 200 and body["next_page_token"] == ""
