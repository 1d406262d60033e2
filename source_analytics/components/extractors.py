"""KeyPathExtractor: the records of a page, found by key path (or the body itself), each page once."""

import hashlib
import threading
from dataclasses import InitVar, dataclass, field
from typing import Any, Iterable, List, Mapping, MutableMapping, Optional
from urllib.parse import parse_qsl, urlsplit

import orjson
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.decoders import Decoder, JsonDecoder
from airbyte_cdk.sources.declarative.extractors.record_extractor import RecordExtractor
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.requesters.request_option import RequestOption
from airbyte_cdk.sources.types import Config
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_analytics.components.pagination import credential_values
from source_analytics.components.pages import ROOT_LIST, broken_page_message, not_json, page_problem, selector_path


@dataclass
class KeyPathExtractor(RecordExtractor):
    """DpathExtractor's result for a document's data selector (plain keys: `data`, `_embedded.customers`; the items of
    a root array, `$[*]`; or the root, `$`), found by looking the keys up; on a stream whose client counts its
    position (page numbers, offsets), no page read twice.

    Speed: the CDK's DpathExtractor resolves even a glob-free path with `dpath.get`, which walks every node of the
    page before matching (6 ms for a 100-record tracking page, a third of the connector's CPU on a bulk read); the
    manifest has no other extractor. Same contract for the selectors this manifest uses: a list at the path yields
    its items, an object yields itself, an empty list yields nothing. At the root the body is parsed here, not by the
    CDK's JsonDecoder, which yields a JSON array's items one by one and an empty array, like a body that is not
    JSON, as `{}`: an honest empty array is no records, and a body that is not JSON is a broken page.

    Broken pages: stricter than DpathExtractor, which turns a broken page into an empty one. A 200 that is not JSON
    or lacks the documented key has been asked again by then (pages.py); a page whose records are not objects is
    final. Either fails the stream with a message naming the URL, instead of ending a sync successfully with records
    missing. Only a HAL page without `_embedded` at all reads as empty: HAL leaves the object out when nothing is
    embedded.

    Repeated pages: given `page_token_option` (a counting paginator's: where the page number or the offset goes), a
    page whose records are exactly those of any earlier page of the same listing (the same request but for that
    position; any, not only the previous one, so an API that wraps around to its first page is caught too) fails the
    stream before its records are emitted, as an API that answers past its end with its last page again would be
    read forever. Why content is the evidence here and a next link is elsewhere: pagination.PaginationGuard. A
    listing is read by one thread from its first page on: what it has served is kept per thread, and a position
    not above the previous one starts a new read.
    """

    data_selector: str
    config: Config
    parameters: InitVar[Mapping[str, Any]]
    decoder: Decoder = field(default_factory=lambda: JsonDecoder(parameters={}))
    page_token_option: Optional[RequestOption] = None

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._selector = InterpolatedString.create(self.data_selector, parameters=parameters)
        self._stream = parameters.get("name", "")
        self._page_parameter = (
            self.page_token_option.field_name.eval(self.config) if self.page_token_option is not None else None
        )
        self._served = threading.local()
        self._secrets = credential_values(self.config)

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        path = selector_path(self._selector.eval(self.config))
        for body in self._bodies(response, path):
            problem = page_problem(body, path)
            if problem is not None:
                raise self._broken_page(response, problem)
            if not path or path == ROOT_LIST:
                value = body
            else:
                container: Any = body
                for key in path[:-1]:
                    container = container.get(key) if isinstance(container, Mapping) else None
                if container is None:
                    continue  # a HAL page leaves out `_embedded` when it embeds nothing
                value = container[path[-1]]
            if isinstance(value, dict):
                value = [value]
            if self._page_parameter is not None and value:
                self._refuse_a_page_served_before(response, value)
            yield from value

    def _bodies(self, response: requests.Response, path: List[str]) -> Iterable[Any]:
        if path and path != ROOT_LIST:
            return self.decoder.decode(response)
        try:
            return [orjson.loads(response.content)]
        except orjson.JSONDecodeError:
            raise self._broken_page(response, not_json(response)) from None

    def _refuse_a_page_served_before(self, response: requests.Response, records: List[Any]) -> None:
        url = getattr(getattr(response, "request", None), "url", None) or response.url or ""
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        numbers = [value for key, value in query if key == self._page_parameter]
        try:
            number = int(numbers[0]) if numbers else -1  # the first request may leave its position out
        except ValueError:
            return  # not a counted position: nothing to count
        # The listing without its position, and without the credentials the connector adds (an API key in the query,
        # which a page read back from the HTTP cache lacks): each page of one listing names the same.
        listing = (parts.netloc, parts.path, tuple(sorted(
            kv for kv in query if kv[0] != self._page_parameter and kv[1] not in self._secrets)))
        served = getattr(self._served, "listing", None)
        if served is None or served[0] != listing or number <= served[1]:
            served = [listing, number, {}]
            self._served.listing = served
        served[1] = number
        digest = hashlib.blake2b(orjson.dumps(records), digest_size=16).digest()
        if digest in served[2]:
            at = f"{self._page_parameter}="
            earlier = served[2][digest]
            message = (
                f"Stream '{self._stream}': the API answered {parts.scheme}://{parts.netloc}{parts.path} at "
                f"{at}{number} with exactly the records it answered "
                f"{f'at {at}{earlier}' if earlier >= 0 else 'to the first request'}, as an API that "
                "repeats a page past its end does: the API's pagination is broken; the records before it were read "
                "once. Report it to the API provider; the stream's other records cannot be read until it is fixed."
            )
            raise AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.system_error)
        served[2][digest] = number

    def _broken_page(self, response: requests.Response, problem: str) -> AirbyteTracedException:
        if "json" not in response.headers.get("Content-Type", "").lower():  # the CDK's decoder read it as {}
            problem = not_json(response)
        message = broken_page_message(self._stream, f"{response.url}", problem)
        return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.system_error)
