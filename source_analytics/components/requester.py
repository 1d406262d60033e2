"""The HTTP requester of every stream: the CDK's, with configurable timeouts and a transport that paces requests."""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Mapping, Optional, Set
from urllib.parse import urlsplit

import requests
import urllib3
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.requesters.http_requester import HttpRequester
from airbyte_cdk.sources.streams.http.http_client import MAX_CONNECTION_POOL_SIZE
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.pacing import AdaptivePacer, pacer_for
from source_analytics.components.pages import BrokenPage, answer_problem, broken_page_message, selector_path

logger = logging.getLogger("airbyte")

# Hosts that have answered at least once in this process (any HTTP status).
_reached: Set[str] = set()
_reached_lock = threading.Lock()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def mark_reached(url: str) -> None:
    with _reached_lock:
        _reached.add(origin(url))


def was_reached(url: str) -> bool:
    with _reached_lock:
        return origin(url) in _reached


def cannot_connect(error: BaseException) -> Optional[str]:
    """Why no connection could be made at all (refused, unresolvable, unreachable, connect timeout), or None for
    errors on a connection that was made (reset, read timeout), which are transient."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "the connection timed out"
    if not isinstance(error, requests.exceptions.ConnectionError):
        return None
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if not isinstance(reason, urllib3.exceptions.NewConnectionError):
        return None
    if "Temporary failure in name resolution" in str(reason):
        return None  # the resolver, not the name: transient
    text = str(reason)
    marker = "Failed to establish a new connection: "
    return text.split(marker, 1)[1] if marker in text else text


def unreachable_error(url: str, why: str, setting: str = "base_url") -> AirbyteTracedException:
    message = (
        f"Could not connect to {origin(url)} ({why}). Check {setting}, and that the API can be reached from where "
        "the connector runs."
    )
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)


class ApiTransport(requests.adapters.HTTPAdapter):
    """The transport under every data request (below the CDK's retries and HTTP cache, so a cached page costs
    nothing): paces requests through the API host's AdaptivePacer, waits out 429s, and reports a host that cannot
    be reached as a config error.

    429s: the pacer holds every thread for the Retry-After the API asks and the request is sent again here, so a
    rate limit, which is the API asking to wait and not an error, does not spend the few retries the documents give
    for errors (5xx, 401). A request still rate limited after `patience` seconds of waiting, or answered with a
    Retry-After of `max_wait` or more (a daily quota), goes up to the CDK, whose documented retries and wait cap
    then apply.

    Tokens: a request is given its token when the CDK prepares it, before any wait; after waiting here the
    authenticator is applied again, so a request never goes out with a token that expired while it waited.

    Unreachable: the CDK retries a refused connection like a 5xx, with the document's backoff (up to 90 s for
    accounting) before saying anything. A host that has never answered in this process and refuses, cannot be
    resolved or does not connect is a wrong base_url, said at once. Once the host has answered, the same errors are
    transient and keep their retries.

    Broken pages: a 200 that is not a page of the stream's records (`page`: its data selector's keys; pages.py) is
    raised as BrokenPage here, under the HTTP cache, so a parent's maintenance page is never cached and answered
    again from there to the retry that the error handler makes of it.
    """

    def __init__(self, patience: float, max_wait: float, pacer: Optional[AdaptivePacer] = None,
                 authenticator: Optional[Callable[[requests.PreparedRequest], Any]] = None,
                 page: Optional[List[str]] = None, stream: str = "") -> None:
        super().__init__(pool_connections=MAX_CONNECTION_POOL_SIZE, pool_maxsize=MAX_CONNECTION_POOL_SIZE)
        self._patience = patience
        self._max_wait = max_wait
        self._pacer = pacer
        self._authenticator = authenticator
        self._page = page
        self._stream = stream

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        pacer = self._pacer or pacer_for(origin(request.url or ""))
        deadline = time.monotonic() + self._patience
        while True:
            sent_at = pacer.acquire()
            try:
                if self._authenticator is not None:
                    # The request got its token before it waited (here, and in the CDK's request budget); a
                    # short-lived token may have expired since, or been renewed by another thread: send the current.
                    self._authenticator(request)
                response = super().send(request, **kwargs)
            except requests.exceptions.RequestException as error:
                pacer.release(sent_at, None)
                why = cannot_connect(error)
                if why and not was_reached(request.url or ""):
                    raise unreachable_error(request.url or "", why) from error
                raise
            except BaseException:
                pacer.release(sent_at, None)
                raise
            mark_reached(request.url or "")
            wait = pacer.release(sent_at, response)
            if wait is None or wait >= self._max_wait or time.monotonic() + wait > deadline:
                if self._page and response.status_code == 200:
                    problem = answer_problem(response, self._page)
                    if problem is not None:
                        message = broken_page_message(self._stream, request.url or "", problem)
                        raise BrokenPage(message, request=request, response=response)
                return response
            if pacer.last_cut_by == sent_at:  # this answer set the pace
                rate = pacer.rate
                logger.info(
                    f"The API answered HTTP 429 (rate limited): waiting {wait:.0f} s as it asks, then pacing requests "
                    f"to {rate:.1f}/s." if rate else f"The API answered HTTP 429 (rate limited): waiting {wait:.0f} s."
                )
            response.content  # read the short body, so the connection goes back to the pool
            response.close()


@dataclass
class AnalyticsHttpRequester(HttpRequester):
    """HttpRequester whose timeouts may come from the config, with ApiTransport under its requests.

    Timeouts: the CDK sends requests with no timeout unless the requester sets one, and takes the setting as a
    number only; here it may be interpolated, so `connect_timeout_seconds` / `read_timeout_seconds` in the config
    can change the defaults. A timed-out request is retried like a 5xx by the CDK.

    Transport: the CDK has no way to give its HttpClient a transport, so it is mounted on the client's session
    (`_http_client._session`, private to the CDK) for http and https.

    The factory builds a CustomRequester from its fields alone: `message_repository` (the Connector Builder's
    request log) and `disable_retries` (its test reads) are not passed, which only the Builder uses; `use_cache`
    is overwritten with the factory's own argument, hence `cache_pages`.
    """

    rate_limit_patience_in_seconds: float = 600
    max_rate_limit_wait_in_seconds: float = 900
    # HttpRequester's `use_cache`, which the CDK's factory overwrites with its own (unset) argument for a
    # CustomRequester: a parent whose pages its children read says `cache_pages: true` instead.
    cache_pages: bool = False

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self.use_cache = bool(self.use_cache) or bool(self.cache_pages)
        for name in ("connect_timeout_in_seconds", "read_timeout_in_seconds"):
            value = getattr(self, name)
            if isinstance(value, str):
                evaluated = InterpolatedString.create(value, parameters=parameters).eval(self.config)
                setattr(self, name, float(evaluated) if evaluated not in (None, "") else None)
        super().__post_init__(parameters)
        selector = parameters.get("data_selector")
        transport = ApiTransport(
            patience=float(self.rate_limit_patience_in_seconds),
            max_wait=float(self.max_rate_limit_wait_in_seconds),
            authenticator=self._authenticator,
            page=selector_path(selector) if selector else None,
            stream=parameters.get("name", ""),
        )
        session = self._http_client._session
        session.mount("https://", transport)
        session.mount("http://", transport)
