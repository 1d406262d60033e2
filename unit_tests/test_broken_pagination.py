"""Broken pagination: an API that sends the connector back to a page it has read ends the stream with one clear
error, every record before it read once; a next link to another host is not followed with the credentials.

Every paginated top-level stream of every profile is driven from its registry entry's paging style (sandbox's
profile.Paging), so a new profile's streams are covered here too.
"""

import json
import threading
from typing import Any, Dict, List
from urllib.parse import urlsplit

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.requesters.request_option import RequestOption, RequestOptionType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from sandbox.profile import LINK_HEADER, NEXT_LINK, NEXT_TOKEN, OFFSET, PAGE_NUMBER
from source_analytics.components.extractors import KeyPathExtractor
from source_analytics.components.pagination import PaginationGuard
from unit_tests.builders import BASE_URL, PROFILES, error_response, page, profile, request
from unit_tests.harness import each, manifest_nodes, resolved_manifest, stream_errors
from unit_tests.listing import Listing


def _paged(*styles):
    streams = [(api, s) for api in PROFILES for s in profile(api).streams
               if s.paging is not None and s.paging.style in styles]
    return each("api, stream", streams, ids=[f"{api}-{s.name}" for api, s in streams])


def _one_error(output) -> Any:
    [error] = stream_errors(output)
    return error.trace.error


# A connector that loops reads a parent's page from its HTTP cache forever, whatever the mock answers the second
# time: such a test ends the run (pytest-timeout) rather than hang it.
LOOP_TIMEOUT = pytest.mark.timeout(60)


# ---- next links and next tokens: a page already read is not read again -------------------------------------------
@LOOP_TIMEOUT
@_paged(NEXT_LINK, LINK_HEADER, NEXT_TOKEN)
def test_a_next_page_that_is_the_page_just_read_ends_the_stream_after_its_records(http_mocker, api, stream):
    listing = Listing(http_mocker, api, stream)
    listing.serve(1, listing.records(0, 2), next_page=2)
    listing.serve(2, listing.records(2, 2), next_page=2)  # the cursor does not advance past the end

    output, ids = listing.read()

    assert ids == listing.ids(0, 4)
    error = _one_error(output)
    assert error.failure_type == FailureType.system_error
    assert f"Stream '{stream.name}'" in error.message and "already read" in error.message
    assert "the records before it were read once" in error.message and "cursor-2" in error.message
    http_mocker.assert_number_of_calls(listing.request(2), 1)


@LOOP_TIMEOUT
@_paged(NEXT_LINK, LINK_HEADER, NEXT_TOKEN)
def test_a_next_page_back_to_an_earlier_page_ends_the_stream_before_asking_for_it(http_mocker, api, stream):
    listing = Listing(http_mocker, api, stream)
    listing.serve(1, listing.records(0, 2), next_page=2)
    listing.serve(2, listing.records(2, 2), next_page=3)
    # Back to page 2 for a token API; for a next-link API back to the very first page, by its exact URL.
    back = listing.next_of(2) if stream.paging.style == NEXT_TOKEN else listing.next_of(1)
    listing.serve(3, listing.records(4, 1), next_value=back)

    output, ids = listing.read()

    assert ids == listing.ids(0, 5)
    assert "already read" in _one_error(output).message
    for n in (1, 2, 3):
        http_mocker.assert_number_of_calls(listing.request(n), 1)


@LOOP_TIMEOUT
@_paged(NEXT_LINK, LINK_HEADER)
def test_a_next_link_back_to_the_first_page_with_an_empty_cursor_is_one_already_read(http_mocker, api, stream):
    listing = Listing(http_mocker, api, stream)
    listing.serve(1, listing.records(0, 2), next_page=2)
    listing.serve(2, listing.records(2, 1), next_value=f"{listing.next_of(1)}{'&' if '?' in listing.next_of(1) else '?'}cursor=")

    output, ids = listing.read()

    assert ids == listing.ids(0, 3) and "already read" in _one_error(output).message
    http_mocker.assert_number_of_calls(listing.request(1), 1)


def test_a_page_asked_again_after_a_server_error_is_no_repeat(http_mocker):
    stream = profile("tracking").stream("users")
    listing = Listing(http_mocker, "tracking", stream)
    listing.serve(1, listing.records(0, 2), next_page=2)
    http_mocker.get(listing.request(2), [error_response(503), page("tracking", "users", listing.records(2, 1))])

    output, ids = listing.read()

    assert stream_errors(output) == [] and ids == ["r0", "r1", "r2"]
    http_mocker.assert_number_of_calls(listing.request(2), 2)


