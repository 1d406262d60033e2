"""Configs, requests and responses as the documented APIs speak them.

Every per-profile fact (the profiles, token URLs, first streams, keys, page shapes) comes from the sandbox's profile
registry (sandbox/profiles/), the documents' facts as recorded once: a profile added there is covered here.
Every builder returns plain values (dicts) or the CDK test kit's HttpRequest / HttpResponse, so a test reads as
"the API is asked this, the API answers that".
"""

import base64
import json
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlencode

from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse

import sandbox
from sandbox.listing import render
from sandbox.profile import API_KEY, BASIC, BEARER, OAUTH2, join

BASE_URL = "https://api.example.com"
CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
# The tests' other secrets, long enough that the CDK's secret filter (which masks each one's every occurrence in
# the output) never masks a word of the messages.
ACCESS_TOKEN = "test-access-token-5d1c8e42"
API_KEY_VALUE = "test-api-key-8f2a6c1e93"
USERNAME, PASSWORD = "test-user-7e4a", "test-password-3b9d7e15"
# Where the connector's incremental streams start without a start_date (manifest.yaml, incremental_cursor).
START = "1970-01-01T00:00:00Z"
# What the token endpoint of given_credentials hands out.
ISSUED_TOKEN = "token-1"

PROFILES = sandbox.PROFILES


def profile(api: str) -> sandbox.Profile:
    return sandbox.profile(api)


def token_url(api: str, base_url: Optional[str] = None) -> str:
    """The token endpoint the API document names, for that base URL (the profile's documented one by default)."""
    return profile(api).token_url(base_url or profile(api).base_url)


def taking(kind: str) -> List[str]:
    """The profiles whose documents take that kind of credentials (sandbox.profile.OAUTH2, BEARER, ...)."""
    return [api for api in PROFILES if profile(api).takes(kind)]


# The token endpoint of each profile that takes OAuth2 client credentials, at its documented base URL.
DEFAULT_TOKEN_URLS = {api: token_url(api) for api in taking(OAUTH2)}


def first_stream(api: str) -> str:
    """A top-level (non-substream) stream of the profile: enough to drive what every profile shares (auth, retries)."""
    return profile(api).first_stream.name


