"""python -m bundle [--out DIR]: write the manifest-only build (README, "Run it without building an image")."""

import argparse
import sys
from pathlib import Path

from bundle import build
from bundle.components import BundleError


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bundle", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("dist/manifest-only"))
    args = parser.parse_args()
    try:
        written = build(args.out)
    except BundleError as error:
        print(f"make bundle: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
