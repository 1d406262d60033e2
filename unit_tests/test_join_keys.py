"""Every child record carries its parent's key, so a child joins its parent without parsing a URL.

meetings and audit_trail records hold it as the API sends them (host_id, study_id); a payments funding source names
its customer only in `_links.customer.href`, so the connector adds the customer's id as `customer_id`.
"""

import json

import jsonschema

from source_analytics.source import MANIFEST_PATH
from unit_tests.builders import BASE_URL, DEFAULT_TOKEN_URLS, api_request, hal_page, oauth_config
from unit_tests.harness import given_token_endpoint, read_streams, records, stream_errors

SCHEMA = json.loads((MANIFEST_PATH.parent / "schemas" / "payments" / "funding_sources.json").read_text())


def _funding_source(fid, customer):
    return {"id": fid, "status": "verified", "_links": {"customer": {"href": f"{BASE_URL}/customers/{customer}"}}}


def test_each_funding_source_carries_the_id_of_the_customer_it_was_read_for(http_mocker):
    given_token_endpoint(http_mocker, DEFAULT_TOKEN_URLS["payments"])
    http_mocker.get(api_request("/customers"), hal_page("customers", [{"id": "cus-1"}, {"id": "1e5"}]))
    http_mocker.get(api_request("/customers/cus-1/funding-sources"),
                    hal_page("funding-sources", [_funding_source("fs-1", "cus-1"), _funding_source("fs-2", "cus-1")]))
    http_mocker.get(api_request("/customers/1e5/funding-sources"),
                    hal_page("funding-sources", [_funding_source("fs-3", "1e5")]))

    output = read_streams(oauth_config("payments"), ["funding_sources"])

    assert stream_errors(output) == []
    assert sorted((r["id"], r["customer_id"]) for r in records(output, "funding_sources")) == [
        ("fs-1", "cus-1"), ("fs-2", "cus-1"), ("fs-3", "1e5"),  # an id that reads like a number stays a string
    ]
    for record in records(output, "funding_sources"):
        jsonschema.validate(record, SCHEMA)


def test_the_funding_sources_schema_documents_customer_id_as_a_string():
    assert SCHEMA["properties"]["customer_id"]["type"] == "string"
    assert "customers" in SCHEMA["properties"]["customer_id"]["description"]
