"""A config that breaks the spec is answered in the spec's words: the field, and the form it must take.

The CDK words a spec violation as jsonschema does: a pattern as its raw regex, a bound without the field, and for
`credentials` (one of two forms) whichever form jsonschema ranks best, which may be the one the config did not pick.
"""

import json
import logging
import subprocess

import pytest

import sandbox
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics import SourceAnalytics
from source_analytics.run import _Entrypoint
from integration_tests.connector import changed
from unit_tests.builders import oauth_config
from unit_tests.test_entrypoint import SCRIPT, protocol_messages

SPEC = SourceAnalytics().spec(logging.getLogger("test"))


# The kinds of credentials the spec offers, in its order.
OFFERED_KINDS = [form["properties"]["auth_type"]["const"] for form in SPEC.connectionSpecification["properties"][
    "credentials"]["oneOf"]]


def _validation_message(config):
    with pytest.raises(AirbyteTracedException) as raised:
        _Entrypoint.validate_connection(SPEC, config)
    assert raised.value.failure_type.value == "config_error"
    return raised.value.message


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"base_url": "api.example.com"},
         "Config validation error: base_url must be of the form http(s)://host[/path]; got 'api.example.com'."),
        ({"credentials__token_url": "api.example.com/token"},
         "Config validation error: credentials.token_url must be of the form http(s)://host/path; "
         "got 'api.example.com/token'."),
        ({"start_date": "2024-01-01"},
         "Config validation error: start_date must be of the form YYYY-MM-DDTHH:MM:SSZ; got '2024-01-01'."),
        ({"num_workers": 100}, "Config validation error: num_workers: 100 is greater than the maximum of 64"),
        ({"api": "nope"},
         f"Config validation error: api: 'nope' is not one of {list(sandbox.PROFILES)}"),
        ({"credentials__client_secret": None},
         "Config validation error: credentials: 'client_secret' is a required property"),
        ({"credentials__auth_type": "basic"},
         f"Config validation error: credentials.auth_type must be one of {', '.join(OFFERED_KINDS)}; got 'basic'."),
        ({"credentials": None}, "Config validation error: 'credentials' is a required property"),
        ({"additional_hosts": ["https://eu.api.example.com"]},
         "Config validation error: additional_hosts.0 must be of the form host or host:port, without scheme or "
         "path; got 'https://eu.api.example.com'."),
    ],
    ids=["base_url without scheme", "token_url without scheme", "start_date a date", "num_workers too high",
         "unknown api", "missing client_secret", "unknown auth_type", "missing credentials", "additional host a URL"],
)
def test_a_spec_violation_names_the_field_and_the_expected_form(changes, expected):
    config = changed(oauth_config("payments"), **changes)

    assert _validation_message(config) == expected


def test_every_pattern_of_the_spec_has_a_descriptor_for_its_message():
    patterns = []

    def walk(schema, path):
        if isinstance(schema, dict):
            if "pattern" in schema:
                patterns.append((path, schema.get("pattern_descriptor")))
            for key, value in schema.items():
                walk(value, f"{path}/{key}")
        elif isinstance(schema, list):
            for index, value in enumerate(schema):
                walk(value, f"{path}/{index}")

    walk(SPEC.connectionSpecification, "")
    assert len(patterns) == 4
    assert all(descriptor for _, descriptor in patterns), patterns


@pytest.mark.e2e  # starts a process
def test_the_console_script_answers_a_check_of_a_base_url_without_scheme_in_those_words(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(changed(oauth_config("tracking"), base_url="127.0.0.1:8765/tracking")))

    done = subprocess.run([str(SCRIPT), "check", "--config", str(config)], capture_output=True, text=True, timeout=60)

    [status] = [m["connectionStatus"] for m in protocol_messages(done.stdout) if m["type"] == "CONNECTION_STATUS"]
    assert status == {
        "status": "FAILED",
        "message": "Config validation error: base_url must be of the form http(s)://host[/path]; "
        "got '127.0.0.1:8765/tracking'.",
    }


def test_every_mistake_of_a_config_is_named_at_once():
    config = changed(oauth_config("payments"), start_date="2024-01-01", num_workers=100,
                     credentials__token_url="api.example.com/token")

    assert _validation_message(config) == (
        "Config validation error: credentials.token_url must be of the form http(s)://host/path; got "
        "'api.example.com/token'. num_workers: 100 is greater than the maximum of 64. start_date must be of the "
        "form YYYY-MM-DDTHH:MM:SSZ; got '2024-01-01'.")
