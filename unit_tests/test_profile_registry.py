"""The profiles are listed in one place per side: a new API profile is a manifest block, a schemas folder, a
sandbox profile module, its acceptance files and docs, not an edit to tables across the tree (docs/adding-a-profile.md).

Everything else takes its per-profile facts from the sandbox's registry (sandbox/profiles/) or from the connector's
own spec and discover. This test finds every tracked file that names all the registry's profiles.
"""

import re
import subprocess
from pathlib import Path

import pytest

import sandbox

ROOT = Path(__file__).resolve().parent.parent

# Where naming every profile is the point: the connector's manifest (its spec lists them), the docs, Airbyte's
# acceptance config and the registry metadata, and the package description.
EXPECTED_TO_NAME_THEM = ("manifest.yaml", "source_analytics/manifest.yaml", "README.md", "docs/",
                         "acceptance-test-config.yml", "metadata.yaml", "pyproject.toml")
# The sandbox's registry itself; nothing else may join it.
REGISTRY_FILES = {"sandbox/profiles/__init__.py"}


def tracked_files():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [path for path in listed.splitlines() if (ROOT / path).is_file()]


def names_every_profile(text):
    return all(re.search(rf"\b{re.escape(name)}\b", text) for name in sandbox.PROFILES)


@pytest.mark.e2e  # starts a process
def test_only_the_registry_lists_the_profiles_outside_manifest_docs_and_packaging():
    naming = set()
    for path in tracked_files():
        if path.startswith(EXPECTED_TO_NAME_THEM):
            continue
        try:
            text = (ROOT / path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if names_every_profile(text):
            naming.add(path)

    assert naming == REGISTRY_FILES, (
        f"files naming every profile besides the registry: {sorted(naming - REGISTRY_FILES)}; take the profiles "
        "from sandbox.PROFILES / sandbox.REGISTRY or from the connector's spec and discover instead"
    )


def test_every_profile_has_a_schema_per_stream_and_no_other():
    for name, profile in sandbox.REGISTRY.items():
        on_disk = sorted(p.stem for p in (ROOT / "schemas" / name).glob("*.json"))
        assert on_disk == sorted(s.name for s in profile.streams), name
