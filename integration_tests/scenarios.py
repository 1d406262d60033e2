"""The files a new profile would otherwise need by hand, derived from the sandbox's registry and `discover`.

    make fixtures                                 # writes them
    .venv/bin/python -m integration_tests.scenarios --check   # exit 1 naming each stale file

A profile's sample config (the sandbox's OAuth2 config on the demo port, or its bearer-token config where the
registry's `sample_auth` says so; a `start_date` where a stream has a cursor), its configured catalog (every
discovered stream, incremental where it can be), the invalid config, the abnormal state (a future cursor for every
incremental stream), acceptance-test-config.yml, pyproject.toml's image read scenarios and the README's table of
the profiles are all written from there, never by hand: unit_tests/test_scenario_files.py fails when a committed
one differs from what this writes.
"""

import argparse
import json
import logging
import re
import sys
from pathlib import Path
from typing import Dict, List

import sandbox
from sandbox.instance import connector_config, credentials, profile_url

REPO = Path(__file__).resolve().parent.parent
DEMO_URL = "http://127.0.0.1:8765"  # the sandbox's demo port (`make sandbox`); the standard tests move it
START_DATE = "2020-01-01T00:00:00Z"
FUTURE = "2099-12-31T00:00:00Z"
# A child stream's abnormal state names two parents; the sandbox's ids start at 1.
EXAMPLE_PARENT_IDS = (1, 2)


def sample_config_name(profile: str) -> str:
    """tracking's is the unsuffixed default the CDK's docs and the acceptance format expect."""
    return "sample_config.json" if profile == sandbox.PROFILES[0] else f"sample_config_{profile}.json"


def _incremental(profile: str) -> bool:
    return any(stream.cursor for stream in sandbox.profile(profile).streams)


def sample_config(profile: str) -> Dict:
    config = connector_config(profile, profile_url(DEMO_URL, profile), sandbox.profile(profile).sample)
    if _incremental(profile):
        config["start_date"] = START_DATE
    return config


def invalid_config() -> Dict:
    """The first profile's sample with a client secret the sandbox refuses: `check` must fail."""
    config = sample_config(sandbox.PROFILES[0])
    return dict(config, credentials=dict(config["credentials"], client_secret="not-the-sandbox-client-secret"))


def _discover(profile: str) -> Dict:
    from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Type
    from source_analytics import SourceAnalytics

    config = sample_config(profile)
    catalog = SourceAnalytics(config=config).discover(logging.getLogger("airbyte"), config)
    return AirbyteMessageSerializer.dump(AirbyteMessage(type=Type.CATALOG, catalog=catalog))["catalog"]


def configured_catalog(profile: str) -> Dict:
    """Every stream, incremental where it can be; schemas left out (the standard tests discover them)."""
    from source_analytics.catalog import configured_catalog as configure

    catalog = configure(_discover(profile), incremental=True)
    for entry in catalog["streams"]:
        entry["stream"] = {key: value for key, value in entry["stream"].items()
                           if key not in ("json_schema", "is_resumable", "is_file_based")}
        entry["stream"] = {"name": entry["stream"].pop("name"), "json_schema": {}, **entry["stream"]}
        if not entry["cursor_field"]:
            del entry["cursor_field"]
    return catalog


def manifest_nodes(node):
    """Every mapping in a manifest (or part of one), depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from manifest_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from manifest_nodes(value)


def partition_field(profile: str, stream: str) -> str:
    """The field a child stream's partitions (and so its per-partition state) are keyed by, in the manifest."""
    from source_analytics import SourceAnalytics

    fields = {node["partition_field"]
              for declared in manifest_nodes(SourceAnalytics().resolved_manifest)
              if declared.get("type") == "DeclarativeStream" and declared.get("name") == stream
              and declared.get("$parameters", {}).get("profile") == profile
              for node in manifest_nodes(declared) if "partition_field" in node}
    [field] = fields
    return field


def abnormal_state() -> List[Dict]:
    """A cursor far in the future for every incremental stream: a read from it emits no record."""
    messages = []
    for profile in sandbox.PROFILES:
        for stream in sandbox.profile(profile).streams:
            if not stream.cursor:
                continue
            if stream.parent:
                field = partition_field(profile, stream.name)
                state = {
                    "use_global_cursor": False,
                    "states": [{"partition": {"parent_slice": {}, field: parent_id},
                                "cursor": {stream.cursor: FUTURE}} for parent_id in EXAMPLE_PARENT_IDS],
                    "state": {stream.cursor: FUTURE},
                    "lookback_window": 0,
                    "parent_state": {},
                }
            else:
                state = {stream.cursor: FUTURE}
            messages.append({"type": "STREAM",
                             "stream": {"stream_descriptor": {"name": stream.name}, "stream_state": state}})
    return messages


ACCEPTANCE_HEADER = """\
# Generated by `make fixtures` (integration_tests/scenarios.py) from the sandbox's registry: do not edit.
# Scenarios for Airbyte's standard connector tests (airbyte_cdk.test.standard_tests), in the
# acceptance-test-config format. One sample config per API profile; every config_path and
# configured_catalog_path below names a file in integration_tests/, where each profile has one configured
# catalog, configured_catalog_<profile>.json.
#
# The configs point at the local sandbox API on its demo port (http://127.0.0.1:8765, `make sandbox`) and
# carry the sandbox's published demo credentials, not real ones. The standard-test runner starts its own
# sandbox and rewrites base_url / credentials.token_url to it.
#
# What the standard tests run per section: spec -> the config validates against the spec; connection ->
# `check` reports `status`; discovery -> `discover` returns streams; basic_read / full_refresh -> a
# full-refresh `read` of the catalog's streams returns records. The incremental section is read by the
# legacy acceptance tests only (its abnormal state is far in the future, so a read must emit no records).
connector_image: airbyte/source-analytics:dev
test_strictness_level: low
acceptance_tests:
"""


