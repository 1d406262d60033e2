"""The few behaviours the declarative manifest cannot express."""

import json
from dataclasses import InitVar, dataclass, field
from typing import Any, Iterable, List, Mapping, MutableMapping

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.decoders import Decoder, JsonDecoder
from airbyte_cdk.sources.declarative.extractors.record_extractor import RecordExtractor
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.partition_routers import SubstreamPartitionRouter
from airbyte_cdk.sources.types import Config, StreamSlice
from airbyte_cdk.utils.traced_exception import AirbyteTracedException


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


@dataclass
class KeyPathExtractor(RecordExtractor):
    """DpathExtractor's result for a path of plain keys, found by looking the keys up.

    The CDK's DpathExtractor resolves even a glob-free path with `dpath.get`, which walks every node of the page
    before matching (6 ms for a 100-record tracking page, a third of the connector's CPU on a bulk read); the
    manifest has no other extractor. Same contract for the paths this manifest uses: a list at the path yields its
    items, an object yields itself, an empty list yields nothing.

    Stricter than DpathExtractor where that one turns a broken page into an empty one: a body that is not JSON (the
    decoder reads it as {}), a page without the documented key, or records that are not objects fail the stream
    with a message naming the URL, instead of ending a sync successfully with records missing. Only a HAL page
    without `_embedded` at all reads as empty: HAL leaves the object out when nothing is embedded.
    """

    field_path: List[str]
    config: Config
    parameters: InitVar[Mapping[str, Any]]
    decoder: Decoder = field(default_factory=lambda: JsonDecoder(parameters={}))

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._path = [InterpolatedString.create(key, parameters=parameters) for key in self.field_path]
        self._stream = parameters.get("name", "")

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        path = [key.eval(self.config) for key in self._path]
        for body in self.decoder.decode(response):
            container: Any = body
            for key in path[:-1]:
                container = container.get(key) if isinstance(container, Mapping) else None
            if container is None and body:
                continue  # a HAL page may leave out `_embedded` when it embeds nothing
            value = container.get(path[-1]) if isinstance(container, Mapping) else None
            if isinstance(value, list) and all(isinstance(record, dict) for record in value):
                yield from value
            elif isinstance(value, dict):
                yield value
            else:
                raise self._broken_page(response, path, value)

    def _broken_page(self, response: requests.Response, path: List[str], value: Any) -> AirbyteTracedException:
        url = f"{response.url}".split("?")[0]
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type.lower():
            problem = f"a body that is not JSON ({content_type or 'no Content-Type'})"
        elif value is None:
            problem = f"JSON without the documented `{'.'.join(path)}` list of records"
        else:
            problem = f"`{'.'.join(path)}` holding something other than a list of JSON objects"
        message = (
            f"Stream '{self._stream}': the API answered {url} with {problem}. Check that base_url points at the API "
            "itself, not a website or proxy; if it does, the API is not answering as documented: try again later, "
            "and report it to the API provider if it persists."
        )
        return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.system_error)
