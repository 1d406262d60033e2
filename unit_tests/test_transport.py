"""PacingBudget: the request budget of every data request, in the CDK's own LimiterSession (the HTTP answers are
stubbed in requests' HTTPAdapter, below the session)."""

import time

import pytest
import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.pacing import AdaptivePacer
from source_analytics.components.pages import BrokenPage
from airbyte_cdk.sources.streams.call_rate import LimiterSession

from source_analytics.components.error_handlers import ApiErrorHandler
from source_analytics.components import requester
from source_analytics.components.requester import PacingBudget


class BudgetedSession:
    """The budget as the CDK uses it: a LimiterSession (acquire, send, answer) over requests' HTTPAdapter."""

    def __init__(self, **budget):
        self.session = LimiterSession(api_budget=PacingBudget(None, **budget))

    def send(self, request, **kwargs):
        return self.session.send(request, **kwargs)


def _answers(monkeypatch, *statuses, retry_after="1", body=b"{}", content_type="application/json"):
    """requests' own HTTPAdapter answers these statuses in turn (the last one again and again)."""
    sent = []

    def send(adapter, request, **kwargs):
        status = statuses[min(len(sent), len(statuses) - 1)]
        sent.append(request.headers.get("Authorization"))
        response = requests.Response()
        response.request, response.connection = request, adapter  # as HTTPAdapter.build_response sets them
        response.status_code = status
        response._content = body
        response.headers["Content-Type"] = content_type
        if status == 429:
            response.headers["Retry-After"] = retry_after
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return sent


def _request(token="Bearer as-prepared"):
    """A request as the CDK's session prepares it: with its credentials, when the stream has any."""
    request = requests.Request("GET", "http://127.0.0.1:9/v1/users").prepare()
    if token:
        request.headers["Authorization"] = token
    return request


def test_a_429_is_waited_out_and_sent_again_without_reaching_the_cdk(monkeypatch):
    sent = _answers(monkeypatch, 429, 429, 200, retry_after="0.01")
    pacer = AdaptivePacer()
    pacer.DEFAULT_HOLD = 0.01

    response = BudgetedSession(patience=60, max_wait=900, pacer=pacer).send(_request())

    assert response.status_code == 200 and len(sent) == 3


def test_a_429_outlasting_the_patience_goes_to_the_cdk_even_with_retry_after_zero(monkeypatch):
    sent = _answers(monkeypatch, 429, retry_after="0")
    pacer = AdaptivePacer()
    pacer.DEFAULT_HOLD = 0.05
    started = time.monotonic()

    response = BudgetedSession(patience=0.5, max_wait=900, pacer=pacer).send(_request())

    assert response.status_code == 429
    assert time.monotonic() - started < 5 and len(sent) > 1


def test_a_daily_quota_goes_to_the_cdk_at_once(monkeypatch):
    sent = _answers(monkeypatch, 429, retry_after="36000")

    response = BudgetedSession(patience=600, max_wait=900, pacer=AdaptivePacer()).send(_request())

    assert response.status_code == 429 and len(sent) == 1


def test_the_current_token_is_applied_after_waiting(monkeypatch):
    sent = _answers(monkeypatch, 429, 200, retry_after="0.01")
    tokens = iter(["Bearer old", "Bearer new"])

    def authenticate(request):
        request.headers["Authorization"] = next(tokens)
        return request

    BudgetedSession(patience=60, max_wait=900, pacer=AdaptivePacer(), authenticator=authenticate).send(_request())

    assert sent == ["Bearer old", "Bearer new"]


def test_an_authenticator_that_fails_gives_back_the_requests_place(monkeypatch):
    _answers(monkeypatch, 200)
    pacer = AdaptivePacer()  # slow start: one request in flight

    def refuse(request):
        raise AirbyteTracedException(message="token endpoint refused")

    with pytest.raises(AirbyteTracedException):
        BudgetedSession(patience=60, max_wait=900, pacer=pacer, authenticator=refuse).send(_request())

    assert pacer.wait_time() == 0  # the next request may go


def test_a_host_that_never_answered_and_refuses_is_a_config_error(monkeypatch):
    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        BudgetedSession(patience=60, max_wait=900, pacer=AdaptivePacer()).send(_request(), timeout=2)

    error = ApiErrorHandler(config={}, parameters={}).interpret_response(refused.value)

    assert error.response_action.value == "FAIL" and error.failure_type.value == "config_error"
    assert "127.0.0.1:9" in error.error_message and "base_url" in error.error_message


def test_a_request_that_raised_gives_its_place_back_to_the_pacer(monkeypatch):
    pacer = AdaptivePacer()  # slow start: one request in flight
    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        BudgetedSession(patience=60, max_wait=900, pacer=pacer).send(_request(), timeout=2)
    assert pacer.wait_time() > 0  # its place is held until the error handler sees the exception

    ApiErrorHandler(config={}, parameters={}).interpret_response(refused.value)

    assert pacer.wait_time() == 0


