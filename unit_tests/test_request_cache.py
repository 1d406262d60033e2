"""The CDK's HTTP cache of parent pages lives on disk for the life of a command, not in memory.

Without REQUEST_CACHE_PATH the CDK keeps every cached parent page in one in-memory SQLite database that never evicts,
so a fan-out sync's memory would grow with its parents (payments: with the number of customers). The CDK's
entrypoint sets it to a temporary directory of its own for each command, in both builds; this pins that, so the day
it stops the fan-out memory is not found out by a sync.
"""

import json
import os

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.utils.constants import ENV_REQUEST_CACHE_PATH

from source_analytics.source import SourceAnalytics
from unit_tests.builders import config


def test_the_cdks_entrypoint_keeps_the_cache_in_a_temporary_directory_for_the_command(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_REQUEST_CACHE_PATH, raising=False)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config("payments")))
    seen = []
    read_config = SourceAnalytics.read_config
    # read_config runs inside the command, before any stream (and so any cache) is built.
    monkeypatch.setattr(SourceAnalytics, "read_config",
                        staticmethod(lambda p: seen.append(os.environ.get(ENV_REQUEST_CACHE_PATH)) or read_config(p)))
    entrypoint = AirbyteEntrypoint(SourceAnalytics(config=config("payments")))

    list(entrypoint.run(entrypoint.parse_args(["discover", "--config", str(path)])))

    [directory] = seen
    assert directory and not directory.startswith("file::memory")
    assert not os.path.exists(directory), "the cache directory outlived the command"
