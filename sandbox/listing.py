"""Any stream served from its traits (sandbox/profile.py's table): its paging style, its body's shape, a server-side
"since" filter, children read per parent. A profile module gives its streams records and traits, and no `build`;
the five first profiles' own builders predate this and serve the same shapes.

A built answer is (body, data path, headers): the data path locates the records in the body for the corrupt switch
(() for a body that is the list itself, None for a single-object body), and headers carry a `Link` or a next-page
token where the document puts them there.
"""

import math
from urllib.parse import parse_qsl, urlencode

from .pages import ApiError, decode_offset, encode_offset, int_param
from .profile import CHILD, LINK_HEADER, NEXT_LINK, NEXT_TOKEN, OFFSET, PAGE_NUMBER, join


def _set(body, path, value):
    for key in path[:-1]:
        body = body.setdefault(key, {})
    body[path[-1]] = value


def check(profile, stream):
    """Refuse, when the registry is built, a stream whose traits the generic listing cannot serve."""
    where = f"{profile.name}.{stream.name}"
    if stream.build is not None:
        return
    if stream.single:
        if stream.paging is not None or stream.parent:
            raise ValueError(f"{where}: a single-object resource has no paging and no parent")
    elif stream.records_at is None:
        raise ValueError(f"{where}: say where the records are (records_at=(keys), () for a JSON array body)")
    paging = stream.paging
    if stream.records_at == () and paging is not None and (paging.at or paging.total_at or paging.pages_at):
        raise ValueError(f"{where}: a JSON array body has no room for paging fields (at, total_at, pages_at)")
    if stream.kind == CHILD and stream.children is None:
        raise ValueError(f"{where}: a child stream gives children=(dataset, parent value) -> records")
    if stream.kind != CHILD and not stream.single and (stream.record is None or stream.count is None):
        raise ValueError(f"{where}: a listing gives record=(dataset, i) -> record and count=dataset -> n")


def render(stream, records, next=None, *, total=None, pages=None):
    """(body, headers) of one page of the stream: its records, and where its next page is (`next`: the next page's
    URL or token, None on the last page) as its traits say. For the sandbox and for mocked HTTP alike."""
    headers = []
    if stream.single:
        return (records[0] if records else {}), headers
    paging = stream.paging
    if stream.records_at == ():
        body = list(records)
    else:
        body = {}
        _set(body, stream.records_at, list(records))
    if paging is None:
        return body, headers
    if next is not None and next != "":
        if paging.style == LINK_HEADER:
            headers.append(("Link", f'<{next}>; rel="next"'))
        elif paging.style == NEXT_TOKEN and paging.header:
            headers.append((paging.header, str(next)))
        elif paging.style in (NEXT_LINK, NEXT_TOKEN):
            _set(body, paging.at, next)
    if paging.total_at:
        _set(body, paging.total_at, len(records) if total is None else total)
    if paging.pages_at:
        _set(body, paging.pages_at, 1 if pages is None else pages)
    return body, headers


def _all_records(profile, stream, ds, req):
    """Every record the request's listing holds (after the server-side filter); None: the parent is unknown."""
    if stream.kind == CHILD:
        value = req.params[0]
        if ds.deleted(f"{profile.name}.{stream.parent}", value):
            return None
        records = stream.children(ds, value)
        if records is None:
            return None
    elif stream.single:
        records = [stream.record(ds, 0)]
    else:
        key = f"{profile.name}.{stream.name}"
        records = ds.records(key, 0, ds.count(key))
    if stream.since_param and req.q.get(stream.since_param):
        since = req.q[stream.since_param]
        records = [r for r in records if r.get(stream.cursor) is not None and r[stream.cursor] >= since]
    return records


def _without(query, names):
    return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in names]


def builder(profile, stream):
    """The build function of a stream without one: (dataset, request) -> (body, data path, headers)."""
    check(profile, stream)
    tag = stream.name
    # A well-behaved API writes no credential into the links it gives out.
    private = {profile.api_key_param} if profile.api_key_param else set()

    def build(ds, req):
        records = _all_records(profile, stream, ds, req)
        if records is None:
            raise ApiError(404, {"error": "not_found", "message": f"no such {stream.parent}: {req.params[0]}"})
        paging = stream.paging
        data_path = None if stream.single else stream.records_at
        if paging is None:
            body, headers = render(stream, records)
            return body, data_path, headers
        size = int_param(req, paging.size_param, paging.size, 1, paging.max_size) if paging.size_param else paging.size
        total = len(records)
        nxt = None
        if paging.style in (NEXT_LINK, LINK_HEADER, NEXT_TOKEN):
            name = paging.param or "cursor"
            token = req.q.get(name)
            offset = decode_offset(token, tag, name) if token else 0
            if offset + size < total:
                nxt = encode_offset(offset + size, tag)
                if paging.style != NEXT_TOKEN:
                    query = _without(req.query, {name} | private) + [(name, nxt)]
                    nxt = f"{req.base}{req.path}?{urlencode(query)}"
        elif paging.style == OFFSET:
            offset = int_param(req, paging.param, 0, 0)
        else:  # PAGE_NUMBER
            offset = (int_param(req, paging.param, paging.first, paging.first) - paging.first) * size
        body, headers = render(stream, records[offset:offset + size], nxt, total=total,
                               pages=math.ceil(total / size))
        return body, data_path, headers

    return build


def pages_needed(stream, total):
    """The fewest requests that read `total` records of a listing, stopping where its traits say it ends: at the
    page without a next page, at the total or page count the body gives, or else at the first short page."""
    paging = stream.paging
    if paging is None:
        return 1
    if paging.style in (NEXT_LINK, LINK_HEADER, NEXT_TOKEN) or paging.total_at or paging.pages_at:
        return max(1, math.ceil(total / paging.size))
    return total // paging.size + 1


def child_truth(profile, stream, ds):
    """Every record of a CHILD stream a full sync must read: the children of each listed parent not deleted."""
    parent = profile.stream(stream.parent)
    key = f"{profile.name}.{parent.name}"
    out = []
    for record in ds.records(key, 0, ds.count(key)):
        value = str(record[stream.parent_field])
        if ds.deleted(key, value):
            continue
        out.extend(stream.children(ds, value) or ())
    return out


def floor(profile, ds):
    """(requests per stream, requests on the critical path) of a profile served from its traits: top-level streams
    side by side, a child's requests after the page that listed its parent (at most its parent's pages plus the
    longest child chain)."""
    pages, chains = {}, []
    for stream in profile.streams:
        if stream.kind == CHILD:
            parent = profile.stream(stream.parent)
            key = f"{profile.name}.{parent.name}"
            counts = [len(stream.children(ds, str(r[stream.parent_field])) or ())
                      for r in ds.records(key, 0, ds.count(key))]
            pages[stream.name] = sum(pages_needed(stream, n) for n in counts)
            chains.append(pages_needed(parent, ds.count(key)) + max((pages_needed(stream, n) for n in counts),
                                                                   default=0))
        else:
            total = 1 if stream.single else ds.count(f"{profile.name}.{stream.name}")
            pages[stream.name] = pages_needed(stream, total)
            chains.append(pages[stream.name])
    return pages, max(chains, default=0)


def route_path(profile, stream):
    """The sandbox's route of a stream: the profile's name, its base path, the stream's path (a leading slash or not)."""
    return join(join(f"/{profile.name}", profile.base_path), stream.path)


__all__ = ["render", "builder", "pages_needed", "child_truth", "floor", "route_path", "check"]
