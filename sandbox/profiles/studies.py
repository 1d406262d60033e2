"""studies (004): `user` in one unpaged HAL page; `study` rows paged by 1-based `page`/`page_size`; the audit trail
one request per study (`{"items": [...]}`, the document's "audit_trial"); tokens from {base_url}/oauth/token.

004 types none of the ids. The sandbox serves them as integers, unless string_ids is set (sandbox.start(
string_ids=True)): then user.id, study.crf_id, study.study_id and audit_trail's user_id, study_id and crf_id are
uuid-shaped strings, as a real API may send them, and the audit-trail URL takes the string study_id. Internally a
study stays its number (sid) either way.
"""

from ..ids import ts, uid, uid_index
from ..pages import ApiError, int_param
from ..profile import PAGE_NUMBER, Paging, Profile, Stream, page_number_pages
from ..vocab import COMPANIES, FIRST, LAST, email

STUDY_PAGE_SIZE, STUDY_MAX_PAGE_SIZE = 50, 1000
AUDIT_PAGE_SIZE, AUDIT_MAX_PAGE_SIZE = 1000, 1000
AUDIT_ACTIONS = ["create", "update", "delete", "sign", "lock", "unlock", "export", "view"]
PHASES = ["Phase I", "Phase II", "Phase III", "Phase IV", None]

# Study rows come in chunks of 6; each chunk is split into 1-3 row studies.
STUDY_CHUNK = 6
# Seconds of audit timeline reserved per chunk (> the largest chunk's item count),
# so audit datetimes increase globally along (study order, item order).
AUDIT_SLOT = 2100
# Every BIG_EVERY-th chunk (offset BIG_AT) has one study with >1000 audit items.
BIG_EVERY, BIG_AT = 200, 20


def _compositions(total, parts=(1, 2, 3)):
    if total == 0:
        return [()]
    out = []
    for p in parts:
        if p <= total:
            out += [(p,) + rest for rest in _compositions(total - p, parts)]
    return out


COMPOSITIONS = _compositions(STUDY_CHUNK)


def embedded(resource):
    def page(records, next=None, **extra):
        return {"_embedded": {resource: records}, **extra}
    return page


def items_page(records, next=None, **extra):
    return {"items": records, **extra}


def users(ds, req):
    return {"_links": {"self": {"href": req.self_url}}, **embedded("user")(ds.records("studies.user", 0, ds.count(
        "studies.user")))}, ("_embedded", "user")


