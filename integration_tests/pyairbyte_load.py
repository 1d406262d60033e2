"""Loads one profile into a DuckDB cache with PyAirbyte, Airbyte's own Python client.

Runs under the PyAirbyte virtualenv (see test_pyairbyte.py): `python pyairbyte_load.py CONFIG EXECUTABLE DB`.
"""

import json
import sys

import airbyte as ab
from airbyte.caches import DuckDBCache


def main(config_path: str, executable: str, db_path: str) -> None:
    with open(config_path) as config_file:
        config = json.load(config_file)
    source = ab.get_source("source-analytics", config=config, local_executable=executable)
    source.select_all_streams()
    source.read(cache=DuckDBCache(db_path=db_path, schema_name="payments"))


if __name__ == "__main__":
    main(*sys.argv[1:4])
