"""The profiles and streams that have a trait, from the sandbox's registry, for tests that apply to a trait: each
test runs for every profile that has it and is not collected for the others (`each`)."""

from typing import Any, List, Optional, Tuple

import pytest

import sandbox
from sandbox.profile import API_KEY, BASIC, BEARER, OAUTH2

PROFILES: Tuple[str, ...] = sandbox.PROFILES
# The config field holding each kind's secret: what a user gets wrong.
SECRET_FIELD = {OAUTH2: "client_secret", BEARER: "access_token", API_KEY: "api_key", BASIC: "password"}


def each(argnames: str, values: List[Any], ids: Optional[List[str]] = None):
    """pytest.mark.parametrize over the profiles (or streams) that have a trait. A trait no profile has collects
    nothing: the test is not collected at all, rather than collected as a skip that passes for a test."""
    def decorate(test):
        if not values:
            test.__test__ = False
            return test
        return pytest.mark.parametrize(argnames, values, ids=ids)(test)
    return decorate


def answered_not_retried(seconds: float, reference: float, profile: str) -> bool:
    """A mistake's answer took no retry: retrying a mistake that persists sleeps every documented wait
    (sandbox.Profile.retry_waits, at least 24 s), while a loaded machine stretches one run by a few seconds only.
    The bound is half those waits beyond the same run with nothing wrong (CI saw 5 to 6 s of excess at 4 workers)."""
    return seconds < reference + sum(sandbox.profile(profile).retry_waits) / 2


def on_https(config):
    """The config with https:// where the sandbox speaks plain http (base_url, and a token_url)."""
    moved = {**config, "base_url": config["base_url"].replace("http://", "https://")}
    if "token_url" in config["credentials"]:
        moved["credentials"] = dict(config["credentials"], token_url=config["credentials"]["token_url"].replace(
            "http://", "https://"))
    return moved


def taking(kind: str) -> List[str]:
    """The profiles whose documents take that kind of credentials."""
    return [p for p in PROFILES if sandbox.profile(p).takes(kind)]


def sign_ins() -> List[Tuple[str, str]]:
    """(profile, kind) for every kind of credentials each profile takes."""
    return [(p, kind) for p in PROFILES for kind in sandbox.profile(p).auth]


def wrong(config, kind: str):
    """The config with its credentials' secret replaced by one the API does not know."""
    credentials = dict(config["credentials"], **{SECRET_FIELD[kind]: f"not-the-{SECRET_FIELD[kind]}-of-this-account"})
    return dict(config, credentials=credentials)
