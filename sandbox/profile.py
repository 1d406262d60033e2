"""What the sandbox knows of one API: the shape of a profile module (sandbox/profiles/<name>.py).

A profile module holds everything about its API in one place: its document, token endpoint, streams (route,
identity, cursor, the types the document states, how a page looks), its documented retries, its data and how many
requests a full sync needs at least. Tests, bench, demo and ci/ read these facts from here (or from the connector's
own spec and discover) instead of keeping their own tables, so a new profile is covered by adding its module to
sandbox/profiles/__init__.py.
"""

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

LIST, CHILD = "list", "child"
# How a listing names its next page (Paging.style).
NEXT_LINK, NEXT_TOKEN, PAGE_NUMBER = "link", "token", "page"


@dataclass(frozen=True)
class Paging:
    """How a listing says where its next page is, as its document has it; the paging fault switches (faults.py)
    break exactly that. NEXT_LINK: the next page's absolute URL at `at` in the body; NEXT_TOKEN: an opaque token at
    `at`, sent back as the query parameter `param`; PAGE_NUMBER: the client counts pages in the query parameter
    `param` and asks for `size_param` records a page."""

    style: str
    at: Tuple[str, ...] = ()
    param: Optional[str] = None
    size_param: str = "page_size"


@dataclass(frozen=True)
class Stream:
    name: str
    path: str  # the sandbox's route under the profile's base URL; a {placeholder}: the parent field it takes
    build: Callable  # (dataset, request) -> (envelope, data path): the API's answer to one request
    key: str  # primary key: the API's identity of a record
    cursor: Optional[str] = None  # the document's incremental cursor field
    parent: Optional[str] = None  # for a CHILD stream: the stream whose records fill the path
    first_query: Mapping[str, Any] = field(default_factory=dict)  # the first request's query, documented defaults
    page: Optional[Callable[..., Dict[str, Any]]] = None  # (records, next=None) -> a page's body, for mocks
    documented_types: Mapping[str, str] = field(default_factory=dict)  # field -> JSON type the document states
    record: Optional[Callable] = None  # LIST: (dataset, i) -> the i-th record
    count: Optional[Callable] = None  # LIST: dataset -> records served before any advance()
    truth: Optional[Callable] = None  # CHILD: dataset -> every record a full sync must read
    grows: bool = False  # advance(n) appends n records (incremental streams)
    # An undocumented field holding a documented id: field -> (stream, field) of that id in the same profile.
    references: Mapping[str, Tuple[str, str]] = field(default_factory=dict)
    paging: Optional[Paging] = None  # None: one page, unpaged

    @property
    def kind(self) -> str:
        return CHILD if self.parent else LIST


@dataclass(frozen=True)
class Profile:
    name: str
    document: str  # the API document this module follows (the seeds' file name; the documents are not in the repo)
    token_path: str  # the token endpoint, under the profile's base URL in the sandbox
    # The document's token endpoint, as the connector's default: "{base_url}/..." or an absolute URL.
    default_token_url: str
    # Seconds the document has a client wait before each retry when the API gives no Retry-After; its length is
    # the documented number of retries.
    retry_waits: Tuple[float, ...]
    streams: Tuple[Stream, ...]
    data: type  # mixin of sandbox.data.Dataset generating the records (methods take the dataset as self)
    floor: Callable  # dataset -> (requests per stream, requests on the critical path without the token)
    retries_403: bool = False  # the document retries HTTP 403
    advance: Optional[Callable] = None  # (dataset, n): what advance(n) appends beyond the growing LIST streams
    setup: Optional[Callable] = None  # dataset -> None: state the data mixin needs, set when the dataset is made
    timeline: Optional[Callable] = None  # dataset -> seconds its generated records span, past n minutes
    aliases: Mapping[str, str] = field(default_factory=dict)  # other names of a stream (the document's typos)
    # The standard tests' sample config (make fixtures): "oauth2", or "bearer" for a profile whose document also
    # takes a bearer token, so that the standard suite signs in both ways.
    sample_auth: str = "oauth2"

    def stream(self, name: str) -> Stream:
        for stream in self.streams:
            if stream.name == name:
                return stream
        raise KeyError(f"unknown stream {self.name}.{name}")

    @property
    def first_stream(self) -> Stream:
        """The first top-level stream: enough to drive what every profile shares (auth, retries)."""
        return next(s for s in self.streams if s.kind == LIST)

    def token_url(self, base_url: str) -> str:
        return self.default_token_url.format(base_url=base_url.rstrip("/"))


# ---- how many pages a stream needs, as the connector paginates (bench floors, fault-test sizes) ----
def next_link_pages(total: int, size: int) -> int:
    """Next-link / next-token pagination ends on the page without a next link: ceil(n / size), at least one."""
    return max(1, math.ceil(total / size))


def page_number_pages(total: int, size: int) -> int:
    """Page-number pagination ends on a short page: a total that is a multiple of the size costs an empty page."""
    return total // size + 1


def flat_floor(pages: Mapping[str, int]) -> Tuple[Dict[str, int], int]:
    """Streams without parents run side by side: the longest page chain is the critical path."""
    return dict(pages), max(pages.values())


__all__ = ["LIST", "CHILD", "NEXT_LINK", "NEXT_TOKEN", "PAGE_NUMBER", "Paging", "Stream", "Profile", "next_link_pages",
           "page_number_pages", "flat_floor"]
