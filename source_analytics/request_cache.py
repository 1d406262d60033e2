"""Where the CDK keeps the pages a child stream reads its parents from."""

import contextlib
import os
import shutil
import tempfile
from typing import Iterator

# The CDK's setting: a directory for the SQLite files of the HTTP cache of parent streams (`cache_pages`).
ENV = "REQUEST_CACHE_PATH"


@contextlib.contextmanager
def on_disk() -> Iterator[str]:
    """The HTTP cache in a temporary directory for the life of the command, removed when it ends.

    Without REQUEST_CACHE_PATH the CDK keeps every cached parent page in one in-memory SQLite database that never
    evicts, so a fan-out sync's memory grows with its parents (payments: with the number of customers). On disk,
    SQLite keeps only its page cache in memory. A REQUEST_CACHE_PATH set by the caller is left as it is.
    """
    if os.environ.get(ENV):
        yield os.environ[ENV]
        return
    directory = tempfile.mkdtemp(prefix="source-analytics-cache-")
    os.environ[ENV] = directory
    try:
        yield directory
    finally:
        os.environ.pop(ENV, None)
        shutil.rmtree(directory, ignore_errors=True)
