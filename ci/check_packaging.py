#!/usr/bin/env python3
"""Do what the Docker image build does, without Docker, and prove the result runs.

    python ci/check_packaging.py [--profile tracking ...] [--keep]

1. Build the wheel from the repository (`pip wheel --no-deps`, as `pip install .` in the Dockerfile does) and
   check it carries the manifest and every stream schema as package data.
2. Create a fresh virtualenv in a temporary directory and install the wheel into it (dependencies from the
   package index, nothing from this checkout or the development venv).
3. From an unrelated temporary directory, run `source-analytics spec` and expect a SPEC message.
4. Start the local sandbox API and, for each profile, run `source-analytics check` (expect SUCCEEDED) and
   `discover` (expect the profile's streams, whose schemas come from the installed wheel).

Exits 0 when every step passed, 1 otherwise; each step prints one line. The sandbox is a development tool that
lives in this repository (it is not in the wheel), so it is imported from here and served in-process; the
connector under test always runs as a subprocess of the fresh virtualenv.

integration_tests/test_wheel_install.py runs this script under pytest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# Development tools of this repository, not part of the wheel: the sandbox and the tests' command runner.
import sandbox  # noqa: E402
from integration_tests.connector import Launcher, Run, run  # noqa: E402

PACKAGE = "source_analytics"
COMMAND = "source-analytics"
PROFILES = sandbox.PROFILES  # the sandbox's registry; the installed spec must offer exactly these (check_spec)
# Every kind of credentials each profile takes gets checked (sandbox.profile(p).auth): OAuth2 client credentials
# against the sandbox's token endpoint, a static bearer token, an API key, HTTP basic.


class CheckFailed(Exception):
    pass


def _run(args: Sequence[str], *, cwd: Path, timeout: float = 900, env: Optional[Mapping[str, str]] = None):
    done = subprocess.run(list(args), cwd=str(cwd), capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        raise CheckFailed(f"`{' '.join(map(str, args))}` exited with {done.returncode}:\n{tail}")
    return done


def _clean_env() -> Dict[str, str]:
    """The environment for the fresh venv's processes: nothing pointing back at this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _connector(executable: Path, cwd: Path, command: str, config: Optional[Mapping[str, Any]] = None) -> Run:
    """One command of the installed connector, run from `cwd` in the clean environment; failing if it fails."""
    result = run(command, config, launcher=Launcher((str(executable),), env=_clean_env()), cwd=str(cwd), timeout=900)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise CheckFailed(f"`{COMMAND} {command}` exited with {result.returncode}:\n{tail}")
    return result


def _step(name: str) -> None:
    print(f"[check_packaging] {name}", flush=True)


def build_wheel(out_dir: Path) -> Path:
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "--quiet",
          "--wheel-dir", str(out_dir), str(REPO)], cwd=REPO)
    wheels = sorted(out_dir.glob(f"{PACKAGE}-*.whl"))
    if len(wheels) != 1:
        raise CheckFailed(f"expected one {PACKAGE} wheel in {out_dir}, found {[w.name for w in wheels]}")
    return wheels[0]


