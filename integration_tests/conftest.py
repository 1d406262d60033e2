import pytest

import sandbox
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
