"""OAuth2 client credentials against each profile's token endpoint, or a static bearer token."""

import pytest

from unit_tests.builders import (
    DEFAULT_TOKEN_URLS,
    FIRST_STREAM,
    PROFILES,
    api_request,
    bearer_config,
    first_page,
    first_page_request,
    first_stream_records,
    oauth_config,
    token_request,
    token_response,
    tracking_page,
)
from unit_tests.harness import read_streams, records, stream_errors


def read_first_stream(config):
    output = read_streams(config, [FIRST_STREAM[config["api"]]])
    assert stream_errors(output) == []
    return records(output)


@pytest.mark.parametrize("api", PROFILES)
def test_the_documented_token_url_is_used_by_default(http_mocker, api):
    token_call = token_request(DEFAULT_TOKEN_URLS[api])
    http_mocker.post(token_call, token_response("issued-token"))
    http_mocker.get(first_page_request(api, token="issued-token"), first_page(api, first_stream_records(api, "r1")))

    assert len(read_first_stream(oauth_config(api))) == 1
    http_mocker.assert_number_of_calls(token_call, 1)


@pytest.mark.parametrize(
    "api, base_url, token_url",
    [
        ("tracking", "https://gw.example.org/analytics/", "https://gw.example.org/analytics/auth/token"),
        ("meetings", "https://gw.example.org/analytics", "https://gw.example.org/analytics/oauth/token"),
        ("payments", "https://gw.example.org/analytics", "https://gw.example.org/analytics/token"),
        # accounting's identity server is its own host, whatever the API's base URL.
        ("accounting", "https://gw.example.org/analytics", "https://identity.example.com/connect/token"),
        ("studies", "https://gw.example.org/analytics", "https://gw.example.org/analytics/oauth/token"),
    ],
)
def test_token_url_default_follows_base_url(http_mocker, api, base_url, token_url):
    http_mocker.post(token_request(token_url), token_response("issued-token"))
    http_mocker.get(
        first_page_request(api, token="issued-token", base_url="https://gw.example.org/analytics"),
        first_page(api, first_stream_records(api, "r1")),
    )

    assert len(read_first_stream(oauth_config(api, base_url=base_url))) == 1


@pytest.mark.parametrize("api", PROFILES)
def test_an_explicit_token_url_wins(http_mocker, api):
    explicit = token_request("https://sso.example.net/tenant-7/token")
    http_mocker.post(explicit, token_response("sso-token"))
    http_mocker.get(first_page_request(api, token="sso-token"), first_page(api, first_stream_records(api, "r1")))

    config = oauth_config(api, credentials={"token_url": "https://sso.example.net/tenant-7/token"})

    assert len(read_first_stream(config)) == 1
    http_mocker.assert_number_of_calls(explicit, 1)


def test_client_credentials_are_posted_as_a_client_credentials_grant(http_mocker):
    # token_request matches the exact form body: grant_type=client_credentials&client_id=...&client_secret=...
    grant = token_request(DEFAULT_TOKEN_URLS["tracking"], client_id="id-from-config", client_secret="secret-from-config")
    http_mocker.post(grant, token_response("t"))
    http_mocker.get(api_request("/v1/users", token="t"), tracking_page([{"id": "u1"}]))

    config = oauth_config("tracking", credentials={"client_id": "id-from-config", "client_secret": "secret-from-config"})

    assert read_first_stream(config) == [{"id": "u1"}]
    http_mocker.assert_number_of_calls(grant, 1)


@pytest.mark.parametrize("api", PROFILES)
def test_bearer_token_is_sent_as_is_and_no_token_endpoint_is_called(http_mocker, api):
    # No POST is mocked: a call to any token endpoint would find no mock and fail the read.
    http_mocker.get(first_page_request(api, token="long-lived-token"), first_page(api, first_stream_records(api, "r1", "r2")))

    assert len(read_first_stream(bearer_config(api, "long-lived-token"))) == 2


def test_the_oauth_token_is_reused_across_pages(http_mocker):
    token_call = token_request(DEFAULT_TOKEN_URLS["tracking"])
    http_mocker.post(token_call, [token_response("first"), token_response("second")])
    http_mocker.get(api_request("/v1/users", token="first"), tracking_page([{"id": "a"}], next_url="https://api.example.com/v1/users?c=2"))
    http_mocker.get(api_request("/v1/users", {"c": 2}, token="first"), tracking_page([{"id": "b"}], next_url="https://api.example.com/v1/users?c=3"))
    http_mocker.get(api_request("/v1/users", {"c": 3}, token="first"), tracking_page([{"id": "c"}]))

    assert [r["id"] for r in read_first_stream(oauth_config("tracking"))] == ["a", "b", "c"]
    http_mocker.assert_number_of_calls(token_call, 1)
