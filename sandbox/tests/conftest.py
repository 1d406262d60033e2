import pytest

import sandbox
from sandbox.tests.support import N


@pytest.fixture(scope="session")
def sb():
    """One sandbox for every test that only reads (N records, seed 7)."""
    with sandbox.start(records=N, seed=7) as s:
        yield s


@pytest.fixture
def fresh():
    """A sandbox of its own, for a test that changes it."""
    with sandbox.start(records=30, seed=3) as s:
        yield s
