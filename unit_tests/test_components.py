"""Record extraction (KeyPathExtractor): a page that is not the documented one fails its stream with a message
naming the URL, where the CDK's DpathExtractor reads it as an empty page (or stumbles later over records that are
not objects) and a sync ends with records missing or with an error that does not say which page was wrong.

The partition router (DistinctSubstreamPartitionRouter) is pinned in test_substreams.py, the authenticator
(ClientCredentialsAuthenticator) in test_auth.py.
"""

import pytest
from airbyte_cdk.test.mock_http import HttpResponse

from unit_tests.builders import (
    BASE_URL,
    DEFAULT_TOKEN_URLS,
    api_request,
    hal_page,
    json_response,
    oauth_config,
    tracking_page,
)
from unit_tests.harness import ended_with_failure_summary, given_token_endpoint, read_streams, stream_errors

# The manifest's two record selectors: records at a key of the page, and records at a key under HAL's `_embedded`.
AT_A_KEY = ("tracking", "users", "/v1/users", "data")
UNDER_EMBEDDED = ("payments", "customers", "/customers", "_embedded.customers")
SELECTORS = pytest.mark.parametrize("api, stream, path, records_at", [AT_A_KEY, UNDER_EMBEDDED], ids=["key", "embedded"])


def read_broken_page(http_mocker, api, stream, path, page):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[api])
    http_mocker.get(api_request(path), page)
    output = read_streams(oauth_config(api), [stream], expect_failure=True)
    assert output.records == []
    assert ended_with_failure_summary(output)
    errors = stream_errors(output)
    assert len(errors) == 1
    return errors[0].trace.error.message


@SELECTORS
def test_a_body_that_is_not_json_fails_the_stream_naming_the_url(http_mocker, api, stream, path, records_at):
    # What a login page or a proxy in front of the API answers to a wrong base_url.
    page = HttpResponse("<html><body>Sign in</body></html>", 200, {"Content-Type": "text/html"})

    message = read_broken_page(http_mocker, api, stream, path, page)

    assert f"{BASE_URL}{path}" in message
    assert "not JSON" in message and "text/html" in message


@pytest.mark.parametrize(
    "api, stream, path, records_at, page",
    [
        (*AT_A_KEY, json_response({"links": {}, "message": "maintenance"})),
        # HAL may leave out `_embedded` when it embeds nothing, but an `_embedded` without the resource is broken.
        (*UNDER_EMBEDDED, json_response({"_links": {}, "_embedded": {"notice": [{"id": "n1"}]}})),
    ],
    ids=["key", "embedded"],
)
def test_a_page_without_the_documented_record_list_fails_the_stream_naming_the_url(
    http_mocker, api, stream, path, records_at, page
):
    message = read_broken_page(http_mocker, api, stream, path, page)

    assert f"{BASE_URL}{path}" in message
    assert f"`{records_at}`" in message


@SELECTORS
def test_records_that_are_not_objects_fail_the_stream_naming_the_url(http_mocker, api, stream, path, records_at):
    ids_only = ["r1", "r2"]
    page = tracking_page(ids_only) if api == "tracking" else hal_page("customers", ids_only)

    message = read_broken_page(http_mocker, api, stream, path, page)

    assert f"{BASE_URL}{path}" in message
    assert f"`{records_at}`" in message
