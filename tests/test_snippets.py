"""Snippets analyse only the lines that can hold a match, and find exactly what
analysing the whole text finds (newsarchive/search/snippets.py)."""

from __future__ import annotations

import re

from conftest import CORPUS_FILES
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.search.schema import text_analyzer
from newsarchive.search.snippets import _candidate_tokens, _spans, _tokens

ANALYZER = text_analyzer()
CORPUS_WORDS = sorted({w for f in CORPUS_FILES for w in re.findall(r"[^\W\d_]+", f.read_text("utf-8"))})
# Snowball's exceptional forms, stop words, accents, dotted tokens and line breaks:
# the places where a line filter could miss what the analyzer finds.
AWKWARD = ["dying", "lying", "tying", "skies", "early", "only", "the", "of", "café", "CAFÉ", "U.K.", "adopters"]
WORD = st.sampled_from(CORPUS_WORDS + AWKWARD)
GAP = st.sampled_from([" ", " ", " ", "\n", "\n\n", " \n", ", ", ".\n"])


def stems(words: list[str]) -> list[str]:
    return [t.text for t in ANALYZER(" ".join(words), mode="index")]


def full_spans(text: str, terms: set[str], phrases: list[list[str]]) -> list[tuple[int, int]]:
    return _spans(_tokens(ANALYZER, text), terms, phrases)


def filtered_spans(text: str, terms: set[str], phrases: list[list[str]]) -> list[tuple[int, int]]:
    wanted = terms | {w for p in phrases for w in p}
    return _spans(_candidate_tokens(ANALYZER, text, wanted), terms, phrases)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(WORD, GAP), min_size=1, max_size=120),
    st.lists(WORD, min_size=1, max_size=3),
    st.lists(WORD, min_size=2, max_size=3),
)
def test_the_line_filter_finds_what_the_whole_text_gives(
    pieces: list[tuple[str, str]], loose: list[str], phrase: list[str]
) -> None:
    text = "".join(word + gap for word, gap in pieces)
    # query words taken from the text too, so that matches are common
    loose += [pieces[0][0], pieces[-1][0]]
    phrase_stems = stems(phrase) if len(pieces) < 3 else stems([pieces[1][0], pieces[2][0]])
    terms, phrases = set(stems(loose)), [phrase_stems] if len(phrase_stems) > 1 else []
    assert filtered_spans(text, terms, phrases) == full_spans(text, terms, phrases)


def test_a_phrase_across_a_line_break_and_a_blank_line_is_found() -> None:
    text = "Councils named as early\n\nadopters of the framework.\nNothing else here at all today.\n"
    phrase = [stems(["early", "adopters"])]
    assert filtered_spans(text, set(), phrase) == full_spans(text, set(), phrase) == [(18, 33)]


def test_the_exceptional_forms_are_found() -> None:
    text = "Nothing here.\nThe dying embers.\nNor here.\nLying low.\nTying up.\n"
    terms = set(stems(["die", "lie", "tie"]))
    assert len(filtered_spans(text, terms, [])) == 3
