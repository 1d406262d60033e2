"""The error handlers of every stream: the profile's documented rules, plus what the documents do not foresee (a
page that is not one, a parent deleted while its children are read)."""

import logging
import threading
from dataclasses import dataclass
from typing import Optional, Union

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.requesters.error_handlers.default_error_handler import DefaultErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction

from source_analytics.components.auth import kind_of
from source_analytics.components.pacing import pacer_for
from source_analytics.components.pages import BrokenPage
from source_analytics.components.pagination import api_hosts, host_of, named_host
from source_analytics.components.requester import (
    cannot_connect,
    origin,
    release_this_threads_place,
    unreachable_message,
    was_reached,
)

logger = logging.getLogger("airbyte")


@dataclass
class ApiErrorHandler(DefaultErrorHandler):
    """The profile's DefaultErrorHandler, taking a 200 that is not a page (pages.BrokenPage) for a passing fault,
    and a host that never answered for a wrong base_url.

    Broken pages: the request budget raises BrokenPage for one (pages.py says why there); the CDK would retry that
    exception as an unknown error and, once the retries are spent, word it by its class name. Here it is retried
    with a message that, when the page stays broken through the retries, is the stream's error: it names the
    stream, the URL and what was wrong with the page. A system error then, as any answer the document does not
    allow.

    Unreachable: the CDK retries a refused connection like a 5xx, with the document's backoff (up to 90 s for
    accounting) before saying anything. A host that has never answered in this process and refuses, cannot be
    resolved or does not connect is a wrong base_url, said at once as a config error. Once the host has answered,
    the same errors are transient and keep their retries.

    Rejected credentials: the manifest answers a 401 by renewing the token once (REFRESH_TOKEN_THEN_RETRY). Only
    OAuth2 credentials can be renewed; the CDK only retries a static one, with warnings, for as long as the
    document's retries last. A 401 to credentials that cannot be renewed (a bearer token, an API key, a password)
    fails at once as a config error naming the settings that hold them, and ends every other request to the API's
    host (AdaptivePacer.refuse_all), so a password changed mid-sync ends the sync at the first 401, not after one
    per request in flight.

    Redirected elsewhere: a request that a redirect took to a host that is not the API's went there without the
    credentials (requester.PacingBudget); that host's 401 or 403 is a config error naming it and additional_hosts,
    not the credentials' fault.

    Every other answer gets the manifest's filters.
    """

    def interpret_response(
        self, response_or_exception: Optional[Union[requests.Response, Exception]]
    ) -> ErrorResolution:
        if isinstance(response_or_exception, Exception) and not isinstance(response_or_exception, BrokenPage):
            release_this_threads_place()  # no answer: the place in the pacer of the request this thread sent
        if isinstance(response_or_exception, requests.exceptions.RequestException) \
                and not isinstance(response_or_exception, BrokenPage):
            url = getattr(response_or_exception.request, "url", None) or ""
            why = cannot_connect(response_or_exception)
            if why and url and not was_reached(url):
                return ErrorResolution(response_action=ResponseAction.FAIL, failure_type=FailureType.config_error,
                                       error_message=unreachable_message(url, why))
        if isinstance(response_or_exception, BrokenPage):
            return ErrorResolution(
                response_action=ResponseAction.RETRY,
                failure_type=FailureType.system_error,
                error_message=str(response_or_exception),
            )
        if isinstance(response_or_exception, requests.Response) and response_or_exception.status_code in (401, 403) \
                and host_of(response_or_exception.url or "") not in api_hosts(self.config):
            return self._elsewhere(response_or_exception)
        resolution = super().interpret_response(response_or_exception)
        if resolution.response_action == ResponseAction.REFRESH_TOKEN_THEN_RETRY \
                and isinstance(response_or_exception, requests.Response):
            kind = kind_of(self.config)
            if kind is not None and not kind.renewable:
                return self._rejected(response_or_exception, kind.settings)
        return resolution

    def _elsewhere(self, response: requests.Response) -> ErrorResolution:
        host = named_host(host_of(response.url or ""))
        first = response.history[0].url if response.history else None
        message = (
            f"The API redirected {f'{first}'.split('?')[0] if first else 'a request'} to another host, {host}, "
            f"which answered HTTP {response.status_code}: the request went there without the credentials, which go "
            f"only to the API's own hosts. If the API really serves its pages from {host}, add it to "
            "additional_hosts."
        )
        return ErrorResolution(response_action=ResponseAction.FAIL, failure_type=FailureType.config_error,
                               error_message=message)

    def _rejected(self, response: requests.Response, settings: str) -> ErrorResolution:
        message = (
            f"The API rejected the credentials (HTTP {response.status_code} at {f'{response.url}'.split('?')[0]}). "
            f"Check {settings}."
        )
        pacer_for(origin(response.url or "")).refuse_all(message)
        return ErrorResolution(response_action=ResponseAction.FAIL, failure_type=FailureType.config_error,
                               error_message=message)


@dataclass
class ChildStreamErrorHandler(ApiErrorHandler):
    """The profile's error handler, for a stream read once per parent record (meetings, funding_sources, audit_trail).

    A parent deleted after the parent stream listed it answers its child request with 404. The document's rule
    would end the whole sync there, though every other parent's children can still be read: this skips that
    parent's children with one warning naming the request, and the sync goes on.

    A 404 can also mean the child path itself is wrong (a base_url with an extra path segment, say): then every
    child request answers 404. When the first `wrong_path_after` child requests have all answered 404 and none has
    answered with a page, the stream fails with a config error naming the path instead of skipping every parent.
    """

    wrong_path_after: int = 5

    def __post_init__(self, parameters) -> None:  # type: ignore[no-untyped-def]
        super().__post_init__(parameters)
        self._stream = parameters.get("name", "")
        self._lock = threading.Lock()
        self._pages = 0
        self._missing = 0

    def interpret_response(
        self, response_or_exception: Optional[Union[requests.Response, Exception]]
    ) -> ErrorResolution:
        if isinstance(response_or_exception, requests.Response):
            if response_or_exception.status_code == 404:
                return self._parent_missing(response_or_exception)
            if response_or_exception.ok:
                with self._lock:
                    self._pages += 1
        return super().interpret_response(response_or_exception)

    def _parent_missing(self, response: requests.Response) -> ErrorResolution:
        url = f"{response.url}".split("?")[0]
        with self._lock:
            self._missing += 1
            wrong_path = self._pages == 0 and self._missing >= self.wrong_path_after
            missing = self._missing
        if wrong_path:
            message = (
                f"Stream '{self._stream}': the API answered HTTP 404 to each of the first {missing} requests for "
                f"children of the listed parents (for example {url}) and to none with a page, so the path is wrong, "
                "not the parents deleted. Check base_url: it must be the API's root, without a resource path."
            )
            return ErrorResolution(
                response_action=ResponseAction.FAIL, failure_type=FailureType.config_error, error_message=message
            )
        logger.warning(
            f"Stream '{self._stream}': skipped the parent at {url}: the API answered HTTP 404, so it was deleted "
            "after it was listed; the other parents' records are read."
        )
        return ErrorResolution(
            response_action=ResponseAction.IGNORE,
            failure_type=None,
            error_message=f"Stream '{self._stream}': nothing to read at {url} (HTTP 404).",
        )
