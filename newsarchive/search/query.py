"""Parse a query, run it, and turn Whoosh hits into records with snippets.

The default between words is AND; ``OR``, ``NOT``, ``-word``, "phrases",
``prefix*`` and ``field:value`` work as in Whoosh's query language.  Curly
quotes typed or pasted into a query count as straight ones.

Ranked searches go through ``TopCollector(replace=0)``: with Whoosh's matcher
replacement on, multi-field AND/NOT queries under a limit can return the
wrong top hits (upstream Whoosh issue #413).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from whoosh.collectors import Collector, FilterCollector, TopCollector
from whoosh.qparser import MultifieldParser, PlusMinusPlugin
from whoosh.query import DateRange, Every, Query
from whoosh.searching import Results, Searcher

from ..ingest.errors import QueryError
from ..ingest.models import Article
from ..ingest.store import ArchiveStore
from .index import open_index
from .schema import DEFAULT_FIELDS, FIELD_BOOSTS
from .snippets import MARK_END, MARK_START, make_snippet

SORTS = ("relevance", "newest", "oldest")
SNIPPETS = 3
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
)
PLAIN_WORDS = re.compile(r"[\w\s'’.,&-]+")
OPERATORS = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "published": self.published,
            "score": self.score,
            "snippet": render_marks(self.snippet, "**", "**"),
        }


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)


def query_from_args(args: tuple[str, ...] | list[str]) -> str:
    """The query text from command-line words.

    Quoting on the shell means a phrase: ``search "early adopter"`` arrives
    as one argument holding plain words, and is searched as that phrase.
    Several arguments (``search early adopter``) are ANDed, and an argument
    using the query language (quotes, fields, operators, ``*``) is taken as
    written.
    """
    if len(args) == 1 and " " in args[0].strip() and PLAIN_WORDS.fullmatch(args[0].strip()):
        if not OPERATORS.search(args[0]):
            return f'"{args[0].strip()}"'
    return " ".join(args)


def render_marks(text: str, start: str, end: str) -> str:
    return text.replace(MARK_START, start).replace(MARK_END, end)


def parse_query(text: str, schema: Any) -> Query:
    """A Whoosh query from the user's text, or ``QueryError`` pointing at the problem."""
    text = text.translate(QUOTES).strip()
    if text.count('"') % 2:
        raise QueryError(f"unbalanced quote in query: {text!r}")
    if text.count("(") != text.count(")"):
        raise QueryError(f"unbalanced parentheses in query: {text!r}")
    _check_fields(text, schema)
    if not text or text == "*":
        return Every()
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(PlusMinusPlugin())
    try:
        query = parser.parse(text)
    except Exception as exc:  # the parser raises bare exceptions of many types
        raise QueryError(f"cannot parse query {text!r}: {exc}") from exc
    return query


def _check_fields(text: str, schema: Any) -> None:
    """Refuse ``nosuchfield:value``, which Whoosh would silently search as text."""
    outside_quotes = re.sub(r'"[^"]*"', " ", text)
    for name in re.findall(r"(?:^|[\s(+-])([A-Za-z_]\w*):", outside_quotes):
        if name not in schema.names():
            fields = ", ".join(f"{n}:" for n in sorted(QUERY_FIELDS))
            raise QueryError(f"unknown field {name + ':'!r} in query (fields: {fields})")


def date_bound(text: str | None, end: bool) -> datetime | None:
    """'2024', '2024-03' or '2024-03-07' as the first (or last) moment it covers."""
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text.strip())
    if not match:
        raise QueryError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    try:
        start = datetime(year, month or 1, day or 1)
        if not end:
            return start
        if day:
            following = start + timedelta(days=1)
        elif month:
            following = datetime(year + month // 12, month % 12 + 1, 1)
        else:
            following = datetime(year + 1, 1, 1)
        return following - timedelta(seconds=1)
    except ValueError as exc:
        raise QueryError(f"not a date: {text!r} ({exc})") from exc


@dataclass
class SearchOptions:
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    since: str | None = None
    until: str | None = None
    snippets: bool = True


def _run(searcher: Searcher, query: Query, options: SearchOptions) -> Results:
    limit = options.offset + options.limit
    bounds = (date_bound(options.since, False), date_bound(options.until, True))
    date_filter = DateRange("published", *bounds) if any(bounds) else None
    if options.sort == "relevance":
        collector: Collector = TopCollector(limit=limit, replace=0)
        if date_filter is not None:
            collector = FilterCollector(collector, allow=date_filter)
        searcher.search_with_collector(query, collector)
        return collector.results()
    return searcher.search(
        query, limit=limit, sortedby="published", reverse=options.sort == "newest", filter=date_filter
    )


def search(archive: Path, text: str, options: SearchOptions | None = None) -> SearchResult:
    """Run ``text`` against the archive's index; hits carry highlighted snippets."""
    options = options or SearchOptions()
    if options.sort not in SORTS:
        raise QueryError(f"unknown sort {options.sort!r}: use one of {', '.join(SORTS)}")
    ix = open_index(archive)
    store = ArchiveStore(archive, readonly=True)
    try:
        query = parse_query(text, ix.schema)
        with ix.searcher() as searcher:
            results = _run(searcher, query, options)
            analyzer = ix.schema["body"].analyzer
            page = list(results)[options.offset :]
            articles = store.get_many(hit["id"] for hit in page) if options.snippets else {}
            hits = []
            for rank, hit in enumerate(page, start=options.offset + 1):
                display = hit.get("display") or {}
                article = articles.get(hit["id"])
                snippet = _snippet(article, query, analyzer) if article else ""
                hits.append(
                    Hit(
                        rank,
                        hit["id"],
                        display.get("url"),
                        display.get("title"),
                        display.get("published"),
                        round(hit.score, 4) if hit.score is not None else None,
                        snippet,
                    )
                )
            return SearchResult(text, len(results), hits)
    finally:
        store.close()
        ix.close()


def _snippet(article: Article, query: Query, analyzer: Any) -> str:
    """Passages of the body around the matches; the opening lines if none are there."""
    snippet = make_snippet(article.body, query, "body", analyzer, SNIPPETS)
    if snippet:
        return snippet.replace(f"{MARK_END} {MARK_START}", " ")
    lead = article.standfirst or article.summary or article.body
    return lead if len(lead) <= 240 else lead[:240].rsplit(" ", 1)[0] + " …"
