"""The kinds of credentials (Credentials picks the config's among those its API takes) and
ClientCredentialsAuthenticator: OAuth2 client credentials, renewed early, refusals named."""

import time
from dataclasses import InitVar, dataclass
from datetime import timedelta
from typing import Any, Dict, Mapping, NamedTuple, Optional, Tuple

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.auth.declarative_authenticator import DeclarativeAuthenticator
from airbyte_cdk.sources.declarative.auth.oauth import DeclarativeOauth2Authenticator
from airbyte_cdk.sources.types import Config
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets
from airbyte_cdk.utils.datetime_helpers import AirbyteDateTime, ab_datetime_now
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.pacing import pacer_for, quota_used_up
from source_analytics.components.requester import cannot_connect, mark_reached, origin, unreachable_error, was_reached
from source_analytics.components.retry_after import retry_after_seconds


class _SharedToken(NamedTuple):
    token: str
    expiry: AirbyteDateTime
    renew_early: timedelta

    def due(self) -> bool:
        return ab_datetime_now() + self.renew_early > self.expiry


class ClientCredentialsAuthenticator(DeclarativeOauth2Authenticator):
    """The CDK's OAuth authenticator, renewing tokens before the API rejects them and naming what to fix when the
    token endpoint refuses.

    Renewal: the CDK renews a token once the expiry it computed has passed, but computes it from when the token
    response arrived, later than the API issued the token, and a request carries its token from before the request
    budget holds it (up to a second after a 429), so a request sent near the expiry is answered 401. Each such 401
    costs one of the few retries the documents allow, and the CDK refreshes a request's token only once: if that
    request meets a 401 again after waiting out a 5xx or 429, it reports the credentials as rejected and ends the
    sync. Renewing at half the lifetime (at most a minute early) keeps expired tokens off the wire, so a 401 means
    the API revoked the token.

    Refusals: a 4xx (not 429) from the token endpoint is the user's to fix, a wrong client or a wrong URL; the CDK
    names only a refresh-token rejection, and lets a 404 escape as an unexpected HTTPError.

    One token per client: the CDK builds an authenticator for every requester (each stream, and each parent copy a
    child reads its partitions through), and each fetches its own token, one at a time behind the CDK's class-level
    refresh lock: 2 to 6 token requests in series before a profile's streams get going. A token is the client's,
    not the requester's, so authenticators of the same client and token endpoint share the newest one; a requester
    whose token the API rejected takes a newer shared one if there is one, and fetches a new one otherwise.

    The token request: the CDK sends it with no timeout (a stalled token endpoint hangs the sync) and retries a
    refused connection for 5 minutes. Here it goes through the API host's AdaptivePacer like a data request, and has
    the requests' connect and read timeouts (`connect_timeout_seconds`,
    `read_timeout_seconds`); timeouts, resets, 429 and 5xx are retried for up to TOKEN_RETRY_SECONDS, waiting as
    `Retry-After` asks; a token endpoint that has never answered and cannot be connected to is a wrong token URL,
    said at once.
    """

    TOKEN_RETRY_SECONDS = 300

    _RENEW_EARLY_AT_MOST = timedelta(minutes=1)
    _renew_early = timedelta(0)
    # Client key -> the newest token fetched for it. Read and written only under the CDK's class-level
    # _token_refresh_lock, which every refresh (on expiry or after a 401) holds.
    _shared_tokens: Dict[tuple, "_SharedToken"] = {}

    def get_token_refresh_endpoint(self) -> Optional[str]:
        # The CDK asks for it on every request; rendering its template was most of the authenticator's CPU (py-spy).
        if not hasattr(self, "_token_endpoint"):
            self._token_endpoint = super().get_token_refresh_endpoint()
        return self._token_endpoint

    def request_token(self) -> Mapping[str, Any]:
        """The token endpoint's answer (its JSON body), after waiting out 429s and retrying 5xx and timeouts."""
        url = self.get_token_refresh_endpoint() or ""
        timeout = (float(self.config.get("connect_timeout_seconds") or 10), float(self.config.get("read_timeout_seconds") or 60))
        deadline = time.monotonic() + self.TOKEN_RETRY_SECONDS
        attempt = 0
        while True:
            attempt += 1
            wait = min(30.0, 2.0 ** attempt)
            # Paced with the API's data requests when the token endpoint is on the same host: an API's rate limit
            # usually counts both. Outside the window: the data request it is made for may hold the last place.
            pacer = pacer_for(origin(url))
            sent_at = pacer.acquire(in_window=False)
            response = None
            try:
                response = requests.request(
                    method="POST",
                    url=url,
                    data=self.build_refresh_request_body(),
                    headers=self.build_refresh_request_headers(),
                    params=self.build_refresh_request_query_params(),
                    timeout=timeout,
                    # A 307/308 would send the client secret on to wherever it points: a redirect is answered as
                    # what it is, no token (a config error naming token_url, below).
                    allow_redirects=False,
                )
            except requests.exceptions.RequestException as error:
                pacer.release(sent_at, None, in_window=False)
                why = cannot_connect(error)
                if why and not was_reached(url):
                    raise unreachable_error(url, why, "credentials.token_url (or base_url, when it is empty)") from error
                if time.monotonic() + wait > deadline:
                    raise
                time.sleep(wait)
                continue
            mark_reached(url)
            held = pacer.release(sent_at, response, in_window=False)
            if held is not None and held >= pacer.MAX_HOLD:
                raise quota_used_up(f"The token endpoint {url} answered HTTP 429 with a wait of {held:.0f} s.")
            if response.status_code == 429 or response.status_code >= 500:
                wait = held or retry_after_seconds(response) or wait
                if time.monotonic() + wait > deadline:
                    message = (
                        f"The token endpoint {url} kept answering HTTP {response.status_code} for "
                        f"{self.TOKEN_RETRY_SECONDS // 60} minutes. Run the sync again later."
                    )
                    raise AirbyteTracedException(
                        message=message, internal_message=message, failure_type=FailureType.transient_error
                    )
                time.sleep(wait)
                continue
            response.raise_for_status()
            try:
                body = response.json()
            except ValueError:
                body = None
            token = body.get(self.get_access_token_name()) if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                message = (
                    f"The token endpoint {url} answered without an access token (`{self.get_access_token_name()}`). "
                    "Check credentials.token_url: it must be the API's OAuth token endpoint."
                )
                raise AirbyteTracedException(message=message, internal_message=message,
                                             failure_type=FailureType.config_error)
            add_to_secrets(token)  # masked before anything can log it
            return body

    def _client_key(self) -> tuple:
        return (self.get_token_refresh_endpoint(), self.get_client_id(), self.get_client_secret(),
                self.get_grant_type(), tuple(self.get_scopes()))

    def current_token(self) -> Optional[str]:
        try:
            return self.access_token
        except Exception:  # a token never fetched
            return None

    def token_has_expired(self) -> bool:
        return ab_datetime_now() + self._renew_early > self.get_token_expiry_date()

    def refresh_access_token(self) -> Tuple[str, AirbyteDateTime]:
        """A token and its expiry: the newest shared one of this client when this requester's is not it, or a
        new one from the token endpoint (`request_token`)."""
        key = self._client_key()
        shared = self._shared_tokens.get(key)
        if shared is not None and shared.token != self.current_token() and not shared.due():
            self._renew_early = shared.renew_early
            return shared.token, shared.expiry
        try:
            body = self.request_token()
        except requests.exceptions.HTTPError as error:
            raise self._refused(error.response) or error
        except requests.exceptions.RequestException as error:  # no answer through every retry
            message = (
                "Could not connect to the token endpoint. Check credentials.token_url (or base_url, when token_url "
                "is empty) and that it can be reached from here."
            )
            raise AirbyteTracedException(message=message, internal_message=f"The token request failed: {error}",
                                         failure_type=FailureType.transient_error) from error
        # Shared here, with what this method returns, rather than when the CDK assigns the token and its expiry: no
        # reliance on the order in which it does.
        token, expiry = body[self.get_access_token_name()], self._expiry(body.get(self.get_expires_in_name()))
        self._renew_early = max(timedelta(0), min((expiry - ab_datetime_now()) / 2, self._RENEW_EARLY_AT_MOST))
        self._shared_tokens[key] = _SharedToken(token, expiry, self._renew_early)
        return token, expiry

    def _expiry(self, expires_in: Any) -> AirbyteDateTime:
        """`expires_in` seconds from now, as the documents give it; an hour without one (the CDK's default)."""
        try:
            return ab_datetime_now() + timedelta(seconds=int(float(expires_in)))
        except (TypeError, ValueError):
            return ab_datetime_now() + timedelta(hours=1)

    def _refused(self, response: Optional[requests.Response]) -> Optional[AirbyteTracedException]:
        """The config error for a token endpoint that refused the request, None when it did not (5xx, 429)."""
        if response is None or not 400 <= response.status_code < 500 or response.status_code == 429:
            return None
        url = self.get_token_refresh_endpoint()
        if response.status_code in (400, 401):
            try:
                code = response.json().get("error")
            except (ValueError, AttributeError):
                code = None
            message = (
                f"The token endpoint {url} rejected the client credentials (HTTP {response.status_code}"
                f"{': ' + code if isinstance(code, str) else ''}). Check credentials.client_id and "
                "credentials.client_secret."
            )
        else:
            message = (
                f"The token endpoint {url} answered HTTP {response.status_code}. Check credentials.token_url "
                "(when it is empty, the profile's documented token path under base_url is used)."
            )
        return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)


