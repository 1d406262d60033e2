"""Two CDK notices logged at INFO that say nothing to a user, lowered to DEBUG."""

import logging
from typing import Iterable

# airbyte_cdk/utils/memory_monitor.py (MemoryMonitor.__init__, on every command) and
# airbyte_cdk/sources/concurrent_source/concurrent_read_processor.py (each time a stream group holds a stream back:
# once per parent record of a fan-out, 20 times for 20 customers).
DEBUG_NOTICES = ("MemoryMonitor instantiated", "Deferring stream '")


class DebugNotices(logging.Filter):
    """Lowers the CDK's MemoryMonitor and "Deferring stream" notices from INFO to DEBUG.

    The CDK logs both through its own loggers ("airbyte" and the source's "airbyte.SourceAnalytics") at INFO, with
    no setting to quiet them: every command starts with the MemoryMonitor's thresholds, and a fan-out sync repeats
    "Deferring stream 'customers'" once per customer. A filter on the console handler catches them whatever logger
    they come from and leaves every other line alone; with --debug they still appear, as debug lines.
    """

    def __init__(self, prefixes: Iterable[str] = DEBUG_NOTICES) -> None:
        super().__init__()
        self._prefixes = tuple(prefixes)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not isinstance(record.msg, str) or not record.msg.startswith(self._prefixes):
            return True
        if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return True


def lower_cdk_notices(debug: bool) -> None:
    """Install DebugNotices on the root logger's handlers (the CDK's console handler); idempotent.

    With `debug`, the "airbyte" logger is set to DEBUG now rather than when the CDK's entrypoint parses --debug,
    which is after the MemoryMonitor has logged.
    """
    if debug:
        logging.getLogger("airbyte").setLevel(logging.DEBUG)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, DebugNotices) for f in handler.filters):
            handler.addFilter(DebugNotices())
