"""'Did you mean': respell words the archive does not hold.

The ``words`` field keeps every word of the titles and bodies unstemmed, so
suggestions are real words ("adopter"), not stems ("adopt").  Only words the
archive lacks are respelled; quoted phrases are respelled word by word too.
"""

from __future__ import annotations

import re

from whoosh.searching import Searcher

WORD = re.compile(r"(?<![\w:*])([^\W\d_]{3,})(?![\w:*(])")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


def did_you_mean(searcher: Searcher, text: str) -> str | None:
    """``text`` with unknown words replaced by the nearest known ones, or None."""
    corrector = searcher.corrector("words")
    reader = searcher.reader()
    changed = False

    def respell(match: re.Match[str]) -> str:
        nonlocal changed
        word = match[1]
        if word in OPERATORS or (("words", word.lower()) in reader):
            return word
        suggestions = corrector.suggest(word.lower(), limit=1, maxdist=2)
        if not suggestions:
            return word
        changed = True
        return suggestions[0]

    respelled = WORD.sub(respell, text)
    return respelled if changed else None
