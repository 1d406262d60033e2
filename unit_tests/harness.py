"""Running the connector the way the platform does, and reading its output."""

import logging
from typing import Any, Dict, List, Mapping, Optional

from airbyte_cdk.models import AirbyteConnectionStatus, AirbyteMessage, AirbyteStateMessage, FailureType, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover, read
from airbyte_cdk.test.models.outcome import ExpectedOutcome

from integration_tests.scenarios import manifest_nodes  # noqa: F401 (the tests' walk of a manifest)
from source_analytics import SourceAnalytics
from integration_tests.traits import each  # noqa: F401 (the tests' parametrize by trait)
from unit_tests.builders import config, token_request, token_response

# The CDK sleeps one second longer than a computed (or Retry-After) backoff "to cover fractions of a second".
CDK_EXTRA_SECOND = 1


def read_streams(
    config: Mapping[str, Any],
    streams: List[str],
    sync_mode: SyncMode = SyncMode.full_refresh,
    state: Optional[List[AirbyteStateMessage]] = None,
    expect_failure: bool = False,
) -> EntrypointOutput:
    catalog = CatalogBuilder()
    for name in streams:
        catalog.with_stream(name, sync_mode)
    built = catalog.build()
    # Built as run.py builds it: the source sees config, catalog and state from the start.
    source = SourceAnalytics(catalog=built, config=config, state=state)
    outcome = ExpectedOutcome.EXPECT_EXCEPTION if expect_failure else ExpectedOutcome.EXPECT_SUCCESS
    return read(source, config, built, state, expected_outcome=outcome)


def discover_streams(config: Mapping[str, Any]) -> EntrypointOutput:
    return discover(SourceAnalytics(config=config), config)


def check(config: Mapping[str, Any]) -> AirbyteConnectionStatus:
    return SourceAnalytics(config=config).check(logging.getLogger("airbyte"), config)


def records(output: EntrypointOutput, stream: Optional[str] = None) -> List[Dict[str, Any]]:
    return [m.record.data for m in output.records if stream is None or m.record.stream == stream]


def record_ids(output: EntrypointOutput, stream: Optional[str] = None, key: str = "id") -> List[Any]:
    return [record[key] for record in records(output, stream)]


def final_state(output: EntrypointOutput, stream: str) -> Dict[str, Any]:
    states = [m.state.stream for m in output.state_messages if m.state.stream.stream_descriptor.name == stream]
    assert states, f"no state message for {stream}"
    return states[-1].stream_state.__dict__


def stream_errors(output: EntrypointOutput) -> List[AirbyteMessage]:
    """The error traces the failing streams emitted.

    When a stream fails, the CDK's concurrent reader adds one closing summary trace ("During the sync, the
    following streams did not sync successfully", internal message "Concurrent read failure") so the process
    exits non-zero; that summary is left out here, and asserted separately with `ended_with_failure_summary`.
    """
    return [e for e in output.errors if e.trace.error.internal_message != "Concurrent read failure"]


def ended_with_failure_summary(output: EntrypointOutput) -> bool:
    return output.errors[-1].trace.error.internal_message == "Concurrent read failure"


def failure_types(output: EntrypointOutput) -> List[FailureType]:
    return [e.trace.error.failure_type for e in stream_errors(output)]


def given_token_endpoint(http_mocker, url: str, *access_tokens: str) -> None:
    """The token endpoint hands out `access_tokens` in order (the last one again for any later call)."""
    http_mocker.post(token_request(url), [token_response(token) for token in access_tokens or ("token-1",)])


def read_ok(api: str, stream: str, key: str = "id", **settings: Any) -> List[Any]:
    """Reads one stream of the profile with its first kind of credentials (and `settings`' keys); it must end
    without an error. Its records' keys."""
    output = read_streams(config(api, **settings), [stream])
    assert stream_errors(output) == []
    return record_ids(output, stream, key)


def credential_kinds(api: str) -> set:
    """The kinds of credentials (`credentials.auth_type`) the manifest's streams of a profile take: the kinds its
    requesters' Credentials name."""
    from source_analytics.components.auth import KINDS

    kinds = set()
    for stream in manifest_nodes(resolved_manifest()):
        if stream.get("type") == "DeclarativeStream" and stream.get("$parameters", {}).get("profile") == api:
            for node in manifest_nodes(stream):
                if str(node.get("class_name", "")).endswith(".Credentials"):
                    kinds |= {kind for kind in KINDS if isinstance(node.get(kind), dict)}
    return kinds


def resolved_manifest() -> Dict[str, Any]:
    """The manifest as the CDK reads it: every $ref resolved and $parameters propagated."""
    return SourceAnalytics().resolved_manifest
