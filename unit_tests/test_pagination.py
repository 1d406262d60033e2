"""Every listing of every profile reads its pages as its paging style names them, and stops where its API says it
ends; driven from each stream's registry entry (sandbox's profile.Paging), so a new profile's streams are covered by
their traits alone. A profile's own quirks may get a file of their own in unit_tests/profiles/."""

from pathlib import Path

import pytest
import yaml

from sandbox.profile import NEXT_TOKEN, PAGE_NUMBER
from source_analytics import source
from unit_tests.builders import PROFILES, config, first_query, given_credentials, keyed, page, profile, request
from unit_tests.harness import each, read_streams, records, stream_errors
from unit_tests.listing import Listing

PROFILE_TESTS = Path(__file__).resolve().parent / "profiles"

# Every top-level stream of every profile, with its documented first request; every paged stream, children too (the
# children of one parent).
TOP_LEVEL = [(api, stream) for api in PROFILES for stream in profile(api).streams if stream.kind == "list"]
PAGED = [(api, stream) for api in PROFILES for stream in profile(api).streams if stream.paging is not None]
LISTS = [(api, stream) for api, stream in TOP_LEVEL if not stream.single]
SINGLE = [(api, stream) for api, stream in TOP_LEVEL if stream.single]


def _ids(pairs):
    return [f"{api}-{stream.name}" for api, stream in pairs]


# ---- every paged stream: every page read once, in order, and no page past the end ---------------------------
@each("api, stream", PAGED, ids=_ids(PAGED))
def test_a_listing_reads_each_page_its_api_names_and_stops_where_it_ends(http_mocker, api, stream):
    listing = Listing(http_mocker, api, stream)
    size = listing.size if listing.counted else 2
    total = 2 * size + 1
    # Full pages, then a short last one; a counting API says how many there are, and a named next page is named.
    listing.serve(1, listing.records(0, size), next_page=2, total=total)
    listing.serve(2, listing.records(size, size), next_page=3, total=total)
    listing.serve(3, listing.records(2 * size, 1), total=total)

    output, ids = listing.read()

    assert stream_errors(output) == []
    assert ids == listing.ids(0, total)
    for n in (1, 2, 3):
        http_mocker.assert_number_of_calls(listing.request(n), 1)


@each("api, stream", [(api, s) for api, s in PAGED if Listing.counts_pages(s)],
      ids=_ids([(api, s) for api, s in PAGED if Listing.counts_pages(s)]))
def test_a_listing_that_counts_its_records_ends_on_a_full_last_page_without_asking_past_it(http_mocker, api, stream):
    listing = Listing(http_mocker, api, stream)
    listing.serve(1, listing.records(0, listing.size), next_page=2, total=2 * listing.size)
    listing.serve(2, listing.records(listing.size, listing.size), total=2 * listing.size)

    output, ids = listing.read()

    assert stream_errors(output) == [] and ids == listing.ids(0, 2 * listing.size)
    http_mocker.assert_number_of_calls(listing.request(2), 1)


# ---- every listing: an empty first page is a quiet, empty read --------------------------------------------------
@each("api, stream", LISTS, ids=_ids(LISTS))
def test_an_empty_first_page_yields_no_records_and_no_error(http_mocker, api, stream):
    if stream.paging:
        listing = Listing(http_mocker, api, stream)
        settings, first = listing.config, listing.request(1)
    else:
        settings = config(api)
        given_credentials(http_mocker, settings)
        first = request(api, stream.path, first_query(stream), settings)
    http_mocker.get(first, page(api, stream.name, [], total=0, pages=0))

    output = read_streams(settings, [stream.name])

    assert output.records == []
    assert stream_errors(output) == []
    http_mocker.assert_number_of_calls(first, 1)


# ---- a resource that is one object: one record ---------------------------------------------------------------------
@each("api, stream", SINGLE, ids=_ids(SINGLE))
def test_a_single_object_resource_is_one_record(http_mocker, api, stream):
    settings = config(api)
    given_credentials(http_mocker, settings)
    [one] = keyed(stream, ["only"])
    http_mocker.get(request(api, stream.path, first_query(stream), settings), page(api, stream.name, [one]))

    output = read_streams(settings, [stream.name])

    assert stream_errors(output) == [] and records(output) == [one]


# ---- a page-numbered API that names its parameters otherwise ----------------------------------------------------
@pytest.fixture
def study_paged_with_per_page(tmp_path, monkeypatch):
    """The manifest with studies' paginator naming its page size `per_page`, as another API might, the way
    docs/adding-a-profile.md says: the shared paginator by $ref with its `page_size_option` replaced."""
    manifest = yaml.safe_load(source.MANIFEST_PATH.read_text())
    manifest["definitions"]["studies_stream"]["retriever"]["paginator"] = {
        "$ref": "#/definitions/page_number_paginator",
        "page_size_option": {"type": "RequestOption", "inject_into": "request_parameter", "field_name": "per_page"},
    }
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    monkeypatch.setattr(source, "MANIFEST_PATH", path)


@pytest.mark.usefixtures("study_paged_with_per_page")
def test_a_stream_can_rename_its_page_size_parameter(http_mocker):
    settings = config("studies")
    given_credentials(http_mocker, settings)
    study = profile("studies").stream("study")
    renamed = request("studies", study.path, {"page": 1, "per_page": 50}, settings)
    http_mocker.get(renamed, page("studies", "study", [{"crf_id": "s1"}]))

    output = read_streams(settings, ["study"])

    assert stream_errors(output) == []
    assert [record["crf_id"] for record in records(output)] == ["s1"]
    http_mocker.assert_number_of_calls(renamed, 1)


def test_the_styles_a_listing_of_the_registry_may_have_are_the_ones_these_tests_drive():
    # A style the Listing helper does not know would be read wrong here; NEXT_TOKEN and PAGE_NUMBER are two of them.
    assert {stream.paging.style for _, stream in PAGED} <= set(Listing.STYLES) and {NEXT_TOKEN, PAGE_NUMBER} <= set(
        Listing.STYLES)
