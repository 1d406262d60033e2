import logging

import pytest

import sandbox
from source_analytics import SourceAnalytics

SECRET_FIELDS = {"client_id", "client_secret", "access_token"}
OPTIONAL_KEYS = {"base_url", "start_date", "num_workers", "requests_per_second", "additional_hosts"}


@pytest.fixture(scope="module")
def connection_specification():
    return SourceAnalytics().spec(logging.getLogger("airbyte")).connectionSpecification


def credential_options(spec):
    return {option["properties"]["auth_type"]["const"]: option for option in spec["properties"]["credentials"]["oneOf"]}


def test_only_api_and_credentials_are_required(connection_specification):
    assert sorted(connection_specification["required"]) == ["api", "credentials"]


def test_optional_keys_are_offered_but_never_required(connection_specification):
    assert OPTIONAL_KEYS <= set(connection_specification["properties"])
    assert not OPTIONAL_KEYS & set(connection_specification["required"])


def test_api_is_one_of_the_registered_profiles_in_the_registry_order(connection_specification):
    # The connector and the sandbox's registry of the documented APIs agree: the same profiles, in the same order.
    assert connection_specification["properties"]["api"]["enum"] == list(sandbox.PROFILES)


def test_base_url_defaults_to_the_documented_host(connection_specification):
    assert connection_specification["properties"]["base_url"]["default"] == "https://api.example.com"


def test_credentials_are_one_of_oauth2_client_credentials_or_bearer_token(connection_specification):
    options = credential_options(connection_specification)
    assert set(options) == {"oauth2_client_credentials", "bearer_token"}
    assert sorted(options["oauth2_client_credentials"]["required"]) == ["auth_type", "client_id", "client_secret"]
    assert sorted(options["bearer_token"]["required"]) == ["access_token", "auth_type"]


def test_token_url_is_optional(connection_specification):
    oauth = credential_options(connection_specification)["oauth2_client_credentials"]
    assert "token_url" in oauth["properties"]
    assert "token_url" not in oauth["required"]


def test_every_secret_is_marked_airbyte_secret(connection_specification):
    marked = {
        name
        for option in connection_specification["properties"]["credentials"]["oneOf"]
        for name, field in option["properties"].items()
        if field.get("airbyte_secret") is True
    }
    assert SECRET_FIELDS <= marked


def test_start_date_is_a_utc_timestamp_pattern(connection_specification):
    start_date = connection_specification["properties"]["start_date"]
    assert start_date["pattern"] == "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
