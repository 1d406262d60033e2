"""What a sync of each profile must request at least, and its critical path, computed from the sandbox's data.

Pagination follows the API documents as the connector does: next-link/next-token pagination ends on the page
without a next link (ceil(n / size) pages, at least one); page-number pagination ends on a short page, so a total
that is a multiple of the page size costs one more, empty, page (n // size + 1). A child request can start as soon
as the page holding its parent has arrived, so the critical path is the token, then the longest chain of parent
pages followed by the child's own pages. Every figure counts requests; times the latency it is the floor.
"""

import math
from dataclasses import dataclass
from typing import Dict

import sandbox


@dataclass
class Floor:
    pages: Dict[str, int]  # stream -> data requests it needs at least
    chain: int  # requests on the critical path, the token request included

    @property
    def min_data_requests(self) -> int:
        return sum(self.pages.values())


def _next_link_pages(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


def _page_number_pages(total: int, size: int) -> int:
    return total // size + 1


def floor(profile: str, data) -> Floor:
    """data: the running sandbox's Dataset (sandbox.Sandbox.data)."""
    n = data.n
    if profile == "tracking":
        pages = {
            "users": _next_link_pages(data.count("tracking.users"), sandbox.TRACKING_PAGE_SIZE),
            "user_groups": _next_link_pages(data.count("tracking.user_groups"), sandbox.TRACKING_PAGE_SIZE),
            "tracker_settings": _next_link_pages(data.count("tracking.tracker_settings"), sandbox.TRACKING_PAGE_SIZE),
        }
        return Floor(pages, 1 + max(pages.values()))
    if profile == "meetings":
        users = _next_link_pages(data.count("meetings.users"), sandbox.MEETINGS_PAGE_SIZE)
        pages = {"users": users, "meetings": n}  # one request per user, users without meetings included
        return Floor(pages, 1 + users + (1 if n else 0))
    if profile == "payments":
        customers = _next_link_pages(data.count("payments.customers"), sandbox.PAYMENTS_PAGE_SIZE)
        pages = {
            "customers": customers,
            # at most two funding sources per customer: one page each
            "funding_sources": sum(_next_link_pages(data.funding_count(i), sandbox.PAYMENTS_PAGE_SIZE)
                                   for i in range(n)),
            "events": _next_link_pages(data.count("payments.events"), sandbox.PAYMENTS_PAGE_SIZE),
            "exchange_partners": _next_link_pages(data.count("payments.exchange_partners"),
                                                  sandbox.PAYMENTS_PAGE_SIZE),
            "business_classifications": _next_link_pages(data.count("payments.business_classifications"),
                                                          sandbox.PAYMENTS_PAGE_SIZE),
        }
        chains = [customers + (1 if n else 0), pages["events"], pages["exchange_partners"],
                  pages["business_classifications"]]
        return Floor(pages, 1 + max(chains))
    if profile == "accounting":
        pages = {
            "bank_transactions": _page_number_pages(data.count("accounting.bank_transactions"),
                                                    sandbox.ACCOUNTING_PAGE_SIZE),
            "contacts": _page_number_pages(data.count("accounting.contacts"), sandbox.ACCOUNTING_PAGE_SIZE),
        }
        return Floor(pages, 1 + max(pages.values()))
    if profile == "studies":
        study_pages = _page_number_pages(data.count("studies.study"), sandbox.STUDY_PAGE_SIZE)
        first_row = {}
        for row in range(n):
            first_row.setdefault(data.study_of_row(row)[0], row)
        audit_pages = {sid: _page_number_pages(data.audit_count(sid), sandbox.AUDIT_PAGE_SIZE) for sid in first_row}
        pages = {"user": 1, "study": study_pages, "audit_trail": sum(audit_pages.values())}
        # a study's trail can start once the page holding its first row has arrived
        audit_chain = max((row // sandbox.STUDY_PAGE_SIZE + 1 + audit_pages[sid] for sid, row in first_row.items()),
                          default=0)
        return Floor(pages, 1 + max(1, study_pages, audit_chain))
    raise ValueError(f"unknown profile {profile!r}")
