"""The sandbox the standard tests run against.

The CDK's standard suite collects its scenarios from acceptance-test-config.yml at collection time, before any
fixture runs, so the server starts on first use and stops when the test process exits.
"""

import atexit
from typing import Any, Dict, Optional
from urllib.parse import urlsplit

import sandbox

_running: Optional[sandbox.Sandbox] = None


def running() -> "sandbox.Sandbox":
    global _running
    if _running is None:
        _running = sandbox.start(records=150, seed=21)
        atexit.register(_running.stop)
    return _running


def pointed_at_sandbox(config: Dict[str, Any]) -> Dict[str, Any]:
    """The same config with base_url and token_url moved from the documented demo port to the running sandbox."""
    url = running().url

    def move(address: str) -> str:
        parts = urlsplit(address)
        return url + parts.path + (f"?{parts.query}" if parts.query else "")

    moved = dict(config, base_url=move(config["base_url"]))
    credentials = dict(config.get("credentials", {}))
    if "token_url" in credentials:
        credentials["token_url"] = move(credentials["token_url"])
    moved["credentials"] = credentials
    return moved
