"""What the sandbox knows of one API: the shape of a profile module (sandbox/profiles/<name>.py).

A profile module holds everything about its API in one place: its document, how a client signs in, its streams
(route, identity, cursor, the types the document states, how a page looks and where the next one is), its documented
retries, its data and how many requests a full sync needs at least. Tests, bench, demo and ci/ read these facts from
here (or from the connector's own spec and discover) instead of keeping their own tables, so a new profile is covered
by adding its module to sandbox/profiles/__init__.py.

An API is described by its traits, each a choice the document makes; the sandbox's core serves every choice, so a
new API's module declares its traits and generates its records, and writes no pagination, envelope or sign-in of
its own (sandbox/listing.py serves a stream that gives no `build`):

| trait | where | the choices |
|---|---|---|
| authentication | Profile.auth (+ token_path, default_token_url, api_key_header / api_key_param) | OAUTH2, BEARER, API_KEY (a header or a query parameter), BASIC |
| where the next page is | Stream.paging (Paging.style) | NEXT_LINK (a URL in the body), LINK_HEADER (RFC 8288), NEXT_TOKEN (in the body or a header), OFFSET, PAGE_NUMBER (each with or without a total or a page count); None: one page |
| the body | Stream.records_at, Stream.single | the records at a path, a top-level array (`()`), one object that is the record |
| identity | Stream.key | one field, or a tuple of fields |
| base URL | Profile.base_url, Stream.path | its own host, with or without a path; paths with or without a leading slash |
| incremental | Stream.cursor, Stream.since_param | on a cursor field; the server filtering by a "since" parameter |
| children | Stream.parent, Stream.children, Stream.parent_key | one request per parent record, the parent's field in the path; 404 for a deleted parent |
| retries | Profile.retry_waits, Profile.server_errors, Profile.retries_403 | the document's codes and waits per retry |
"""

import math
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

LIST, CHILD = "list", "child"
# How a listing names its next page (Paging.style).
NEXT_LINK, LINK_HEADER, NEXT_TOKEN, OFFSET, PAGE_NUMBER = "link", "link_header", "token", "offset", "page"
PAGING_STYLES = (NEXT_LINK, LINK_HEADER, NEXT_TOKEN, OFFSET, PAGE_NUMBER)
# How a client signs its requests (Profile.auth): OAuth2 client credentials (a token from the token endpoint, sent as
# a bearer token), a static bearer token, an API key (in the header Profile.api_key_header or the query parameter
# Profile.api_key_param), HTTP basic.
OAUTH2, BEARER, API_KEY, BASIC = "oauth2", "bearer", "api_key", "basic"
AUTH_KINDS = (OAUTH2, BEARER, API_KEY, BASIC)


@dataclass(frozen=True)
class Paging:
    """How a listing says where its next page is, as its document has it; the paging fault switches (faults.py)
    break exactly that.

    NEXT_LINK: the next page's absolute URL at `at` in the body, absent on the last page. LINK_HEADER: the next
    page's URL in an RFC 8288 `Link` header (rel="next"). NEXT_TOKEN: an opaque token at `at` in the body (or in
    the response header `header`), empty or absent on the last page, sent back as the query parameter `param`.
    OFFSET: the client counts records in the query parameter `param` from 0. PAGE_NUMBER: the client counts pages in
    the query parameter `param` from `first`. Every style takes `size_param` records a page (the server's `size`
    when the client names none, at most `max_size`); a short page ends an OFFSET or PAGE_NUMBER listing unless the
    body counts the records (`total_at`) or the pages (`pages_at`).
    """

    style: str
    at: Tuple[str, ...] = ()
    param: Optional[str] = None
    size_param: Optional[str] = "page_size"
    header: Optional[str] = None
    size: int = 100
    max_size: int = 1000
    total_at: Tuple[str, ...] = ()
    pages_at: Tuple[str, ...] = ()
    first: int = 1

    def __post_init__(self) -> None:
        if self.style not in PAGING_STYLES:
            raise ValueError(f"Paging style {self.style!r}: one of {PAGING_STYLES}")
        if self.style in (OFFSET, PAGE_NUMBER, NEXT_TOKEN) and not self.param:
            raise ValueError(f"Paging({self.style!r}) needs the query parameter it counts in: param=...")
        if self.style == NEXT_TOKEN and not (self.at or self.header):
            raise ValueError("Paging(NEXT_TOKEN) needs where the token is: at=(body keys) or header=...")
        if self.style == NEXT_LINK and not self.at:
            raise ValueError("Paging(NEXT_LINK) needs where the link is in the body: at=(keys)")


