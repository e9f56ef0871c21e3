"""Start the Kernwijzer browser app (the embedded index; built first if missing)."""

import sys

from kernwijzer.config import load_settings
from kernwijzer.web.app import PortInUseError, serve

if __name__ == "__main__":
    try:
        serve(load_settings())
    except PortInUseError as exc:
        print(f"kernwijzer: {exc}", file=sys.stderr)
        sys.exit(7)
