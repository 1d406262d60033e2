"""Each way a document may say where the next page is, as the manifest's definitions and docs/adding-a-profile.md's
recipes express it, through a read of a probe API paged that way (unit_tests/probe.py): every page read once, the
listing's end where the API says it is, and a loop (a next page already read, a counted position answered with an
earlier page's records) ending the stream. The profiles' own streams are driven by their traits in
test_pagination.py and test_broken_pagination.py; these cover every style whether or not a profile uses it."""

import copy
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse

from unit_tests.builders import API_KEY_VALUE, credentials, json_response
from unit_tests.harness import read_streams, records, stream_errors
from unit_tests.probe import PROBE, PROBE_URL, install, probe_manifest

CONFIG = {"api": PROBE, "credentials": credentials("api_key")}  # in a header or the query, as the probe takes it
SIZE = 2  # the probe's page_size


def _guarded(strategy: Dict[str, Any], **guard: Any) -> Dict[str, Any]:
    return {"type": "CustomPaginationStrategy", "class_name": "source_analytics.components.pagination.PaginationGuard",
            "pagination_strategy": strategy, **guard}


def _counted(paginator: str, strategy: Dict[str, Any], stop_condition: str) -> Dict[str, Any]:
    """A counted paginator whose body counts its records or pages: the recipe of docs/adding-a-profile.md."""
    return {"$ref": f"#/definitions/{paginator}",
            "pagination_strategy": _guarded(strategy, stop_condition=stop_condition)}


OFFSETS = {"type": "OffsetIncrement", "page_size": "{{ parameters.page_size }}"}
PAGES = {"type": "PageIncrement", "start_from_page": 1, "page_size": "{{ parameters.page_size }}",
         "inject_on_first_request": True}
HEADER_TOKEN = {
    "type": "DefaultPaginator",
    "page_token_option": {"type": "RequestOption", "inject_into": "request_parameter", "field_name": "cursor"},
    "pagination_strategy": _guarded({"type": "CursorPagination", "cursor_value": "{{ headers.get('X-Next-Cursor') }}",
                                     "stop_condition": "{{ not headers.get('X-Next-Cursor') }}"}),
}


class Style:
    """A paging style: the probe's paginator and selectors, page n's query, and page n's answer."""

    def __init__(self, paginator, selector="data", record_selector="record_selector", counted=None, counts=None):
        self.paginator, self.selector, self.record_selector = paginator, selector, record_selector
        self.counted = counted  # the query parameter a client counts in (offset, page), or None
        self.counts = counts  # where the body counts: "total" records or "pages", or None

    def query(self, n: int) -> Dict[str, Any]:
        raise NotImplementedError

    key_in_query = False  # the API key in the query parameter api_key (the probe's api_key_in_query), not a header

    def request(self, n: int) -> HttpRequest:
        query = {**self.query(n), **({"api_key": API_KEY_VALUE} if self.key_in_query else {})}
        return HttpRequest(f"{PROBE_URL}/v1/things", query_params={k: str(v) for k, v in query.items()} or None,
                           headers=None if self.key_in_query else {"X-Api-Key": API_KEY_VALUE})

    def answer(self, n: int, page: List[Dict[str, Any]], next_page: Optional[int],
               total: Optional[int]) -> HttpResponse:
        raise NotImplementedError

    def _body(self, page, extra=None):
        return page if self.selector == "$[*]" else {"data": page, **(extra or {})}


class BodyLink(Style):
    def query(self, n):
        return {} if n == 1 else {"cursor": f"c{n}"}

    def url(self, n):
        """Page n's URL as the API writes it in a next link: without any credential."""
        return f"{PROBE_URL}/v1/things" + (f"?{urlencode(self.query(n))}" if self.query(n) else "")

    def answer(self, n, page, next_page, total):
        links = {"next": self.url(next_page)} if next_page else {}
        return json_response(self._body(page, {"links": links}))


class LinkHeader(BodyLink):
    def query(self, n):
        return {"page_size": SIZE, **({} if n == 1 else {"cursor": f"c{n}"})}

    def answer(self, n, page, next_page, total):
        headers = {"Link": f'<{self.url(next_page)}>; rel="next"'} if next_page else {}
        return json_response(self._body(page), headers=headers)


class BodyToken(Style):
    def query(self, n):
        return {"page_size": 30, **({} if n == 1 else {"next_page_token": f"t{n}"})}

    def answer(self, n, page, next_page, total):
        return json_response(self._body(page, {"next_page_token": f"t{next_page}" if next_page else ""}))


class HeaderToken(Style):
    def query(self, n):
        return {} if n == 1 else {"cursor": f"t{n}"}

    def answer(self, n, page, next_page, total):
        return json_response(self._body(page), headers={"X-Next-Cursor": f"t{next_page}"} if next_page else {})


class Offsets(Style):
    def query(self, n):
        return {"limit": SIZE, **({} if n == 1 else {"offset": (n - 1) * SIZE})}

    def answer(self, n, page, next_page, total):
        return json_response(self._body(page, {"total": total} if self.counts else {}))


