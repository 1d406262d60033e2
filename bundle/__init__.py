"""The manifest-only build: one manifest.yaml with every schema inline and one components.py, for Airbyte's
manifest-only runtime (`source-declarative-manifest`) and its Connector Builder, generated from the package."""

from pathlib import Path
from typing import List

import yaml

from bundle.components import BundleError, defined_names, flatten
from bundle.manifest import dump, inline
from bundle.tables import missing_from_tables

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "source_analytics"


def build(out: Path) -> List[Path]:
    """Write manifest.yaml and components.py into `out`; the paths written."""
    components = flatten(PACKAGE_DIR / "components")
    manifest = yaml.safe_load((PACKAGE_DIR / "manifest.yaml").read_text())
    missing = missing_from_tables(manifest)
    if missing:
        raise BundleError(" ".join(missing))
    bundled = inline(manifest, PACKAGE_DIR / "schemas", defined_names(components))
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "manifest.yaml", out / "components.py"]
    paths[0].write_text(dump(bundled))
    paths[1].write_text(components)
    return paths