def study_rows(ds, req):
    page = int_param(req, "page", 1, 1)
    size = int_param(req, "page_size", STUDY_PAGE_SIZE, 1, STUDY_MAX_PAGE_SIZE)
    total = ds.count("studies.study")
    return embedded("study")(ds.records("studies.study", (page - 1) * size, page * size), page={
        "number": page, "size": size, "totalElements": total, "totalPages": -(-total // size)}), ("_embedded", "study")


def audit_trail(ds, req):
    sid = ds.study_number(req.params[0])  # an integer or, with string_ids, a uuid-shaped study_id
    page = int_param(req, "page", 1, 1)
    size = int_param(req, "page_size", AUDIT_PAGE_SIZE, 1, AUDIT_MAX_PAGE_SIZE)
    items = ds.audit_items(sid, (page - 1) * size, page * size) if sid is not None else None
    if items is None:
        raise ApiError(404, {"error": "not_found", "message": f"study {req.params[0]} not found"})
    return items_page(items, page=page, page_size=size, total=ds.audit_count(sid)), ("items",)


class Data:
    string_ids = False

    def init_studies(self):
        self.chunks = -(-self.n // STUDY_CHUNK)
        self.audit_added = {}  # study_id -> [advance sequence numbers]
        self.audit_appended = 0  # audit items advance() appended so far

    def studies_user_id(self, i):
        return uid(self.seed, "studies.user", i) if self.string_ids else 5001 + i

    def crf_id(self, row):
        """The crf_id the API shows for study row `row` (0-based)."""
        return uid(self.seed, "studies.crf", row) if self.string_ids else 700001 + row

    def study_id(self, sid):
        """The study_id the API shows (and its audit-trail URL takes) for study number sid."""
        return uid(self.seed, "studies.study", sid) if self.string_ids else sid

    def study_number(self, study_id):
        """Inverse of study_id() for the id in an audit-trail URL; None when it names no study."""
        if self.string_ids:
            return uid_index(self.seed, "studies.study", study_id)
        return int(study_id) if study_id.isdecimal() else None

    def _studies_user(self, i):
        r = self._rng("studies.user", i)
        first, last = r.choice(FIRST), r.choice(LAST)
        created = -800 * 86400 + r.randrange(790 * 86400)
        return {
            "id": self.studies_user_id(i),
            "email": email(r, first, last, i),
            "first_name": first,
            "last_name": last,
            "role": r.choice(["investigator", "monitor", "data_manager", "admin"]),
            "status": r.choice(["active", "active", "disabled"]),
            "institution": r.choice(COMPANIES + [None]),
            "created_at": ts(created),
            "last_login": ts(created + r.randrange(700 * 86400)) if r.random() > 0.3 else None,
        }

    def _chunk_parts(self, c):
        return COMPOSITIONS[self._h("studies.chunk", c) % len(COMPOSITIONS)]

    def study_of_row(self, i):
        """(study_id, part index, first row) for study row i."""
        c, r = divmod(i, STUDY_CHUNK)
        start = 0
        for p, size in enumerate(self._chunk_parts(c)):
            if r < start + size:
                return c * STUDY_CHUNK + p + 1, p, c * STUDY_CHUNK + start
            start += size
        raise AssertionError("unreachable")

    def study_ids(self):
        """Distinct study ids in row order."""
        for c in range(self.chunks):
            start = 0
            for p, size in enumerate(self._chunk_parts(c)):
                if c * STUDY_CHUNK + start < self.n:
                    yield c * STUDY_CHUNK + p + 1
                start += size

    def study_exists(self, sid):
        if not isinstance(sid, int) or sid < 1:
            return False
        c, p = divmod(sid - 1, STUDY_CHUNK)
        parts = self._chunk_parts(c) if c < self.chunks else ()
        return p < len(parts) and c * STUDY_CHUNK + sum(parts[:p]) < self.n

    def _studies_study(self, i):
        sid, p, first_row = self.study_of_row(i)
        s = self._rng("studies.study.s", sid)  # study-level attributes shared by its rows
        r = self._rng("studies.study", i)
        created = -300 * 86400 + s.randrange(290 * 86400)
        return {
            "crf_id": self.crf_id(i),
            "study_id": self.study_id(sid),
            "name": f"{s.choice(['CARDIO', 'ONCO', 'NEURO', 'DERM', 'IMMUNO'])}-{sid:05d}",
            "status": s.choice(["active", "active", "locked", "completed", "draft"]),
            "protocol_number": f"PRT-{s.randrange(10000):04d}",
            "phase": s.choice(PHASES),
            "sponsor": s.choice(COMPANIES + [None]),
            "crf_name": r.choice(["Demographics", "Vital Signs", "Adverse Events", "Lab Results", "Consent"]),
            "crf_version": r.choice([1, 1, 2, 3]),
            "row_in_study": i - first_row + 1,
            "created_at": ts(created),
            "updated_at": ts(created + r.randrange(200 * 86400)) if r.random() > 0.2 else None,
        }

    def _audit_base_count(self, sid):
        c, p = divmod(sid - 1, STUDY_CHUNK)
        h = self._h("studies.audit.n", sid)
        if c % BIG_EVERY == BIG_AT and p == 0:
            return 1001 + h % 1000
        if c == 0 and p == 0:
            return 1 + h % 8
        if c == 0 and p == len(self._chunk_parts(0)) - 1:  # guarantees a study without audit items
            return 0
        return 0 if h % 4 == 0 else 1 + h % 8

    def audit_count(self, sid):
        return self._audit_base_count(sid) + len(self.audit_added.get(sid, ()))

    def _audit_item(self, sid, k):
        c, p = divmod(sid - 1, STUDY_CHUNK)
        base = self._audit_base_count(sid)
        if k < base:
            before = sum(self._audit_base_count(c * STUDY_CHUNK + q + 1) for q in range(p))
            key = c * AUDIT_SLOT + before + k  # unique, and the item's second on the timeline
            offset = key
        else:
            j = self.audit_added[sid][k - base]
            key = 10 ** 12 + j
            offset = self.horizon + j * 60 + self._h("studies.audit.t", j) % 60
        r = self._rng("studies.audit_trail", key)
        rows = self._chunk_parts(c)[p]
        crf_row = c * STUDY_CHUNK + sum(self._chunk_parts(c)[:p]) + r.randrange(rows)
        action = r.choice(AUDIT_ACTIONS)
        return {
            "uuid": uid(self.seed, "studies.audit_trail", key),
            "datetime": ts(offset),
            "action": action,
            "user_id": self.studies_user_id(r.randrange(self.count("studies.user"))),
            "study_id": self.study_id(sid),
            "crf_id": self.crf_id(crf_row) if crf_row < self.n and r.random() > 0.2 else None,
            "entity": r.choice(["form", "subject", "site", "query"]),
            "details": {"field": r.choice(["AGE", "WEIGHT", "DOSE", "VISIT_DATE"]),
                        "old_value": r.choice([None, "34", "12.5"]), "new_value": r.choice(["35", "13.0", None])}
            if action == "update" else (r.choice(["Form signed", "Record locked", None]) if r.random() < 0.5 else None),
            "ip_address": f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
        }

    def audit_items(self, sid, start=0, stop=None):
        """Items of one study, or None for an unknown study."""
        if not self.study_exists(sid) or self.deleted("studies.study", sid):
            return None
        total = self.audit_count(sid)
        stop = total if stop is None else min(stop, total)
        return [self._audit_item(sid, k) for k in range(max(0, start), stop)]


def all_audit_items(ds):
    return [item for sid in ds.study_ids() if not ds.deleted("studies.study", sid) for item in ds.audit_items(sid)]


def advance(ds, n):
    """Append n audit items, each to some study (part 0 of a chunk always exists, so any chunk is a target)."""
    if ds.chunks:
        for _ in range(n):
            j = ds.audit_appended
            sid = (ds._h("studies.audit.adv", j) % ds.chunks) * STUDY_CHUNK + 1
            ds.audit_added.setdefault(sid, []).append(j)
            ds.audit_appended += 1


def floor(ds):
    study_pages = page_number_pages(ds.count("studies.study"), STUDY_PAGE_SIZE)
    first_row = {}
    for row in range(ds.n):
        first_row.setdefault(ds.study_of_row(row)[0], row)
    audit_pages = {sid: page_number_pages(ds.audit_count(sid), AUDIT_PAGE_SIZE) for sid in first_row}
    pages = {"user": 1, "study": study_pages, "audit_trail": sum(audit_pages.values())}
    # a study's trail can start once the page holding its first row has arrived
    audit_chain = max((row // STUDY_PAGE_SIZE + 1 + audit_pages[sid] for sid, row in first_row.items()), default=0)
    return pages, max(1, study_pages, audit_chain)




PROFILE = Profile(
    name="studies",
    document="004_2038b064d898489c.txt",
    token_path="/oauth/token",
    default_token_url="{base_url}/oauth/token",
    retry_waits=(5, 5, 5, 5, 5),  # a constant 5 s, 5 retries
    streams=(
        Stream("user", "/v1/user", users, key="id", records_at=("_embedded", "user"), page=embedded("user"),
               record=Data._studies_user,
               count=lambda ds: max(3, ds.n // 10)),
        Stream("study", "/v1/study", study_rows, key="crf_id", records_at=("_embedded", "study"),
               first_query={"page": 1, "page_size": STUDY_PAGE_SIZE},
               page=embedded("study"), paging=Paging(PAGE_NUMBER, param="page"), record=Data._studies_study,
               count=lambda ds: ds.n),
        Stream("audit_trail", "/v1/study/{study_id}/audit-trail", audit_trail, key="uuid", records_at=("items",),
               cursor="datetime",
               parent="study", first_query={"page": 1, "page_size": AUDIT_PAGE_SIZE}, page=items_page,
               paging=Paging(PAGE_NUMBER, param="page"),
               truth=all_audit_items),
    ),
    data=Data,
    floor=floor,
    advance=advance,
    setup=Data.init_studies,
    timeline=lambda ds: ds.chunks * AUDIT_SLOT,  # audit items: one second each, a slot per chunk
    aliases={"audit_trial": "audit_trail"},  # 004's spelling
)
