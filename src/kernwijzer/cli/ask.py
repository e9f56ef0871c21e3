"""``kernwijzer ask``: one question, or a file of them as JSON lines."""

from __future__ import annotations

import argparse
import sys

from kernwijzer.cli.exits import EXIT_INPUT
from kernwijzer.cli.output import format_answer, print_json
from kernwijzer.config import Settings
from kernwijzer.evaluation.questions import QuestionFileError, load_questions
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.retrieval.question import QuestionError, Turn, check_question


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
            print_json(answer.to_dict())
        return 0
    text = check_question(args.question, settings.retrieval.max_question_chars)
    answer = Kernwijzer(settings).answer(text, top_k=args.top_k, documents=documents)
    if args.json:
        print_json(answer.to_dict())
    else:
        print(format_answer(answer, f"http://{settings.app.host}:{settings.app.port}"))
    return 0
