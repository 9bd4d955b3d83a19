"""What a search takes and gives, as plain data: no Whoosh in it.

The command line's warm path (a search answered by ``newsarchive serve``)
and the server's JSON shapes need these classes without paying for Whoosh's
imports (118 ms of a cold process); ``search/query.py`` runs the searches
that fill them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

QUERY_FIELDS = (
    "title",
    "standfirst",
    "body",
    "comments",
    "author",
    "tag",
    "site",
    "has",
    "url",
    "id",
    "person",
    "org",
    "council",
    "date",
    "published",
)
URL = re.compile(r"https?://\S+", re.I)
# What a pasted headline carries that is not part of its words.
PASTED_PUNCTUATION = re.compile(r"[^\w\s'’&.,-]")
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use code points: matched words
OPERATORS = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
NEGATION = re.compile(r"(?:^|\s)[-+]\w")  # "-word" / "+word" make it query language
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


@dataclass
class Hit:
    """One search result as shown to people and printed for programs."""

    rank: int
    id: str
    url: str | None
    title: str | None
    published: str | None
    score: float | None
    snippet: str = ""
    commenter: str | None = None  # set when the snippet quotes a reader's comment

    @classmethod
    def from_whoosh(cls, rank: int, hit: Any, snippet: str = "", commenter: str | None = None) -> Hit:
        """From a Whoosh hit: the display fields are stored with it, no record read."""
        display = hit.get("display") or {}
        # a relevance score; a sorted search's "score" is its sort key, which is none
        score = round(hit.score, 4) if isinstance(hit.score, int | float) else None
        return cls(
            rank,
            hit["id"],
            display.get("url"),
            display.get("title"),
            display.get("published"),
            score,
            snippet,
            commenter,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "published": self.published,
            "score": self.score,
            "snippet": render_marks(self.snippet, "**", "**"),
            "commenter": self.commenter,
        }


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None  # "did you mean": a respelling that finds more
    suggestion_total: int = 0
    offset: int = 0  # the hits skipped before the first one here
    limit: int = 10  # the most hits asked for

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a search: the server's, and ``search --format json``'s (always this one)."""
        return {
            "query": self.query,
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in counts] for name, counts in self.facets.items()},
            "suggestion": self.suggestion,
            "suggestion_total": self.suggestion_total,
        }


def query_from_args(args: tuple[str, ...] | list[str]) -> str:
    """The query text from command-line words (and from the web page's search box).

    Quoting on the shell means a phrase: ``search "early adopter"`` arrives
    as one argument holding plain words, and is searched as that phrase, and
    so is a headline pasted as one argument, its punctuation dropped
    ("Coronavirus: what it means for you?" is the phrase of its words).
    Several arguments (``search early adopter``) are ANDed, and an argument
    using the query language (double quotes, a known field, operators,
    ``*``, brackets, ``-word``) is taken as written.
    """
    text = args[0].strip() if len(args) == 1 else ""
    if URL.fullmatch(text):
        return text
    if " " in text and not _query_language(text):
        # "Headline | Site", as a browser tab's title reads: the headline is the longest part
        text = max(text.split(" | "), key=len) if " | " in text else text
        words = " ".join(PASTED_PUNCTUATION.sub(" ", text).split())
        return f'"{words}"' if " " in words else words
    return " ".join(args)


def _query_language(text: str) -> bool:
    known = re.search(rf"(?:^|[\s(])(?:{'|'.join(QUERY_FIELDS)}):", text)
    # In a headline in capitals ("COUNCILS NOT READY FOR REFORM") AND, OR and NOT are words.
    shouted = text.upper() == text and len(text.split()) > 3
    operators = OPERATORS.search(text) and not shouted
    return bool(known or operators or NEGATION.search(text) or re.search(r'["()*]', text))


def as_text(text: str, fields: list[str] | tuple[str, ...] | None = None) -> str:
    """Query-language text with what a reporter pastes made harmless: a word before a
    colon that names no field is a word ("Coronavirus: …"), a ``?`` ending a word is a
    question mark, not a wildcard, and ``|`` is nothing.  Quoted phrases are left alone."""
    names = set(fields or QUERY_FIELDS)
    pieces = re.split(r'("[^"]*")', text)
    for i in range(0, len(pieces), 2):  # outside the quotes only
        piece = re.sub(
            r"(?<![\w:])([^\W\d_][\w’']*):(?!\S*//)",
            lambda m: m.group(0) if m.group(1) in names else m.group(1) + " ",
            pieces[i],
        )
        piece = re.sub(r"(?<=\w)\?+(?=\s|$)", "", piece)
        pieces[i] = piece.replace("|", " ")
    return "".join(pieces)


def render_marks(text: str, start: str, end: str) -> str:
    return text.replace(MARK_START, start).replace(MARK_END, end)


@dataclass
class SearchOptions:
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    since: str | None = None
    until: str | None = None
    snippets: bool = True
    facets: tuple[str, ...] = ()
    suggest: bool = True
