"""Each body shape a document may give, through a read of a probe API that has it (unit_tests/probe.py): records at
a key path, a top-level JSON array (`$[*]`), one object that is the record (`$`). An honest empty page is a quiet,
empty read; a 200 that is not a page (HTML, or JSON without the records) is asked again as often as the document
retries an error, and a page that stays broken fails the stream naming the URL and what was wrong."""

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse

from unit_tests.builders import API_KEY_VALUE, credentials, json_response
from unit_tests.harness import read_streams, records, stream_errors
from unit_tests.probe import PROBE, PROBE_URL, install, probe_manifest

CONFIG = {"api": PROBE, "credentials": credentials("api_key")}
THINGS = HttpRequest(f"{PROBE_URL}/v1/things", headers={"X-Api-Key": API_KEY_VALUE})
HTML = HttpResponse("<!DOCTYPE html><html><body>We'll be right back</body></html>", 200,
                    {"Content-Type": "text/html"})
ATTEMPTS = 4  # the probe's error handler: exponential_error_handler, 3 retries

# selector -> (a page of two records, an honest empty page, JSON that is no page of it (None: there is none))
SHAPES = {
    "data": ({"data": [{"id": "a"}, {"id": "b"}]}, {"data": []}, {"message": "temporarily unavailable"}),
    "$[*]": ([{"id": "a"}, {"id": "b"}], [], {"message": "temporarily unavailable"}),
    "$": ([{"id": "a"}, {"id": "b"}], [], None),
}


@pytest.fixture
def probe(tmp_path, monkeypatch):
    def with_selector(selector):
        install(probe_manifest("api_key_in_header", data_selector=selector), tmp_path, monkeypatch)
    return with_selector


@pytest.mark.parametrize("selector", SHAPES)
def test_a_page_of_records_is_read(http_mocker, probe, selector):
    probe(selector)
    http_mocker.get(THINGS, json_response(SHAPES[selector][0]))

    output = read_streams(CONFIG, ["things"])

    assert stream_errors(output) == [] and records(output) == [{"id": "a"}, {"id": "b"}]


@pytest.mark.parametrize("selector", SHAPES)
def test_an_honest_empty_page_is_a_quiet_empty_read(http_mocker, probe, selector):
    probe(selector)
    http_mocker.get(THINGS, json_response(SHAPES[selector][1]))

    output = read_streams(CONFIG, ["things"])

    assert stream_errors(output) == [] and records(output) == []
    http_mocker.assert_number_of_calls(THINGS, 1)


def test_a_single_object_resource_is_its_one_record(http_mocker, probe):
    probe("$")
    http_mocker.get(THINGS, json_response({"id": "me", "name": "Ada"}))

    output = read_streams(CONFIG, ["things"])

    assert stream_errors(output) == [] and records(output) == [{"id": "me", "name": "Ada"}]


@pytest.mark.parametrize("selector", SHAPES)
def test_a_maintenance_page_on_a_200_is_asked_again(http_mocker, probe, backoff_waits, selector):
    probe(selector)
    http_mocker.get(THINGS, [HTML, HTML, json_response(SHAPES[selector][0])])

    output = read_streams(CONFIG, ["things"])

    assert stream_errors(output) == [] and len(records(output)) == 2
    http_mocker.assert_number_of_calls(THINGS, 3)


@pytest.mark.parametrize("selector", SHAPES)
def test_a_page_that_stays_html_fails_the_stream_naming_it(http_mocker, probe, selector):
    probe(selector)
    http_mocker.get(THINGS, HTML)

    output = read_streams(CONFIG, ["things"], expect_failure=True)

    [error] = stream_errors(output)
    assert error.trace.error.failure_type == FailureType.system_error
    assert "not JSON" in error.trace.error.message and f"{PROBE_URL}/v1/things" in error.trace.error.message
    assert records(output) == []
    http_mocker.assert_number_of_calls(THINGS, ATTEMPTS)


@pytest.mark.parametrize("selector", [selector for selector, shape in SHAPES.items() if shape[2] is not None])
def test_json_without_the_records_is_a_broken_page_not_an_empty_one(http_mocker, probe, selector):
    probe(selector)
    http_mocker.get(THINGS, json_response(SHAPES[selector][2]))

    output = read_streams(CONFIG, ["things"], expect_failure=True)

    [error] = stream_errors(output)
    assert error.trace.error.failure_type == FailureType.system_error
    assert "Stream 'things'" in error.trace.error.message, error.trace.error.message
    assert records(output) == []
    http_mocker.assert_number_of_calls(THINGS, ATTEMPTS)
