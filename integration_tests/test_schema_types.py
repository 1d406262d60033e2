"""The studies API's ids are untyped in its document (004): a sync against an API sending them as strings lands
schema-valid records, every key as it was served. The rule is in docs/analytics.md, "Schemas and types"."""

import pytest
from jsonschema import Draft7Validator

import sandbox
from integration_tests.connector import PROFILE_STREAMS, configured_catalog, run

KEYS = {"user": "id", "study": "crf_id", "audit_trail": "uuid"}
# The ids 004 leaves untyped, which string_ids serves as uuid-shaped strings.
STRING_IDS = {"user": ("id",), "study": ("crf_id", "study_id"), "audit_trail": ("user_id", "study_id", "crf_id")}


@pytest.fixture(scope="module")
def string_id_sync():
    # 120 rows: the study stream spans three pages, and some studies have no audit trail.
    with sandbox.start(records=120, seed=23, string_ids=True) as api:
        config = api.config("studies")
        discovered = run("discover", config)
        api.reset_stats()
        result = run("read", config, configured_catalog(discovered.catalog))
        served = {stream: api.truth("studies", stream) for stream in PROFILE_STREAMS["studies"]}
        yield discovered.catalog, result, served, api.stats()


def test_the_sandbox_served_the_studies_ids_as_strings(string_id_sync):
    _, _, served, stats = string_id_sync
    for stream, fields in STRING_IDS.items():
        assert served[stream], f"the sandbox serves no studies.{stream}: the test would prove nothing"
        for field in fields:
            values = [record[field] for record in served[stream] if record[field] is not None]
            assert values and all(isinstance(value, str) and not value.isdigit() for value in values), (stream, field)
    # every audit trail was requested by its string study_id, and found
    assert stats["by_endpoint"].get("GET /studies/v1/study/{study_id}/audit-trail", 0) > 0
    assert stats["by_status"].get("404", 0) == 0


def test_a_sync_with_string_ids_validates_and_reads_every_key_once(string_id_sync):
    catalog, result, served, _ = string_id_sync
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.errors == []
    assert [stream["name"] for stream in catalog["streams"]] == PROFILE_STREAMS["studies"]
    for stream in catalog["streams"]:
        name = stream["name"]
        assert stream["source_defined_primary_key"] == [[KEYS[name]]]
        records = result.records(name)
        validator = Draft7Validator(stream["json_schema"], format_checker=Draft7Validator.FORMAT_CHECKER)
        problems = [f"{e.json_path}: {e.message}" for record in records for e in validator.iter_errors(record)]
        assert problems == [], f"studies.{name}: {problems[:5]}"
        read = [record[KEYS[name]] for record in records]
        assert len(read) == len(set(read)), f"studies.{name} emitted duplicates"
        assert set(read) == {record[KEYS[name]] for record in served[name]}, f"studies.{name} missed or invented records"
