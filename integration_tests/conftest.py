from pathlib import Path

import pytest

import sandbox
from bundle import build
from integration_tests.connector import Launcher
from integration_tests.docker_engine import pytest_configure, pytest_runtest_setup  # noqa: F401 (image tests)

# Big enough that every paginated stream spans several pages (page sizes of 30 to 100: the profile modules in
# sandbox/profiles/ give each stream's) and some parents have no children.
E2E_RECORDS = 250


@pytest.fixture(scope="session")
def sandbox_api():
    with sandbox.start(records=E2E_RECORDS, seed=11) as api:
        yield api


@pytest.fixture
def fresh_sandbox():
    """A private sandbox for tests that change its data or fault switches."""
    with sandbox.start(records=120, seed=5) as api:
        yield api


# The manifest-only build's runtime: a virtualenv holding airbyte-cdk alone (`make test` makes it), with what Airbyte
# sets to run a manifest's custom components and nothing of this checkout's environment besides.
RUNTIME_BIN = Path(__file__).resolve().parent.parent / ".venv-manifest-only" / "bin"
RUNTIME_ENV = {"PATH": f"{RUNTIME_BIN}:/usr/bin:/bin", "AIRBYTE_ENABLE_UNSAFE_CODE": "true", "HOME": "/tmp"}


@pytest.fixture(scope="session")
def bundled(tmp_path_factory):
    """The manifest-only build (`make bundle`): (manifest.yaml, components.py)."""
    if not (RUNTIME_BIN / "source-declarative-manifest").exists():
        pytest.fail("no .venv-manifest-only: `make test` (or `make .venv-manifest-only/.installed-stamp`) makes it")
    return build(tmp_path_factory.mktemp("manifest-only"))


@pytest.fixture(scope="session")
def manifest_only(bundled):
    """What runs the manifest-only build: the CDK's `source-declarative-manifest`, and the arguments naming it."""
    manifest, components = bundled
    return Launcher((str(RUNTIME_BIN / "source-declarative-manifest"),), env=RUNTIME_ENV), (
        "--manifest-path", str(manifest), "--components-path", str(components))
