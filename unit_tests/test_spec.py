import logging

import pytest

import sandbox
from sandbox.instance import credentials
from source_analytics import SourceAnalytics
from source_analytics.components.auth import KINDS
from bundle.tables import documented_base_urls
from unit_tests.harness import credential_kinds, resolved_manifest

SECRET_FIELDS = {"client_id", "client_secret", "access_token", "api_key", "password"}
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


def test_base_url_has_no_default_of_its_own_the_profiles_documented_one_is(connection_specification):
    # A spec default would be filled in by Airbyte's UI whatever the profile; each profile's own is in the manifest's
    # table, and it is the one the profile's document gives (the sandbox's registry records the documents).
    assert "default" not in connection_specification["properties"]["base_url"]
    assert dict(documented_base_urls(resolved_manifest())) == {
        name: sandbox.profile(name).base_url for name in sandbox.PROFILES}


def test_each_credential_form_is_a_kind_the_connector_knows_and_names_the_profiles_that_take_it(connection_specification):
    options = credential_options(connection_specification)
    assert set(options) <= set(KINDS)
    takers = {kind: [api for api in sandbox.PROFILES if kind in credential_kinds(api)] for kind in KINDS}
    assert set(options) == {kind for kind, apis in takers.items() if apis}, "a kind no profile takes is offered"
    for kind, option in options.items():
        assert option["description"] == f"Taken by: {', '.join(takers[kind])}.", kind
        assert option["required"][0] == "auth_type" and option["properties"]["auth_type"]["const"] == kind


def test_each_profile_takes_the_kinds_of_credentials_its_document_does():
    # The manifest (the connector's side) and the sandbox's registry (the documents' side) agree.
    for api in sandbox.PROFILES:
        documented = {credentials(kind)["auth_type"] for kind in sandbox.profile(api).auth}
        assert credential_kinds(api) == documented, api


def test_token_url_is_optional(connection_specification):
    oauth = credential_options(connection_specification)["oauth2_client_credentials"]
    assert "token_url" in oauth["properties"]
    assert "token_url" not in oauth["required"]


def test_every_secret_is_marked_airbyte_secret():
    # Every form the spec may offer, offered today or not.
    forms = resolved_manifest()["definitions"]["credential_forms"].values()
    fields = {name: field for form in forms for name, field in form["properties"].items()}
    assert SECRET_FIELDS <= set(fields)
    assert all(fields[name].get("airbyte_secret") is True for name in SECRET_FIELDS)


def test_start_date_is_a_utc_timestamp_pattern(connection_specification):
    start_date = connection_specification["properties"]["start_date"]
    assert start_date["pattern"] == "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
