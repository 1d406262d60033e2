"""One listing of a stream as its API pages it, whatever its paging style: page n's request, and page n with its
next page, from the stream's registry entry (sandbox's profile.Paging), signed with the profile's first kind of
credentials. A child stream's listing is the children of one parent record, which its parent's (one) page lists.
The paging tests drive every stream of every profile through it, so a new profile's streams are covered by its
traits alone."""

from typing import Any, Dict, List, Mapping, Optional

import requests

from sandbox.profile import LINK_HEADER, NEXT_LINK, NEXT_TOKEN, OFFSET, PAGE_NUMBER
from unit_tests.builders import base_url_of, config, first_query, given_credentials, keyed, page, profile, request
from unit_tests.harness import read_streams, record_ids

COUNTED = (OFFSET, PAGE_NUMBER)  # the client counts its position
LINKED = (NEXT_LINK, LINK_HEADER)  # the API names the next page's URL


class Listing:
    """Page n's request (`request(n)`) and answer (`serve(n, records, ...)`) of one stream's listing."""

    STYLES = (NEXT_LINK, LINK_HEADER, NEXT_TOKEN, OFFSET, PAGE_NUMBER)  # the paging styles it speaks

    @staticmethod
    def counts_pages(stream) -> bool:
        """The API says in each page how many records or pages the listing has."""
        return bool(stream.paging and (stream.paging.total_at or stream.paging.pages_at))

    def __init__(self, http_mocker, api: str, stream, **settings: Any) -> None:
        self.http_mocker, self.api, self.stream = http_mocker, api, stream
        self.config = config(api, **settings)
        self._requests: Dict[int, Any] = {}  # the mocker counts the calls of a request by the object it was given
        given_credentials(http_mocker, self.config)
        self.path = stream.path
        if stream.parent:  # one parent, listed on its stream's one page
            parent = profile(api).stream(stream.parent)
            [record] = keyed(parent, ["p1"])
            record[stream.parent_field] = "p1"
            http_mocker.get(request(api, parent.path, first_query(parent), self.config),
                            page(api, parent.name, [self._with_cursor(parent, record)], total=1, pages=1))
            self.path = stream.path.format(**{stream.placeholder: "p1"})

    @property
    def paging(self):
        return self.stream.paging

    @property
    def size(self) -> int:
        """Records a full page holds: what the first request asks for, or the server's own page size."""
        paging = self.paging
        return int(self.stream.first_query.get(paging.size_param) or paging.size) if paging.size_param else paging.size

    @property
    def counted(self) -> bool:
        return self.paging.style in COUNTED

    @property
    def counts(self) -> bool:
        return self.counts_pages(self.stream)

    def query(self, n: int) -> Dict[str, Any]:
        paging, first = self.paging, first_query(self.stream)  # a server-side filter's start on every page
        if paging.style == PAGE_NUMBER:
            return {**first, paging.param: paging.first + n - 1}
        if n == 1:
            return first
        if paging.style == OFFSET:
            return {**first, paging.param: (n - 1) * self.size}
        return {**first, (paging.param or "cursor"): f"cursor-{n}"}

    def request(self, n: int):
        if n not in self._requests:
            self._requests[n] = request(self.api, self.path, self.query(n), self.config)
        return self._requests[n]

    def url(self, n: int) -> str:
        """Page n's URL, as the API writes it in a next link (without any credential)."""
        base = f"{base_url_of(self.api, self.config)}/{self.path.lstrip('/')}"
        return requests.Request("GET", base, params=self.query(n)).prepare().url

    def next_of(self, n: int) -> Any:
        """What page n-1 names to get to page n: its URL (next links) or its token (next tokens)."""
        if self.paging.style == NEXT_TOKEN:
            return f"cursor-{n}" if n > 1 else ""
        return self.url(n)

    def serve(self, n: int, records: List[Dict[str, Any]], next_page: Optional[int] = None, next_value=None,
              total: Optional[int] = None) -> None:
        """Page n once; asked again, an empty last page, so that a connector that loops fails the test, not hangs.
        `total`: the listing's records, for an API that counts them (or its pages) in each page."""
        value = next_value if next_value is not None else (self.next_of(next_page) if next_page else None)
        pages = None if total is None else -(-total // self.size)
        self.http_mocker.get(self.request(n), [
            page(self.api, self.stream.name, records, value, total=total, pages=pages),
            page(self.api, self.stream.name, [], total=total, pages=pages),
        ])

    def records(self, first: int, count: int) -> List[Dict[str, Any]]:
        return [self._with_cursor(self.stream, r) for r in keyed(self.stream, [f"r{i}" for i in range(first,
                                                                                                    first + count)])]

    @staticmethod
    def _with_cursor(stream, record: Dict[str, Any]) -> Dict[str, Any]:
        """A record of an incremental stream carries its cursor: the client-side filter reads it."""
        return {**record, stream.cursor: "2024-01-01T00:00:00Z"} if stream.cursor else record

    def ids(self, first: int, count: int) -> List[Any]:
        return [self.stream.key_of(record) for record in self.records(first, count)]

    def read(self, **settings: Any):
        output = read_streams({**self.config, **settings}, [self.stream.name], expect_failure=True)
        return output, [self.stream.key_of(record) for record in _records(output, self.stream.name)]


def _records(output, stream: str) -> List[Mapping[str, Any]]:
    return [m.record.data for m in output.records if m.record.stream == stream]


__all__ = ["Listing", "COUNTED", "LINKED", "record_ids"]
