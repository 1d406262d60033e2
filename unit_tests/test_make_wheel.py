"""`make wheel` builds the connector's wheel, the file `pip install` takes: package, manifest, schemas, command."""

import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.e2e  # starts a process
def test_make_wheel_builds_one_installable_wheel(tmp_path):
    # -o: never reinstall .venv from here (a newer pyproject.toml would), while tests beside this one import from it.
    done = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed-stamp", "wheel", f"DIST={tmp_path}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = tmp_path.glob("source_analytics-*-py3-none-any.whl")
    assert done.stdout.strip() == str(wheel)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert {"source_analytics/run.py", "source_analytics/catalog.py", "source_analytics/manifest.yaml",
            "source_analytics/schemas/payments/funding_sources.json"} <= names
    assert "source-analytics = source_analytics.run:run" in entry_points
