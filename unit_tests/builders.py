"""Configs, requests and responses as the documented APIs speak them.

Every per-profile fact (the profiles, token URLs, first streams, keys, page shapes) comes from the sandbox's profile
registry (sandbox/profiles/), the documents' facts as recorded once: a profile added there is covered here.
Every builder returns plain values (dicts) or the CDK test kit's HttpRequest / HttpResponse, so a test reads as
"the API is asked this, the API answers that".
"""

import json
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import urlencode

from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse

import sandbox

BASE_URL = "https://api.example.com"
CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"

PROFILES = sandbox.PROFILES


def profile(api: str) -> sandbox.Profile:
    return sandbox.profile(api)


def token_url(api: str, base_url: str = BASE_URL) -> str:
    """The token endpoint the API document names, for that base URL."""
    return profile(api).token_url(base_url)


# The token endpoint of each profile at BASE_URL.
DEFAULT_TOKEN_URLS = {api: token_url(api) for api in PROFILES}


def first_stream(api: str) -> str:
    """A top-level (non-substream) stream of the profile: enough to drive what every profile shares (auth, retries)."""
    return profile(api).first_stream.name


# ------------------------------------------------------------------------------------------------------------------
# Configs
# ------------------------------------------------------------------------------------------------------------------
def oauth_config(api: str, **extra: Any) -> Dict[str, Any]:
    credentials = {"auth_type": "oauth2_client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    credentials.update(extra.pop("credentials", {}))
    return {"api": api, "credentials": credentials, **extra}


def bearer_config(api: str, access_token: str, **extra: Any) -> Dict[str, Any]:
    return {"api": api, "credentials": {"auth_type": "bearer_token", "access_token": access_token}, **extra}


# ------------------------------------------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------------------------------------------
def token_request(url: str, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> HttpRequest:
    """The OAuth2 client-credentials grant: a form-encoded POST (RFC 6749 section 4.4)."""
    body = urlencode({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret})
    return HttpRequest(url, body=body)


def api_request(
    path: str, query: Optional[Mapping[str, Any]] = None, token: Optional[str] = None, base_url: str = BASE_URL
) -> HttpRequest:
    """A GET on the API; `query` must be the complete query string, `token` the bearer token it must carry."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    query = {key: str(value) for key, value in query.items()} if query else None
    return HttpRequest(f"{base_url}{path}", query_params=query, headers=headers)


def first_page_request(
    api: str, token: Optional[str] = None, base_url: str = BASE_URL, stream: Optional[str] = None
) -> HttpRequest:
    """The first request of a top-level stream (first_stream(api) unless named): its path and documented query."""
    documented = profile(api).stream(stream or first_stream(api))
    return api_request(documented.path, documented.first_query, token=token, base_url=base_url)


# ------------------------------------------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------------------------------------------
def json_response(body: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None) -> HttpResponse:
    return HttpResponse(json.dumps(body), status, {"Content-Type": "application/json", **(headers or {})})


def error_response(status: int, headers: Optional[Mapping[str, str]] = None, body: Any = None) -> HttpResponse:
    return json_response(body if body is not None else {"error": f"HTTP {status}"}, status, headers)


def token_response(access_token: str, expires_in: int = 3600) -> HttpResponse:
    return json_response({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in})


def page(api: str, stream: str, records: List[Mapping[str, Any]], next: Any = None) -> HttpResponse:
    """A page of the stream as its API shapes it; `next` is the next page's URL or token (None: the last page)."""
    return json_response(profile(api).stream(stream).page(records, next))


def first_page(api: str, records: List[Mapping[str, Any]], stream: Optional[str] = None) -> HttpResponse:
    """A single (last) page of a top-level stream (first_stream(api) unless named)."""
    return page(api, stream or first_stream(api), records)


def first_stream_records(api: str, *ids: str, stream: Optional[str] = None) -> List[Dict[str, Any]]:
    """Records holding nothing but their primary key."""
    key = profile(api).stream(stream or first_stream(api)).key
    return [{key: record_id} for record_id in ids]


# Kept for test_components.py: one API's pages by their own names.
def tracking_page(records: List[Mapping[str, Any]], next_url: Optional[str] = None) -> HttpResponse:
    """tracking: records under `data`, the absolute URL of the next page in `links.next` (absent on the last)."""
    return page("tracking", "users", records, next_url)


def hal_page(resource: str, records: List[Mapping[str, Any]], next_href: Optional[str] = None) -> HttpResponse:
    """payments (HAL): records under `_embedded.<resource>`, the next page in `_links.next.href`."""
    return page("payments", resource.replace("-", "_"), records, next_href)
