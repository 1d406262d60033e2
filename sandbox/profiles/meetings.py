"""meetings (001): users paged by `page_size` + `next_page_token` ("" on the last page); one request per user for
their meetings (`{"meetings": [...]}`, unpaged); tokens from {base_url}/oauth/token."""

from ..ids import short_id, short_id_index, ts, uid
from ..pages import ApiError, decode_offset, encode_offset, int_param
from ..profile import NEXT_TOKEN, Paging, Profile, Stream, next_link_pages
from ..vocab import FIRST, LANGS, LAST, TIMEZONES, email

PAGE_SIZE, MAX_PAGE_SIZE = 30, 300


def users_page(records, next="", page_size=PAGE_SIZE, total=None):
    return {"page_size": page_size, "total_records": len(records) if total is None else total,
            "next_page_token": next or "", "users": records}


def meetings_page(records, next=None):
    return {"meetings": records}


def users(ds, req):
    size = int_param(req, "page_size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    token = req.q.get("next_page_token")
    offset = decode_offset(token, "m", "next_page_token") if token else 0
    total = ds.count("meetings.users")
    nxt = encode_offset(offset + size, "m") if offset + size < total else ""
    return users_page(ds.records("meetings.users", offset, offset + size), nxt, size, total), ("users",)


def meetings_of_user(ds, req):
    meetings = ds.meetings_of(req.params[0])
    if meetings is None:
        raise ApiError(404, {"code": 1001, "message": "User does not exist: " + req.params[0]})
    return meetings_page(meetings), ("meetings",)


class Data:
    def _meetings_users(self, i):
        r = self._rng("meetings.users", i)
        first, last = r.choice(FIRST), r.choice(LAST)
        created = -700 * 86400 + r.randrange(690 * 86400)
        return {
            "id": short_id(self.seed, "meetings.users", i),
            "email": email(r, first, last, i),
            "first_name": first,
            "last_name": last,
            "display_name": f"{first} {last}",
            "type": r.choice([1, 2, 2, 2]),
            "status": r.choice(["active", "active", "active", "inactive", "pending"]),
            "created_at": ts(created),
            "user_created_at": ts(created),
            "last_login_time": ts(created + r.randrange(600 * 86400)) if r.random() > 0.2 else None,
            "last_client_version": r.choice(["5.17.11.3835(mac)", "5.16.2.2201(win)", None]),
            "timezone": r.choice(TIMEZONES),
            "dept": r.choice(["Engineering", "Sales", "Support", None, None]),
            "pmi": 1000000000 + self._h("meetings.pmi", i) % 8999999999,
            "verified": r.choice([0, 1]),
            "language": r.choice(LANGS),
            "role_id": str(r.choice([0, 1, 2])),
            "group_ids": [],
        }

    def meetings_count(self, i):
        if i == 0:
            return 1 + self._h("meetings.n", i) % 3
        if i == 1:  # guarantees a parent without children even at tiny N
            return 0
        h = self._h("meetings.n", i) % 9
        return 0 if h < 3 else 1 + h % 3

    def _meeting(self, i, k):
        r = self._rng("meetings.meetings", i * 4 + k)
        start = -30 * 86400 + r.randrange(120 * 86400)
        mid = 81_000_000_000 + i * 4 + k
        return {
            "id": mid,
            "uuid": uid(self.seed, "meetings.uuid", i * 4 + k),
            "host_id": short_id(self.seed, "meetings.users", i),
            "topic": r.choice(["Weekly sync", "Sprint planning", "1:1", "Customer call", "All hands", "Retro"])
            + f" #{k + 1}",
            "type": r.choice([2, 2, 8]),
            "start_time": ts(start),
            "duration": r.choice([15, 30, 30, 45, 60, 90]),
            "timezone": r.choice(TIMEZONES),
            "created_at": ts(start - r.randrange(1, 20 * 86400)),
            "status": r.choice(["waiting", "started", "finished"]),
            "agenda": r.choice(["", None, "Review metrics"]),
            "join_url": f"https://meet.example.com/j/{mid}",
            "pmi": None,
        }

    def meetings_of(self, user_id):
        i = short_id_index(self.seed, "meetings.users", user_id)
        if i is None or i >= self.n or self.deleted("meetings.users", i):
            return None
        return [self._meeting(i, k) for k in range(self.meetings_count(i))]


def all_meetings(ds):
    # A deleted parent's children are gone: a sync cannot read them, and must read every other parent's.
    return [ds._meeting(i, k) for i in range(ds.n) if not ds.deleted("meetings.users", i)
            for k in range(ds.meetings_count(i))]


def floor(ds):
    users_pages = next_link_pages(ds.count("meetings.users"), PAGE_SIZE)
    # one request per user, users without meetings included; a user's request waits for the page listing it
    return {"users": users_pages, "meetings": ds.n}, users_pages + (1 if ds.n else 0)


PROFILE = Profile(
    name="meetings",
    document="001_8c724107ca6d2b06.txt",
    token_path="/oauth/token",
    default_token_url="{base_url}/oauth/token",
    retry_waits=(4, 8, 16),  # exponential, factor 2
    streams=(
        # 001 "## Schema": the Users and Meetings fields.
        Stream("users", "/v1/users", users, key="id", records_at=("users",), first_query={"page_size": PAGE_SIZE},
               page=users_page,
               paging=Paging(NEXT_TOKEN, ("next_page_token",), "next_page_token"),
               record=Data._meetings_users, count=lambda ds: ds.n,
               documented_types={"id": "string", "email": "string", "first_name": "string", "last_name": "string",
                                 "status": "string", "created_at": "string"}),
        Stream("meetings", "/v1/meetings/{id}", meetings_of_user, key="id", records_at=("meetings",), parent="users",
               page=meetings_page,
               truth=all_meetings,
               documented_types={"id": "number", "topic": "string", "start_time": "string", "duration": "number",
                                 "status": "string"},
               references={"host_id": ("users", "id")}),  # the user the meetings were listed for
    ),
    data=Data,
    floor=floor,
)
