"""The command line: every command, its options and what they mean when not given."""

from __future__ import annotations

import argparse
from pathlib import Path

# What the options every command takes mean when not given (see ``build_parser``).
COMMON_DEFAULTS = {
    "config": None,
    "index_dir": None,
    "corpus_dir": None,
    "model": None,
    "verbose": False,
}


def build_parser() -> argparse.ArgumentParser:
    """Every command and its options."""
    # Accepted before and after the command. SUPPRESS: a subcommand's own default would
    # otherwise overwrite what was given before it ("kernwijzer --config light eval" ran
    # the default configuration).
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--config", help="preset name (evals/configs/NAME.yaml) or YAML file")
    common.add_argument("--index-dir", type=Path, help="where the embedded index lives")
    common.add_argument("--corpus-dir", type=Path, help="folder with sources.yaml")
    common.add_argument("--model", help="sentence-transformers model name or local path")
    common.add_argument("-v", "--verbose", action="store_true", help="log progress")
    p = argparse.ArgumentParser(
        prog="kernwijzer", description=__doc__.split("\n")[0], parents=[common]
    )
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser(
        "model",
        parents=[common],
        help="prepare the configured model: assemble and verify it, export it to ONNX (set-up)",
    )

    idx = sub.add_parser("index", parents=[common], help="build or update the index")
    idx.add_argument("--rebuild", action="store_true", help="re-embed everything")
    idx.add_argument("--json", action="store_true", help="print one JSON object")

    sec = sub.add_parser("sections", parents=[common], help="show section trees")
    sec.add_argument("doc_id", nargs="?", help="one document (default: all)")
    sec.add_argument("--json", action="store_true", help="print JSON")

    ask = sub.add_parser("ask", parents=[common], help="answer a question from the sources")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--file", type=Path, help="YAML/JSON list of questions; prints JSON Lines")
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument("--top-k", type=_top_k, help="citations to return (1-50)")
    ask.add_argument("--doc", action="append", help="only these document ids (repeatable)")

    ev = sub.add_parser("eval", parents=[common], help="run the question set and report metrics")
    ev.add_argument("--questions", type=Path, help="question file (default evals/questions.yaml)")
    ev.add_argument("--json", dest="json_out", type=Path, help="write the full result here")
    ev.add_argument("--report", type=Path, help="write an HTML report here")
    ev.add_argument("--systems", default="bm25,dense,kernwijzer", help="comma-separated systems")
    ev.add_argument(
        "--compare",
        nargs="*",
        type=Path,
        metavar="RUN.json",
        help="with no file: run, then list what changed since the last stored run; "
        "with two saved runs A B: compare them without running",
    )

    cal = sub.add_parser(
        "calibrate",
        parents=[common],
        help="fit the answerability model on the calibration half of a question set",
    )
    cal.add_argument("--questions", type=Path, help="question file (default evals/questions.yaml)")
    cal.add_argument(
        "--out", type=Path, help="model file to write (default: the profile's packaged file)"
    )
    ev.add_argument(
        "--feedback", type=Path, help="feedback file (data/feedback.sqlite) to count in the report"
    )

    fb = sub.add_parser("feedback", parents=[common], help="answer feedback stored by the app")
    fb_sub = fb.add_subparsers(dest="feedback_command", required=True)
    fb_export = fb_sub.add_parser(
        "export", help="write rated questions in the question-file format (YAML)"
    )
    fb_export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    fb_export.add_argument("--file", type=Path, help="feedback file (default: data dir)")
    fb_counts = fb_sub.add_parser("counts", help="how many 👍, 👎 and comments")
    fb_counts.add_argument("--file", type=Path, help="feedback file (default: data dir)")

    add = sub.add_parser(
        "add",
        parents=[common],
        help="add a document (PDF, saved web page, text) to the corpus, or a new edition",
    )
    add.add_argument("path", type=Path, help="the published file: .pdf, .html/.htm, .txt/.md")
    add.add_argument("--title", help="title (default: the title the file states)")
    add.add_argument("--publisher", help="who published it (default: unknown)")
    add.add_argument("--date", help="edition date as published, e.g. 2026-03 (default: unknown)")
    add.add_argument("--version", help="version or edition name (default: unknown)")
    add.add_argument("--url", help="public address of the published file (default: unknown)")
    add.add_argument("--replaces", metavar="DOC_ID", help="the document this edition replaces")
    add.add_argument("--id", dest="doc_id", help="document id (default: from the title)")
    add.add_argument(
        "--language", choices=("nl", "en"), help="nl or en (default: detected from the text)"
    )
    add.add_argument("--group", help="beroepsgroep, verzekeraar, … (default: the replaced one's)")
    add.add_argument("--json", action="store_true", help="print one JSON object")

    src = sub.add_parser("sources", parents=[common], help="list documents and editions")
    src.add_argument("--json", action="store_true", help="print JSON")

    srv = sub.add_parser("serve", parents=[common], help="start the browser app")
    srv.add_argument("--host", help="bind address (default 127.0.0.1)")
    srv.add_argument("--port", type=int, help="port (default 7860)")
    srv.add_argument("--no-build", action="store_true", help="do not build a missing index")
    return p


def _top_k(value: str) -> int:
    """``--top-k``: what the API accepts (1-50), refused the same way as there."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 50:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 50, not {value!r}")
    return number
