"""Counting whole-word mentions by str.find gives what the regex it replaced gave
(newsarchive/ingest/entities.py: count_whole)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.ingest.entities import count_whole

PIECES = ["Trowler", "Isabelle Trowler", "Care", "Skills for Care", "BASW", "aa", "é", "_", "-", "’", "'", " ", "\n"]


def by_regex(text: str, forms: list[str], joiners: str) -> int:
    """The pattern entities.py used: a look-behind, the forms longest first, a look-ahead."""
    alternation = "|".join(re.escape(f) for f in sorted(set(forms), key=lambda f: (-len(f), f)))
    edge = rf"[\w{re.escape(joiners)}]"
    return len(re.findall(rf"(?<!{edge})(?:{alternation})(?!{edge})", text))


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.lists(st.sampled_from(PIECES[:6] + ["a", "Care for"]), min_size=1, max_size=3),
    st.sampled_from(["", "’'", "’'-"]),
)
def test_counts_match_the_regex(text: str, forms: list[str], joiners: str) -> None:
    assert count_whole(text, forms, joiners) == by_regex(text, forms, joiners)


def test_examples() -> None:
    text = "Skills for Care (SfC) said. Care-experienced; Trowler’s view, Isabelle Trowler, and Trowlers."
    assert count_whole(text, ["Skills for Care", "Care"]) == 2  # the long form once, "Care-" once
    assert count_whole(text, ["Trowler"], "’'-") == 1  # not "Trowler’s", not "Trowlers"
    assert count_whole(text, ["Trowler"]) == 2  # "Trowler’s" too
