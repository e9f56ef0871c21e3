"""From a question to ranked passages and whether the sources answer it.

Query vocabulary (glossary, lexicon, answer types, everyday words), dense similarity, fusion
of the signals, and the answerability decision.
"""
