"""tracking (000) as the sandbox serves it: cursor pages by links.next."""

import pytest

import sandbox
from sandbox.tests.support import N, MAX_PAGES, session, flat


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


def test_no_trailing_page_when_total_is_a_multiple_of_page_size():
    with sandbox.start(records=200, seed=2) as s:
        tracking = walk_tracking(session(s, "tracking"), s.base_url("tracking") + "/v1/users")
        assert [len(p) for p in tracking] == [100, 100]


def test_nulls_present_in_records(sb):
    users = sb.truth("tracking", "users")
    assert any(u["last_login_at"] is None for u in users) and any(u["last_login_at"] for u in users)
