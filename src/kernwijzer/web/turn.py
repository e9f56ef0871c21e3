"""One turn of the chat and one rating: what the page's callbacks do, apart from Gradio.

A turn asks the pipeline and renders the reply (``cards.py``); a rating stores a 👍/👎
(``feedback.py``). Plain functions over plain values, so they are tested without a page.
Not here: the page's layout and wiring (``chat.py``).
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from kernwijzer.answer.compose import Answer
from kernwijzer.messages import text
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.retrieval.question import QuestionError, Turn
from kernwijzer.web.cards import answer_html
from kernwijzer.web.feedback import FeedbackError, FeedbackStore, Rating

log = logging.getLogger(__name__)


def respond(
    kw: Kernwijzer,
    message: str,
    chat: list[dict[str, Any]],
    turns: list[str],
    sources: list[str],
    show_all: bool,
    answers: list[dict[str, Any] | None],
    public_url: str | None = None,
    language: str = "nl",
) -> tuple[list[dict[str, Any]], list[str], str, list[dict[str, Any] | None]]:
    """One chat turn: returns the chat, the conversation, the input and the answers shown.

    ``answers`` holds, per chat message, the answer it shows (None for the user's messages
    and refusals of the input), so feedback on a message rates that answer.
    """
    chat, answers = list(chat or []), list(answers or [])
    if not (message or "").strip():
        return chat, turns, "", answers  # nothing to send: no empty turn in the chat
    if not kw.ready:
        # Just started: say so rather than keep the user waiting without a word.
        chat += [
            {"role": "user", "content": html.escape(message)},
            {"role": "assistant", "content": html.escape(text(language, "loading"))},
        ]
        return chat, turns, message, [*answers, None, None]
    try:
        answer: Answer = kw.answer(
            message,
            history=[Turn(t) for t in turns or []],
            top_k=kw.settings.answer.show_all_top_k if show_all else None,
            documents=set(sources) if sources else None,
        )
    except QuestionError as exc:
        chat += [
            {"role": "user", "content": html.escape(message or "")},
            {"role": "assistant", "content": html.escape(exc.in_language(language))},
        ]
        return chat, turns, message, [*answers, None, None]
    searched = None
    if answer.documents is not None:
        docs = kw.snapshot.documents
        searched = [docs[d].info.title for d in answer.documents if d in docs]
    same_text = same_text_docs(kw)
    # The answer's chat message is the second of the two this turn adds.
    rating = len(answers) + 1
    reply = answer_html(
        answer,
        searched=searched,
        public_url=public_url,
        same_text=same_text,
        related=answer.related,
        language=language,
        rating=rating,
        note=text(language, "same_passage") if _repeats(answer, answers) else None,
    )
    # The chat renders HTML: the user's own text is escaped like everything else.
    chat += [
        {"role": "user", "content": html.escape(answer.question)},
        {"role": "assistant", "content": reply},
    ]
    return chat, [*(turns or []), answer.question], "", [*answers, None, answer.to_dict()]


def same_text_docs(kw: Kernwijzer) -> set[str]:
    """The documents whose public page is the same text (a link may carry a text fragment)."""
    return {
        d for d, doc in kw.snapshot.documents.items() if doc.info.url and doc.info.profile == "web"
    }


def _repeats(answer: Answer, answers: list[dict[str, Any] | None]) -> bool:
    """Whether an answer's best passage is the one the previous answer led with.

    A follow-up ("En een VS?") answered by the very sentence just shown would otherwise look
    as if nothing happened.
    """
    previous = next((a for a in reversed(answers) if a is not None), None)
    if answer.abstained or not answer.citations or previous is None or previous["abstained"]:
        return False
    before = previous["citations"][0] if previous["citations"] else None
    now = answer.citations[0]
    return before is not None and (before["doc_id"], before["start"], before["end"]) == (
        now.doc_id,
        now.start,
        now.end,
    )


RATING = re.compile(r"^(\d{1,6}):(up|down)$")


def rate(
    store: FeedbackStore,
    build: str,
    answers: list[dict[str, Any] | None],
    choice: str,
    language: str = "nl",
) -> tuple[int | None, str]:
    """Store a 👍/👎 on an answer; returns the rating's id and a confirmation.

    ``choice`` is what the page's 👍/👎 buttons send: "<message number>:up" or ":down". A
    message that shows no answer (or anything else) stores nothing.
    """
    match = RATING.match(choice or "")
    index = int(match.group(1)) if match else -1
    shown = answers[index] if 0 <= index < len(answers) else None
    if match is None or shown is None:
        return None, ""
    answer = Answer.from_dict(shown)
    try:
        rating_id = store.add(Rating.of(answer, match.group(2), build))
    except FeedbackError as exc:
        log.error("Feedback not stored: %s", exc)
        return None, text(language, "not_stored")
    return rating_id, text(language, "rated")
