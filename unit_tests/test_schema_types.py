"""Every stream schema against its API document (/work/shared/seeds/000-004, docs/analytics.md "Schemas and types").

The rule, field by field:
- a type the document states is the schema's type, exactly (001: meetings `id` and `duration` are `number`, not
  `integer`); a field that points at a documented id (meetings `host_id` -> 001 users `id`) has that id's type;
- an id the documents do not type (a key, `*_id`, `*Id`, `*ID`, `uuid`, `pmi`, the items of `*_ids`) accepts a string
  or an integer: an API may send numbers or UUIDs there;
- any other undocumented number is `number`, never `integer` (an API may send 1.5 for a count or a quantity);
- every field but the primary key accepts null; the key is never null (a record without identity cannot be deduped);
- a field the connector adds itself (AddFields in manifest.yaml) is not the API's: it has the connector's value_type.
The sandbox is never consulted here: its data is our model of the APIs, not their definition.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"

# Primary keys as the documents name them (resource_defaults `id`; 003 `BankTransactionID`; 004 per resource).
KEYS = {
    "tracking": {"users": "id", "user_groups": "id", "tracker_settings": "id"},
    "meetings": {"users": "id", "meetings": "id"},
    "payments": {"customers": "id", "funding_sources": "id", "events": "id", "exchange_partners": "id",
                 "business_classifications": "id"},
    "accounting": {"bank_transactions": "BankTransactionID", "contacts": "ContactID"},
    "studies": {"user": "id", "study": "crf_id", "audit_trail": "uuid"},
}

# Every type the documents state, copied from them. 002, 003 and 004 state none.
DOCUMENTED = {
    # 000 "# Schema": "`id`, `email`, and `language`, all of which are strings and may be nullable."
    ("tracking", "users"): {"id": "string", "email": "string", "language": "string"},
    # 001 "## Schema": Users / Meetings fields.
    ("meetings", "users"): {"id": "string", "email": "string", "first_name": "string", "last_name": "string",
                            "status": "string", "created_at": "string"},
    ("meetings", "meetings"): {"id": "number", "topic": "string", "start_time": "string", "duration": "number",
                               "status": "string"},
}

# Undocumented fields holding a documented id: (profile, stream, field) -> the id's (profile, stream, field).
REFERENCES = {("meetings", "meetings", "host_id"): ("meetings", "users", "id")}

ID_NAME = re.compile(r"^(id|uuid|pmi)$|_id$|Id$|ID$")
ID_LIST_NAME = re.compile(r"_ids$")
UNTYPED_ID = {"string", "integer"}


def connector_fields():
    """(profile, stream, field) -> value_type of every field manifest.yaml's AddFields put into records."""
    added = {}
    for definition in yaml.safe_load((ROOT / "manifest.yaml").read_text())["definitions"].values():
        if not isinstance(definition, dict):
            continue
        params = definition.get("$parameters") or {}
        for transformation in definition.get("transformations") or []:
            if transformation.get("type") != "AddFields":
                continue
            for field in transformation["fields"]:
                name = ".".join(field["path"])
                added[(params["profile"], definition.get("name") or params["name"], name)] = field.get("value_type")
    return added


CONNECTOR_FIELDS = connector_fields()


def load(profile, stream):
    return json.loads((SCHEMAS / profile / f"{stream}.json").read_text())


def types(node):
    declared = node.get("type")
    return set(declared) if isinstance(declared, list) else {declared} if declared else set()


def fields(node, path=()):
    """(path, node, is an id) for every property and array item below node."""
    for name, child in (node.get("properties") or {}).items():
        yield path + (name,), child, bool(ID_NAME.search(name))
        yield from fields(child, path + (name,))
        items = child.get("items")
        if isinstance(items, dict):
            yield path + (name, "[]"), items, bool(ID_LIST_NAME.search(name))
            yield from fields(items, path + (name, "[]"))


STREAMS = [(profile, stream) for profile, streams in KEYS.items() for stream in streams]


def test_every_schema_file_is_checked():
    on_disk = {(path.parent.name, path.stem) for path in SCHEMAS.glob("*/*.json")}
    assert on_disk == set(STREAMS)