Key = Union[str, Tuple[str, ...]]


def key_fields(key: Key) -> Tuple[str, ...]:
    """The fields of a primary key: ("id",) or a composite key's fields."""
    return (key,) if isinstance(key, str) else tuple(key)


def key_of(record: Mapping[str, Any], key: Key) -> Any:
    """A record's identity: its key field's value, or the tuple of a composite key's values."""
    fields = key_fields(key)
    return record[fields[0]] if len(fields) == 1 else tuple(record[name] for name in fields)


@dataclass(frozen=True)
class Stream:
    name: str
    path: str  # the route under the profile's base URL, as the document writes it; a {placeholder}: see parent_key
    # (dataset, request) -> (envelope, data path[, headers]): the API's answer to one request, for a stream whose
    # pages the generic listing (sandbox/listing.py) does not serve. None: served from the traits below.
    build: Optional[Callable] = None
    key: Key = "id"  # primary key: the API's identity of a record, one field or a tuple of fields
    cursor: Optional[str] = None  # the document's incremental cursor field
    parent: Optional[str] = None  # for a CHILD stream: the stream whose records fill the path
    first_query: Mapping[str, Any] = field(default_factory=dict)  # the first request's query, documented defaults
    # (records, next=None) -> a page's body, for mocks; None: rendered from the traits (listing.render)
    page: Optional[Callable[..., Dict[str, Any]]] = None
    documented_types: Mapping[str, str] = field(default_factory=dict)  # field -> JSON type the document states
    record: Optional[Callable] = None  # LIST: (dataset, i) -> the i-th record
    count: Optional[Callable] = None  # LIST: dataset -> records served before any advance()
    truth: Optional[Callable] = None  # CHILD: dataset -> every record a full sync must read (None: from `children`)
    grows: bool = False  # advance(n) appends n records (incremental streams)
    # An undocumented field holding a documented id: field -> (stream, field) of that id in the same profile.
    references: Mapping[str, Tuple[str, str]] = field(default_factory=dict)
    paging: Optional[Paging] = None  # None: one page, unpaged
    # The body (generic listing): the records at these keys, () for a body that is a JSON array of them.
    records_at: Optional[Tuple[str, ...]] = None
    single: bool = False  # the body is one JSON object, the stream's one record (a LIST stream counting 1)
    # The query parameter by which the server filters on `cursor` (records whose cursor is at or after its value).
    since_param: Optional[str] = None
    # CHILD (generic listing): (dataset, the parent field's value from the path) -> its records; None answers 404 (a
    # parent that does not exist, or was deleted after it was listed: Dataset.deleted).
    children: Optional[Callable] = None
    # CHILD: the parent record's field whose value fills the path's {placeholder}, when the document names them
    # apart (`/tickets/{ticket_id}/comments` filled with a ticket's `id`); None: the placeholder's own name.
    parent_key: Optional[str] = None

    @property
    def kind(self) -> str:
        return CHILD if self.parent else LIST

    @property
    def key_fields(self) -> Tuple[str, ...]:
        return key_fields(self.key)

    def key_of(self, record: Mapping[str, Any]) -> Any:
        return key_of(record, self.key)

    @property
    def placeholder(self) -> Optional[str]:
        """The {placeholder} of a CHILD's path."""
        if "{" not in self.path:
            return None
        return self.path.split("{", 1)[1].split("}", 1)[0]

    @property
    def parent_field(self) -> Optional[str]:
        """The parent record's field whose value fills a CHILD's path: `parent_key`, else the placeholder's name."""
        return self.parent_key or self.placeholder


