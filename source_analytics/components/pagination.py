"""Pagination that never loops and never takes the credentials to another host."""

import threading
from dataclasses import InitVar, dataclass
from typing import Any, Collection, Mapping, Optional, Set, Tuple
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.interpolation.interpolated_boolean import InterpolatedBoolean
from airbyte_cdk.sources.declarative.requesters.paginators.paginator import (
    page_size_override_kwargs,
    stream_slice_kwargs,
)
from airbyte_cdk.sources.declarative.requesters.paginators.strategies.pagination_strategy import PaginationStrategy
from airbyte_cdk.sources.types import Config, Record, StreamSlice
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized_url(url: str, secrets: Collection[str] = ()) -> Tuple[str, str, Optional[int], str,
                                                                     Tuple[Tuple[str, str], ...]]:
    """The parts that name a page: scheme and host in lower case, the port spelled out, the query in order and
    without empty parameters (`?cursor=` is the URL without a cursor), nor a parameter holding one of `secrets` (an
    API key the connector adds to every request it sends, where the API's own links name none)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = tuple(sorted(pair for pair in parse_qsl(parts.query) if pair[1] not in secrets))
    return (scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme), parts.path or "/", query)


def credential_values(config: Mapping[str, Any]) -> Set[str]:
    """The values of the config's credentials (all but their kind): what a request may carry to sign in."""
    credentials = config.get("credentials")
    if not isinstance(credentials, Mapping):
        return set()
    return {value for key, value in credentials.items() if key != "auth_type" and isinstance(value, str) and value}


Host = Tuple[str, Optional[int]]  # a host name and its port; None: the default port of the URL's scheme


def host_of(url: str) -> Host:
    """A URL's host and port (None: its scheme's default port)."""
    parts = urlsplit(url)
    port = parts.port
    return (parts.hostname or "").lower(), None if port == _DEFAULT_PORTS.get(parts.scheme.lower()) else port


def api_hosts(config: Mapping[str, Any]) -> Set[Host]:
    """The hosts the connector sends credentials to: base_url's, the token URL's, and `additional_hosts` (each
    `host` or `host:port`; a host without a port is that host on the default ports)."""
    urls = [config.get("base_url") or "", (config.get("credentials") or {}).get("token_url") or ""]
    hosts = {host_of(url) for url in urls if url}
    hosts.update(host_of(f"https://{str(host).strip()}") for host in config.get("additional_hosts") or ())
    return {host for host in hosts if host[0]}