@pytest.mark.parametrize("profile, stream", STREAMS)
def test_field_types_follow_the_documents(profile, stream):
    schema = load(profile, stream)
    key = KEYS[profile][stream]
    documented = DOCUMENTED.get((profile, stream), {})
    assert set(documented) <= set(schema["properties"]), "a documented field is missing from the schema"
    problems = []
    for path, node, is_id in fields(schema):
        name, declared = ".".join(path), types(node)
        if not declared:
            continue  # no type at all accepts anything
        non_null = declared - {"null"}
        if (profile, stream, name) in CONNECTOR_FIELDS:
            value_type = CONNECTOR_FIELDS[(profile, stream, name)]
            if value_type is None or non_null != {value_type}:
                problems.append(f"{name}: added by the connector as {value_type}, typed {sorted(declared)}")
            continue
        if path == (key,):
            if "null" in declared:
                problems.append(f"{name}: the primary key must not accept null")
        elif "null" not in declared:
            problems.append(f"{name}: {sorted(declared)} does not accept null")
        if len(path) == 1 and path[0] in documented:
            expected = {documented[path[0]]}
        elif (profile, stream, name) in REFERENCES:
            target = REFERENCES[(profile, stream, name)]
            expected = {DOCUMENTED[target[:2]][target[2]]}
        elif is_id:
            expected = UNTYPED_ID
        else:
            if "integer" in non_null:
                problems.append(f"{name}: undocumented, typed integer (a float or a string would be invalid)")
            continue
        if non_null != expected:
            problems.append(f"{name}: {sorted(non_null)} instead of {sorted(expected)}")
    assert problems == [], "\n".join(problems)


def validator(profile, stream):
    return Draft7Validator(load(profile, stream))


UUID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.mark.parametrize("value", [UUID, "s-17", 5001, 0])
def test_the_untyped_studies_ids_accept_strings_and_numbers(value):
    samples = {
        "user": {"id": value, "email": "ada@example.com"},
        "study": {"crf_id": value, "study_id": value, "name": "CARDIO-00001"},
        "audit_trail": {"uuid": UUID, "user_id": value, "study_id": value, "crf_id": value,
                        "datetime": "2024-01-01T00:00:00Z"},
    }
    for stream, record in samples.items():
        errors = [e.message for e in validator("studies", stream).iter_errors(record)]
        assert errors == [], f"studies.{stream}: {errors}"


@pytest.mark.parametrize("profile, stream, record", [
    ("meetings", "meetings", {"id": "81000000000"}),  # 001: id is a number
    ("meetings", "meetings", {"id": 81000000000, "duration": "30"}),  # 001: duration is a number
    ("meetings", "users", {"id": 17}),  # 001: id is a string
    ("tracking", "users", {"id": 17}),  # 000: id is a string
    ("tracking", "users", {"id": "u1", "language": 1}),  # 000: language is a string
    ("studies", "study", {"crf_id": None}),  # a key is never null
    ("studies", "study", {"crf_id": 1.5}),  # an id is a string or an integer
    ("studies", "audit_trail", {"uuid": UUID, "study_id": {"id": 1}}),
])
def test_what_a_document_rules_out_stays_invalid(profile, stream, record):
    assert list(validator(profile, stream).iter_errors(record)), f"{profile}.{stream} accepted {record}"


@pytest.mark.parametrize("profile, stream, record", [
    ("meetings", "meetings", {"id": 81000000000.0, "duration": 29.5, "type": 2.0}),
    ("meetings", "users", {"id": "u1", "pmi": "1234567890", "verified": 1, "type": 1.0}),
    ("accounting", "bank_transactions", {"BankTransactionID": 42, "LineItems": [{"Quantity": 1.5, "LineItemID": 7}]}),
    ("payments", "customers", {"id": 12345, "correlationId": 99}),
    ("tracking", "user_groups", {"id": 3, "member_count": 12.0}),
])
def test_undocumented_numbers_and_ids_accept_what_an_api_may_send(profile, stream, record):
    errors = [e.message for e in validator(profile, stream).iter_errors(record)]
    assert errors == []