# ------------------------------------------------------------------------------------------------------------------
# Configs
# ------------------------------------------------------------------------------------------------------------------
def credentials(kind: str) -> Dict[str, Any]:
    """The tests' credentials of one kind, as the connector's config holds them."""
    return {
        OAUTH2: {"auth_type": "oauth2_client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        BEARER: {"auth_type": "bearer_token", "access_token": ACCESS_TOKEN},
        API_KEY: {"auth_type": "api_key", "api_key": API_KEY_VALUE},
        BASIC: {"auth_type": "basic_http", "username": USERNAME, "password": PASSWORD},
    }[kind]


def kind_of(config: Mapping[str, Any]) -> str:
    return {"oauth2_client_credentials": OAUTH2, "bearer_token": BEARER, "api_key": API_KEY,
            "basic_http": BASIC}[config["credentials"]["auth_type"]]


def config(api: str, kind: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    """A config of the profile signing in with the tests' credentials of `kind`: the first kind its document takes
    unless named. `credentials={...}` changes some of them."""
    kind = kind or profile(api).auth[0]
    return {"api": api, "credentials": {**credentials(kind), **extra.pop("credentials", {})}, **extra}


def base_url_of(api: str, config: Optional[Mapping[str, Any]] = None) -> str:
    """Where the connector sends the profile's requests: the config's base_url, or the profile's documented one."""
    return ((config or {}).get("base_url") or profile(api).base_url).rstrip("/")


def signature(api: str, config: Mapping[str, Any], token: str = ISSUED_TOKEN) -> Tuple[Dict[str, str], Dict[str, str]]:
    """(headers, query) that carry a config's credentials on each request, where the profile's document puts them.
    OAuth2: the token the token endpoint issued (`token`)."""
    kind = kind_of(config)
    if kind == OAUTH2:
        return {"Authorization": f"Bearer {token}"}, {}
    if kind == BEARER:
        return {"Authorization": f"Bearer {config['credentials']['access_token']}"}, {}
    if kind == BASIC:
        pair = f"{config['credentials']['username']}:{config['credentials']['password']}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}, {}
    key, p = config["credentials"]["api_key"], profile(api)
    return ({p.api_key_header: key}, {}) if p.api_key_header else ({}, {p.api_key_param: key})


def given_credentials(http_mocker, config: Mapping[str, Any], *tokens: str) -> None:
    """Whatever the config's credentials need answered before the API is asked: for OAuth2, the token endpoint
    (the config's token_url, or the profile's default) handing out `tokens` in order (ISSUED_TOKEN by default)."""
    if kind_of(config) != OAUTH2:
        return
    api = config["api"]
    url = config["credentials"].get("token_url") or token_url(api, base_url_of(api, config))
    http_mocker.post(token_request(url, config["credentials"]["client_id"], config["credentials"]["client_secret"]),
                     [token_response(token) for token in tokens or (ISSUED_TOKEN,)])


def request(api: str, path: str, query: Optional[Mapping[str, Any]] = None,
            config: Optional[Mapping[str, Any]] = None, base_url: Optional[str] = None) -> HttpRequest:
    """A GET of the profile's API as the connector sends it with `config` (its first kind of credentials by
    default): under its base URL, with the credentials where its document puts them; `query` is the complete query
    but for an API key in the query, which is added."""
    config = config or globals()["config"](api)
    headers, signed = signature(api, config)
    query = {key: str(value) for key, value in {**(query or {}), **signed}.items()}
    return HttpRequest(join(base_url or base_url_of(api, config), path), query_params=query or None, headers=headers)


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
    return HttpRequest(join(base_url, path), query_params=query, headers=headers)


def first_query(documented: sandbox.Stream) -> Dict[str, Any]:
    """The query of a stream's first request: its documented one, and the start of a server-side filter."""
    return {**documented.first_query, **({documented.since_param: START} if documented.since_param else {})}


def first_request(api: str, config: Optional[Mapping[str, Any]] = None, stream: Optional[str] = None) -> HttpRequest:
    """The first request of a top-level stream (first_stream(api) unless named) as the connector sends it with
    `config` (the profile's first kind of credentials by default): signed, at the documented query."""
    documented = profile(api).stream(stream or first_stream(api))
    return request(api, documented.path, first_query(documented), config)


def first_page_request(
    api: str, token: Optional[str] = None, base_url: Optional[str] = None, stream: Optional[str] = None
) -> HttpRequest:
    """The first request of a top-level stream (first_stream(api) unless named): its path and documented query."""
    documented = profile(api).stream(stream or first_stream(api))
    return api_request(documented.path, first_query(documented), token=token,
                       base_url=base_url or profile(api).base_url)


# ------------------------------------------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------------------------------------------
def json_response(body: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None) -> HttpResponse:
    return HttpResponse(json.dumps(body), status, {"Content-Type": "application/json", **(headers or {})})


def error_response(status: int, headers: Optional[Mapping[str, str]] = None, body: Any = None) -> HttpResponse:
    return json_response(body if body is not None else {"error": f"HTTP {status}"}, status, headers)


def token_response(access_token: str, expires_in: int = 3600) -> HttpResponse:
    return json_response({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in})


def page(api: str, stream: str, records: List[Mapping[str, Any]], next: Any = None, total: Optional[int] = None,
         pages: Optional[int] = None) -> HttpResponse:
    """A page of the stream as its API shapes it; `next` is the next page's URL or token (None: the last page),
    where its document puts it (the body or a header); `total` and `pages` the counts a counting body holds."""
    documented = profile(api).stream(stream)
    if documented.page is not None:
        return json_response(documented.page(records, next))
    body, headers = render(documented, records, next, total=total, pages=pages)
    return json_response(body, headers=dict(headers))


def first_page(api: str, records: List[Mapping[str, Any]], stream: Optional[str] = None) -> HttpResponse:
    """A single (last) page of a top-level stream (first_stream(api) unless named)."""
    return page(api, stream or first_stream(api), records)


def first_stream_records(api: str, *ids: str, stream: Optional[str] = None) -> List[Dict[str, Any]]:
    """Records holding nothing but their primary key (each field of a composite key the id with its name)."""
    return keyed(profile(api).stream(stream or first_stream(api)), ids)


def keyed(documented: sandbox.Stream, ids) -> List[Dict[str, Any]]:
    """Records of the stream holding nothing but their key: `id` itself for a one-field key, else `id` suffixed with
    each field's name (composite keys)."""
    fields = documented.key_fields
    if len(fields) == 1:
        return [{fields[0]: record_id} for record_id in ids]
    return [{name: f"{record_id}-{name}" for name in fields} for record_id in ids]


# Kept for test_components.py: one API's pages by their own names.
def tracking_page(records: List[Mapping[str, Any]], next_url: Optional[str] = None) -> HttpResponse:
    """tracking: records under `data`, the absolute URL of the next page in `links.next` (absent on the last)."""
    return page("tracking", "users", records, next_url)


def hal_page(resource: str, records: List[Mapping[str, Any]], next_href: Optional[str] = None) -> HttpResponse:
    """payments (HAL): records under `_embedded.<resource>`, the next page in `_links.next.href`."""
    return page("payments", resource.replace("-", "_"), records, next_href)
