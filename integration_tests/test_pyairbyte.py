"""PyAirbyte runs the installed connector offline as a local executable and loads a profile into DuckDB."""

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from integration_tests.connector import EXECUTABLE

ROOT = Path(__file__).resolve().parent.parent
# PyAirbyte pins its own dependency tree, so it lives in a virtualenv of its own (made by `make test`).
PYAIRBYTE_PYTHON = ROOT / ".venv-pyairbyte" / "bin" / "python"


@pytest.mark.skipif(
    not PYAIRBYTE_PYTHON.exists() and not os.environ.get("CI"),
    reason="no .venv-pyairbyte: run `make test`, which creates it",
)
def test_pyairbyte_loads_the_payments_profile_into_duckdb(sandbox_api, tmp_path):
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(sandbox_api.config("payments")))
    database = tmp_path / "pyairbyte_cache.duckdb"

    loaded = subprocess.run(
        [str(PYAIRBYTE_PYTHON), str(Path(__file__).with_name("pyairbyte_load.py")), str(config_path), EXECUTABLE, str(database)],
        env={**os.environ, "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1", "AIRBYTE_NO_UI": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )

    assert loaded.returncode == 0, loaded.stderr[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        for stream, key in (("customers", "id"), ("funding_sources", "id"), ("events", "id")):
            count, distinct = connection.execute(
                f"SELECT count(*), count(DISTINCT {key}) FROM payments.{stream}"
            ).fetchone()
            assert count == distinct == len(sandbox_api.truth("payments", stream)), stream
