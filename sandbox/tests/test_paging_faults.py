"""Broken pagination switches: cycling next links, a repeated last page, foreign next links; a daily quota; pages
for people during a deploy."""

import pytest
import requests

import sandbox
from sandbox.profile import LINK_HEADER, NEXT_LINK, NEXT_TOKEN, OFFSET, PAGE_NUMBER
from sandbox.tests.support import signed, walk

BEARER = {"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}


def _streams(*styles):
    return [(name, s) for name, p in sandbox.REGISTRY.items() for s in p.streams
            if s.paging is not None and s.paging.style in styles and s.kind == sandbox.LIST]


def _client(api, profile):
    return signed(api, profile, sandbox.profile(profile).auth[0])


def _url(api, profile, stream):
    return f"{api.base_url(profile)}/{stream.path.lstrip('/')}"


@pytest.mark.parametrize("profile, stream", _streams(NEXT_LINK, LINK_HEADER),
                         ids=[f"{p}-{s.name}" for p, s in _streams(NEXT_LINK, LINK_HEADER)])
def test_a_next_link_listing_ends_on_a_page_that_names_itself_when_links_cycle(profile, stream):
    with sandbox.start(records=250, seed=4) as api:
        client = _client(api, profile)
        honest = [url for url, _ in walk(client, _url(api, profile, stream), stream, limit=50)]
        api.configure(next_link_cycles=True)
        cycling = [url for url, _ in walk(client, _url(api, profile, stream), stream, limit=50)]

    assert len(honest) < 50, f"{profile}.{stream.name} never ended"
    assert cycling[:len(honest)] == honest, f"{profile}.{stream.name}: the pages before the end changed"
    assert cycling[len(honest)] == honest[-1] and len(cycling) == 50, f"{profile}.{stream.name}: no cycle"


@pytest.mark.parametrize("profile, stream", _streams(NEXT_TOKEN), ids=[f"{p}-{s.name}" for p, s in _streams(NEXT_TOKEN)])
def test_a_next_token_listing_names_the_token_of_its_last_page_again(profile, stream):
    with sandbox.start(records=100, seed=4) as api:
        api.configure(next_link_cycles=True)
        asked = [url for url, _ in walk(_client(api, profile), _url(api, profile, stream), stream, limit=10)]

    real = len(set(asked))  # the pages that exist
    assert real >= 3 and asked[real:] == [asked[real - 1]] * (len(asked) - real), asked


@pytest.mark.parametrize("profile, stream", _streams(PAGE_NUMBER, OFFSET),
                         ids=[f"{p}-{s.name}" for p, s in _streams(PAGE_NUMBER, OFFSET)])
def test_a_counted_listing_answers_past_the_end_with_its_last_page_when_it_repeats(profile, stream):
    with sandbox.start(records=250, seed=4) as api:
        client, url, paging = _client(api, profile), _url(api, profile, stream), stream.paging
        size = int(stream.first_query.get(paging.size_param) or paging.size) if paging.size_param else paging.size
        last = -(-len(api.truth(profile, stream.name)) // size)  # the last page's number, from 1

        def page(number):
            position = paging.first + number - 1 if paging.style == PAGE_NUMBER else (number - 1) * size
            return client.get(url, params={**stream.first_query, paging.param: position}).json()

        assert page(last + 1) != page(last), f"{profile}.{stream.name}: already repeating"
        api.configure(repeat_last_page=True)
        assert page(last + 1) == page(last) == page(last + 7) and page(last) != page(last - 1)


def test_a_listing_that_counts_counts_a_page_more_when_it_repeats():
    counting = [(p, s) for p, s in _streams(PAGE_NUMBER, OFFSET) if s.paging.total_at or s.paging.pages_at]
    with sandbox.start(records=250, seed=4) as api:
        for profile, stream in counting:
            client = _client(api, profile)
            honest = walk(client, _url(api, profile, stream), stream)
            api.configure(repeat_last_page=True)
            repeating = walk(client, _url(api, profile, stream), stream)
            api.configure(repeat_last_page=False)
            # A client that stops at the count asks one page past the end, and gets the last page again.
            assert repeating[:len(honest)] == honest and repeating[len(honest)][1] == honest[-1][1], profile


def test_foreign_next_host_rewrites_the_host_of_next_links_and_counts_what_each_host_received():
    with sandbox.start(records=250, seed=4) as api:
        api.configure(foreign_next_host="localhost:1")
        body = requests.get(f"{api.base_url('tracking')}/v1/users", headers=BEARER).json()
        assert body["links"]["next"].startswith("http://localhost:1/tracking/v1/users?cursor=")
        requests.get(api.url + "/tracking/v1/users", headers={"Host": "localhost:1"})

        assert api.stats()["by_host"] == {f"127.0.0.1:{api.port}": {"requests": 1, "with_credentials": 1},
                                          "localhost:1": {"requests": 1, "with_credentials": 0}}


def test_a_daily_quota_answers_every_request_past_it_with_a_day_long_retry_after():
    with sandbox.start(records=20, seed=4, quota=3) as api:
        statuses = [requests.get(f"{api.base_url('payments')}/customers", headers=BEARER) for _ in range(5)]
        token = requests.post(api.token_url("payments"), data={"grant_type": "client_credentials"})

        assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429] and token.status_code == 429
        assert statuses[-1].headers["Retry-After"] == "86400"
        api.configure(quota=None)
        assert requests.get(f"{api.base_url('payments')}/customers", headers=BEARER).status_code == 200


def test_a_maintenance_page_is_answered_once_per_url_with_200_and_html():
    with sandbox.start(records=20, seed=4, maintenance_rate=1.0) as api:
        url = f"{api.base_url('accounting')}/v1/contacts?page=1"
        first, second = (requests.get(url, headers=BEARER) for _ in range(2))
        stats = api.stats()

    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/html")
    assert second.json()["Contacts"]
    # A maintenance page is not a page of the API: the request asked again is no duplicate.
    assert stats["maintenance_pages"] == 1 and stats["duplicate_requests"] == 0 and stats["distinct_pages"] == 1


def test_redirect_host_answers_every_data_request_naming_another_host_with_a_307_there():
    with sandbox.start(records=20, seed=4) as api:
        api.configure(redirect_host=f"localhost:{api.port}")
        url = f"{api.base_url('tracking')}/v1/users?cursor="
        moved = requests.get(url, headers=BEARER, allow_redirects=False)
        followed = requests.get(url, headers=BEARER)  # requests takes Authorization off: another host
        there = requests.get(moved.headers["Location"], headers=BEARER)
        stats = api.stats()

    assert moved.status_code == 307
    assert moved.headers["Location"] == f"http://localhost:{api.port}/tracking/v1/users?cursor="
    assert followed.status_code == 401 and there.status_code == 200
    assert stats["by_host"][f"localhost:{api.port}"] == {"requests": 2, "with_credentials": 1}
