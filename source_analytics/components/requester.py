"""The HTTP requester of every stream: the CDK's, with configurable timeouts and a request budget that paces requests."""

import logging
import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable, List, Mapping, Optional, Set, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import urllib3
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.auth.declarative_authenticator import DeclarativeAuthenticator
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.requesters.http_requester import HttpRequester
from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget, AbstractCallRatePolicy
from airbyte_cdk.sources.streams.http.requests_native_auth.abstract_oauth import AbstractOauth2Authenticator
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.messages import said
from source_analytics.components.pacing import AdaptivePacer, pacer_for
from source_analytics.components.pages import BrokenPage, answer_problem, broken_page_message, selector_path
from source_analytics.components.pagination import Host, api_hosts, host_of

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


_TLS_CODE = re.compile(r"\[SSL: ([A-Z_]+)\] ([^(']+)")
# What a failed TLS handshake says, by the code OpenSSL gives it, and what to fix: a host that speaks no TLS on that
# port (plain http) answers the handshake with something that is not TLS.
_NOT_TLS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "UNEXPECTED_EOF_WHILE_READING", "HTTP_REQUEST",
            "PACKET_LENGTH_TOO_LONG")
TLS_FAILED = "the TLS handshake failed"


def cannot_connect(error: BaseException) -> Optional[str]:
    """Why no connection could be made at all (refused, unresolvable, unreachable, connect timeout, a TLS handshake
    that failed), or None for errors on a connection that was made (reset, read timeout), which are transient."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "the connection timed out"
    if isinstance(error, requests.exceptions.SSLError):
        found = _TLS_CODE.search(str(error))
        return f"{TLS_FAILED}: {found[1]}, {found[2].strip()}" if found else f"{TLS_FAILED}: {error}"
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


def unreachable_message(url: str, why: str, setting: str = "base_url") -> str:
    if why.startswith(TLS_FAILED):
        if any(code in why for code in _NOT_TLS):
            fix = (f"Check {setting}: the host does not speak https on that port; if the API is served over plain "
                   "http there, write http:// instead of https://.")
        elif "CERTIFICATE_VERIFY_FAILED" in why:
            fix = (f"Check {setting}: the host's certificate does not verify. Use the host name the certificate is "
                   "for; a self-signed or expired certificate is the API provider's to fix.")
        else:
            fix = f"Check {setting}, its http:// or https://, and the host's certificate."
        return f"Could not connect to {origin(url)} ({why}). {fix}"
    return (
        f"Could not connect to {origin(url)} ({why}). Check {setting}, and that the API can be reached from where "
        "the connector runs."
    )


def unreachable_error(url: str, why: str, setting: str = "base_url") -> AirbyteTracedException:
    message = unreachable_message(url, why, setting)
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)


def credential_names(authenticator: Any) -> Tuple[Set[str], Set[str]]:
    """(headers, query parameters) that carry an authenticator's credentials, to take off a request to another host.

    Read from the authenticator's public interface: the headers and the query parameters it adds. An OAuth2
    authenticator is not asked (that could fetch a token): its token goes in `Authorization`, which is always taken.
    """
    headers, params = {"Authorization"}, set()
    if isinstance(authenticator, DeclarativeAuthenticator) and not isinstance(authenticator, AbstractOauth2Authenticator):
        headers.update(authenticator.get_auth_header())
        params.update(authenticator.get_request_params())
    return headers, params


def without_credentials(request: requests.PreparedRequest, headers: Set[str], params: Set[str]) -> None:
    """Take the credentials (those headers and query parameters) off a request."""
    for name in headers:
        request.headers.pop(name, None)
    parts = urlsplit(request.url or "")
    query = parse_qsl(parts.query, keep_blank_values=True)
    if params and any(key in params for key, _ in query):
        kept = urlencode([(key, value) for key, value in query if key not in params])
        request.url = urlunsplit((parts.scheme, parts.netloc, parts.path, kept, parts.fragment))


class PacingBudget(AbstractAPIBudget):
    """The request budget of every data request: the manifest's (`requests_per_second`), then the API host's
    AdaptivePacer, which learns the limit nobody told the connector; 429s waited out below the CDK's retries; a page
    that is not one raised below its HTTP cache.

    Where: the CDK's sessions call a requester's `api_budget` right before each request goes to the network and
    under the HTTP cache, so a cached page costs nothing; the answer comes back through a `response` hook (requests'
    public hook, registered on the request here), which runs before the cache or the CDK's retries see it.

    429s: the pacer holds every thread for the Retry-After the API asks and the request is sent again from the hook
    on the same connection pool, so a rate limit, which is the API asking to wait and not an error, does not spend
    the few retries the documents give for errors (5xx, 401). A request still rate limited after `patience` seconds
    of waiting, or answered with a Retry-After of `max_wait` or more (a daily quota), goes up to the CDK, whose
    documented retries and wait cap then apply.

    Tokens: a request is given its token when the CDK prepares it, before any wait; after waiting here the
    authenticator is applied again, so a request never goes out with a token that expired while it waited.

    Credentials stay home: a request to a host that is not the API's (`hosts`: base_url's, the token URL's and
    additional_hosts; a redirect's copy comes here before it is sent) goes without any credentials, whatever their
    kind. requests itself takes only `Authorization` off a redirect to another host: an API key in another header,
    or in the query, would follow it; and it takes it off a redirect to another of the API's own hosts too, where
    the authenticator puts it back. (A next link to another host is never requested: PaginationGuard.)

    Broken pages: a 200 that is not a page of the stream's records (`page`: its data selector's keys; pages.py) is
    raised as BrokenPage from the hook, under the HTTP cache, so a parent's maintenance page is never cached and
    answered again from there to the retry that the error handler makes of it.

    A request whose send raised (no answer) gives its place back when the error handler sees the exception, or at
    the latest when its thread sends its next request (`release_this_threads_place`): a thread of the CDK sends one
    request at a time, and hears of its failure on that thread, so a place its thread still holds then is one whose
    answer never came.

    Redirects: requests follows one with a copy of the request that shares its hooks; the copy takes a place of its
    own (on its own host) and the shared hook answers it, as any request.
    """

    def __init__(self, inner: Optional[AbstractAPIBudget], patience: float, max_wait: float,
                 pacer: Optional[AdaptivePacer] = None,
                 authenticator: Optional[Callable[[requests.PreparedRequest], Any]] = None,
                 page: Optional[List[str]] = None, stream: str = "", hosts: Optional[Set[Host]] = None) -> None:
        self._inner = inner
        self._patience = patience
        self._max_wait = max_wait
        self._pacer = pacer
        self._authenticator = authenticator
        self._page = page
        self._stream = stream
        self._hosts = hosts
        self._credentials: Optional[Tuple[Set[str], Set[str]]] = None

    def _pacer_of(self, request: requests.PreparedRequest) -> AdaptivePacer:
        return self._pacer or pacer_for(origin(request.url or ""))

    # ---- AbstractAPIBudget -------------------------------------------------------------------------------------
    def acquire_call(self, request: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        release_this_threads_place()  # a send before this one that raised where nobody saw it
        pacer = self._pacer_of(request)
        deadline = pacer.now() + self._patience  # waits for the pace count against the patience too
        if self._inner is not None:
            self._inner.acquire_call(request, block=block, timeout=timeout)
        sent_at = pacer.acquire()
        try:
            self._authenticate(request)
        except BaseException:
            pacer.release(sent_at, None)
            raise
        place = _Place(pacer, sent_at, deadline)
        with _in_flight_lock:
            _in_flight[request] = place
        _this_thread.place = place
        if not any(isinstance(hook, _AnswerHook) and hook.budget is self for hook in request.hooks["response"]):
            request.register_hook("response", _AnswerHook(self, request))

    def _authenticate(self, request: requests.PreparedRequest) -> None:
        """The credentials a request goes with: none to a host that is not the API's (a redirect's copy); else the
        current ones (the request got its token before it waited, here and in the manifest's budget: a
        short-lived token may have expired since, or been renewed by another thread; and requests took the
        `Authorization` header off a redirect to another of the API's hosts)."""
        if self._hosts is not None and host_of(request.url or "") not in self._hosts:
            if self._credentials is None:
                self._credentials = credential_names(self._authenticator)
            without_credentials(request, *self._credentials)
        elif self._authenticator is not None:
            self._authenticator(request)

    def get_matching_policy(self, request: Any) -> Optional[AbstractCallRatePolicy]:
        return self._inner.get_matching_policy(request) if self._inner is not None else None

    def update_from_response(self, request: Any, response: Any) -> None:
        if self._inner is not None:
            self._inner.update_from_response(request, response)

    # ---- requests' response hook ---------------------------------------------------------------------------------
    def answered(self, request: requests.PreparedRequest, response: requests.Response,
                 **send_kwargs: Any) -> requests.Response:
        """The answer to `request`: learn from it, wait out a 429 and send again, or raise a page that is not one."""
        with _in_flight_lock:
            place = _in_flight.pop(request, None)
        if place is None or not place.take():
            return response  # an answer from the HTTP cache: nothing was sent
        pacer, sent_at, deadline = place.pacer, place.sent_at, place.deadline
        while True:
            mark_reached(request.url or "")
            wait = pacer.release(sent_at, response)
            if wait is None or wait >= self._max_wait or pacer.now() + wait > deadline:
                if self._page is not None and response.status_code == 200:
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
            connection = response.connection  # the adapter that sent it: the CDK's connection pool
            response.content  # read the short body, so the connection goes back to the pool
            response.close()
            sent_at = pacer.acquire()
            try:
                self._authenticate(request)
                response = connection.send(request, **send_kwargs)
            except BaseException:
                pacer.release(sent_at, None)
                raise


class _AnswerHook:
    """PacingBudget.answered for one request, as requests calls a response hook (the response alone)."""

    def __init__(self, budget: PacingBudget, request: requests.PreparedRequest) -> None:
        self.budget = budget
        self._request = weakref.ref(request)

    def __call__(self, response: requests.Response, **send_kwargs: Any) -> requests.Response:
        # The request sent: the response's own (a redirect's copy shares this hook), else the one this hook was
        # registered for (a test double's response may hold a proxy of it).
        request = response.request
        try:
            with _in_flight_lock:
                sent = request in _in_flight
        except TypeError:  # a proxy that cannot be weakly referenced
            sent = False
        if not sent:
            request = self._request()
        return self.budget.answered(request, response, **send_kwargs) if request is not None else response


class _Place:
    """A request's place in its pacer, from acquire_call until its answer (or its failure) gives it back, once."""

    def __init__(self, pacer: AdaptivePacer, sent_at: float, deadline: float) -> None:
        self.pacer, self.sent_at, self.deadline = pacer, sent_at, deadline
        self._taken = False

    def take(self) -> bool:
        """True for the one caller that gives the place back."""
        with _in_flight_lock:
            taken, self._taken = self._taken, True
        return not taken

    def give_back(self) -> None:
        if self.take():
            self.pacer.release(self.sent_at, None)


# Requests sent and not yet answered.
_in_flight: "weakref.WeakKeyDictionary[requests.PreparedRequest, _Place]" = weakref.WeakKeyDictionary()
_in_flight_lock = threading.Lock()
_this_thread = threading.local()  # .place: the place of the request whose answer the thread waits for


def release_this_threads_place() -> None:
    """The place this thread's last request still holds, given back: its send raised, unseen or unnamed (its
    request may be gone already)."""
    place = getattr(_this_thread, "place", None)
    _this_thread.place = None
    if place is not None:
        place.give_back()


@dataclass
class AnalyticsHttpRequester(HttpRequester):
    """HttpRequester whose timeouts may come from the config, with PacingBudget as its request budget.

    Timeouts: the CDK sends requests with no timeout unless the requester sets one, and takes the setting as a
    number only; here it may be interpolated, so `connect_timeout_seconds` / `read_timeout_seconds` in the config
    can change the defaults. A timed-out request is retried like a 5xx by the CDK.

    Budget: the requester's `api_budget` (the manifest's, which the CDK's factory passes in) is wrapped in a
    PacingBudget before the CDK builds its HTTP client from it.

    Words: a request that fails for good raises its error in the user's words, naming the stream (messages.said):
    the requester is where every build's failure passes, the package's and the manifest-only runtime's alike.

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
        selector = parameters.get("data_selector")
        self.api_budget = PacingBudget(  # type: ignore[assignment]
            self.api_budget,
            patience=float(self.rate_limit_patience_in_seconds),
            max_wait=float(self.max_rate_limit_wait_in_seconds),
            authenticator=self.authenticator,
            page=selector_path(selector) if selector is not None else None,
            stream=parameters.get("name", ""),
            hosts=api_hosts(self.config),
        )
        super().__post_init__(parameters)

    def send_request(self, *args: Any, **kwargs: Any) -> Optional[requests.Response]:
        try:
            return super().send_request(*args, **kwargs)
        except AirbyteTracedException as error:
            raise said(error, self.name)
