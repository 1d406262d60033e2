"""What a page of records is, and what the connector does with an answer that is not one.

A page holds the stream's records where its document's data selector says: a list of objects at a key path (`data`,
`_embedded.customers`, `items`), a top-level JSON array of them (`$[*]`), or the body itself (`$`: a JSON array of
records, or one JSON object that is the record, as a single resource answers). A 200 that is not one is most often
a CDN's or gateway's page for people during a deploy, gone seconds later: the request budget under the HTTP cache
(requester.PacingBudget) raises BrokenPage for it, so it is never cached, and the error handlers retry it soon (BrokenPageBackoffStrategy) a few times, as they retry a
5xx. What stays broken fails the stream with the message below; what is JSON of the wrong shape (records that are
not objects) is no passing fault, and the record extractor fails the stream on it at once.
"""

import re
from dataclasses import InitVar, dataclass
from typing import Any, List, Mapping, Optional, Union

import requests
from airbyte_cdk.sources.declarative.requesters.error_handlers.backoff_strategy import BackoffStrategy
from airbyte_cdk.sources.types import Config

# Seconds between the attempts at a broken page: short, as a deploy's maintenance page lasts seconds, and so that a
# base_url pointing at a website still fails check in seconds (retries x (wait + the CDK's extra second)).
BROKEN_PAGE_WAIT = 1.0


# The path of a body that must be a JSON array of records (`$[*]`): at the bare root (`$`, []) one JSON object is a
# record too, so there an object holding an error is no broken page; here it is.
ROOT_LIST = ["[*]"]


def selector_path(data_selector: str) -> List[str]:
    """The keys of a documented data selector: `_embedded.funding-sources` -> ["_embedded", "funding-sources"]; the
    root, as dlt writes it (`$`) or left empty, is no key at all: []; the items of a root array (`$[*]`, `[*]`) are
    ROOT_LIST. A JSONPath's `$.` prefix is dropped."""
    selector = data_selector.strip()
    if selector in ("$[*]", "[*]"):
        return list(ROOT_LIST)
    if selector == "$":
        return []
    if selector.startswith("$."):
        selector = selector[2:]
    return [key for key in selector.split(".") if key]


def page_problem(body: Any, path: List[str]) -> Optional[str]:
    """What keeps a decoded body from being a page of records at `path` (None when it is one).

    At the root ([]): a list of JSON objects, or one JSON object (a single resource's record). A HAL page
    (`_embedded.<key>`) may leave `_embedded` out when it embeds nothing: that is an empty page (but not an empty
    object, which is what the CDK's JSON decoder makes of a body that is not JSON).
    """
    if path == ROOT_LIST:
        if isinstance(body, list) and all(isinstance(r, dict) for r in body):
            return None
        return "a body that is not the documented JSON list of objects"
    if not path:
        if isinstance(body, Mapping) or (isinstance(body, list) and all(isinstance(r, dict) for r in body)):
            return None
        return "a body that is neither a JSON list of objects nor one JSON object"
    if not isinstance(body, Mapping):
        return "a body that is not a JSON object"
    container: Any = body
    for key in path[:-1]:
        container = container.get(key) if isinstance(container, Mapping) else None
    if container is None and path[:1] == ["_embedded"] and body and "_embedded" not in body:
        return None
    value = container.get(path[-1]) if isinstance(container, Mapping) else None
    if isinstance(value, list) and all(isinstance(record, dict) for record in value):
        return None
    if isinstance(value, dict):
        return None
    if value is None:
        return f"JSON without the documented `{'.'.join(path)}` list of records"
    return f"`{'.'.join(path)}` holding something other than a list of JSON objects"


def not_json(response: requests.Response) -> str:
    return f"a body that is not JSON ({response.headers.get('Content-Type') or 'no Content-Type'})"


def answer_problem(response: requests.Response, path: List[str]) -> Optional[str]:
    """What keeps a 200 from being a page at `path`, read cheaply: a JSON object whose body has the path's last key
    followed by a list or an object is taken for a page here (the record extractor checks the rest of its shape);
    any other body is decoded and checked."""
    body = response.content
    if (not path and body.lstrip()[:1] in (b"[", b"{")) or (path == ROOT_LIST and body.lstrip()[:1] == b"["):
        return None  # the record extractor parses it, and names a body that is not JSON after all
    key = re.escape(path[-1].encode()) if path else b""
    if path and path != ROOT_LIST and body.lstrip()[:1] == b"{" and re.search(rb'"' + key + rb'"\s*:\s*[\[{]', body):
        return None
    try:
        decoded = response.json()
    except ValueError:
        return not_json(response)
    return page_problem(decoded, path)


def broken_page_message(stream: str, url: str, problem: str) -> str:
    return (
        f"Stream '{stream}': the API answered {url.split('?')[0]} with {problem}. Check that base_url points at the "
        "API itself, not a website or proxy; if it does, the API is not answering as documented: try again later, "
        "and report it to the API provider if it persists."
    )


class BrokenPage(requests.exceptions.RequestException):
    """A 200 that is not a page of the stream's records (see the module's docstring)."""


@dataclass
class BrokenPageBackoffStrategy(BackoffStrategy):
    """Waits BROKEN_PAGE_WAIT before asking again for a page that was not one (BrokenPage), and says nothing of any
    other answer, which the next strategies of the error handler time as the document says.

    The documents' backoffs are for errors and rate limits (accounting waits 30 s); a maintenance page is gone in
    seconds, and a base_url that points at a website must fail check fast, so a broken page gets its own wait.
    """

    config: Config
    parameters: InitVar[Mapping[str, Any]]

    def backoff_time(
        self,
        response_or_exception: Optional[Union[requests.Response, requests.RequestException]],
        attempt_count: int,
    ) -> Optional[float]:
        return BROKEN_PAGE_WAIT if isinstance(response_or_exception, BrokenPage) else None
