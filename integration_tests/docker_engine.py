"""The Docker engine and the connector image, for the tests marked `image_tests`.

Those are the CDK standard suite's image tests (integration_tests/test_standard.py) and the container tests of
integration_tests/test_image.py. integration_tests/conftest.py imports the two hooks below:

- pytest_configure: the image under test is `--connector-image` (`make test` passes the one `make image`
  built; default source-analytics:dev). Without one the CDK would build an image from a Dockerfile template it
  downloads, so there is always one. The CDK's own `docker run` calls name no network; this machine's rule is
  that containers use the host's network only, never a bridge, so a `docker` shim first on the PATH of this
  process (and of what it starts) adds `--network host` to every `docker run` that names none.
- pytest_runtest_setup: an image test needs an engine that answers and the image in it. Without them it is
  skipped with the reason, except under CI=true, where it fails: CI must run them.
"""

import atexit
import functools
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

import pytest

DEFAULT_IMAGE = "source-analytics:dev"
IN_CI = os.environ.get("CI", "").lower() == "true"

_SHIM = """#!/bin/sh
# docker, with every `docker run` on the host's network unless it names a network (integration_tests/docker_engine.py)
if [ "$1" = run ]; then
    for arg in "$@"; do
        case "$arg" in --network|--network=*|--net|--net=*) exec "{real}" "$@" ;; esac
    done
    shift
    exec "{real}" run --network host "$@"
fi
exec "{real}" "$@"
"""


def connector_image(config: pytest.Config) -> str:
    return config.getoption("--connector-image") or DEFAULT_IMAGE


def install_docker_shim() -> Optional[str]:
    """Put the `docker` shim first on PATH; returns the real docker it calls, None when there is none."""
    real = shutil.which("docker")
    if real is None:
        return None
    if Path(real).parent.name.startswith("source-analytics-docker-shim"):
        return os.environ.get("SOURCE_ANALYTICS_REAL_DOCKER", real)
    shim_dir = Path(tempfile.mkdtemp(prefix="source-analytics-docker-shim"))
    atexit.register(shutil.rmtree, shim_dir, True)
    shim = shim_dir / "docker"
    shim.write_text(_SHIM.replace("{real}", real))
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.environ["PATH"] = f"{shim_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ["SOURCE_ANALYTICS_REAL_DOCKER"] = real
    return real


@functools.lru_cache(maxsize=None)
def engine_problem() -> Optional[str]:
    """Why no Docker engine can run the image tests, or None when one answers."""
    if shutil.which("docker") is None:
        return "no `docker` command on PATH (Debian: apt-get install docker.io)"
    try:
        done = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                              timeout=60)
    except subprocess.TimeoutExpired:
        return "the Docker engine did not answer `docker info` within 60 s"
    if done.returncode != 0 or not done.stdout.strip():
        return f"no Docker engine answers `docker info` (start dockerd; .ci/run does): {done.stderr.strip()[-300:]}"
    return None


@functools.lru_cache(maxsize=None)
def image_problem(image: str) -> Optional[str]:
    """Why `image` cannot be tested, or None when the engine has it."""
    problem = engine_problem()
    if problem:
        return problem
    done = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", image], capture_output=True, text=True)
    if done.returncode != 0:
        return f"the Docker engine has no image {image}: build it with `make image` (`make test` does)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--connector-image"):
        config.option.connector_image = DEFAULT_IMAGE
    install_docker_shim()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # tryfirst, and registered after pytest's own skipping plugin: runs before the CDK's skipif(no docker CLI),
    # so that under CI a missing docker fails instead of skipping.
    if item.get_closest_marker("image_tests") is None:
        return
    problem = image_problem(connector_image(item.config))
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"image test under CI=true, but {problem}", pytrace=False)
    pytest.skip(f"image test: {problem}")
