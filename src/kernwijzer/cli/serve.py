"""``kernwijzer serve``: the browser app (the same as ``python app.py``)."""

from __future__ import annotations

import argparse
import sys

from kernwijzer.cli.exits import EXIT_PORT
from kernwijzer.config import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Start the browser app."""
    from kernwijzer.web.app import PortInUseError, serve

    try:
        serve(settings, build_missing=not args.no_build)
    except PortInUseError as exc:
        print(f"kernwijzer: {exc}", file=sys.stderr)
        return EXIT_PORT
    return 0
