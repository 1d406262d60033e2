"""What the request path (requester.PacingBudget, error_handlers.ApiErrorHandler) relies on in the CDK's HTTP client
and in requests, each pinned here against the real code: a release that changes one fails here in seconds, instead
of pacing wrongly or hanging a sync (docs/architecture.md, "What the request path relies on").

Only the network is stubbed, in requests' HTTPAdapter.send, with a response built by requests' own
`HTTPAdapter.build_response`; the HTTP client, its session (with its HTTP cache) and requests' Session are the real
ones. Each send runs on a worker thread whose result is awaited for a few seconds at most: a reliance broken into a
hang fails too.
"""

import io
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List, Optional

import pytest
import requests
import urllib3
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.sources.streams.http.error_handlers import HttpStatusErrorHandler
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

URL = "http://127.0.0.1:9/v1/users"
SECONDS = 10  # the longest a pinned send may take before the test fails rather than waits on


class Network:
    """requests' HTTPAdapter with the wire replaced: answers `statuses` in turn (the last again and again), or
    raises a ConnectionError for a status of None; the requests it was handed, and on which thread."""

    def __init__(self, monkeypatch, *statuses: Optional[int]) -> None:
        self.statuses, self.sent, self.threads = statuses, [], []
        network = self

        def send(adapter, request, **kwargs):
            status = network.statuses[min(len(network.sent), len(network.statuses) - 1)]
            network.sent.append(request)
            network.threads.append(threading.get_ident())
            if status is None:
                raise requests.exceptions.ConnectionError("connection reset", request=request)
            raw = urllib3.HTTPResponse(body=io.BytesIO(b'{"data": []}'), status=status, preload_content=False,
                                       headers={"Content-Type": "application/json"})
            return adapter.build_response(request, raw)

        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)


class RecordingBudget(APIBudget):
    """The CDK's APIBudget with no policy, recording each acquire_call's request and thread."""

    def __init__(self) -> None:
        super().__init__(policies=[])
        self.requests: List[requests.PreparedRequest] = []
        self.threads: List[int] = []

    def acquire_call(self, request: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        self.requests.append(request)
        self.threads.append(threading.get_ident())


class RecordingErrorHandler(HttpStatusErrorHandler):
    """The CDK's default error handler (retries a 5xx and a lost connection), recording the thread it runs on."""

    def __init__(self) -> None:
        super().__init__(logger=logging.getLogger("airbyte"), max_retries=2)
        self.threads: List[int] = []

    def interpret_response(self, response_or_exception: Any = None) -> Any:
        self.threads.append(threading.get_ident())
        return super().interpret_response(response_or_exception)


def send_on_a_worker(client: HttpClient) -> Any:
    """The client's send of a GET of URL, on a worker thread (as the CDK's concurrent read does), awaited SECONDS."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(client.send_request, "GET", URL, request_kwargs={})
        try:
            return future.result(timeout=SECONDS)
        except AirbyteTracedException as error:
            return error


def test_the_cdk_asks_the_budget_for_each_request_sent_and_not_for_one_its_http_cache_answers(monkeypatch, tmp_path):
    # PacingBudget counts a request against the API's pace in acquire_call: a parent's page that the HTTP cache
    # answers to a child must not take a place that no answer would give back.
    monkeypatch.setenv("REQUEST_CACHE_PATH", str(tmp_path))
    network, budget = Network(monkeypatch, 200), RecordingBudget()
    client = HttpClient("users", logging.getLogger("airbyte"), api_budget=budget, use_cache=True)

    send_on_a_worker(client)
    send_on_a_worker(client)

    assert len(network.sent) == 1, "the HTTP cache did not answer the second send"
    assert len(budget.requests) == 1, "the budget was asked for a page its cache answered"


def test_the_request_the_budget_is_asked_for_is_the_one_sent_and_answered_in_every_attempt(monkeypatch):
    # PacingBudget keeps a request's place by the PreparedRequest object, from acquire_call to its answer's hook.
    network, budget = Network(monkeypatch, 503, 200), RecordingBudget()
    client = HttpClient("users", logging.getLogger("airbyte"), api_budget=budget, error_handler=RecordingErrorHandler())

    request, response = send_on_a_worker(client)

    assert len(network.sent) == 2 and len(budget.requests) == 2
    assert all(asked is sent for asked, sent in zip(budget.requests, network.sent))
    assert response.request is request is network.sent[-1]


def test_a_failed_send_reaches_the_error_handler_on_the_thread_that_sent_it(monkeypatch):
    # A request whose send raised has no answer to give its place back: ApiErrorHandler gives back the place its
    # thread holds (requester.release_this_threads_place). On another thread the place would stay taken, and with
    # one request in flight allowed at the start the sync would wait for ever.
    network, budget, handler = Network(monkeypatch, None, 200), RecordingBudget(), RecordingErrorHandler()
    client = HttpClient("users", logging.getLogger("airbyte"), api_budget=budget, error_handler=handler)

    request, response = send_on_a_worker(client)

    assert response.status_code == 200 and len(network.sent) == 2
    [acquired_on, _] = budget.threads
    assert handler.threads[0] == acquired_on == network.threads[0]


def test_a_response_hook_is_handed_the_send_s_arguments_and_a_response_whose_connection_can_send_again(monkeypatch):
    # PacingBudget's hook sends a rate-limited request again as requests' own auth handlers do
    # (HTTPDigestAuth.handle_401): `response.connection.send(request, **kwargs)`.
    network = Network(monkeypatch, 429, 200)
    seen = []

    def hook(response, **kwargs):
        seen.append((response.connection, kwargs))
        if response.status_code == 429:
            return response.connection.send(response.request, **kwargs)
        return response

    request = requests.Request("GET", URL, hooks={"response": [hook]}).prepare()
    response = requests.Session().send(request, timeout=(3, 7))

    assert response.status_code == 200 and len(network.sent) == 2 and network.sent[1] is request
    [(connection, kwargs)] = seen
    assert isinstance(connection, requests.adapters.HTTPAdapter)
    assert kwargs["timeout"] == (3, 7) and {"verify", "proxies", "stream", "cert"} <= set(kwargs)


def test_requests_takes_only_authorization_off_a_redirect_to_another_host(monkeypatch):
    # Why PacingBudget takes every kind of credential off a request to a host that is not the API's: requests
    # itself (Session.rebuild_auth) strips the Authorization header alone.
    request = requests.Request("GET", "https://api.example.com/v1/users?api_key=s3cr3t-key-value",
                               headers={"Authorization": "Bearer s3cr3t-token", "X-Api-Key": "s3cr3t-key"}).prepare()
    redirected = request.copy()
    redirected.url = "https://elsewhere.example.net/v1/users?api_key=s3cr3t-key-value"
    response = requests.Response()
    response.request = request

    requests.Session().rebuild_auth(redirected, response)

    assert "Authorization" not in redirected.headers
    assert redirected.headers["X-Api-Key"] == "s3cr3t-key" and "api_key=s3cr3t-key-value" in redirected.url


@pytest.mark.parametrize("attribute", ["connection", "request"])
def test_requests_builds_a_response_with_the_adapter_and_the_request_it_sent(attribute):
    adapter = requests.adapters.HTTPAdapter()
    request = requests.Request("GET", URL).prepare()
    raw = urllib3.HTTPResponse(body=io.BytesIO(b"{}"), status=200, preload_content=False)

    response = adapter.build_response(request, raw)

    assert getattr(response, attribute) is {"connection": adapter, "request": request}[attribute]
