"""Credentials and the OAuth2 token store."""

import base64
import hmac
import secrets
import threading
import time
from urllib.parse import unquote_plus

# Long and distinctive so tests can grep logs/output to prove they never leak.
CLIENT_ID = "sandbox-client-id-4e1b7c93a0d2"
CLIENT_SECRET = "sandbox-client-secret-7f3c9a2e5b1d4c80e6a9f2b7d13c5e8a"
BEARER_TOKEN = "sandbox-bearer-token-b8d2e6f1a4c7093e5d1b2f8a6c4e0d97"
API_KEY = "sandbox-api-key-5c0e9b7a3f1d48e2a6c4b8d0f2e7a91c"
BASIC_USER = "sandbox-user-3a7f"
BASIC_PASSWORD = "sandbox-password-9e4b1d7c2a6f8e0b5d3c"
# Every secret a client of the sandbox holds; an issued OAuth token starts with TOKEN_PREFIX.
SECRETS = (CLIENT_SECRET, BEARER_TOKEN, API_KEY, BASIC_PASSWORD)
TOKEN_PREFIX = "sbx_"


def same(a, b):
    return isinstance(a, str) and hmac.compare_digest(a.encode(), b.encode())


def basic_value(user=BASIC_USER, password=BASIC_PASSWORD):
    """The Authorization header of HTTP basic auth (RFC 7617)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def carries_credentials(headers, query):
    """Whether a request carries anything a client of the sandbox signs in with: an Authorization header, or any
    secret or issued token in another header's value or in the query (an API key goes in either)."""
    if headers.get("Authorization"):
        return True
    text = " ".join(str(value) for value in headers.values()) + " " + unquote_plus(query or "")
    return TOKEN_PREFIX in text or any(secret in text for secret in SECRETS)


class TokenStore:
    """Opaque random tokens, each bound to one profile, an expiry and a revocation generation."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens = {}  # token -> (profile, expires_at monotonic, generation)
        self._generation = 0

    def issue(self, profile, ttl):
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            if len(self._tokens) > 10000:  # keep memory flat under token-refresh storms
                self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now and v[2] == self._generation}
            self._tokens[token] = (profile, now + float(ttl), self._generation)
        return token

    def check(self, profile, token):
        """None when valid for this profile, else a short reason."""
        with self._lock:
            entry = self._tokens.get(token)
            generation = self._generation
        if entry is None:
            return "unknown token"
        owner, expires_at, gen = entry
        if owner != profile:
            return "token was issued for another API"
        if gen != generation:
            return "token revoked"
        if time.monotonic() >= expires_at:
            return "token expired"
        return None

    def revoke_all(self):
        with self._lock:
            self._generation += 1
