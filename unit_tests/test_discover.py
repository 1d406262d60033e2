import pytest
from airbyte_cdk.models import FailureType, SyncMode

from unit_tests.builders import PROFILES, config, oauth_config, profile
from unit_tests.harness import discover_streams

# What each API document lists (the sandbox's registry): every stream, its primary key and the cursor field of an
# incremental stream (None for the others).
ALL_STREAMS = [(api, stream.name) for api in PROFILES for stream in profile(api).streams]


def documented(api, stream):
    return profile(api).stream(stream)


def catalog_streams(api):
    return {stream.name: stream for stream in discover_streams(config(api)).catalog.catalog.streams}


@pytest.fixture(scope="module")
def catalogs():
    return {api: catalog_streams(api) for api in PROFILES}


@pytest.mark.parametrize("api", PROFILES)
def test_discover_lists_exactly_the_streams_of_the_chosen_profile(catalogs, api):
    assert sorted(catalogs[api]) == sorted(stream.name for stream in profile(api).streams)


@pytest.mark.parametrize("api, stream", ALL_STREAMS)
def test_primary_key_is_the_documented_one(catalogs, api, stream):
    assert catalogs[api][stream].source_defined_primary_key == [[field] for field in documented(api, stream).key_fields]


@pytest.mark.parametrize("api, stream", ALL_STREAMS)
def test_only_streams_with_a_cursor_are_incremental(catalogs, api, stream):
    cursor_field = documented(api, stream).cursor
    discovered = catalogs[api][stream]
    if cursor_field:
        assert set(discovered.supported_sync_modes) == {SyncMode.full_refresh, SyncMode.incremental}
        assert discovered.source_defined_cursor is True
        assert discovered.default_cursor_field == [cursor_field]
    else:
        assert discovered.supported_sync_modes == [SyncMode.full_refresh]


@pytest.mark.parametrize("api, stream", ALL_STREAMS)
def test_schema_is_open_draft_07_with_a_required_non_null_primary_key(catalogs, api, stream):
    fields, cursor_field = documented(api, stream).key_fields, documented(api, stream).cursor
    schema = catalogs[api][stream].json_schema
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is True
    for primary_key in fields:
        assert primary_key in schema["required"]
        key_type = schema["properties"][primary_key]["type"]
        assert "null" not in (key_type if isinstance(key_type, list) else [key_type])
    if cursor_field:
        assert schema["properties"][cursor_field]["format"] == "date-time"


def test_an_unknown_profile_is_a_config_error():
    output = discover_streams(oauth_config("crm"))
    assert [e.trace.error.failure_type for e in output.errors] == [FailureType.config_error]
    assert "'crm' is not one of" in output.errors[0].trace.error.message
