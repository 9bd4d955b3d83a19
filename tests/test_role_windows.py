"""Role patterns tried only a few words before a role noun find what scanning
every line that names a role found (newsarchive/ingest/entities.py:
_role_matches)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.ingest import entities
from newsarchive.ingest.entities import ROLE_AFTER, ROLE_BEFORE, ROLE_COMMA_NAME, ROLE_NOUNS, _role_matches

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ROLE_NOUN_ANY = re.compile(rf"(?:{ROLE_NOUNS})\b")
LINE = re.compile(r"[^\n]+")


def by_lines(text: str) -> Iterator[re.Match[str]]:
    """What entities.py did: each pattern over each line that holds a role noun."""
    for line in LINE.finditer(text):
        if ROLE_NOUN_ANY.search(text, line.start(), line.end()):
            for pattern in (ROLE_AFTER, ROLE_BEFORE, ROLE_COMMA_NAME):
                yield from pattern.finditer(text, line.start(), line.end())


def found(matches: Iterator[re.Match[str]]) -> list[tuple[str, tuple[int, int], dict[str, str | None]]]:
    return [(m.re.pattern, m.span(), m.groupdict()) for m in matches]


PIECES = [
    "Isabelle Trowler",
    "Mary J. Anne Smith",
    "O’Brien",
    "McDonald",
    "Jim",
    "chief executive",
    "chief social worker",
    "chief",
    "mischief",
    "director",
    "social worker",
    "co-ordinator",
    "head",
    "ahead",
    "MP",
    "BASW",
    "of",
    "for",
    "the",
    "a",
    "its",
    "senior",
    "new acting interim senior ",
    "Mary J. Anne K. Smith, the new acting interim senior ",
    "Jane Smith, its ",
    "ex-Frontline",
    "children’s",
    "said",
    "who",
    ",",
    ", ",
    ".",
    ";",
    ")",
    "(",
    "-",
    "’",
    " ",
    " ",
    " ",
    "\n",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_same_matches_as_scanning_every_line(text: str) -> None:
    assert found(_role_matches(text)) == found(by_lines(text))


def test_same_matches_on_the_corpus() -> None:
    texts = [p.read_text("utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    assert texts
    total = 0
    for text in texts:
        mine = found(_role_matches(text))
        assert mine == found(by_lines(text))
        total += len(mine)
    assert total > 20  # the corpus introduces people by their roles


def test_people_found_by_role() -> None:
    text = (
        "England’s chief social worker Isabelle Trowler said so.\n"
        "Colum Conway, chief executive of Social Work England, agreed."
    )
    people = {p["name"]: p["role"] for p in entities._people(text, [])}
    assert people == {
        "Isabelle Trowler": "chief social worker",
        "Colum Conway": "chief executive of Social Work England",
    }
