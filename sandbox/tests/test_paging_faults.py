"""Broken pagination switches: cycling next links, a repeated last page, foreign next links; a daily quota; pages
for people during a deploy."""

import requests

import sandbox
from sandbox.profile import NEXT_LINK, NEXT_TOKEN, PAGE_NUMBER

BEARER = {"Authorization": f"Bearer {sandbox.BEARER_TOKEN}"}


def _streams(style):
    return [(name, s) for name, p in sandbox.REGISTRY.items() for s in p.streams
            if s.paging is not None and s.paging.style == style and s.kind == sandbox.LIST]


def _at(body, path):
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _walk_links(api, profile, stream, limit=50):
    """Follows next links as a client does; the URLs asked for, in order (at most `limit`)."""
    url, asked = f"{api.base_url(profile)}{stream.path}", []
    while url and len(asked) < limit:
        asked.append(url)
        body = requests.get(url, headers=BEARER).json()
        url = _at(body, stream.paging.at)
    return asked


def test_every_next_link_listing_ends_on_a_page_that_names_itself_when_links_cycle():
    with sandbox.start(records=250, seed=4) as api:
        for profile, stream in _streams(NEXT_LINK):
            honest = _walk_links(api, profile, stream)
            api.configure(next_link_cycles=True)
            cycling = _walk_links(api, profile, stream)
            api.configure(next_link_cycles=False)

            assert len(honest) < 50, f"{profile}.{stream.name} never ended"
            assert cycling[:len(honest)] == honest, f"{profile}.{stream.name}: the pages before the end changed"
            assert cycling[len(honest)] == honest[-1] and len(cycling) == 50, f"{profile}.{stream.name}: no cycle"


def test_a_next_token_listing_names_the_token_of_its_last_page_again():
    with sandbox.start(records=100, seed=4) as api:
        api.configure(next_link_cycles=True)
        for profile, stream in _streams(NEXT_TOKEN):
            url, tokens = f"{api.base_url(profile)}{stream.path}", [None]
            for _ in range(10):
                query = {stream.paging.param: tokens[-1]} if tokens[-1] else {}
                tokens.append(_at(requests.get(url, params=query, headers=BEARER).json(), stream.paging.at))
            real = len(set(tokens)) - 1  # the pages that exist, past the first
            assert real >= 2 and tokens[real + 1:] == [tokens[real]] * (len(tokens) - real - 1), tokens


def test_a_page_number_listing_answers_past_the_end_with_its_last_page_when_it_repeats():
    with sandbox.start(records=250, seed=4) as api:
        for profile, stream in _streams(PAGE_NUMBER):
            url, size = f"{api.base_url(profile)}{stream.path}", stream.first_query[stream.paging.size_param]
            last = -(-len(api.truth(profile, stream.name)) // size)

            def page(number):
                query = {stream.paging.param: number, stream.paging.size_param: size}
                return requests.get(url, params=query, headers=BEARER).json()

            assert page(last + 1) != page(last), f"{profile}.{stream.name}: already repeating"
            api.configure(repeat_last_page=True)
            assert page(last + 1) == page(last) == page(last + 7) and page(last) != page(last - 1)
            api.configure(repeat_last_page=False)


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
