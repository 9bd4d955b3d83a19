"""Snippets with the matched words marked, phrase-aware.

Whoosh's own strict-phrase highlighting compares raw words with stemmed
phrase words, so it finds nothing on a stemmed field.  Here the text is run
through the field's own analyzer, phrases are matched on the stems at
consecutive positions, loose terms on single stems, and the densest windows
of text around matches become the snippets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh.query import Phrase, Query

MARK_START, MARK_END = "\ue000", "\ue001"  # private-use code points: matched words
WINDOW = 220  # characters per snippet


@dataclass
class _Token:
    stem: str
    pos: int
    start: int
    end: int


def query_words(query: Query, field: str) -> tuple[set[str], list[list[str]]]:
    """Loose terms and phrases (as stem lists) that ``query`` looks for in ``field``."""
    phrases = [list(q.words) for q in [query, *query.leaves()] if isinstance(q, Phrase) and q.fieldname == field]
    in_phrases = {w for p in phrases for w in p}
    terms = set()
    for fieldname, text in query.iter_all_terms(phrases=False):
        if fieldname == field:
            word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
            if word not in in_phrases:
                terms.add(word)
    return terms, phrases


def _tokens(analyzer: Any, text: str) -> list[_Token]:
    return [
        _Token(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True, mode="index")
    ]


def _spans(tokens: list[_Token], terms: set[str], phrases: list[list[str]]) -> list[tuple[int, int]]:
    spans = [(t.start, t.end) for t in tokens if t.stem in terms]
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            run = tokens[i : i + n]
            if [t.stem for t in run] == phrase and run[-1].pos - run[0].pos == n - 1:
                spans.append((run[0].start, run[-1].end))
    return sorted(set(spans))


def _windows(spans: list[tuple[int, int]], length: int, top: int) -> list[tuple[int, int]]:
    """Up to ``top`` non-overlapping windows holding the most matches, in text order."""
    scored = []
    for i, (start, _) in enumerate(spans):
        begin = max(0, start - WINDOW // 3)
        end = min(length, begin + WINDOW)
        count = sum(1 for s, e in spans[i:] if e <= end)
        scored.append((-count, begin, end))
    chosen: list[tuple[int, int]] = []
    for _, begin, end in sorted(scored):
        if all(end <= b or begin >= e for b, e in chosen):
            chosen.append((begin, end))
        if len(chosen) == top:
            break
    return sorted(chosen)


def _word_bounds(text: str, begin: int, end: int) -> tuple[int, int]:
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < begin + 30 else begin
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    return begin, end


def make_snippet(text: str, query: Query, field: str, analyzer: Any, top: int = 3) -> str:
    """Up to ``top`` passages of ``text`` with matches wrapped in marker characters."""
    terms, phrases = query_words(query, field)
    spans = _spans(_tokens(analyzer, text), terms, phrases) if (terms or phrases) else []
    if not spans:
        return ""
    pieces = []
    for begin, end in _windows(spans, len(text), top):
        begin, end = _word_bounds(text, begin, end)
        out, cursor = [], begin
        for s, e in spans:
            if s >= begin and e <= end and s >= cursor:
                out += [text[cursor:s], MARK_START, text[s:e], MARK_END]
                cursor = e
        out.append(text[cursor:end])
        piece = " ".join("".join(out).split())
        pieces.append(("… " if begin > 0 else "") + piece + (" …" if end < len(text) else ""))
    return " ".join(pieces).replace("… …", "…")
