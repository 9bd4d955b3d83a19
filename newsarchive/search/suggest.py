"""'Did you mean': respell words the archive does not hold.

The ``words`` field keeps every word of the titles and bodies unstemmed, so
suggestions are real words ("adopter"), not stems ("adopt").  Only words the
archive lacks are respelled; quoted phrases are respelled word by word too.

Whoosh's corrector walks the field's term dictionary of every segment for
each word: 75 to 160 ms a word on 20,000 articles in 20 segments, more as
the archive grows.  So each index generation keeps its vocabulary with the
articles counts beside it (``words.txt``, written at every commit), and a
word is respelled by looking up its single edits there (a deletion,
transposition, replacement or insertion: Norvig's corrector), preferring the
word most articles hold: microseconds a word, whatever the archive's size.
An index from before the file falls back to the corrector.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from pathlib import Path
from typing import Any

from whoosh.searching import Searcher

WORD = re.compile(r"(?<![\w:*])([^\W\d_]{3,})(?![\w:*(])")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
LETTERS = string.ascii_lowercase + "àáâäçèéêëíîïñóôöúûüß"
_CACHE: dict[Path, tuple[float, Counter[str]]] = {}


def did_you_mean(searcher: Searcher, text: str) -> str | None:
    """``text`` with unknown words replaced by the nearest known ones, or None."""
    vocabulary = _vocabulary(searcher)
    reader = searcher.reader()
    corrector: Any = None
    changed = False

    def respell(match: re.Match[str]) -> str:
        nonlocal changed, corrector
        word = match[1]
        lower = word.lower()
        if word in OPERATORS or (lower in vocabulary if vocabulary else ("words", lower) in reader):
            return word
        if vocabulary:
            suggestion = nearest(lower, vocabulary)
        else:
            corrector = corrector or searcher.corrector("words")
            found = corrector.suggest(lower, limit=1, maxdist=1)
            suggestion = found[0] if found else None
        if not suggestion:
            return word
        changed = True
        return suggestion

    respelled = WORD.sub(respell, text)
    return respelled if changed else None


def nearest(word: str, vocabulary: Counter[str]) -> str | None:
    """The known word one edit from ``word`` that most articles hold, or None."""
    known = [candidate for candidate in edits(word) if candidate in vocabulary]
    return max(known, key=lambda w: (vocabulary[w], w)) if known else None


def edits(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in LETTERS]
    inserts = [a + c + b for a, b in splits for c in LETTERS]
    return set(deletes + transposes + replaces + inserts)


def _vocabulary(searcher: Searcher) -> Counter[str]:
    """The index generation's vocabulary, read once per version of the file (the server reuses it)."""
    from .index import VOCABULARY, read_vocabulary

    folder = getattr(getattr(getattr(searcher, "_ix", None), "storage", None), "folder", None)
    if not folder:
        return Counter()
    path = Path(folder)
    try:
        stamp = (path / VOCABULARY).stat().st_mtime
    except OSError:
        return Counter()
    cached = _CACHE.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, read_vocabulary(path))
        _CACHE.clear()  # one generation at a time: the old ones are gone
        _CACHE[path] = cached
    return cached[1]
