"""Deterministic record generation for the five profiles.

Every record is a pure function of (seed, stream, index), so nothing is
materialised up front: a server with a million records starts instantly and
endpoints build only the slice a page needs. The only mutable state is what
advance() appended, which is itself deterministic (n-th appended record).
"""

import random
import threading

from .ids import day, hval, short_id, short_id_index, ts, uid, uid_index

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Ken", "Dennis",
         "Frances", "John", "Radia", "Tim", "Katherine", "Guido", "Hedy", "Niklaus", "Leslie", "Shafi",
         "Sophie", "Mateo", "Aiko", "Priya", "Olu", "Chen", "Lucía", "Noah", "Fatima", "Ivan"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds", "Thompson",
        "Ritchie", "Allen", "McCarthy", "Perlman", "Berners-Lee", "Johnson", "van Rossum", "Lamarr", "Wirth",
        "Lamport", "Goldwasser", "Müller", "García", "Tanaka", "Sharma", "Adeyemi", "Wang", "O'Neil"]
ASCII = str.maketrans({"í": "i", "ü": "u", "'": "", " ": "", "-": ""})
DOMAINS = ["example.com", "example.org", "example.net", "corp.example.com"]
LANGS = ["en", "en-GB", "de", "fr", "es", "ja", "pt-BR", "it", "nl"]
TIMEZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney",
             "America/Sao_Paulo", "Africa/Lagos", "Asia/Kolkata"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Wayne Enterprises",
             "Hooli", "Vandelay Imports", "Soylent Co", "Tyrell Systems"]
BANKS = ["First Example Bank", "Sandbox Credit Union", "Northwind Savings", "Contoso Bank"]
EXCHANGE_PARTNERS = ["Plaidish", "MXish", "Finicityish", "Flinksish", "Yodleeish"]
BUSINESS_CLASSES = ["Food retail and service", "Manufacturing", "Business to business", "Services - other",
                    "Travel", "Entertainment and media", "Health and personal care", "Education",
                    "Professional services", "Retail", "Non-profit", "Software"]
EVENT_TOPICS = ["customer_created", "customer_verified", "customer_funding_source_added",
                "customer_funding_source_verified", "customer_transfer_created", "customer_transfer_completed",
                "customer_transfer_failed", "customer_suspended"]
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

# stream names per profile; the kind says how truth() enumerates it.
STREAMS = {
    "tracking": {"users": "list", "user_groups": "list", "tracker_settings": "list"},
    "meetings": {"users": "list", "meetings": "child"},
    "payments": {"customers": "list", "funding_sources": "child", "events": "list",
                 "exchange_partners": "list", "business_classifications": "list"},
    "accounting": {"bank_transactions": "list", "contacts": "list"},
    "studies": {"user": "list", "study": "list", "audit_trail": "child"},
}
ALIASES = {"audit_trial": "audit_trail", "user-groups": "user_groups", "exchange-partners": "exchange_partners",
           "business-classifications": "business_classifications", "funding-sources": "funding_sources",
           "audit-trail": "audit_trail"}


def _email(r, first, last, i):
    return f"{first.translate(ASCII)}.{last.translate(ASCII)}{i}@{r.choice(DOMAINS)}".lower()


def _money(r, lo, hi):
    return round(r.uniform(lo, hi), 2)


