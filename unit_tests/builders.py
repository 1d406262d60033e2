"""Configs, requests and responses as the five documented APIs speak them.

Every builder returns plain values (dicts) or the CDK test kit's HttpRequest / HttpResponse, so a test reads as
"the API is asked this, the API answers that".
"""

import json
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import urlencode

from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse

BASE_URL = "https://api.example.com"
CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"

PROFILES = ["tracking", "meetings", "payments", "accounting", "studies"]

# The token endpoint each API document names.
DEFAULT_TOKEN_URLS = {
    "tracking": f"{BASE_URL}/auth/token",
    "meetings": f"{BASE_URL}/oauth/token",
    "payments": f"{BASE_URL}/token",
    "accounting": "https://identity.example.com/connect/token",
    "studies": f"{BASE_URL}/oauth/token",
}

# One top-level (non-substream) stream per profile, the documented first page of it and how its records are
# wrapped: enough to drive the behaviours every profile shares (auth, retries).
FIRST_STREAM = {
    "tracking": "users",
    "meetings": "users",
    "payments": "customers",
    "accounting": "contacts",
    "studies": "study",
}


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


_FIRST_PAGE = {
    "tracking": ("/v1/users", None),
    "meetings": ("/v1/users", {"page_size": 30}),
    "payments": ("/customers", None),
    "accounting": ("/v1/contacts", {"page": 1, "page_size": 100}),
    "studies": ("/v1/study", {"page": 1, "page_size": 50}),
}


def first_page_request(api: str, token: Optional[str] = None, base_url: str = BASE_URL) -> HttpRequest:
    """The first request of FIRST_STREAM[api]."""
    path, query = _FIRST_PAGE[api]
    return api_request(path, query, token=token, base_url=base_url)


# ------------------------------------------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------------------------------------------
def json_response(body: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None) -> HttpResponse:
    return HttpResponse(json.dumps(body), status, {"Content-Type": "application/json", **(headers or {})})


def error_response(status: int, headers: Optional[Mapping[str, str]] = None, body: Any = None) -> HttpResponse:
    return json_response(body if body is not None else {"error": f"HTTP {status}"}, status, headers)


def token_response(access_token: str, expires_in: int = 3600) -> HttpResponse:
    return json_response({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in})


def tracking_page(records: List[Mapping[str, Any]], next_url: Optional[str] = None) -> HttpResponse:
    """tracking: records under `data`, the absolute URL of the next page in `links.next` (absent on the last)."""
    links: Dict[str, str] = {}
    if next_url:
        links["next"] = next_url
    return json_response({"data": records, "links": links})


def meetings_users_page(users: List[Mapping[str, Any]], next_page_token: str = "") -> HttpResponse:
    """meetings users: records under `users`, an opaque `next_page_token`, "" on the last page."""
    return json_response({"page_size": 30, "total_records": len(users), "next_page_token": next_page_token, "users": users})


def meetings_page(meetings: List[Mapping[str, Any]]) -> HttpResponse:
    return json_response({"meetings": meetings})


def hal_page(resource: str, records: List[Mapping[str, Any]], next_href: Optional[str] = None) -> HttpResponse:
    """payments (HAL): records under `_embedded.<resource>`, the next page in `_links.next.href`."""
    links: Dict[str, Any] = {"self": {"href": f"{BASE_URL}/{resource}"}}
    if next_href:
        links["next"] = {"href": next_href}
    return json_response({"_links": links, "_embedded": {resource: records}, "total": len(records)})


def accounting_page(resource: str, records: List[Mapping[str, Any]]) -> HttpResponse:
    """accounting: records under a capitalised key (`Contacts`, `BankTransactions`)."""
    return json_response({"Status": "OK", resource: records})


def studies_page(resource: str, records: List[Mapping[str, Any]]) -> HttpResponse:
    """studies `user` / `study`: records under `_embedded.<resource>`."""
    return json_response({"_embedded": {resource: records}})


def audit_trail_page(items: List[Mapping[str, Any]]) -> HttpResponse:
    return json_response({"items": items})


def first_page(api: str, records: List[Mapping[str, Any]]) -> HttpResponse:
    """A single (last) page of FIRST_STREAM[api]."""
    return {
        "tracking": lambda: tracking_page(records),
        "meetings": lambda: meetings_users_page(records),
        "payments": lambda: hal_page("customers", records),
        "accounting": lambda: accounting_page("Contacts", records),
        "studies": lambda: studies_page("study", records),
    }[api]()


# The primary key of FIRST_STREAM[api], to build its records.
FIRST_STREAM_KEY = {"tracking": "id", "meetings": "id", "payments": "id", "accounting": "ContactID", "studies": "crf_id"}


def first_stream_records(api: str, *ids: str) -> List[Dict[str, Any]]:
    return [{FIRST_STREAM_KEY[api]: record_id} for record_id in ids]
