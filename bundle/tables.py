"""The manifest's per-profile tables (the spec's config_normalization_rules) and the rule that every profile the spec
offers is in each: checked when the manifest-only build is written and by the unit tests, not at every start.

CheckStream checks the streams its config key names, or its own empty `stream_names` when the key holds an empty
list: a profile without a check stream would pass check without a single request. A profile without a base URL
would have none when the config gives none.
"""

from typing import Any, List, Mapping

from airbyte_cdk.sources.declarative.checks.check_stream import CHECK_STREAM_NAMES_CONFIG_KEY as CHECK_STREAM_NAMES


def profile_table(manifest: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    """A ConfigRemapField table of the spec's config_normalization_rules: API profile -> the value of `field`."""
    tables = [
        rule.get("map") or {}
        for rule in (manifest["spec"].get("config_normalization_rules") or {}).get("transformations") or []
        if rule.get("type") == "ConfigRemapField" and rule.get("field_path") == [field]
    ]
    return tables[-1] if tables else {}


def check_streams(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    """API profile -> the streams check reads."""
    return profile_table(manifest, CHECK_STREAM_NAMES)


def documented_base_urls(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    """API profile -> its document's base URL (base_url's default)."""
    return profile_table(manifest, "__documented_base_url")


def missing_from_tables(manifest: Mapping[str, Any]) -> List[str]:
    """What to add to the tables, one sentence per table that lacks a profile; empty when every profile is in each."""
    profiles = manifest["spec"]["connection_specification"]["properties"]["api"]["enum"]
    checks, urls = check_streams(manifest), documented_base_urls(manifest)
    no_check = [p for p in profiles if not (isinstance(checks.get(p), list) and checks[p]
                                            and all(isinstance(name, str) for name in checks[p]))]
    no_url = [p for p in profiles if not (isinstance(urls.get(p), str) and urls[p].startswith(("https://", "http://")))]
    said = []
    if no_check:
        said.append(f"The manifest names no check stream for the API profile(s) {', '.join(no_check)}, so check "
                    "could not test a connection with it. Add each profile to the table of check streams in the spec's "
                    f"config_normalization_rules (the ConfigRemapField of {CHECK_STREAM_NAMES}).")
    if no_url:
        said.append(f"The manifest names no base URL for the API profile(s) {', '.join(no_url)}, so a config without "
                    "base_url would have none. Add each profile's documented base URL to the table of base URLs in the "
                    "spec's config_normalization_rules (the ConfigRemapField of base_url).")
    return said
