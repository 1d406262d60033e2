"""Retry rules a document may give that no shipped profile's does, as docs/adding-a-profile.md writes them, through a
read of a probe API (unit_tests/probe.py): a linear backoff, and retries of some server errors only."""

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.mock_http import HttpRequest

from unit_tests.builders import API_KEY_VALUE, credentials, error_response, json_response
from unit_tests.harness import CDK_EXTRA_SECOND, failure_types, read_streams, records, stream_errors
from unit_tests.probe import PROBE, PROBE_URL, install, probe_manifest

CONFIG = {"api": PROBE, "credentials": credentials("api_key")}
THINGS = HttpRequest(f"{PROBE_URL}/v1/things", headers={"X-Api-Key": API_KEY_VALUE})
PAGE = json_response([{"id": "a"}])

# "Retry 429 and 503 three times, waiting 10, 20 and 30 s": the recipe's handler.
LINEAR_503_ONLY = {
    "type": "CustomErrorHandler",
    "class_name": "source_analytics.components.error_handlers.ApiErrorHandler",
    "max_retries": 3,
    "backoff_strategies": [
        {"$ref": "#/definitions/broken_page_backoff"},
        {"$ref": "#/definitions/retry_after_header"},
        {"type": "CustomBackoffStrategy", "class_name": "source_analytics.components.backoff.LinearBackoffStrategy",
         "backoff_time_in_seconds": 10},
    ],
    "response_filters": [
        {"$ref": "#/definitions/unauthorized_filter"},
        {"$ref": "#/definitions/rate_limited_filter"},
        {"$ref": "#/definitions/server_error_filter", "http_codes": [503]},
        {"$ref": "#/definitions/unretried_server_error_filter", "http_codes": [500, 502, 504]},
        {"$ref": "#/definitions/forbidden_filter"},
        {"$ref": "#/definitions/not_found_filter"},
    ],
}


@pytest.fixture(autouse=True)
def probe(tmp_path, monkeypatch):
    install(probe_manifest("api_key_in_header", data_selector="$[*]", error_handler=LINEAR_503_ONLY), tmp_path,
            monkeypatch)


def test_a_linear_backoff_waits_its_step_times_the_attempt(http_mocker, backoff_waits):
    http_mocker.get(THINGS, [error_response(503), error_response(503), error_response(503), PAGE])

    output = read_streams(CONFIG, ["things"])

    assert stream_errors(output) == [] and records(output) == [{"id": "a"}]
    assert backoff_waits == [10 + CDK_EXTRA_SECOND, 20 + CDK_EXTRA_SECOND, 30 + CDK_EXTRA_SECOND]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_the_document_does_not_retry_fails_at_once(http_mocker, backoff_waits, status):
    http_mocker.get(THINGS, [error_response(status), PAGE])

    output = read_streams(CONFIG, ["things"], expect_failure=True)

    http_mocker.assert_number_of_calls(THINGS, 1)
    assert backoff_waits == [] and records(output) == []
    assert failure_types(output) == [FailureType.transient_error]
