"""The CDK's MemoryMonitor and "Deferring stream" notices are debug lines: not in a command's output, except --debug."""

import logging

import pytest

from unit_tests.test_entrypoint import protocol_messages, run_script


@pytest.mark.e2e  # starts a process
def test_spec_prints_the_spec_and_nothing_else(tmp_path):
    result = run_script("spec", cwd=tmp_path)

    assert [m["type"] for m in protocol_messages(result.stdout)] == ["SPEC"]


@pytest.mark.e2e  # starts a process
def test_with_debug_the_memory_monitor_notice_is_a_debug_line(tmp_path):
    result = run_script("spec", "--debug", cwd=tmp_path)

    messages = protocol_messages(result.stdout)
    assert [m["message"][:26] for m in messages if m["type"] == "DEBUG"][:1] == ["MemoryMonitor instantiated"]
    assert not [m for m in messages if m["type"] == "LOG" and "MemoryMonitor" in m["log"]["message"]]


def test_a_deferred_stream_notice_is_dropped_at_info_and_kept_at_debug():
    from source_analytics.logs import DebugNotices

    logger = logging.getLogger("airbyte.test_log_noise")
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append((record.levelname, record.getMessage()))

    handler = Keep()
    handler.addFilter(DebugNotices())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.setLevel(logging.INFO)
        logger.info("Deferring stream 'customers' (group 'payments_customers') because it's already active.")
        logger.info("Marking stream customers as STARTED")
        logger.setLevel(logging.DEBUG)
        logger.info("Deferring stream 'customers' (group 'payments_customers') because it's already active.")
    finally:
        logger.removeHandler(handler)

    assert records == [
        ("INFO", "Marking stream customers as STARTED"),
        ("DEBUG", "Deferring stream 'customers' (group 'payments_customers') because it's already active."),
    ]
