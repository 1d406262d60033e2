"""The registry: every API profile the sandbox serves, in the order the connector's spec lists them.

Each module holds one API (sandbox/profile.py says what a profile module declares); adding an API is adding its
module here. This is the only list of the profiles outside the connector's manifest.
"""

from . import accounting, meetings, payments, studies, tracking

REGISTRY = {module.PROFILE.name: module.PROFILE for module in (tracking, meetings, payments, accounting, studies)}
PROFILES = tuple(REGISTRY)


def profile(name):
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {PROFILES}") from None


__all__ = ["REGISTRY", "PROFILES", "profile"]
