"""A made-up API added to a copy of the manifest the way docs/adding-a-profile.md adds one, from the manifest's own
vocabulary: for unit tests of a choice (a kind of credentials, a paging style, a body shape) that no shipped profile
makes, so that every choice of the framework is tested whether or not a profile uses it today.

    manifest = probe_manifest(credentials="api_key_in_query", paginator="link_header_paginator")

The probe API `probe` has one stream, `things`, at {PROBE_URL}/v1/things, its records at `data_selector` (the root
by default), keyed by `id`.
"""

import copy
from typing import Any, Dict, Union

import yaml

from source_analytics import source

PROBE = "probe"
PROBE_URL = "https://api.probe.example"
# The spec's kind of credentials each authenticator definition of the manifest is for.
AUTH_TYPE = {
    "oauth2_client_credentials": "oauth2_client_credentials",
    "bearer_token": "bearer_token",
    "api_key_in_header": "api_key",
    "api_key_in_query": "api_key",
    "basic_http": "basic_http",
}


def probe_manifest(credentials: str, paginator: Union[None, str, Dict[str, Any]] = None, data_selector: str = "$",
                   record_selector: Union[str, Dict[str, Any]] = "record_selector",
                   error_handler: Union[str, Dict[str, Any]] = "exponential_error_handler",
                   **parameters: Any) -> Dict[str, Any]:
    """The connector's manifest with the probe API added: its requester taking the credentials the definition
    `credentials` makes (an API key in the header X-Api-Key or the query parameter api_key), its one stream paged by
    `paginator` (a definition's name, or a paginator as a recipe writes it; none by default) and its records selected
    by `record_selector` and its answers handled by `error_handler` (likewise)."""
    manifest = copy.deepcopy(yaml.safe_load(source.MANIFEST_PATH.read_text()))
    kind = AUTH_TYPE[credentials]
    spec = manifest["spec"]["connection_specification"]
    spec["properties"]["api"]["enum"].append(PROBE)
    offered = spec["properties"]["credentials"]["oneOf"]
    if not any(form["$ref"].endswith(f"/{kind}") for form in offered):
        offered.append({"$ref": f"#/definitions/credential_forms/{kind}", "description": f"Taken by: {PROBE}."})
    for rule in manifest["spec"]["config_normalization_rules"]["transformations"]:
        if rule["type"] == "ConfigRemapField":
            rule["map"][PROBE] = ["things"] if rule["field_path"] != ["__documented_base_url"] else PROBE_URL
    # The probe's stream template, its row of the table, as the guide writes one.
    manifest["definitions"]["probe_stream"] = {
        "type": "DeclarativeStream",
        "primary_key": "id",
        "schema_loader": {"type": "InlineSchemaLoader", "schema": {
            "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "additionalProperties": True, "properties": {"id": {"type": "string"}}}},
        "retriever": {
            "type": "SimpleRetriever",
            "requester": {
                "$ref": "#/definitions/requester",
                "authenticator": {"$ref": "#/definitions/credentials", kind: {"$ref": f"#/definitions/{credentials}"}},
                "error_handler": _component(error_handler),
                "$parameters": {"token_path": "/oauth/token",
                                "api_key_name": "api_key" if credentials == "api_key_in_query" else "X-Api-Key"},
            },
            "record_selector": _component(record_selector),
            "paginator": _component(paginator) if paginator else {"type": "NoPagination"},
        },
    }
    manifest["streams"].append({
        "type": "ConditionalStreams",
        "condition": f"{{{{ config.get('api') == '{PROBE}' }}}}",
        "streams": [{
            "$ref": "#/definitions/probe_stream",
            "$parameters": {"profile": PROBE, "name": "things", "endpoint_path": "/v1/things",
                            "data_selector": data_selector, "page_size": 2, **parameters},
        }],
    })
    return manifest


def _component(named_or_written: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
    return {"$ref": f"#/definitions/{named_or_written}"} if isinstance(named_or_written, str) else named_or_written


def install(manifest: Dict[str, Any], tmp_path, monkeypatch) -> None:
    """The connector reads `manifest` instead of its own for the rest of the test."""
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    monkeypatch.setattr(source, "MANIFEST_PATH", path)
