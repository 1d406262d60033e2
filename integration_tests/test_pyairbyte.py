"""PyAirbyte runs the installed connector offline as a local executable and loads a profile into DuckDB, and
the example in docs/analytics.md ("Using the connector from Python") runs as it is written."""

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

import sandbox
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


DOCS = ROOT / "docs" / "analytics.md"


def _documented_example():
    """The Python block docs/analytics.md marks as the PyAirbyte example, and the command after it that runs it."""
    text = DOCS.read_text()
    after = text.split("<!-- pyairbyte-example", 1)[1]
    script = after.split("```python\n", 1)[1].split("```", 1)[0]
    command = after.split("```bash\n", 1)[1].split("```", 1)[0].strip()
    return script, command


@pytest.mark.skipif(
    not PYAIRBYTE_PYTHON.exists() and not os.environ.get("CI"),
    reason="no .venv-pyairbyte: run `make test`, which creates it",
)
@pytest.mark.parametrize("where", ["the checkout", "another folder"])
def test_the_documented_pyairbyte_example_runs_as_written(tmp_path, where):
    script, command = _documented_example()
    assert "local_executable=" in script and "AIRBYTE_OFFLINE_MODE=1" in command
    environment = {k: v for k, v in os.environ.items() if k not in ("AIRBYTE_OFFLINE_MODE", "DO_NOT_TRACK")}
    if where == "the checkout":
        # The layout the docs assume: a checkout with the connector's .venv and PyAirbyte's .venv-pyairbyte.
        environment.pop("SOURCE_ANALYTICS", None)
        (tmp_path / ".venv").symlink_to(Path(EXECUTABLE).resolve().parent.parent)
        (tmp_path / ".venv-pyairbyte").symlink_to(PYAIRBYTE_PYTHON.parent.parent)
    else:  # the docs' other command: both virtualenvs by their full paths
        environment["SOURCE_ANALYTICS"] = EXECUTABLE
        command = command.replace(".venv-pyairbyte/bin/python", str(PYAIRBYTE_PYTHON))
    (tmp_path / "load.py").write_text(script)

    with sandbox.start(records=20, seed=3) as api:  # the sandbox's default size, as the docs' output says
        (tmp_path / "config.json").write_text(json.dumps(api.config("payments")))
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env={**environment, "AIRBYTE_NO_UI": "1"},
                              capture_output=True, text=True, timeout=600)
        customers = sorted(c["id"] for c in api.truth("payments", "customers"))
        funding = {c: len(api.data.funding_sources_of(c) or []) for c in customers}
        counts = {s: len(api.truth("payments", s)) for s in ("customers", "funding_sources", "events")}

    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for stream, count in counts.items():
        assert f"{stream}: {count} records" in lines
    assert counts["customers"] == 20
    assert lines[-3:] == [f"{c} {funding[c]}" for c in customers[:3]]
    with duckdb.connect(str(tmp_path / "analytics.duckdb"), read_only=True) as connection:
        joined = connection.execute(
            "SELECT count(*) FROM payments.funding_sources f JOIN payments.customers c ON f.customer_id = c.id"
        ).fetchone()[0]
    assert joined == counts["funding_sources"]