class Kind(NamedTuple):
    """A kind of credentials the spec offers (its `credentials.auth_type`), as the connector's messages name it."""

    title: str  # what it is, in a sentence
    settings: str  # the settings that hold it, to check when the API rejects it
    renewable: bool  # a rejected one can be exchanged for a new one (OAuth2), so a 401 is first answered by that


# The framework's kinds of credentials, by the spec's `credentials.auth_type` (its `oneOf` has one form per kind;
# unit_tests/test_spec.py keeps the two alike). A profile takes some of them: its requester's `Credentials`.
KINDS: Dict[str, Kind] = {
    "oauth2_client_credentials": Kind(
        "OAuth2 client credentials", "credentials.client_id, credentials.client_secret and credentials.token_url",
        True),
    "bearer_token": Kind("a bearer token", "credentials.access_token", False),
    "api_key": Kind("an API key", "credentials.api_key", False),
    "basic_http": Kind("HTTP basic auth (a username and a password)",
                       "credentials.username and credentials.password", False),
}


def kind_of(config: Mapping[str, Any]) -> Optional[Kind]:
    """The kind of credentials a config gives, None for one the framework does not know."""
    credentials = config.get("credentials")
    return KINDS.get(credentials.get("auth_type")) if isinstance(credentials, Mapping) else None


