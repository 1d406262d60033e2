"""DistinctSubstreamPartitionRouter: each distinct parent key once."""

import json
from typing import Iterable

from airbyte_cdk.sources.declarative.partition_routers import SubstreamPartitionRouter
from airbyte_cdk.sources.types import StreamSlice


class DistinctSubstreamPartitionRouter(SubstreamPartitionRouter):
    """A SubstreamPartitionRouter that yields each distinct parent key once.

    The studies API lists one `study` row per CRF, so a study_id repeats across rows; its audit trail must be
    read once, not once per row. The CDK skips a repeated partition only while the first is still in flight.
    """

    def stream_slices(self) -> Iterable[StreamSlice]:
        seen = set()
        for stream_slice in super().stream_slices():
            key = json.dumps(stream_slice.partition, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                yield stream_slice
