"""The manifest-only build's generator (bundle/): what it writes, and what it refuses. The build run by Airbyte's
runtime and the Connector Builder: integration_tests/test_manifest_only.py."""

import json
from pathlib import Path

import pytest
import yaml

from bundle import PACKAGE_DIR, build
from bundle.components import BundleError, defined_names, flatten
from bundle.manifest import RUNTIME_MODULE
from unit_tests.harness import manifest_nodes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    manifest, components = build(tmp_path_factory.mktemp("manifest-only"))
    return yaml.safe_load(manifest.read_text()), components.read_text()


def test_every_class_the_manifest_names_is_defined_in_the_one_components_file(built):
    manifest, components = built
    named = {n["class_name"] for n in manifest_nodes(manifest) if isinstance(n.get("class_name"), str)}
    assert named and all(name.startswith(RUNTIME_MODULE + ".") for name in named)
    assert {name.rsplit(".", 1)[1] for name in named} <= defined_names(components)
    compile(components, "components.py", "exec")


def test_every_stream_carries_its_schema_inline_as_the_package_has_it(built):
    manifest, _ = built
    streams = [n for n in manifest_nodes(manifest) if isinstance(n.get("$parameters"), dict) and "profile" in n["$parameters"]]
    assert streams
    for stream in streams:
        parameters = stream["$parameters"]
        loader = stream["schema_loader"]
        assert loader["type"] == "InlineSchemaLoader"
        key = loader["schema"]["$ref"].rsplit("/", 1)[1]
        on_disk = PACKAGE_DIR / "schemas" / parameters["profile"] / f"{parameters['name']}.json"
        assert manifest["schemas"][key] == json.loads(on_disk.read_text())


def _package(tmp_path: Path, **modules: str) -> Path:
    for name, text in modules.items():
        (tmp_path / f"{name}.py").write_text(text)
    return tmp_path


def test_two_modules_defining_one_name_fail_the_build(tmp_path):
    with pytest.raises(BundleError, match="Guard is defined in both"):
        flatten(_package(tmp_path, a="class Guard:\n    pass\n", b="class Guard:\n    pass\n"))


@pytest.mark.parametrize("line, refused", [
    ("import duckdb", "which a venv with only airbyte-cdk lacks"),
    ("from .b import X", "a relative import"),
    ("from source_analytics.run import run", "the bundle holds only"),
])
def test_an_import_the_runtime_cannot_satisfy_fails_the_build(tmp_path, line, refused):
    with pytest.raises(BundleError, match=refused):
        flatten(_package(tmp_path, a=f"{line}\n\n\nclass A:\n    pass\n", b="X = 1\n"))


def test_a_sibling_import_orders_the_modules_and_goes(tmp_path):
    text = flatten(_package(
        tmp_path,
        a="from source_analytics.components.b import Base\n\n\nclass Child(Base):\n    pass\n",
        b="class Base:\n    pass\n",
    ))

    assert "source_analytics" not in text.split('"""', 2)[2]  # the header names it; the code does not
    assert text.index("class Base") < text.index("class Child(Base)")
    namespace: dict = {}
    exec(compile(text, "components.py", "exec"), namespace)
    assert issubclass(namespace["Child"], namespace["Base"])