def acceptance_test_config() -> str:
    configs = [(p, f"integration_tests/{sample_config_name(p)}") for p in sandbox.PROFILES]
    sections = {
        "spec": [["spec_path: manifest.yaml", f"config_path: {c}"] for _, c in configs],
        "connection": [[f"config_path: {c}", "status: succeed"] for _, c in configs]
        + [["config_path: integration_tests/invalid_config.json", "status: failed"]],
        "discovery": [[f"config_path: {c}"] for _, c in configs],
        "basic_read": [[f"config_path: {c}"] for _, c in configs],
        "incremental": [[f"config_path: {c}", f"configured_catalog_path: integration_tests/configured_catalog_{p}.json",
                         "future_state:", "  future_state_path: integration_tests/abnormal_state.json"]
                        for p, c in configs if _incremental(p)],
        "full_refresh": [[f"config_path: {c}", f"configured_catalog_path: integration_tests/configured_catalog_{p}.json"]
                         for p, c in configs],
    }
    lines = []
    for section, tests in sections.items():
        lines += [f"  {section}:", "    tests:"]
        for first, *rest in tests:
            lines.append(f"      - {first}")
            lines += [f"        {line}" for line in rest]
    return ACCEPTANCE_HEADER + "\n".join(lines) + "\n"


READ_SCENARIOS = re.compile(r"^(\s*)--read-scenarios=\S+", re.M)  # the addopts line, not a comment


def pyproject(current: str) -> str:
    """pyproject.toml with the CDK's image read scenarios naming every profile's sample config."""
    named = ",".join(Path(sample_config_name(p)).stem for p in sandbox.PROFILES)
    text, found = READ_SCENARIOS.subn(lambda m: f"{m.group(1)}--read-scenarios={named}", current, count=1)
    if not found:
        raise ValueError("pyproject.toml's pytest addopts have no --read-scenarios= line to write")
    return text


README_TABLE = re.compile(r"(<!-- make fixtures writes this table[^\n]*-->\n).*?(\n<!-- end of the table -->)", re.S)


def profile_table() -> str:
    """The README's table of the profiles: each one's streams, as discover names them, and the credentials it takes
    (with OAuth2's default token URL)."""
    rows = ["| profile (`api`) | streams | credentials (`auth_type`) |", "|---|---|---|"]
    for profile in sandbox.PROFILES:
        registered = sandbox.profile(profile)
        streams = []
        for stream in registered.streams:
            notes = ([f"one request per `{stream.parent}` record"] if stream.parent else []) + \
                (["incremental"] if stream.cursor else [])
            streams.append(f"`{stream.name}`" + (f" ({', '.join(notes)})" if notes else ""))
        kinds = [f"`{credentials(kind)['auth_type']}`" + (f" (default `token_url` `{registered.default_token_url}`)"
                                                          if kind == sandbox.OAUTH2 else "")
                 for kind in registered.auth]
        rows.append(f"| `{profile}` | {', '.join(streams)} | {', '.join(kinds)} |")
    return "\n".join(rows)


def readme(current: str) -> str:
    text, found = README_TABLE.subn(lambda m: m.group(1) + profile_table() + m.group(2), current, count=1)
    if not found:
        raise ValueError("README.md has no generated profile table (<!-- make fixtures writes this table ... -->)")
    return text


def _json(value) -> str:
    return json.dumps(value, indent=2) + "\n"


def render() -> Dict[Path, str]:
    """Every generated file's path and the text it must hold."""
    files = {REPO / "integration_tests" / sample_config_name(p): _json(sample_config(p)) for p in sandbox.PROFILES}
    files.update({REPO / "integration_tests" / f"configured_catalog_{p}.json": _json(configured_catalog(p))
                  for p in sandbox.PROFILES})
    files[REPO / "integration_tests" / "invalid_config.json"] = _json(invalid_config())
    files[REPO / "integration_tests" / "abnormal_state.json"] = _json(abnormal_state())
    files[REPO / "acceptance-test-config.yml"] = acceptance_test_config()
    files[REPO / "pyproject.toml"] = pyproject((REPO / "pyproject.toml").read_text())
    files[REPO / "README.md"] = readme((REPO / "README.md").read_text())
    return files


def stale(files: Dict[Path, str]) -> List[Path]:
    return [path for path, text in files.items() if not path.is_file() or path.read_text() != text]


def leftovers(files: Dict[Path, str]) -> List[Path]:
    """Generated files of a profile the registry no longer has (renamed or removed)."""
    found = [*(REPO / "integration_tests").glob("sample_config*.json"),
             *(REPO / "integration_tests").glob("configured_catalog_*.json")]
    return sorted(path for path in found if path not in files)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integration_tests.scenarios", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 naming each stale file")
    args = parser.parse_args(argv)
    files = render()
    outdated, left = stale(files), leftovers(files)
    if args.check:
        for path in outdated:
            print(f"stale: {path.relative_to(REPO)} (run `make fixtures`)", file=sys.stderr)
        for path in left:
            print(f"left over: {path.relative_to(REPO)} (run `make fixtures`)", file=sys.stderr)
        return 1 if outdated or left else 0
    for path in outdated:
        path.write_text(files[path])
        print(f"wrote {path.relative_to(REPO)}")
    for path in left:
        path.unlink()
        print(f"removed {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
