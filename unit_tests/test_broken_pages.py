"""A 200 that is not a page (a CDN's maintenance page during a deploy) is a passing fault: asked again soon, as
often as the document retries an error; only a page that stays broken fails the stream, with the message naming
the stream, the URL and what was wrong. (PacingBudget raising it: test_transport.py; over real HTTP, every profile:
integration_tests/test_broken_apis.py.)"""

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction

from source_analytics.components.error_handlers import ApiErrorHandler, ChildStreamErrorHandler
from source_analytics.components.pages import BROKEN_PAGE_WAIT, BrokenPage, BrokenPageBackoffStrategy
from unit_tests.harness import manifest_nodes, resolved_manifest

BROKEN = BrokenPage("Stream 'users': the API answered https://api.example.com/v1/users with a body that is not JSON")


def test_a_broken_page_is_retried_with_its_message_and_fails_as_a_system_error_when_it_stays_broken():
    for handler in (ApiErrorHandler(config={}, parameters={}), ChildStreamErrorHandler(config={}, parameters={})):
        resolution = handler.interpret_response(BROKEN)

        assert resolution.response_action == ResponseAction.RETRY
        assert resolution.failure_type == FailureType.system_error
        assert resolution.error_message == str(BROKEN)


def test_other_answers_keep_the_cdk_s_handling():
    handler = ApiErrorHandler(config={}, parameters={})
    ok = requests.Response()
    ok.status_code = 200

    assert handler.interpret_response(ok).response_action == ResponseAction.SUCCESS
    assert handler.interpret_response(requests.exceptions.ConnectionError()).response_action == ResponseAction.RETRY


def test_a_broken_page_is_asked_again_after_a_second_and_nothing_else_is_timed_here():
    strategy = BrokenPageBackoffStrategy(config={}, parameters={})
    server_error = requests.Response()
    server_error.status_code = 503

    assert [strategy.backoff_time(BROKEN, attempt) for attempt in (1, 2, 5)] == [BROKEN_PAGE_WAIT] * 3
    assert strategy.backoff_time(server_error, 1) is None
    assert strategy.backoff_time(requests.exceptions.ReadTimeout(), 1) is None


def test_every_stream_s_error_handler_knows_a_broken_page_and_times_it_first():
    requesters = [n for n in manifest_nodes(resolved_manifest()["streams"]) if n.get("type") == "CustomRequester"]
    assert requesters
    for requester in requesters:
        handler = requester["error_handler"]
        assert handler["class_name"] in ("source_analytics.components.error_handlers.ApiErrorHandler",
                                         "source_analytics.components.error_handlers.ChildStreamErrorHandler")
        assert handler["backoff_strategies"][0]["class_name"] == "source_analytics.components.pages.BrokenPageBackoffStrategy"
