"""Text shared by every stage: tokens and stems, the question language, footnotes, structure."""