def _decoded(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


def named_host(host: Host) -> str:
    """`host` or `host:port`, as additional_hosts takes it."""
    return host[0] if host[1] is None else f"{host[0]}:{host[1]}"


@dataclass
class PaginationGuard(PaginationStrategy):
    """The manifest's own pagination strategy, stopping a stream whose API sends it back to a page it has read, or
    to a host that must not see the credentials.

    Repeats. The CDK follows every next page a strategy names and has no memory of where it has been: an API whose
    cursor does not advance (a next link to the page just read, or to one before it; a next token already sent)
    is read forever, every record written again each time. Per partition, this remembers each URL requested and
    each token sent, and a next page among them stops the stream with a system error naming the stream and the
    URL, before the page is asked again: the records before it were read once.

    A URL names a page without the credentials the connector adds to every request (an API key in the query, which
    the API's own next links leave out, and the HTTP cache too): the same page, asked with the key or linked to
    without it, is one page.

    Where the line is. A next link or token is the API's own word for a position in the listing: two pages with
    the same records but different next links are two positions (an API may well list the same records twice),
    and are both read. Only a position already visited is a loop. A page-number API gives no position of its own
    (the connector counts the pages), so content is the only evidence there: KeyPathExtractor refuses a numbered
    page whose records are exactly those of an earlier page of the same listing.

    Hosts. A next link is followed with the stream's credentials attached; one that names a host other than
    base_url's, the token URL's or one of `additional_hosts` (an API page, proxy or compromised upstream writing a
    foreign URL), another port included, stops the stream with a config error naming the host, before anything is
    sent there. So does a next link that would take the credentials from https to plain http. A relative link
    (`/v1/users?cursor=2`, `//host/...`) is judged as the URL it resolves to. `next_page_is_link` says the strategy's
    token is a URL (the paginator's RequestPath); an opaque token is only checked for repeats.

    One strategy serves every partition of a stream, several at once, each read from start to end by one thread;
    what a partition has visited is kept per thread and starts anew with a partition's first page.

    Where a counted listing ends. The CDK's OffsetIncrement and PageIncrement end a listing at its first short page
    only; a document whose body (or headers) counts the records or the pages ends it at that count, one request
    sooner, and a listing that clamps a position past its end to its last page is then never asked past it.
    `stop_condition` says that count: interpolated like CursorPagination's, with `response` (the decoded body),
    `headers` (`link` parsed), `last_page_size`, `page_size` and `last_page_token_value`, the position just read
    (None for a first request that names none), e.g. `{{ (last_page_token_value or 0) + last_page_size >=
    response.total }}` for an offset listing with a total.
    """

    pagination_strategy: PaginationStrategy
    config: Config
    parameters: InitVar[Mapping[str, Any]]
    next_page_is_link: bool = False
    stop_condition: Optional[str] = None

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._stop = InterpolatedBoolean(condition=self.stop_condition, parameters=parameters) \
            if self.stop_condition else None
        self._stream = parameters.get("name", "")
        self._hosts = api_hosts(self.config)
        self._secrets = credential_values(self.config)
        self._https = urlsplit(self.config.get("base_url") or "").scheme.lower() == "https"
        self._visited = threading.local()

    @property
    def initial_token(self) -> Optional[Any]:
        return self.pagination_strategy.initial_token

    def get_page_size(self) -> Optional[int]:
        return self.pagination_strategy.get_page_size()

    def next_page_token(
        self,
        response: requests.Response,
        last_page_size: int,
        last_record: Optional[Record],
        last_page_token_value: Optional[Any],
        page_size_override: Optional[int] = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> Optional[Any]:
        urls, tokens = self._partition(stream_slice, last_page_token_value)
        requested = getattr(getattr(response, "request", None), "url", None) or ""
        if requested:
            urls.add(normalized_url(requested, self._secrets))
        if last_page_token_value is not None:
            tokens.add(last_page_token_value)
        if self._stop is not None and self._stop.eval(
            self.config,
            response=_decoded(response),
            headers={**response.headers, "link": response.links},
            last_page_size=last_page_size,
            page_size=page_size_override or self.get_page_size(),
            last_page_token_value=last_page_token_value,
        ):
            return None
        token = self.pagination_strategy.next_page_token(
            response=response,
            last_page_size=last_page_size,
            last_record=last_record,
            last_page_token_value=last_page_token_value,
            **page_size_override_kwargs(page_size_override),
            **stream_slice_kwargs(self.pagination_strategy.next_page_token, stream_slice),
        )
        if token is None or token == "":
            return token
        link = urljoin(requested, str(token)) if self.next_page_is_link else None
        if token in tokens or (link is not None and normalized_url(link, self._secrets) in urls):
            raise self._repeat(link or f"the next page token {token!r}", requested)
        if link is not None:
            self._refuse_foreign(link, requested)
        return token

    def _partition(self, stream_slice: Optional[StreamSlice], token: Optional[Any]) -> Tuple[set, set]:
        """The URLs requested and tokens sent in this thread's partition; new ones at the partition's first page."""
        visited = getattr(self._visited, "partition", None)
        if visited is None or token == self.initial_token or (
            visited[0] is not stream_slice and visited[0] != stream_slice
        ):
            visited = (stream_slice, set(), set())
            self._visited.partition = visited
        return visited[1], visited[2]

    def _repeat(self, target: str, requested: str) -> AirbyteTracedException:
        message = (
            f"Stream '{self._stream}': the API's next page is one already read ({target}, named by the page at "
            f"{requested}): the API's pagination is broken; the records before it were read once. Report it to the "
            "API provider; the stream's other records cannot be read until it is fixed."
        )
        return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.system_error)

    def _refuse_foreign(self, link: str, requested: str) -> None:
        parts = urlsplit(link)
        host = host_of(link)
        if host not in self._hosts:
            allowed = ", ".join(sorted(named_host(h) for h in self._hosts))
            message = (
                f"Stream '{self._stream}': the API's next page is on another host, {named_host(host)} "
                f"({link.split('?')[0]}, named by the page at {requested.split('?')[0]}); it was not requested, as "
                f"it would have received the credentials, which go only to {allowed}. If the API really serves its "
                f"pages from {named_host(host)}, add it to additional_hosts."
            )
            raise AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)
        if self._https and parts.scheme.lower() == "http":
            message = (
                f"Stream '{self._stream}': the API's next page {link.split('?')[0]} is on plain http where base_url "
                "is https; it was not requested, as the credentials would have travelled unencrypted. Report it to "
                "the API provider."
            )
            raise AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.system_error)