@dataclass(frozen=True)
class Profile:
    name: str
    document: str  # the API document this module follows (the seeds' file name; the documents are not in the repo)
    # Seconds the document has a client wait before each retry when the API gives no Retry-After; its length is
    # the documented number of retries.
    retry_waits: Tuple[float, ...]
    streams: Tuple[Stream, ...]
    data: type  # mixin of sandbox.data.Dataset generating the records (methods take the dataset as self)
    # dataset -> (requests per stream, requests on the critical path without the token); None: from the traits
    # (listing.floor), which counts what a client that stops where the listing says it ends needs.
    floor: Optional[Callable] = None
    # How a client signs in, the kinds the document takes (the first is the sample config's, see sample_auth).
    auth: Tuple[str, ...] = (OAUTH2, BEARER)
    token_path: Optional[str] = None  # OAUTH2: the token endpoint, under the profile's base URL in the sandbox
    # OAUTH2: the document's token endpoint, as the connector's default: "{base_url}/..." or an absolute URL.
    default_token_url: Optional[str] = None
    api_key_header: Optional[str] = None  # API_KEY: the header it goes in ("X-Api-Key") ...
    api_key_param: Optional[str] = None  # ... or the query parameter
    # The document's base URL (its client's base_url): the connector's default for the profile. The sandbox serves the
    # API under its path (base_path), on the sandbox's own host.
    base_url: str = "https://api.example.com"
    retries_403: bool = False  # the document retries HTTP 403
    # The server errors the document retries (the sandbox's error_rate switch answers these, and only these).
    server_errors: Tuple[int, ...] = (500, 502, 503, 504)
    advance: Optional[Callable] = None  # (dataset, n): what advance(n) appends beyond the growing LIST streams
    setup: Optional[Callable] = None  # dataset -> None: state the data mixin needs, set when the dataset is made
    timeline: Optional[Callable] = None  # dataset -> seconds its generated records span, past n minutes
    aliases: Mapping[str, str] = field(default_factory=dict)  # other names of a stream (the document's typos)
    # The standard tests' sample config (make fixtures): one of `auth`, the first unless set; accounting's document
    # takes a bearer token too, so the standard suite signs in both ways.
    sample_auth: Optional[str] = None

    def __post_init__(self) -> None:
        unknown = [kind for kind in self.auth if kind not in AUTH_KINDS]
        if not self.auth or unknown:
            raise ValueError(f"{self.name}: auth is one or more of {AUTH_KINDS}, got {self.auth!r}")
        if OAUTH2 in self.auth and not (self.token_path and self.default_token_url):
            raise ValueError(f"{self.name}: an OAUTH2 profile names its token_path and default_token_url")
        if API_KEY in self.auth and bool(self.api_key_header) == bool(self.api_key_param):
            raise ValueError(f"{self.name}: an API_KEY profile names its api_key_header or its api_key_param")
        if self.sample_auth is not None and self.sample_auth not in self.auth:
            raise ValueError(f"{self.name}: sample_auth {self.sample_auth!r} is not one of its auth {self.auth}")
        if self.floor is None:
            from .listing import floor  # the traits' floor (listing imports this module)

            object.__setattr__(self, "floor", lambda ds: floor(self, ds))

    def stream(self, name: str) -> Stream:
        for stream in self.streams:
            if stream.name == name:
                return stream
        raise KeyError(f"unknown stream {self.name}.{name}")

    @property
    def first_stream(self) -> Stream:
        """The first top-level stream: enough to drive what every profile shares (auth, retries)."""
        return next(s for s in self.streams if s.kind == LIST)

    @property
    def base_path(self) -> str:
        """The path of the document's base URL ("/api/v2"), "" for a bare host."""
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def sample(self) -> str:
        """The auth kind of the profile's sample config and of the tests' default config."""
        return self.sample_auth or self.auth[0]

    def takes(self, kind: str) -> bool:
        return kind in self.auth

    def token_url(self, base_url: str) -> str:
        if self.default_token_url is None:
            raise ValueError(f"{self.name} takes no OAuth2 client credentials")
        return self.default_token_url.format(base_url=base_url.rstrip("/"))


def join(base: str, path: str) -> str:
    """A base URL (or path) and a path the document may write with or without a leading slash."""
    return base.rstrip("/") + "/" + path.lstrip("/") if path else base


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


__all__ = ["LIST", "CHILD", "NEXT_LINK", "LINK_HEADER", "NEXT_TOKEN", "OFFSET", "PAGE_NUMBER", "PAGING_STYLES", "OAUTH2",
           "BEARER", "API_KEY", "BASIC", "AUTH_KINDS", "Paging", "Stream", "Profile", "key_fields", "key_of", "join",
           "next_link_pages", "page_number_pages", "flat_floor"]
