"""Commands over the corpus, the model and the index: model, index, sections, add, sources."""

from __future__ import annotations

import argparse
import sys

from kernwijzer.cli.exits import EXIT_INPUT
from kernwijzer.cli.output import count_of, print_json
from kernwijzer.config import LIGHT_MODEL, Settings


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


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    """Build or update the index."""
    from kernwijzer.index.build import build_index

    report = build_index(
        settings, rebuild=args.rebuild, progress=sys.stderr.isatty() or args.verbose
    )
    if args.json:
        print_json(report.to_dict())
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
        print_json(trees[args.doc_id] if args.doc_id else trees)
        return 0
    for doc_id, sections in trees.items():
        print(doc_id)
        for s in sections[1:]:
            indent = "  " * int(str(s["level"]))
            print(f"{indent}{s['title']}  #{s['anchor']} [{s['start']}:{s['end']}]")
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
        print_json(added.to_dict())
        return 0
    info, ex = added.info, added.extracted
    print(f"Added '{info.id}': {info.title}")
    print(
        f"  {info.kind}" + (f", {ex.pages} pages" if ex.pages else "") + f", {added.sections} "
        f"sections ({ex.headings} marked headings), {count_of(ex.tables, 'table')} "
        f"({count_of(ex.table_rows, 'row')})"
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


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    """List the corpus's documents and superseded editions."""
    from kernwijzer.ingest.catalogue import list_sources

    rows = list_sources(settings.corpus.corpus_dir)
    if args.json:
        print_json([r.to_dict() for r in rows])
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