class PageNumbers(Style):
    def query(self, n):
        return {"page": n, "page_size": SIZE}

    def answer(self, n, page, next_page, total):
        return json_response(self._body(page, {"page_count": -(-total // SIZE)} if self.counts else {}))


STYLES = {
    "a next link in the body": BodyLink("links_next_paginator"),
    "a Link header": LinkHeader("link_header_paginator", selector="$[*]"),
    "a token in the body": BodyToken("next_page_token_paginator"),
    "a token in a header": HeaderToken(HEADER_TOKEN),
    "offsets": Offsets("offset_paginator", record_selector="offset_record_selector", counted="offset"),
    "offsets with a total": Offsets(
        _counted("offset_paginator", OFFSETS, "{{ (last_page_token_value or 0) + last_page_size >= response.total }}"),
        record_selector="offset_record_selector", counted="offset", counts="total"),
    "page numbers": PageNumbers("page_number_paginator", record_selector="page_number_record_selector",
                                counted="page"),
    "page numbers with a page count": PageNumbers(
        _counted("page_number_paginator", PAGES, "{{ (last_page_token_value or 1) >= response.page_count }}"),
        record_selector="page_number_record_selector", counted="page", counts="pages"),
}
LINKED = [name for name, style in STYLES.items() if not style.counted]
COUNTED = [name for name, style in STYLES.items() if style.counted]


@pytest.fixture
def style(request, tmp_path, monkeypatch):
    name, _, key_in = request.param.partition(", key in the ")
    chosen = copy.copy(STYLES[name])
    chosen.key_in_query = key_in == "query"
    install(probe_manifest("api_key_in_query" if chosen.key_in_query else "api_key_in_header", chosen.paginator,
                           data_selector=chosen.selector, record_selector=chosen.record_selector),
            tmp_path, monkeypatch)
    return chosen


def _both_places(names):
    """Each style with the API key in a header and in the query: the connector adds the query's to every request,
    where the API's next links and the HTTP cache leave it out."""
    return [f"{name}, key in the {place}" for name in names for place in ("header", "query")]


def _records(first, count):
    return [{"id": f"r{i}"} for i in range(first, first + count)]


def _serve(http_mocker, style, pages, total=None):
    """The listing's pages (lists of records) in order, each asked once; asked again, an empty last page."""
    requests = []
    for n, page in enumerate(pages, start=1):
        next_page = n + 1 if n < len(pages) else None
        request = style.request(n)
        http_mocker.get(request, [style.answer(n, page, next_page, total), style.answer(n, [], None, total)])
        requests.append(request)
    return requests


@pytest.mark.parametrize("style", _both_places(STYLES), indirect=True)
def test_every_page_is_read_once_in_order(http_mocker, style):
    requests = _serve(http_mocker, style, [_records(0, SIZE), _records(2, SIZE), _records(4, 1)], total=5)

    output = read_streams(CONFIG, ["things"])

    assert stream_errors(output) == [] and records(output) == _records(0, 5)
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)


@pytest.mark.parametrize("style", [name for name in COUNTED if STYLES[name].counts], indirect=True)
def test_a_listing_that_counts_ends_on_a_full_last_page_at_its_count(http_mocker, style):
    # Without the count the client would ask a third, empty page: none is mocked, so that would fail the read.
    _serve(http_mocker, style, [_records(0, SIZE), _records(2, SIZE)], total=4)

    output = read_streams(CONFIG, ["things"])

    assert stream_errors(output) == [] and records(output) == _records(0, 4)


@pytest.mark.parametrize("style", _both_places(LINKED), indirect=True)
def test_a_next_page_already_read_ends_the_stream_before_it_is_asked_again(http_mocker, style):
    first, second = style.request(1), style.request(2)
    http_mocker.get(first, style.answer(1, _records(0, SIZE), 2, None))
    http_mocker.get(second, style.answer(2, _records(2, SIZE), 2, None))  # names itself

    output = read_streams(CONFIG, ["things"], expect_failure=True)

    [error] = stream_errors(output)
    assert error.trace.error.failure_type == FailureType.system_error
    assert "already read" in error.trace.error.message, error.trace.error.message
    assert records(output) == _records(0, 4)
    http_mocker.assert_number_of_calls(second, 1)


@pytest.mark.parametrize("style", _both_places(name for name in LINKED if isinstance(STYLES[name], BodyLink)),
                         indirect=True)
def test_a_next_link_back_to_the_first_page_ends_the_stream_before_it_is_asked_again(http_mocker, style):
    first, second = style.request(1), style.request(2)
    http_mocker.get(first, [style.answer(1, _records(0, SIZE), 2, None), style.answer(1, [], None, None)])
    http_mocker.get(second, style.answer(2, _records(2, SIZE), 1, None))  # back to where the listing began

    output = read_streams(CONFIG, ["things"], expect_failure=True)

    [error] = stream_errors(output)
    assert "already read" in error.trace.error.message, error.trace.error.message
    assert records(output) == _records(0, 4)
    http_mocker.assert_number_of_calls(first, 1)


@pytest.mark.parametrize("style", _both_places(COUNTED), indirect=True)
def test_a_counted_position_answered_with_an_earlier_page_ends_the_stream_before_emitting_it(http_mocker, style):
    total = 10 if style.counts else None  # a count that promises more than the API answers
    last = _records(2, SIZE)
    _serve(http_mocker, style, [_records(0, SIZE), last, last], total=total)

    output = read_streams(CONFIG, ["things"], expect_failure=True)

    [error] = stream_errors(output)
    assert error.trace.error.failure_type == FailureType.system_error
    at = f"{style.counted}={style.query(3)[style.counted]}"
    assert "exactly the records" in error.trace.error.message and at in error.trace.error.message
    assert records(output) == _records(0, 4)
