"""Exit codes of the ``kernwijzer`` command (the README lists what each means)."""

from __future__ import annotations

EXIT_INPUT, EXIT_INDEX, EXIT_LOCKED, EXIT_WRITE, EXIT_MODEL, EXIT_PORT = 2, 3, 4, 5, 6, 7


EXIT_INTERRUPTED = 130
