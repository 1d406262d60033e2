"""payments (002): HAL pages, records under `_embedded.<hyphenated resource>`, the next page's absolute URL in
`_links.next.href` (offset/limit); funding sources one request per customer; tokens from {base_url}/token."""

from ..ids import hval, ts, uid, uid_index
from ..pages import ApiError, int_param
from ..profile import NEXT_LINK, Paging, Profile, Stream, next_link_pages
from ..vocab import COMPANIES, FIRST, LAST, email

PAGE_SIZE, MAX_PAGE_SIZE = 100, 200
PAGING = Paging(NEXT_LINK, ("_links", "next", "href"))
BANKS = ["First Example Bank", "Sandbox Credit Union", "Northwind Savings", "Contoso Bank"]
EXCHANGE_PARTNERS = ["Plaidish", "MXish", "Finicityish", "Flinksish", "Yodleeish"]
BUSINESS_CLASSES = ["Food retail and service", "Manufacturing", "Business to business", "Services - other",
                    "Travel", "Entertainment and media", "Health and personal care", "Education",
                    "Professional services", "Retail", "Non-profit", "Software"]
EVENT_TOPICS = ["customer_created", "customer_verified", "customer_funding_source_added",
                "customer_funding_source_verified", "customer_transfer_created", "customer_transfer_completed",
                "customer_transfer_failed", "customer_suspended"]


def hal(resource):
    """The page of one HAL resource (`customers`, `funding-sources`, ...)."""
    def page(records, next=None, self_url=None, total=None):
        links = {"self": {"href": self_url or f"https://api.example.com/{resource}"}}
        if next:
            links["next"] = {"href": next}
        return {"_links": links, "_embedded": {resource: records}, "total": len(records) if total is None else total}
    return page


def _hal_page(req, resource, total, slicer):
    limit = int_param(req, "limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    offset = int_param(req, "offset", 0, 0)
    nxt = f"{req.base}{req.path}?offset={offset + limit}&limit={limit}" if offset + limit < total else None
    return hal(resource)(slicer(offset, offset + limit), nxt, req.self_url, total), ("_embedded", resource)


def listing(key, resource):
    def build(ds, req):
        return _hal_page(req, resource, ds.count(key), lambda a, b: ds.records(key, a, b))
    return build


def funding_sources(ds, req):
    sources = ds.funding_sources_of(req.params[0])
    if sources is None:
        raise ApiError(404, {"code": "NotFound", "message": "Customer not found."})
    return _hal_page(req, "funding-sources", len(sources), lambda a, b: sources[a:b])


def digest_hex(seed, stream, i):
    return f"{hval(seed, stream, i):016x}"


class Data:
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
            "email": email(r, first, last, i),
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


def all_funding_sources(ds):
    return [ds._funding_source(i, k) for i in range(ds.n) if not ds.deleted("payments.customers", i)
            for k in range(ds.funding_count(i))]


def floor(ds):
    pages = {s.name: next_link_pages(ds.count(f"payments.{s.name}"), PAGE_SIZE)
             for s in PROFILE.streams if s.kind == "list"}
    # at most two funding sources per customer: one page each, once the page listing the customer has arrived
    pages["funding_sources"] = sum(next_link_pages(ds.funding_count(i), PAGE_SIZE) for i in range(ds.n))
    chains = [pages["customers"] + (1 if ds.n else 0)] + [v for k, v in pages.items()
                                                           if k not in ("customers", "funding_sources")]
    return pages, max(chains)


def _stream(name, resource, record, count, **extra):
    return Stream(name, f"/{resource}", listing(f"payments.{name}", resource), key="id", page=hal(resource),
                  records_at=("_embedded", resource),
                  paging=PAGING, record=record, count=count, **extra)


PROFILE = Profile(
    name="payments",
    document="002_230763abde2f3bf8.txt",
    token_path="/token",
    default_token_url="{base_url}/token",
    retry_waits=(4, 8, 16),  # exponential, factor 2
    streams=(
        _stream("customers", "customers", Data._payments_customers, lambda ds: ds.n),
        Stream("funding_sources", "/customers/{id}/funding-sources", funding_sources, key="id",
               records_at=("_embedded", "funding-sources"), parent="customers",
               page=hal("funding-sources"), paging=PAGING, truth=all_funding_sources),
        _stream("events", "events", Data._payments_events, lambda ds: ds.n, cursor="created", grows=True),
        _stream("exchange_partners", "exchange-partners", Data._payments_exchange_partners,
                lambda ds: len(EXCHANGE_PARTNERS)),
        _stream("business_classifications", "business-classifications", Data._payments_business_classifications,
                lambda ds: len(BUSINESS_CLASSES)),
    ),
    data=Data,
    floor=floor,
)
