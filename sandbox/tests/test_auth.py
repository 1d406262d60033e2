"""How the sandbox's APIs sign in: the token endpoints of the OAuth2 profiles (every token path from the registry),
bearer tokens, API keys and HTTP basic, each profile the ways its document says."""

import re
import time

import pytest
import requests

import sandbox
from sandbox.tests.support import signed, token


OAUTH_PROFILES = [p for p in sandbox.PROFILES if sandbox.profile(p).takes(sandbox.OAUTH2)]
SIGN_INS = [(p, kind) for p in sandbox.PROFILES for kind in sandbox.profile(p).auth]


@pytest.mark.parametrize("profile", OAUTH_PROFILES)
def test_token_endpoint_form_basic_json(sb, profile):
    url = sb.token_url(profile)
    assert sb.config(profile)["credentials"]["token_url"] == url
    form = requests.post(url, data={"grant_type": "client_credentials", "client_id": sandbox.CLIENT_ID,
                                    "client_secret": sandbox.CLIENT_SECRET})
    basic = requests.post(url, data={"grant_type": "client_credentials"},
                          auth=(sandbox.CLIENT_ID, sandbox.CLIENT_SECRET))
    as_json = requests.post(url, json={"grant_type": "client_credentials", "client_id": sandbox.CLIENT_ID,
                                       "client_secret": sandbox.CLIENT_SECRET})
    tokens = set()
    for r in (form, basic, as_json):
        assert r.status_code == 200
        body = r.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        assert len(body["access_token"]) >= 20 and sandbox.CLIENT_SECRET not in r.text
        tokens.add(body["access_token"])
    assert len(tokens) == 3  # opaque and fresh each time


@pytest.mark.parametrize("profile", OAUTH_PROFILES)
def test_the_token_path_served_is_the_documents_token_endpoint(profile):
    """The two token facts of a profile agree: where the sandbox serves tokens, and the document's token URL."""
    p = sandbox.profile(profile)
    if p.default_token_url.startswith("{base_url}"):
        assert p.token_url("https://h.example/base/") == "https://h.example/base" + p.token_path
    else:  # the identity server is its own host; the sandbox serves its path under the profile
        assert p.token_url("https://h.example/base").endswith(p.token_path)


def test_token_endpoint_rejects_bad_credentials_and_grant(sb):
    url = sb.url + "/payments/token"
    bad = requests.post(url, data={"grant_type": "client_credentials", "client_id": sandbox.CLIENT_ID,
                                   "client_secret": sandbox.CLIENT_SECRET + "x"})
    assert (bad.status_code, bad.json()) == (401, {"error": "invalid_client"})
    missing = requests.post(url, data={"grant_type": "client_credentials"})
    assert (missing.status_code, missing.json()) == (401, {"error": "invalid_client"})
    bad_basic = requests.post(url, data={"grant_type": "client_credentials"}, auth=(sandbox.CLIENT_ID, "nope"))
    assert bad_basic.status_code == 401
    grant = requests.post(url, data={"grant_type": "password", "client_id": sandbox.CLIENT_ID,
                                     "client_secret": sandbox.CLIENT_SECRET})
    assert (grant.status_code, grant.json()) == (400, {"error": "unsupported_grant_type"})


CREDENTIALS = {
    sandbox.OAUTH2: lambda sb, p: {"auth_type": "oauth2_client_credentials", "client_id": sandbox.CLIENT_ID,
                                   "client_secret": sandbox.CLIENT_SECRET, "token_url": sb.token_url(p)},
    sandbox.BEARER: lambda sb, p: {"auth_type": "bearer_token", "access_token": sandbox.BEARER_TOKEN},
    sandbox.API_KEY: lambda sb, p: {"auth_type": "api_key", "api_key": sandbox.auth.API_KEY},
    sandbox.BASIC: lambda sb, p: {"auth_type": "basic_http", "username": sandbox.auth.BASIC_USER,
                                  "password": sandbox.auth.BASIC_PASSWORD},
}


@pytest.mark.parametrize("profile, kind", SIGN_INS)
def test_config_shapes(sb, profile, kind):
    base_url = f"{sb.url}/{profile}{sandbox.profile(profile).base_path}"
    assert sb.config(profile, auth=kind) == {"api": profile, "base_url": base_url,
                                             "credentials": CREDENTIALS[kind](sb, profile)}
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sb.url)
    assert min(len(secret) for secret in sandbox.auth.SECRETS) >= 30


@pytest.mark.parametrize("profile, kind", SIGN_INS)
def test_each_api_takes_the_credentials_its_document_does_where_it_says_and_no_others(sb, profile, kind):
    stream = sandbox.profile(profile).first_stream
    url = f"{sb.base_url(profile)}/{stream.path.lstrip('/')}"
    assert signed(sb, profile, kind).get(url).status_code == 200
    assert requests.get(url).status_code == 401
    for other in set(sandbox.AUTH_KINDS) - set(sandbox.profile(profile).auth):
        assert signed(sb, profile, other).get(url).status_code == 401, other
    fake = signed(sb, profile, kind, wrong=True)
    assert fake.get(url).status_code == 401


def test_data_requires_valid_token(sb):
    url = sb.url + "/tracking/v1/users"
    assert requests.get(url).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {token(sb, 'meetings')}"}).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {token(sb, 'tracking')}"}).status_code == 200
    assert requests.get(url, headers={"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}).status_code == 200
    r = requests.get(url)
    assert "error" in r.json()


def test_expired_token_gets_401():
    with sandbox.start(records=5, token_ttl=0.2) as s:
        tok = token(s, "studies")
        url = s.url + "/studies/v1/user"
        assert requests.get(url, headers={"Authorization": f"Bearer {tok}"}).status_code == 200
        time.sleep(0.3)
        assert requests.get(url, headers={"Authorization": f"Bearer {tok}"}).status_code == 401
        assert requests.get(url, headers={"Authorization": f"Bearer {token(s, 'studies')}"}).status_code == 200


def test_revoke_tokens_and_reject_all(fresh):
    url = fresh.url + "/payments/customers"
    old = token(fresh, "payments")
    assert requests.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 200
    fresh.revoke_tokens()
    assert requests.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 401
    new = token(fresh, "payments")
    assert requests.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 200
    fresh.configure(reject_all_tokens=True)
    assert requests.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}).status_code == 401
    fresh.configure(reject_all_tokens=False)
    assert requests.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 200
