"""What a sync of each profile must request at least, and its critical path, computed from the sandbox's data by
the profile's module (sandbox/profiles/<name>.py, `floor`).

Pagination follows the API documents as the connector does: next-link/next-token pagination ends on the page
without a next link (ceil(n / size) pages, at least one); page-number pagination ends on a short page, so a total
that is a multiple of the page size costs one more, empty, page (n // size + 1). A child request can start as soon
as the page holding its parent has arrived, so the critical path is the token, then the longest chain of parent
pages followed by the child's own pages (the token only for a profile signing in with OAuth2). Every figure counts
requests; times the latency it is the floor.
"""

from dataclasses import dataclass
from typing import Dict

import sandbox


@dataclass
class Floor:
    pages: Dict[str, int]  # stream -> data requests it needs at least
    chain: int  # requests on the critical path, the token request included

    @property
    def min_data_requests(self) -> int:
        return sum(self.pages.values())


def token_requests(profile: str) -> int:
    """Token requests a sync with the profile's first kind of credentials needs: one for OAuth2, none else."""
    return 1 if sandbox.profile(profile).auth[0] == sandbox.OAUTH2 else 0


def floor(profile: str, data) -> Floor:
    """data: the running sandbox's Dataset (sandbox.Sandbox.data); each profile module computes its own pages (or the
    registry from its traits)."""
    pages, chain = sandbox.profile(profile).floor(data)
    return Floor(pages, token_requests(profile) + chain)  # an OAuth2 token request comes first
