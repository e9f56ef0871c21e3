"""``python -m kernwijzer.cli``: the same as the ``kernwijzer`` command."""

import sys

from kernwijzer.cli import main

sys.exit(main())
