"""The image build without Docker: wheel -> fresh venv -> `spec`, `check` and `discover` against the sandbox.

Slow (about a minute and a half: it installs the CDK into a new virtualenv). Runs with the rest of the suite;
on its own: `python -m pytest integration_tests/test_wheel_install.py` or `python ci/check_packaging.py`.
"""

import subprocess
import sys
from pathlib import Path

import sandbox

SCRIPT = Path(__file__).resolve().parent.parent / "ci" / "check_packaging.py"


def test_wheel_installs_and_runs_from_an_unrelated_directory():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"ci/check_packaging.py failed:\n{done.stdout}\n{done.stderr}"
    assert "`source-analytics spec`" in done.stdout
    for profile in sandbox.PROFILES:
        assert f"discover` found every stream for {profile}" in done.stdout
