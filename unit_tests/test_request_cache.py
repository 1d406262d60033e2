"""The CDK's HTTP cache of parent pages lives on disk for the life of a command, not in memory."""

import os

from source_analytics import request_cache, run


def test_a_command_keeps_the_cache_in_a_temporary_directory_it_removes(monkeypatch):
    monkeypatch.delenv(request_cache.ENV, raising=False)
    seen = []
    monkeypatch.setattr(run, "_run", lambda args: seen.append((os.environ.get(request_cache.ENV), args)))
    monkeypatch.setattr(run.sys, "argv", ["source-analytics", "spec"])

    run.run()

    [(directory, args)] = seen
    assert args == ["spec"]
    assert directory and "source-analytics-cache-" in directory
    assert not os.path.exists(directory), "the cache directory outlived the command"
    assert request_cache.ENV not in os.environ


def test_a_cache_path_the_caller_set_is_left_alone(monkeypatch, tmp_path):
    monkeypatch.setenv(request_cache.ENV, str(tmp_path))
    with request_cache.on_disk() as directory:
        assert directory == str(tmp_path)
    assert os.environ[request_cache.ENV] == str(tmp_path) and tmp_path.exists()