def check_wheel_contents(wheel: Path) -> int:
    """The manifest and every schema file of the checkout must be package data, byte for byte."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        expected = {f"{PACKAGE}/manifest.yaml": REPO / "manifest.yaml"}
        for schema in sorted((REPO / "schemas").rglob("*.json")):
            expected[f"{PACKAGE}/schemas/{schema.relative_to(REPO / 'schemas').as_posix()}"] = schema
        missing = sorted(set(expected) - names)
        if missing:
            raise CheckFailed(f"{wheel.name} lacks package data: {missing}")
        stale = sorted(name for name, path in expected.items() if zf.read(name) != path.read_bytes())
        if stale:
            raise CheckFailed(f"{wheel.name} carries copies that differ from the checkout: {stale}")
        entry_points = next((n for n in names if n.endswith(".dist-info/entry_points.txt")), None)
        if entry_points is None or f"{COMMAND} = " not in zf.read(entry_points).decode():
            raise CheckFailed(f"{wheel.name} does not declare the `{COMMAND}` console script")
    return len(expected)


def make_venv(venv_dir: Path, wheel: Path) -> Path:
    _run([sys.executable, "-m", "venv", str(venv_dir)], cwd=venv_dir.parent)
    python = venv_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", str(wheel)],
         cwd=venv_dir.parent, env=_clean_env())
    executable = python.parent / COMMAND
    if not executable.exists():
        raise CheckFailed(f"installing {wheel.name} did not create {executable}")
    return executable


def check_import_location(python: Path, venv_dir: Path, cwd: Path) -> str:
    done = _run([str(python), "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"], cwd=cwd, env=_clean_env())
    location = done.stdout.strip().splitlines()[-1]
    if not Path(location).resolve().is_relative_to(venv_dir.resolve()):
        raise CheckFailed(f"{PACKAGE} was imported from {location}, not from the fresh venv {venv_dir}")
    return location


def check_spec(executable: Path, cwd: Path) -> Mapping[str, Any]:
    done = _connector(executable, cwd, "spec")
    specs = done.of("SPEC")
    if len(specs) != 1:
        raise CheckFailed(f"`{COMMAND} spec` emitted {len(specs)} SPEC messages:\n{done.stdout[-2000:]}")
    properties = specs[0]["spec"]["connectionSpecification"].get("properties", {})
    for key in ("api", "credentials"):
        if key not in properties:
            raise CheckFailed(f"the SPEC message has no `{key}` property")
    offered = properties["api"].get("enum")
    if offered != list(PROFILES):
        raise CheckFailed(f"the spec offers the profiles {offered}; the sandbox serves {list(PROFILES)}")
    return specs[0]["spec"]


def check_profile(executable: Path, cwd: Path, config: Mapping[str, Any], expected_streams: Sequence[str]) -> None:
    profile = config["api"]
    statuses = _connector(executable, cwd, "check", config).connection_statuses
    if not statuses or statuses[-1]["status"] != "SUCCEEDED":
        raise CheckFailed(f"`{COMMAND} check` for profile {profile} did not succeed: {statuses}")
    catalogs = [m["catalog"] for m in _connector(executable, cwd, "discover", config).of("CATALOG")]
    if not catalogs:
        raise CheckFailed(f"`{COMMAND} discover` for profile {profile} emitted no CATALOG")
    names = [stream["name"] for stream in catalogs[-1]["streams"]]
    if sorted(names) != sorted(expected_streams):
        raise CheckFailed(f"profile {profile} discovered {names}, expected {list(expected_streams)}")
    empty = [s["name"] for s in catalogs[-1]["streams"] if not s["json_schema"].get("properties")]
    if empty:
        raise CheckFailed(f"profile {profile}: streams without a packaged schema: {empty}")


def run_check(profiles: Sequence[str] = PROFILES, keep: bool = False) -> None:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="source-analytics-packaging-"))
    try:
        _step(f"building the wheel from {REPO}")
        wheel = build_wheel(tmp / "dist")
        count = check_wheel_contents(wheel)
        _step(f"ok: {wheel.name} carries the manifest and {count - 1} schemas")

        _step("installing the wheel into a fresh virtualenv")
        venv_dir = tmp / "venv"
        executable = make_venv(venv_dir, wheel)
        elsewhere = tmp / "elsewhere"  # unrelated working directory: no manifest, schemas or package here
        elsewhere.mkdir()
        location = check_import_location(executable.parent / "python", venv_dir, elsewhere)
        _step(f"ok: {PACKAGE} imports from {location}")

        spec = check_spec(executable, elsewhere)
        _step(f"ok: `{COMMAND} spec` from {elsewhere}: {len(spec['connectionSpecification']['properties'])} properties")

        with sandbox.start(records=5, seed=1) as api:
            for profile in profiles:
                for auth in sandbox.profile(profile).auth:
                    check_profile(executable, elsewhere, api.config(profile, auth=auth), api.streams(profile))
                    _step(f"ok: `{COMMAND} check` SUCCEEDED and `discover` found every stream for {profile} ({auth})")
        _step(f"passed in {time.monotonic() - started:.0f}s")
    finally:
        if keep:
            _step(f"kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="append", choices=PROFILES,
                        help="profile to check against the sandbox (repeatable; default: every profile)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary wheel, venv and directories")
    args = parser.parse_args(argv)
    try:
        run_check(args.profile or PROFILES, keep=args.keep)
    except CheckFailed as failure:
        print(f"[check_packaging] FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
