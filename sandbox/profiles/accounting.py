"""accounting (003): 1-based `page` and `page_size`, records under a capitalised key (`BankTransactions`,
`Contacts`), a short or empty page is the last; tokens from its own identity host."""

import math

from ..ids import hval, day, ts, uid
from ..pages import int_param
from ..profile import PAGE_NUMBER, Paging, Profile, Stream, flat_floor, page_number_pages
from ..vocab import COMPANIES, FIRST, LAST, email, money

PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000


def envelope(resource):
    def page(records, next=None, **extra):
        return {"Status": "OK", **extra, resource: records}
    return page


def listing(key, resource):
    def build(ds, req):
        page = int_param(req, "page", 1, 1)
        size = int_param(req, "page_size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
        total = ds.count(key)
        return envelope(resource)(
            ds.records(key, (page - 1) * size, page * size),
            Id=uid(ds.seed, "accounting.response", hval(ds.seed, key, f"{page}|{size}|{total}") & 0xFFFFFFFF),
            ProviderName="Analytics Sandbox",
            pagination={"page": page, "pageSize": size, "pageCount": math.ceil(total / size), "itemCount": total},
        ), (resource,)
    return build


class Data:
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
            unit = money(r, 5, 900)
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
            "EmailAddress": email(r, first, last, i) if r.random() > 0.15 else None,
            "Addresses": [{"AddressType": "POBOX", "City": r.choice(["Wellington", "Auckland", ""]),
                           "PostalCode": r.choice(["6011", "1010", ""]), "Country": "NZ"}],
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": r.choice(["555-0100", "", None])}],
            "IsSupplier": r.random() < 0.4,
            "IsCustomer": r.random() < 0.7,
            "DefaultCurrency": r.choice(["USD", "EUR", None]),
            "UpdatedDateUTC": ts(self._incremental_offset("accounting.contacts", i)),
            "HasAttachments": False,
        }


def floor(ds):
    return flat_floor({s.name: page_number_pages(ds.count(f"accounting.{s.name}"), PAGE_SIZE)
                       for s in PROFILE.streams})


FIRST_QUERY = {"page": 1, "page_size": PAGE_SIZE}
PAGING = Paging(PAGE_NUMBER, param="page")

PROFILE = Profile(
    name="accounting",
    document="003_bd6b24b885e29f46.txt",
    token_path="/connect/token",
    # 003: the identity server is its own host, whatever the API's base URL.
    default_token_url="https://identity.example.com/connect/token",
    retry_waits=(30, 30, 30),  # a constant 30 s
    retries_403=True,
    streams=(
        Stream("bank_transactions", "/v1/bank_transactions", listing("accounting.bank_transactions", "BankTransactions"),
               key="BankTransactionID", records_at=("BankTransactions",), cursor="UpdatedDateUTC",
               first_query=FIRST_QUERY,
               page=envelope("BankTransactions"), paging=PAGING, record=Data._accounting_bank_transactions,
               count=lambda ds: ds.n, grows=True),
        Stream("contacts", "/v1/contacts", listing("accounting.contacts", "Contacts"), key="ContactID",
               records_at=("Contacts",),
               cursor="UpdatedDateUTC", first_query=FIRST_QUERY, page=envelope("Contacts"), paging=PAGING,
               record=Data._accounting_contacts, count=lambda ds: ds.n, grows=True),
    ),
    data=Data,
    floor=floor,
    sample_auth="bearer",  # 003 takes a bearer token too: the standard suite signs in with one here
)
