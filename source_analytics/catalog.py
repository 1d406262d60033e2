"""python -m source_analytics.catalog: a configured catalog (for `read --catalog`) from discover's output.

    source-analytics discover --config config.json | python -m source_analytics.catalog > catalog.json
    source-analytics discover --config config.json | python -m source_analytics.catalog --incremental \\
        --streams events,customers > catalog.json

Reads discover's output (the connector's messages, one per line; the CATALOG message is used) or a catalog
object ({"streams": [...]}) from a file or stdin, and writes a configured catalog selecting every stream, or
those named with --streams. Each stream is full_refresh/overwrite; with --incremental, the streams that support
it are incremental/append_dedup on their default cursor and primary key (the cursor includes its boundary, so
deduplicate on the primary key: docs/analytics.md, Supported sync modes).
"""

import argparse
import json
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, TextIO


class CatalogError(ValueError):
    """The input holds no catalog, or --streams names a stream it does not have."""


NOT_CONFIGURED = (
    "it holds discover's output (the streams the source offers), not a configured catalog (the streams to read, "
    "each with its sync mode). Make one from it: source-analytics discover --config config.json | python -m "
    "source_analytics.catalog > catalog.json (--incremental for incremental streams, --streams to pick some)"
)


def is_discover_output(text: str) -> bool:
    """Whether a --catalog file holds what discover prints (its CATALOG message, all its lines, or the catalog
    object: streams without their `stream` and `sync_mode`) rather than a configured catalog."""
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return any(_is_catalog_message(line) for line in text.splitlines() if line.strip().startswith("{"))
    if isinstance(whole, dict) and whole.get("type") == "CATALOG":
        return True
    streams = whole.get("streams") if isinstance(whole, dict) else None
    return bool(streams) and isinstance(streams, list) and all(
        isinstance(entry, dict) and "name" in entry and "stream" not in entry for entry in streams)


def _is_catalog_message(line: str) -> bool:
    try:
        return json.loads(line).get("type") == "CATALOG"
    except (json.JSONDecodeError, AttributeError):
        return False


def discovered_catalog(text: str) -> Mapping[str, Any]:
    """The catalog in discover's output (its last CATALOG message), or the catalog object `text` holds."""
    catalogs: List[Mapping[str, Any]] = []
    errors: List[str] = []
    for line in text.splitlines():
        if not line.strip().startswith("{"):
            continue
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("type") == "CATALOG":
            catalogs.append(message["catalog"])
        elif message.get("type") == "TRACE" and message.get("trace", {}).get("type") == "ERROR":
            errors.append(message["trace"]["error"].get("message", ""))
        elif message.get("type") == "CONNECTION_STATUS" and message.get("connectionStatus", {}).get("message"):
            errors.append(message["connectionStatus"]["message"])
    if catalogs:
        return catalogs[-1]
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and isinstance(whole.get("streams"), list):
        return whole
    if errors:
        raise CatalogError(f"discover failed: {errors[0]}")
    raise CatalogError("the input holds no CATALOG message: pipe the output of `source-analytics discover` into it")


def configured_catalog(
    catalog: Mapping[str, Any], streams: Optional[Sequence[str]] = None, incremental: bool = False
) -> Dict[str, Any]:
    """Every stream of `catalog` (or those named, in discover's order) configured for a read."""
    known = [stream["name"] for stream in catalog["streams"]]
    unknown = [name for name in streams or [] if name not in known]
    if unknown:
        raise CatalogError(f"no stream {', '.join(unknown)} in the catalog (its streams: {', '.join(known)})")
    configured = []
    for stream in catalog["streams"]:
        if streams and stream["name"] not in streams:
            continue
        use_incremental = incremental and "incremental" in stream.get("supported_sync_modes", [])
        configured.append(
            {
                "stream": stream,
                "sync_mode": "incremental" if use_incremental else "full_refresh",
                "destination_sync_mode": "append_dedup" if use_incremental else "overwrite",
                "cursor_field": stream.get("default_cursor_field", []) if use_incremental else [],
                "primary_key": stream.get("source_defined_primary_key", []),
            }
        )
    return {"streams": configured}


def main(argv: Optional[Sequence[str]] = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m source_analytics.catalog",
        description=__doc__.split(": ", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", nargs="?", help="discover's output or a catalog file (default: stdin)")
    parser.add_argument("-o", "--output", help="write the configured catalog here (default: stdout)")
    parser.add_argument("--streams", help="comma-separated stream names to select (default: every stream)")
    parser.add_argument(
        "--incremental", action="store_true",
        help="incremental/append_dedup for the streams that support it (default: full_refresh/overwrite for all)",
    )
    args = parser.parse_args(argv)
    try:
        if args.input:
            with open(args.input) as source:
                text = source.read()
        else:
            text = stdin.read()
        streams = [name.strip() for name in args.streams.split(",") if name.strip()] if args.streams else None
        result = configured_catalog(discovered_catalog(text), streams, args.incremental)
    except (OSError, CatalogError) as error:
        print(f"source_analytics.catalog: {error}", file=sys.stderr)
        return 2
    document = json.dumps(result, indent=2) + "\n"
    if args.output:
        with open(args.output, "w") as target:
            target.write(document)
    else:
        stdout.write(document)
    return 0


if __name__ == "__main__":
    sys.exit(main())
