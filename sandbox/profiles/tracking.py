"""tracking (000): `{"data": [...], "links": {"self", "next"?}}`, the next page's absolute URL in `links.next`
(an opaque cursor), server-chosen page size; tokens from {base_url}/auth/token."""

from ..ids import ts, uid
from ..pages import decode_offset, encode_offset
from ..profile import NEXT_LINK, Paging, Profile, Stream, flat_floor, next_link_pages
from ..vocab import COMPANIES, FIRST, LANGS, LAST, TIMEZONES, email

PAGE_SIZE = 100  # chosen by the server; the document gives clients no page-size parameter
PAGING = Paging(NEXT_LINK, ("links", "next"))


def page(records, next=None, self_url=None):
    links = {"self": self_url} if self_url else {}
    if next:
        links["next"] = next
    return {"data": records, "links": links}


def listing(key):
    def build(ds, req):
        offset = decode_offset(req.q["cursor"], "t", "cursor") if req.q.get("cursor") else 0
        more = offset + PAGE_SIZE < ds.count(key)
        nxt = f"{req.base}{req.path}?cursor={encode_offset(offset + PAGE_SIZE, 't')}" if more else None
        return page(ds.records(key, offset, offset + PAGE_SIZE), nxt, req.self_url), ("data",)
    return build


class Data:
    def _tracking_users(self, i):
        r = self._rng("tracking.users", i)
        first, last = r.choice(FIRST), r.choice(LAST)
        created = -400 * 86400 + r.randrange(390 * 86400)
        groups = self.count("tracking.user_groups")
        return {
            "id": uid(self.seed, "tracking.users", i),
            "email": email(r, first, last, i),
            "language": r.choice(LANGS) if r.random() > 0.1 else None,
            "name": f"{first} {last}",
            "role": r.choice(["owner", "admin", "member", "member", "viewer"]),
            "timezone": r.choice(TIMEZONES),
            "created_at": ts(created),
            "last_login_at": ts(created + r.randrange(300 * 86400)) if r.random() > 0.25 else None,
            "is_active": r.random() > 0.15,
            "group_ids": sorted({f"grp_{r.randrange(groups) + 1:05d}" for _ in range(r.randrange(4))}),
            "preferences": {"theme": r.choice(["light", "dark", None]), "email_notifications": r.random() > 0.3},
        }

    def _tracking_user_groups(self, i):
        r = self._rng("tracking.user_groups", i)
        created = -500 * 86400 + r.randrange(400 * 86400)
        return {
            "id": f"grp_{i + 1:05d}",
            "name": f"{r.choice(COMPANIES)} {r.choice(['Analysts', 'Admins', 'Marketing', 'Engineering', 'Sales'])} {i + 1}",
            "description": r.choice(["Default group", "Created by import", None, None]),
            "member_count": r.randrange(0, 250),
            "is_default": i == 0,
            "created_at": ts(created),
            "updated_at": ts(created + r.randrange(100 * 86400)),
        }

    def _tracking_tracker_settings(self, i):
        r = self._rng("tracking.tracker_settings", i)
        key, values = [("sampling_rate", ["1.0", "0.5", "0.1"]), ("session_timeout", ["1800", "3600"]),
                       ("ip_anonymization", ["true", "false"]), ("cookie_domain", [".example.com", None]),
                       ("track_outbound_links", ["true", "false"])][i % 5]
        return {
            "id": f"set_{i + 1:04d}",
            "key": key if i < 5 else f"{key}_{i // 5}",
            "value": r.choice(values),
            "type": "string",
            "scope": r.choice(["project", "workspace"]),
            "updated_at": ts(-30 * 86400 + r.randrange(29 * 86400)),
            "updated_by": r.choice([None, "system", uid(self.seed, "tracking.users", 0) if self.n else None]),
        }


def floor(ds):
    return flat_floor({s.name: next_link_pages(ds.count(f"tracking.{s.name}"), PAGE_SIZE) for s in PROFILE.streams})


PROFILE = Profile(
    name="tracking",
    document="000_35f1f20fa683dd39.txt",
    token_path="/auth/token",
    default_token_url="{base_url}/auth/token",
    retry_waits=(4, 8, 16),  # exponential, factor 2: 2 * 2^n
    streams=(
        # 000 "# Schema": `id`, `email` and `language`, all strings and nullable.
        Stream("users", "/v1/users", listing("tracking.users"), key="id", records_at=("data",), page=page,
               paging=PAGING,
               record=Data._tracking_users, count=lambda ds: ds.n,
               documented_types={"id": "string", "email": "string", "language": "string"}),
        Stream("user_groups", "/v1/user-groups", listing("tracking.user_groups"), key="id", records_at=("data",),
               page=page, paging=PAGING,
               record=Data._tracking_user_groups, count=lambda ds: max(3, ds.n // 10)),
        Stream("tracker_settings", "/v1/tracker/settings", listing("tracking.tracker_settings"), key="id",
               records_at=("data",), page=page,
               paging=PAGING, record=Data._tracking_tracker_settings, count=lambda ds: max(2, ds.n // 50)),
    ),
    data=Data,
    floor=floor,
)
