"""From a published file to a cleaned document with sections and chunks; the catalogue of them.

Stage order: extraction → cleaning (tables) → corpus → sections → chunking. Also here: the
catalogue (``kernwijzer add``), what a corpus change did to sections (changes), and whether a
quote is the original file's own words (fidelity).
"""
