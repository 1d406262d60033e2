"""`check` reads the first page of the chosen profile's first documented stream."""

import pytest
from airbyte_cdk.models import Status

from unit_tests.builders import (
    DEFAULT_TOKEN_URLS,
    PROFILES,
    error_response,
    first_page,
    first_page_request,
    first_stream_records,
    oauth_config,
    token_request,
)
from unit_tests.harness import check, given_token_endpoint


@pytest.mark.parametrize("api", PROFILES)
def test_check_succeeds_when_the_first_stream_answers(http_mocker, api):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS[api])
    # Only this one request is mocked: checking any other stream would find no mock and fail.
    request = first_page_request(api, token="token-1")
    http_mocker.get(request, first_page(api, first_stream_records(api, "r1")))

    assert check(oauth_config(api)).status == Status.SUCCEEDED
    http_mocker.assert_number_of_calls(request, 1)


def test_check_fails_with_a_wrong_client_secret(http_mocker):
    http_mocker.post(token_request(DEFAULT_TOKEN_URLS["payments"]), error_response(401, body={"error": "invalid_client"}))

    status = check(oauth_config("payments"))

    assert status.status == Status.FAILED
    assert "invalid_client" in status.message


def test_check_fails_when_access_is_refused(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["studies"])
    http_mocker.get(first_page_request("studies"), error_response(403))

    status = check(oauth_config("studies"))

    assert status.status == Status.FAILED
    assert "HTTP 403" in status.message