def test_partitions_paged_side_by_side_in_two_threads_are_no_repeat_of_each_other():
    """One guard serves every partition of a stream: children of two parents, paged at once, may be given the same
    next tokens."""
    from airbyte_cdk.sources.declarative.requesters.paginators.strategies.cursor_pagination_strategy import (
        CursorPaginationStrategy,
    )
    from airbyte_cdk.sources.types import StreamSlice

    strategy = CursorPaginationStrategy(cursor_value="{{ response.next }}", config={}, parameters={})
    guard = PaginationGuard(pagination_strategy=strategy, config={"base_url": BASE_URL}, parameters={"name": "x"})
    failures = []
    # p1 reads two pages, p2 all three (the tokens p1 sent among them), then p1 its last.
    turns = {"p1": (threading.Event(), threading.Event()), "p2": (threading.Event(), threading.Event())}

    def page_through(parent, pause_after):
        path, partition = f"{BASE_URL}/parents/{parent}/children", StreamSlice(partition={"id": parent}, cursor_slice={})
        mine, theirs = turns[parent]
        try:
            if parent == "p2":
                mine.wait(10)
            token = None  # the token page k was asked with: none for the first page
            for k in (1, 2, 3):
                url = f"{path}?next_page_token={token}" if token else path
                body = {"next": f"t{k + 1}" if k < 3 else None}
                token = guard.next_page_token(_answer(url, body), 1, None, token, stream_slice=partition)
                if k == pause_after:
                    turns["p2" if parent == "p1" else "p1"][0].set()
                    theirs.wait(10)
            assert token is None
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            turns["p2" if parent == "p1" else "p1"][0].set()
            turns["p2" if parent == "p1" else "p1"][1].set()

    threads = [threading.Thread(target=page_through, args=args) for args in (("p1", 2), ("p2", None))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert failures == []


def _answer(url: str, body: Dict[str, Any]) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = 200, json.dumps(body).encode()
    response.request = requests.Request("GET", url).prepare()
    return response


@_paged(NEXT_LINK, LINK_HEADER, NEXT_TOKEN)
def test_two_pages_with_the_same_records_but_their_own_next_links_are_both_read(http_mocker, api, stream):
    """The line: a next link is the API's word for a position; the same records at two positions are two pages."""
    listing = Listing(http_mocker, api, stream)
    same = listing.records(0, 2)
    listing.serve(1, same, next_page=2)
    listing.serve(2, same, next_page=3)
    listing.serve(3, listing.records(2, 1))

    output, ids = listing.read()

    assert stream_errors(output) == []
    assert ids == listing.ids(0, 2) * 2 + listing.ids(2, 1)


# ---- page numbers: a page whose records an earlier page held is not emitted -------------------------------------
@LOOP_TIMEOUT
@_paged(PAGE_NUMBER, OFFSET)
def test_a_counted_listing_repeating_its_last_full_page_ends_the_stream_before_emitting_it(http_mocker, api, stream):
    listing = Listing(http_mocker, api, stream)
    size = listing.size
    total = 3 * size if listing.counts else None  # an API that counts counts a page more than it answers
    listing.serve(1, listing.records(0, size), total=total)
    last = listing.records(size, size)
    listing.serve(2, last, total=total)
    listing.serve(3, last, total=total)  # past the end: the API clamps the position

    output, ids = listing.read()

    assert ids == listing.ids(0, 2 * size)
    error = _one_error(output)
    assert error.failure_type == FailureType.system_error
    at = [f"{stream.paging.param}={listing.query(n)[stream.paging.param]}" for n in (2, 3)]
    assert f"Stream '{stream.name}'" in error.message and all(words in error.message for words in at), error.message
    assert "the records before it were read once" in error.message
    http_mocker.assert_number_of_calls(listing.request(3), 1)


def _numbered(page_number: int, records: List[Dict[str, Any]], listing: str = "/v1/contacts") -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = json.dumps({"Contacts": records}).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request("GET", f"{BASE_URL}{listing}?page={page_number}&page_size=2").prepare()
    response.url = response.request.url
    return response


@pytest.fixture
def numbered_extractor():
    option = RequestOption(field_name="page", inject_into=RequestOptionType.request_parameter, parameters={})
    return KeyPathExtractor(data_selector="Contacts", config={}, parameters={"name": "contacts"},
                            page_token_option=option)


def test_a_listing_read_again_from_its_first_page_is_no_repeat(numbered_extractor):
    first, second = [{"ContactID": "a"}, {"ContactID": "b"}], [{"ContactID": "c"}]
    for _ in range(2):  # a parent read for its children's partitions, then as a stream of its own
        assert list(numbered_extractor.extract_records(_numbered(1, first))) == first
        assert list(numbered_extractor.extract_records(_numbered(2, second))) == second
    # Another listing's page with the same records (another study's audit trail, say) is no repeat either.
    assert list(numbered_extractor.extract_records(_numbered(2, second, "/v1/other"))) == second


def test_a_page_number_repeat_is_found_across_pages_not_only_the_page_before(numbered_extractor):
    first, second = [{"ContactID": "a"}, {"ContactID": "b"}], [{"ContactID": "c"}, {"ContactID": "d"}]
    list(numbered_extractor.extract_records(_numbered(1, first)))
    list(numbered_extractor.extract_records(_numbered(2, second)))

    with pytest.raises(AirbyteTracedException) as repeated:
        list(numbered_extractor.extract_records(_numbered(3, first)))  # an API that wraps around to page 1

    assert "page=3" in repeated.value.message and "page=1" in repeated.value.message


# ---- next links to another host ------------------------------------------------------------------------------
@pytest.mark.parametrize("written, origin, failure_type, words", [
    ("https://collector.example.net", "https://collector.example.net", FailureType.config_error,
     ("collector.example.net", "additional_hosts")),
    ("//collector.example.net", "https://collector.example.net", FailureType.config_error,  # scheme-relative
     ("collector.example.net", "additional_hosts")),
    ("https://{host}:8443", "https://{host}:8443", FailureType.config_error,  # another port of the API's host
     ("{host}:8443", "additional_hosts")),
    ("http://{host}", "http://{host}", FailureType.system_error, ("plain http",)),  # the API's https base URL
], ids=["another host", "scheme-relative", "another port", "https to plain http"])
@_paged(NEXT_LINK, LINK_HEADER)
def test_a_next_link_the_credentials_must_not_go_to_is_not_followed(
    http_mocker, api, stream, written, origin, failure_type, words
):
    documented = urlsplit(profile(api).base_url)
    written, origin = (f"{text.format(host=documented.hostname)}{documented.path.rstrip('/')}" for text in (written, origin))
    words = [word.format(host=documented.hostname) for word in words]
    listing = Listing(http_mocker, api, stream)
    listing.serve(1, listing.records(0, 2), next_value=f"{written}/{stream.path.lstrip('/')}?cursor=2")
    elsewhere = request(api, stream.path, {"cursor": "2"}, listing.config, base_url=origin)
    http_mocker.get(elsewhere, page(api, stream.name, listing.records(2, 1)))

    output, ids = listing.read()

    assert ids == listing.ids(0, 2)
    error = _one_error(output)
    assert error.failure_type == failure_type and all(word in error.message for word in words), error.message
    http_mocker.assert_number_of_calls(elsewhere, 0)


def test_a_next_link_to_a_host_the_config_lists_is_followed(http_mocker):
    stream = profile("payments").stream("events")
    listing = Listing(http_mocker, "payments", stream)
    listing.serve(1, listing.records(0, 2), next_value="https://eu.api.example.com/events?offset=2")
    other = request("payments", "/events", {"offset": "2"}, listing.config, base_url="https://eu.api.example.com")
    http_mocker.get(other, page("payments", "events", listing.records(2, 1)))

    output, ids = listing.read(additional_hosts=["EU.api.example.com"])

    assert stream_errors(output) == [] and ids == ["r0", "r1", "r2"]


# ---- the manifest declares the guards for every paginated stream -------------------------------------------------
def test_every_paginated_stream_pages_through_the_guard_and_every_counted_one_checks_its_pages():
    retrievers = [node for node in manifest_nodes(resolved_manifest()["streams"]) if node.get("type") == "SimpleRetriever"]
    paginated = [r for r in retrievers if (r.get("paginator") or {}).get("type") not in (None, "NoPagination")]
    assert paginated
    for retriever in paginated:
        name, strategy = retriever["$parameters"]["name"], retriever["paginator"]["pagination_strategy"]
        assert strategy.get("class_name") == "source_analytics.components.pagination.PaginationGuard", name
        if strategy["pagination_strategy"]["type"] in ("PageIncrement", "OffsetIncrement"):
            option = retriever["record_selector"]["extractor"].get("page_token_option")
            assert option == retriever["paginator"]["page_token_option"], name