@dataclass
class Credentials(DeclarativeAuthenticator):
    """The authenticator for the kind of credentials the config gives (`credentials.auth_type`), among the kinds the
    profile's API takes: one field per kind of KINDS, set in the manifest (each profile's requester) to that kind's
    authenticator for each kind its document takes, and left out for the others.

    Why not the CDK's SelectiveAuthenticator, which picks an authenticator by a config value the same way: for a
    kind its table lacks it raises a bare ValueError ("The authenticator `api_key` is not found.") that check and
    read report as the connector's own failure. The spec offers every kind to every profile (one `oneOf`, as
    Airbyte's UI renders it); a config giving a kind its API does not take is the user's to fix, so it is refused
    here as a config error naming the kinds that API takes, when the streams are built: before any request.
    """

    config: Config
    parameters: InitVar[Mapping[str, Any]]
    oauth2_client_credentials: Optional[DeclarativeAuthenticator] = None
    bearer_token: Optional[DeclarativeAuthenticator] = None
    api_key: Optional[DeclarativeAuthenticator] = None
    basic_http: Optional[DeclarativeAuthenticator] = None

    def __new__(cls, config: Config, parameters: Optional[Mapping[str, Any]] = None,  # type: ignore[misc]
                **authenticators: Optional[DeclarativeAuthenticator]) -> DeclarativeAuthenticator:
        taken = {kind: auth for kind, auth in authenticators.items() if kind in KINDS and auth is not None}
        credentials = config.get("credentials") if isinstance(config.get("credentials"), Mapping) else {}
        given = credentials.get("auth_type")
        if given in taken:
            return taken[given]
        forms = " or ".join(f"{KINDS[kind].title} (auth_type {kind})" for kind in taken)
        message = (
            f"The '{config.get('api')}' API takes {forms}; this config's credentials.auth_type is {given!r}. Give "
            "credentials of a kind it takes."
        )
        raise AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)

