import json
import sys
import time
from pathlib import Path

import duckdb

import sandbox
from integration_tests.connector import PROFILE_STREAMS, configured_catalog, endpoint, run

OUTPUT = Path(".demo")
DATABASE = OUTPUT / "analytics.duckdb"
RECORDS = 500


def _stream_seconds(result, stream):
    """From the stream's STARTED to its COMPLETE status, as the connector reported them."""
    times = {}
    for message in result.of("TRACE"):
        status = message["trace"].get("stream_status")
        if status and status["stream_descriptor"]["name"] == stream:
            times.setdefault(status["status"], message["trace"]["emitted_at"])
    if "STARTED" in times and "COMPLETE" in times:
        return (times["COMPLETE"] - times["STARTED"]) / 1000
    return float("nan")


def _load(connection, profile, stream, records):
    path = OUTPUT / "records" / profile / f"{stream}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{profile}"')
    connection.execute(
        f'CREATE OR REPLACE TABLE "{profile}"."{stream}" AS '
        f"SELECT * FROM read_json_auto('{path.as_posix()}', format='newline_delimited', sample_size=-1)"
    )


def main() -> int:
    OUTPUT.mkdir(exist_ok=True)
    rows, failed = [], False
    with sandbox.start(records=RECORDS, seed=1) as api, duckdb.connect(str(DATABASE)) as connection:
        print(f"Sandbox API serving {len(PROFILE_STREAMS)} profiles at {api.url} ({RECORDS} records per main stream)",
              flush=True)
        for profile, streams in PROFILE_STREAMS.items():
            print(f"  syncing {profile} ({', '.join(streams)}) ...", end=" ", flush=True)
            api.reset_stats()
            config = api.config(profile)
            started = time.monotonic()
            catalog = configured_catalog(run("discover", config).catalog)
            result = run("read", config, catalog)
            print(f"{time.monotonic() - started:.1f} s", flush=True)
            for error in result.errors:
                failed = True
                print(f"    error: {error['message']}", flush=True)
            requests = api.stats()["by_endpoint"]
            for stream in streams:
                records = result.records(stream)
                _load(connection, profile, stream, records)
                # The pages (requests) each stream took: its endpoint's count in the sandbox's stats.
                rows.append((profile, stream, len(records), requests.get(endpoint(profile, stream), 0),
                             _stream_seconds(result, stream)))

    print()
    print(f"{'profile':<11} {'stream':<25} {'records':>8} {'pages':>6} {'seconds':>8}")
    for profile, stream, count, pages, seconds in rows:
        print(f"{profile:<11} {stream:<25} {count:>8} {pages:>6} {seconds:>8.2f}")
    print()
    print(f"The records are in {DATABASE} (one schema per profile, one table per stream). Query them with:")
    print(f"""  .venv/bin/python -c "import duckdb; print(duckdb.connect('{DATABASE}').sql('SELECT * FROM payments.customers LIMIT 5'))" """)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
