"""manifest.yaml stays a table of the APIs: requesters use `url`, no template $parameters that every stream replaces,
each stream's name given once."""

from pathlib import Path

import yaml

from unit_tests.harness import manifest_nodes

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yaml").read_text())


def _target(ref):
    node = MANIFEST
    for key in ref.removeprefix("#/").split("/"):
        node = node[key]
    return node


def _templates(node):
    """The definitions a node's $ref chain merges into it."""
    while isinstance(node, dict) and "$ref" in node:
        node = _target(node["$ref"])
        yield node


def test_no_requester_uses_the_deprecated_url_base_or_path():
    requesters = [node for node in manifest_nodes(MANIFEST) if node.get("type") in ("HttpRequester", "CustomRequester")]
    assert requesters and all("url" in node and not {"url_base", "path"} & set(node) for node in requesters)
    # Nor through $parameters, which set the unset fields of their names.
    assert not [node for node in manifest_nodes(MANIFEST) if {"url_base", "path"} & set(node.get("$parameters") or {})]


def test_no_template_has_parameters_that_the_node_using_it_replaces():
    # A $ref merges one level deep: the $parameters of a node replace its template's whole.
    dead = [
        (node["$ref"], template.get("$parameters"))
        for node in manifest_nodes(MANIFEST) if "$ref" in node and "$parameters" in node
        for template in _templates(node) if "$parameters" in template
    ]
    assert not dead


def test_each_stream_gives_its_name_once():
    streams = [node for node in manifest_nodes(MANIFEST["definitions"]) if "$parameters" in node and "name" in node["$parameters"]]
    streams += [node for node in manifest_nodes(MANIFEST["streams"]) if "$parameters" in node]
    assert streams
    assert not [node["$parameters"]["name"] for node in streams if "name" in node]


def _effective(node, key, hops):
    """(value, hops) of `key` in a node as the CDK merges it: its own, else its $ref target's (one hop more each)."""
    while isinstance(node, dict):
        if key in node:
            return node[key], hops
        if "$ref" not in node:
            return None, hops
        node, hops = _target(node["$ref"]), hops + 1
    return None, hops


def hops_to_authenticator(stream):
    """The $ref hops a reader follows from a stream's entry in `streams` to the authenticator definition its
    requester names: the stream's own $ref, then each $ref on the way to its retriever's requester's authenticator."""
    node, hops = stream, 0
    for key in ("retriever", "requester", "authenticator"):
        node, hops = _effective(node, key, hops)
        assert node is not None, f"no {key} under {stream}"
    return hops + (1 if "$ref" in node else 0)


def test_every_stream_is_at_most_three_ref_hops_from_its_authenticator():
    # A stream's table row, its requester and its credentials in a few hops, as in Airbyte's anchor connectors.
    entries = [stream for block in MANIFEST["streams"] for stream in block["streams"]]
    hops = [(stream["$ref"], (stream.get("$parameters") or {}).get("name"), hops_to_authenticator(stream))
            for stream in entries]
    assert len(hops) == 15 and max(hop for *_, hop in hops) <= 3, hops