# ---- a 200 that is not a page: raised under the HTTP cache, so that it is never cached ---------------------------
@pytest.mark.parametrize("body, content_type, problem", [
    (b"<html><h1>We'll be right back</h1></html>", "text/html", "not JSON (text/html)"),
    (b'<html><div class="data">Back soon</div></html>', "text/html", "not JSON (text/html)"),  # names the key
    (b'{"status": "maintenance"}', "application/json", "without the documented `data` list"),
    (b'{"data": null, "error": "maintenance"}', "application/json", "without the documented `data` list"),
    (b'{"message": "down", "data": "none"}', "application/json", "`data` holding something other than a list"),
])
def test_a_200_that_is_not_a_page_is_raised_as_a_broken_page_naming_the_stream_and_url(
    monkeypatch, body, content_type, problem
):
    _answers(monkeypatch, 200, body=body, content_type=content_type)

    with pytest.raises(BrokenPage) as broken:
        BudgetedSession(patience=60, max_wait=900, pacer=AdaptivePacer(), page=["data"], stream="users").send(_request())

    assert "Stream 'users'" in str(broken.value) and "http://127.0.0.1:9/v1/users" in str(broken.value)
    assert problem in str(broken.value) and "base_url" in str(broken.value)


@pytest.mark.parametrize("page, body", [
    (["data"], b'{"data": [{"id": "a"}], "links": {}}'),
    (["_embedded", "customers"], b'{"_links": {"self": {"href": "x"}}, "total": 0}'),  # HAL embeds nothing
    (["_embedded", "customers"], b'{"_embedded": {"customers": []}}'),
])
def test_a_page_of_records_goes_through(monkeypatch, page, body):
    _answers(monkeypatch, 200, body=body)

    response = BudgetedSession(patience=60, max_wait=900, pacer=AdaptivePacer(), page=page).send(_request())

    assert response.status_code == 200


def test_an_error_answer_is_left_to_the_error_handler_whatever_its_body(monkeypatch):
    _answers(monkeypatch, 503, body=b"<html>Service Unavailable</html>", content_type="text/html")

    response = BudgetedSession(patience=60, max_wait=900, pacer=AdaptivePacer(), page=["data"]).send(_request())

    assert response.status_code == 503


# ---- redirects and sends that raised unseen ------------------------------------------------------------------------
def _redirecting(monkeypatch, location, final_status=200, body=b'{"data": []}'):
    """The first request is answered 301 to `location`; every other with `final_status`."""
    sent = []

    def send(adapter, request, **kwargs):
        sent.append((request.url, request.headers.get("Authorization")))
        response = requests.Response()
        response.request, response.connection, response.url = request, adapter, request.url
        response._content = body
        response.headers["Content-Type"] = "application/json"
        if len(sent) == 1:
            response.status_code = 301
            response.headers["Location"] = location
        else:
            response.status_code = final_status
            if final_status == 429:
                response.headers["Retry-After"] = "0.01"
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return sent


@pytest.mark.parametrize("location", ["http://127.0.0.1:9/v1/users?page=1", "https://127.0.0.1:9/v1/users"])
def test_a_redirected_request_gives_back_the_place_of_each_hop(monkeypatch, location):
    _redirecting(monkeypatch, location)
    pacers = {}
    monkeypatch.setattr(requester, "pacer_for", lambda host: pacers.setdefault(host, AdaptivePacer()))
    session = BudgetedSession(patience=60, max_wait=900)

    for _ in range(3):  # slow start: one request in flight per host, so a place never given back blocks the next
        assert session.send(_request()).status_code == 200

    assert pacers and all(pacer.wait_time() == 0 for pacer in pacers.values())


def test_the_redirected_hop_s_answer_is_checked_as_a_page(monkeypatch):
    _redirecting(monkeypatch, "https://127.0.0.1:9/v1/users", body=b'{"oops": 1}')

    with pytest.raises(BrokenPage):
        BudgetedSession(patience=60, max_wait=900, pacer=AdaptivePacer(), page=["data"]).send(_request())


def test_credentials_taken_off_a_redirect_to_another_host_stay_off(monkeypatch):
    sent = _redirecting(monkeypatch, "http://elsewhere.invalid/v1/users")
    request = _request("Bearer secret")

    def authenticate(prepared):
        prepared.headers["Authorization"] = "Bearer secret"
        return prepared

    BudgetedSession(patience=60, max_wait=900, pacer=AdaptivePacer(), authenticator=authenticate,
                    hosts={("127.0.0.1", 9)}).send(request)

    assert sent == [("http://127.0.0.1:9/v1/users", "Bearer secret"), ("http://elsewhere.invalid/v1/users", None)]


def test_credentials_taken_off_a_redirect_to_another_of_the_api_s_hosts_are_put_back(monkeypatch):
    sent = _redirecting(monkeypatch, "http://eu.api.example.com/v1/users")
    request = _request("Bearer secret")

    def authenticate(prepared):
        prepared.headers["Authorization"] = "Bearer secret"
        return prepared

    BudgetedSession(patience=60, max_wait=900, pacer=AdaptivePacer(), authenticator=authenticate,
                    hosts={("127.0.0.1", 9), ("eu.api.example.com", None)}).send(request)

    assert sent == [("http://127.0.0.1:9/v1/users", "Bearer secret"), ("http://eu.api.example.com/v1/users",
                                                                        "Bearer secret")]


def test_a_send_that_raised_unseen_gives_its_place_back_at_the_thread_s_next_request(monkeypatch):
    pacer = AdaptivePacer()  # slow start: one request in flight
    session = BudgetedSession(patience=60, max_wait=900, pacer=pacer)

    def unsupported(adapter, request, **kwargs):
        raise OSError("no CA bundle")  # not a RequestException: the CDK's error handler never sees it

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", unsupported)
    with pytest.raises(OSError):
        session.send(_request())
    _answers(monkeypatch, 200)

    assert session.send(_request()).status_code == 200
    assert pacer.wait_time() == 0