class Dataset:
    def __init__(self, records, seed, base_url):
        if records < 0:
            raise ValueError("records must be >= 0")
        self.n = int(records)
        self.seed = seed
        self.base_url = base_url
        self.lock = threading.Lock()
        self.epoch = 0  # bumped by advance(); part of every page-cache key
        self.added = {"events": 0, "bank_transactions": 0, "contacts": 0, "audit_trail": 0}
        self.audit_added = {}  # study_id -> [advance sequence numbers]
        self.deleted_share = 0.0  # share of parents deleted after listing (the deleted_parents switch)
        self.chunks = -(-self.n // STUDY_CHUNK)
        # advance() timestamps start after everything generated (and a day's gap).
        self.horizon = (max(self.n * 60, self.chunks * AUDIT_SLOT) // 3600 + 24) * 3600

    # ---- helpers -------------------------------------------------------
    def _rng(self, stream, i):
        return random.Random(f"{self.seed}|{stream}|{i}")

    def _h(self, stream, i):
        return hval(self.seed, stream, i)

    def set_deleted_parents(self, share):
        self.deleted_share = float(share)

    def deleted(self, parent, key):
        """Whether this parent (a stream name and its key) was deleted after it was listed: the parent list still
        shows it, its child endpoint answers 404. A fixed choice per parent, so a retry sees the same."""
        return self.deleted_share > 0 and self._h(f"deleted.{parent}", key) % 10000 < self.deleted_share * 10000

    def _url(self, path):
        return f"{self.base_url}{path}"

    def count(self, key):
        n = self.n
        return {
            "tracking.users": n,
            "tracking.user_groups": max(3, n // 10),
            "tracking.tracker_settings": max(2, n // 50),
            "meetings.users": n,
            "payments.customers": n,
            "payments.events": n + self.added["events"],
            "payments.exchange_partners": len(EXCHANGE_PARTNERS),
            "payments.business_classifications": len(BUSINESS_CLASSES),
            "accounting.bank_transactions": n + self.added["bank_transactions"],
            "accounting.contacts": n + self.added["contacts"],
            "studies.user": max(3, n // 10),
            "studies.study": n,
        }[key]

    def record(self, key, i):
        return getattr(self, "_" + key.replace(".", "_"))(i)

    def records(self, key, start, stop):
        stop = min(stop, self.count(key))
        gen = getattr(self, "_" + key.replace(".", "_"))
        return [gen(i) for i in range(max(0, start), stop)]

    def _incremental_offset(self, stream, i):
        """Cursor offset for index i: strictly increasing, jittered, appended records after horizon."""
        jitter = self._h(stream + ".t", i) % 60
        if i < self.n:
            return i * 60 + jitter
        return self.horizon + (i - self.n) * 60 + jitter

    # ---- tracking ------------------------------------------------------
    def _tracking_users(self, i):
        r = self._rng("tracking.users", i)
        first, last = r.choice(FIRST), r.choice(LAST)
        created = -400 * 86400 + r.randrange(390 * 86400)
        groups = self.count("tracking.user_groups")
        return {
            "id": uid(self.seed, "tracking.users", i),
            "email": _email(r, first, last, i),
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

    # ---- meetings ------------------------------------------------------
    def _meetings_users(self, i):
        r = self._rng("meetings.users", i)
        first, last = r.choice(FIRST), r.choice(LAST)
        created = -700 * 86400 + r.randrange(690 * 86400)
        return {
            "id": short_id(self.seed, "meetings.users", i),
            "email": _email(r, first, last, i),
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

    # ---- payments ------------------------------------------------------
    def customer_id(self, i):
        return uid(self.seed, "payments.customers", i)

    def _payments_customers(self, i):
        r = self._rng("payments.customers", i)
        first, last = r.choice(FIRST), r.choice(LAST)
        ctype = r.choice(["personal", "personal", "business", "receive-only", "unverified"])
        cid = self.customer_id(i)
        href = self._url(f"/payments/customers/{cid}")
        return {
            "id": cid,
            "firstName": first,
            "lastName": last,
            "email": _email(r, first, last, i),
            "type": ctype,
            "status": r.choice(["verified", "verified", "unverified", "suspended", "deactivated"]),
            "created": ts(-600 * 86400 + r.randrange(590 * 86400)),
            "businessName": r.choice(COMPANIES) if ctype == "business" else None,
            "correlationId": f"corr-{i}" if r.random() < 0.3 else None,
            "address1": r.choice(["1 Main St", "42 Example Ave", None]),
            "city": r.choice(["Des Moines", "Springfield", None]),
            "state": r.choice(["IA", "IL", None]),
            "_links": {"self": {"href": href}, "funding-sources": {"href": href + "/funding-sources"}},
        }

    def funding_count(self, i):
        if i == 0:
            return 1 + self._h("payments.fs.n", i) % 2
        if i == 1:
            return 0
        return self._h("payments.fs.n", i) % 3

    def _funding_source(self, i, k):
        r = self._rng("payments.funding_sources", i * 2 + k)
        fid = uid(self.seed, "payments.funding_sources", i * 2 + k)
        kind = "balance" if k == 0 and r.random() < 0.3 else "bank"
        return {
            "id": fid,
            "status": r.choice(["verified", "verified", "unverified"]),
            "type": kind,
            "bankAccountType": r.choice(["checking", "savings"]) if kind == "bank" else None,
            "name": "Balance" if kind == "balance" else f"{r.choice(['Checking', 'Savings'])} - {r.choice(BANKS)}",
            "created": ts(-500 * 86400 + r.randrange(490 * 86400)),
            "removed": False,
            "channels": ["ach"] if kind == "bank" else [],
            "bankName": r.choice(BANKS) if kind == "bank" else None,
            "fingerprint": digest_hex(self.seed, "fp", i * 2 + k) if kind == "bank" else None,
            "_links": {"self": {"href": self._url(f"/payments/funding-sources/{fid}")},
                       "customer": {"href": self._url(f"/payments/customers/{self.customer_id(i)}")}},
        }

    def funding_sources_of(self, customer_id):
        i = uid_index(self.seed, "payments.customers", customer_id)
        if i is None or i >= self.n or self.deleted("payments.customers", i):
            return None
        return [self._funding_source(i, k) for k in range(self.funding_count(i))]

    def _payments_events(self, i):
        r = self._rng("payments.events", i)
        eid = uid(self.seed, "payments.events", i)
        res = self.customer_id(r.randrange(self.n)) if self.n else None
        links = {"self": {"href": self._url(f"/payments/events/{eid}")}}
        if res:
            links["resource"] = {"href": self._url(f"/payments/customers/{res}")}
        return {
            "id": eid,
            "created": ts(self._incremental_offset("payments.events", i)),
            "topic": r.choice(EVENT_TOPICS),
            "resourceId": res,
            "_links": links,
        }

    def _payments_exchange_partners(self, i):
        r = self._rng("payments.exchange_partners", i)
        pid = uid(self.seed, "payments.exchange_partners", i)
        return {
            "id": pid,
            "name": EXCHANGE_PARTNERS[i],
            "status": "active" if i < 4 else "inactive",
            "created": ts(-900 * 86400 + r.randrange(100 * 86400)),
            "_links": {"self": {"href": self._url(f"/payments/exchange-partners/{pid}")}},
        }

    def _payments_business_classifications(self, i):
        r = self._rng("payments.business_classifications", i)
        bid = uid(self.seed, "payments.business_classifications", i)
        return {
            "id": bid,
            "name": BUSINESS_CLASSES[i],
            "_links": {"self": {"href": self._url(f"/payments/business-classifications/{bid}")}},
            "_embedded": {"industry-classifications": [
                {"id": uid(self.seed, "payments.industry", i * 10 + k), "name": f"{BUSINESS_CLASSES[i]} / sub {k + 1}"}
                for k in range(1 + r.randrange(3))]},
        }

    # ---- accounting ----------------------------------------------------
    def contact_id(self, i):
        return uid(self.seed, "accounting.contacts", i)

    def _contact_name(self, i):
        r = self._rng("accounting.contacts", i)
        return r.choice(COMPANIES) + f" {i + 1}"

    def _accounting_bank_transactions(self, i):
        r = self._rng("accounting.bank_transactions", i)
        updated = self._incremental_offset("accounting.bank_transactions", i)
        ci = r.randrange(self.n) if self.n else 0
        lines = []
        for k in range(1 + r.randrange(3)):
            qty = r.choice([1, 1, 2, 5])
            unit = _money(r, 5, 900)
            lines.append({"LineItemID": uid(self.seed, "accounting.lines", i * 4 + k),
                          "Description": r.choice(["Consulting", "Hosting", "Office supplies", "Travel", None]),
                          "Quantity": qty, "UnitAmount": unit, "AccountCode": r.choice(["200", "400", "429"]),
                          "TaxType": r.choice(["OUTPUT", "INPUT", "NONE"]), "LineAmount": round(qty * unit, 2)})
        sub = round(sum(line["LineAmount"] for line in lines), 2)
        tax = round(sub * r.choice([0, 0.1, 0.2]), 2)
        return {
            "BankTransactionID": uid(self.seed, "accounting.bank_transactions", i),
            "Type": r.choice(["RECEIVE", "SPEND", "RECEIVE-TRANSFER", "SPEND-TRANSFER"]),
            "Status": r.choice(["AUTHORISED", "AUTHORISED", "AUTHORISED", "DELETED"]),
            "Contact": {"ContactID": self.contact_id(ci), "Name": self._contact_name(ci)} if self.n else None,
            "BankAccount": {"AccountID": uid(self.seed, "accounting.accounts", i % 3), "Code": f"09{i % 3}",
                            "Name": ["Business Checking", "Savings", "Credit Card"][i % 3]},
            "LineItems": lines,
            "IsReconciled": r.random() < 0.6,
            "Date": day(updated - r.randrange(5 * 86400)),
            "Reference": r.choice([f"INV-{i:06d}", None, ""]),
            "CurrencyCode": r.choice(["USD", "USD", "EUR", "GBP"]),
            "CurrencyRate": r.choice([None, 1.0, round(r.uniform(0.7, 1.4), 4)]),
            "LineAmountTypes": "Exclusive",
            "SubTotal": sub,
            "TotalTax": tax,
            "Total": round(sub + tax, 2),
            "UpdatedDateUTC": ts(updated),
            "HasAttachments": r.random() < 0.1,
        }

    def _accounting_contacts(self, i):
        r = self._rng("accounting.contacts", i)
        name = r.choice(COMPANIES) + f" {i + 1}"  # same draw order as _contact_name
        first, last = r.choice(FIRST), r.choice(LAST)
        return {
            "ContactID": self.contact_id(i),
            "ContactNumber": f"C{i:06d}" if r.random() < 0.5 else None,
            "AccountNumber": None,
            "ContactStatus": r.choice(["ACTIVE", "ACTIVE", "ACTIVE", "ARCHIVED"]),
            "Name": name,
            "FirstName": first,
            "LastName": last,
            "EmailAddress": _email(r, first, last, i) if r.random() > 0.15 else None,
            "Addresses": [{"AddressType": "POBOX", "City": r.choice(["Wellington", "Auckland", ""]),
                           "PostalCode": r.choice(["6011", "1010", ""]), "Country": "NZ"}],
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": r.choice(["555-0100", "", None])}],
            "IsSupplier": r.random() < 0.4,
            "IsCustomer": r.random() < 0.7,
            "DefaultCurrency": r.choice(["USD", "EUR", None]),
            "UpdatedDateUTC": ts(self._incremental_offset("accounting.contacts", i)),
            "HasAttachments": False,
        }

    # ---- studies -------------------------------------------------------
    # 004 types none of the studies API's ids. The sandbox serves them as integers, unless string_ids is set
    # (sandbox.start(string_ids=True)): then user.id, study.crf_id, study.study_id and audit_trail's user_id,
    # study_id and crf_id are uuid-shaped strings, as a real API may send them, and the audit-trail URL takes the
    # string study_id. Internally a study stays its number (sid) either way.
    string_ids = False

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
            "email": _email(r, first, last, i),
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

    # ---- whole-stream views ----------------------------------------------
    def truth(self, profile, stream):
        stream = ALIASES.get(stream, stream)
        if profile not in STREAMS or stream not in STREAMS[profile]:
            raise KeyError(f"unknown stream {profile}.{stream}")
        key = f"{profile}.{stream}"
        if STREAMS[profile][stream] == "list":
            return self.records(key, 0, self.count(key))
        # A deleted parent's children are gone: a sync cannot read them, and must read every other parent's.
        if key == "meetings.meetings":
            return [self._meeting(i, k) for i in range(self.n) if not self.deleted("meetings.users", i)
                    for k in range(self.meetings_count(i))]
        if key == "payments.funding_sources":
            return [self._funding_source(i, k) for i in range(self.n) if not self.deleted("payments.customers", i)
                    for k in range(self.funding_count(i))]
        return [item for sid in self.study_ids() if not self.deleted("studies.study", sid)
                for item in self.audit_items(sid)]

    def advance(self, n):
        """Append n records with later timestamps to every incremental stream."""
        n = int(n)
        if n < 0:
            raise ValueError("n must be >= 0")
        with self.lock:
            for key in ("events", "bank_transactions", "contacts"):
                self.added[key] += n
            if self.chunks:
                for _ in range(n):
                    j = self.added["audit_trail"]
                    # part 0 of a chunk always exists, so any chunk is a valid target
                    sid = (self._h("studies.audit.adv", j) % self.chunks) * STUDY_CHUNK + 1
                    self.audit_added.setdefault(sid, []).append(j)
                    self.added["audit_trail"] += 1
            self.epoch += 1


def digest_hex(seed, stream, i):
    return f"{hval(seed, stream, i):016x}"
