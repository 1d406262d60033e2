"""Local HTTP sandbox imitating the five analytics APIs, for end-to-end tests and benchmarks.

    import sandbox
    with sandbox.start(records=20, seed=1) as sb:
        config = sb.config("payments")          # ready connector config
        expected = sb.truth("payments", "events")

Development tool only: not part of the connector wheel.
"""

from .auth import BEARER_TOKEN, CLIENT_ID, CLIENT_SECRET
from .data import STREAMS
from .endpoints import (
    ACCOUNTING_PAGE_SIZE,
    AUDIT_PAGE_SIZE,
    MEETINGS_PAGE_SIZE,
    PAYMENTS_PAGE_SIZE,
    PROFILES,
    STUDY_PAGE_SIZE,
    TOKEN_PATHS,
    TRACKING_PAGE_SIZE,
)
from .faults import CORRUPT_MODES
from .instance import Sandbox, start

__all__ = [
    "start", "Sandbox", "CLIENT_ID", "CLIENT_SECRET", "BEARER_TOKEN", "PROFILES", "STREAMS", "TOKEN_PATHS",
    "CORRUPT_MODES", "TRACKING_PAGE_SIZE", "MEETINGS_PAGE_SIZE", "PAYMENTS_PAGE_SIZE", "ACCOUNTING_PAGE_SIZE",
    "STUDY_PAGE_SIZE", "AUDIT_PAGE_SIZE",
]
