"""Where the package goes past the CDK's public extension points (docs/architecture.md, "Where we go past the
CDK"). The scan finds every use of a CDK name that starts with `_` in source_analytics/: a private attribute or
method a subclass reads or overrides, a private attribute read off a CDK object, a private name imported. Each
place is listed below with its reason; a new one fails the scan, and each listed one is pinned to the CDK version
it was checked against (a CDK that renames or drops it fails here, not in a sync)."""

import ast
import importlib
import inspect
import re
from pathlib import Path
from typing import Set, Tuple

from airbyte_cdk.sources.declarative.parsers.model_to_component_factory import ModelToComponentFactory
from airbyte_cdk.sources.declarative.models.declarative_component_schema import CustomRequester as CustomRequesterModel
from airbyte_cdk.sources.message import InMemoryMessageRepository, NoopMessageRepository
from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource
from airbyte_cdk.test.catalog_builder import CatalogBuilder, ConfiguredAirbyteStreamBuilder
from airbyte_cdk.test.entrypoint_wrapper import read

from source_analytics.source import MANIFEST_PATH
from unit_tests.builders import config

PACKAGE = Path(__file__).resolve().parent.parent / "source_analytics"
CHECKED_AGAINST = "7.39.1"

# (module, what): each entry would be one line of docs/architecture.md's "Where we go past the CDK", with a test
# pinning it to CHECKED_AGAINST. None is left: every component uses the CDK's public extension points only.
ALLOWED: Set[Tuple[str, str]] = set()


def _cdk_private_names(cls: type) -> Set[str]:
    """The `_` names the CDK classes in cls's ancestry define or set on self."""
    names: Set[str] = set()
    for base in inspect.getmro(cls):
        if not base.__module__.startswith("airbyte_cdk"):
            continue
        try:
            source = inspect.getsource(base)
        except (OSError, TypeError):
            source = ""
        names |= set(re.findall(r"self\.(_[a-z]\w*)", source)) | set(re.findall(r"def (_[a-z]\w*)", source))
        names |= {name for name in vars(base) if name.startswith("_") and not name.startswith("__")}
    return names


def private_cdk_uses(package: Path = PACKAGE) -> Set[Tuple[str, str]]:
    found = set()
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        module = importlib.import_module(".".join((package.name, *relative.with_suffix("").parts)))
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("airbyte_cdk"):
                found |= {(str(relative), f"imports {a.name}") for a in node.names if a.name.startswith("_")}
            if isinstance(node, ast.ClassDef) and isinstance(getattr(module, node.name, None), type):
                private = _cdk_private_names(getattr(module, node.name))
                for inner in ast.walk(node):
                    if isinstance(inner, ast.FunctionDef) and inner.name in private:
                        found.add((str(relative), f"{node.name} overrides {inner.name}"))
                    if isinstance(inner, ast.Attribute) and inner.attr in private \
                            and isinstance(inner.value, ast.Name) and inner.value.id in ("self", "cls"):
                        found.add((str(relative), f"{node.name} uses self.{inner.attr}"))
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.add((str(relative), f"reads .{node.attr} of {ast.unparse(node.value)}"))
    return found


def test_the_package_uses_the_cdk_s_private_names_only_where_listed():
    found = private_cdk_uses()
    assert found - ALLOWED == set(), "a new use of a CDK private name: use a public extension point, or list it here " \
        "and in docs/architecture.md with its reason"
    assert ALLOWED - found == set(), "no longer used: take it off the list and docs/architecture.md"


def test_the_scan_finds_each_kind_of_private_use_it_is_not_told_about(tmp_path, monkeypatch):
    package = tmp_path / "boundary_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "probe.py").write_text(
        "from airbyte_cdk.sources.declarative.requesters.http_requester import HttpRequester\n\n\n"
        "def session_of(requester):\n    return requester._http_client._session\n\n\n"
        "class Requester(HttpRequester):\n"
        "    def _request_headers(self, *args, **kwargs):\n        return self._authenticator.get_auth_header()\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    found = private_cdk_uses(package)

    assert found == {("probe.py", "reads ._session of requester._http_client"),
                     ("probe.py", "reads ._http_client of requester"),
                     ("probe.py", "Requester overrides _request_headers"),
                     ("probe.py", "Requester uses self._authenticator")}


# ---- what the CDK cannot do for a custom component, pinned so that a CDK that can is noticed --------------------
def test_the_cdk_gives_a_custom_requester_no_message_repository():
    """The Connector Builder shows each page's request and response through the requester's message repository,
    which the CDK's factory gives its own HttpRequester only: a CustomRequester (ours: timeouts from the config,
    PacingBudget) gets none, so the Builder's pages carry records without their request. When this fails, the
    CDK passes it on: take it, and check the Builder's pages in integration_tests/test_manifest_only.py."""
    repository = InMemoryMessageRepository()
    factory = ModelToComponentFactory(message_repository=repository)
    model = CustomRequesterModel(type="CustomRequester",
                                 class_name="source_analytics.components.requester.AnalyticsHttpRequester",
                                 url="https://api.example.com/v1/users", http_method="GET",
                                 **{"$parameters": {"name": "users"}})

    requester = factory.create_component(CustomRequesterModel, model.dict(), config={}, name="users")

    assert isinstance(requester.message_repository, NoopMessageRepository)


def test_the_cdk_reads_nothing_of_a_catalog_stream_the_source_lacks_and_ends_without_an_error():
    """Why the refusal of a catalog made for another profile is the package's alone (source.py, README): the CDK's
    concurrent declarative source skips a catalog stream it does not have (its `_select_streams` queues an
    INCOMPLETE status that a read of no stream never emits) and ends the read as a success, whatever the manifest
    says; no component is asked. When this fails, the CDK says something of such a stream itself: if it refuses it,
    drop the package's refusal and add the case to integration_tests/test_bad_input.py's SAID_ALIKE."""
    settings = config("tracking")
    catalog = CatalogBuilder().with_stream(
        ConfiguredAirbyteStreamBuilder().with_name("customers").with_sync_mode(SyncMode.full_refresh)).build()
    source = YamlDeclarativeSource(path_to_yaml=str(MANIFEST_PATH), catalog=catalog, config=settings, state=[])

    output = read(source, settings, catalog)

    assert output.errors == [] and output.records == [] and output.trace_messages == []
