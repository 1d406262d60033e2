"""Local HTTP sandbox imitating the analytics APIs, for end-to-end tests and benchmarks.

    import sandbox
    with sandbox.start(records=20, seed=1) as sb:
        config = sb.config("payments")          # ready connector config
        expected = sb.truth("payments", "events")

Each API is a profile module in sandbox/profiles/ (the registry: sandbox.REGISTRY, sandbox.profile(name)).
Development tool only: not part of the connector wheel.
"""

from .auth import BEARER_TOKEN, CLIENT_ID, CLIENT_SECRET
from .data import STREAMS
from .faults import CORRUPT_MODES
from .instance import Sandbox, start
from .profile import API_KEY, AUTH_KINDS, BASIC, BEARER, CHILD, LIST, OAUTH2, Profile, Stream
from .profiles import PROFILES, REGISTRY, profile

__all__ = [
    "start", "Sandbox", "CLIENT_ID", "CLIENT_SECRET", "BEARER_TOKEN", "PROFILES", "REGISTRY", "profile", "Profile",
    "Stream", "LIST", "CHILD", "STREAMS", "CORRUPT_MODES", "OAUTH2", "BEARER", "API_KEY", "BASIC", "AUTH_KINDS",
]
