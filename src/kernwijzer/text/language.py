"""Question language (Dutch or English), detected offline with py3langid.

Not here: translation. Quotes are always in the source language; only labels follow
the question's language.
"""

from __future__ import annotations

import threading

from py3langid.langid import MODEL_FILE, LanguageIdentifier

SUPPORTED = ("nl", "en")
_lock = threading.Lock()
_identifier: LanguageIdentifier | None = None


def detect_language(text: str, default: str = "nl") -> str:
    """'nl' or 'en'; Dutch (the corpus language) when the text gives no signal."""
    global _identifier
    if not any(ch.isalpha() for ch in text):
        return default
    with _lock:
        if _identifier is None:
            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            _identifier.set_languages(list(SUPPORTED))
        lang, prob = _identifier.classify(text)
    return str(lang) if prob >= 0.6 else default
