"""Every stream schema against its API document (/work/shared/seeds/000-004, docs/analytics.md "Schemas and types").

The rule, field by field:
- a type the document states is the schema's type, exactly (001: meetings `id` and `duration` are `number`, not
  `integer`); a field that points at a documented id (meetings `host_id` -> 001 users `id`) has that id's type;
- an id the documents do not type (a key, `*_id`, `*Id`, `*ID`, `uuid`, `pmi`, the items of `*_ids`) accepts a string
  or an integer: an API may send numbers or UUIDs there;
- any other undocumented number is `number`, never `integer` (an API may send 1.5 for a count or a quantity);
- every field but the primary key's accepts null; the key's are never null (a record without identity cannot be
  deduped);
- a field the connector adds itself (AddFields in manifest.yaml) is not the API's: it has the connector's value_type.
The documents' facts (each stream's primary key, the types a document states, the fields pointing at a documented
id) come from the sandbox's registry, which records them from the documents; the sandbox's data is never consulted
here: it is our model of the APIs, not their definition. What one document rules out or allows, case by case, is
in unit_tests/profiles/test_<name>.py.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

import sandbox

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"

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


STREAMS = [(profile, stream.name) for profile in sandbox.PROFILES for stream in sandbox.profile(profile).streams]


def test_every_schema_file_is_checked():
    on_disk = {(path.parent.name, path.stem) for path in SCHEMAS.glob("*/*.json")}
    assert on_disk == set(STREAMS)


@pytest.mark.parametrize("profile, stream", STREAMS)
def test_field_types_follow_the_documents(profile, stream):
    schema = load(profile, stream)
    documented_stream = sandbox.profile(profile).stream(stream)
    key = documented_stream.key_fields
    documented = documented_stream.documented_types
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
        if len(path) == 1 and path[0] in key:
            if "null" in declared:
                problems.append(f"{name}: the primary key (or a field of it) must not accept null")
        elif "null" not in declared:
            problems.append(f"{name}: {sorted(declared)} does not accept null")
        if len(path) == 1 and path[0] in documented:
            expected = {documented[path[0]]}
        elif name in documented_stream.references:
            target_stream, target_field = documented_stream.references[name]
            expected = {sandbox.profile(profile).stream(target_stream).documented_types[target_field]}
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
