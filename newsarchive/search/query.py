"""Parse a query, run it, and turn Whoosh hits into records with snippets.

The default between words is AND; ``OR``, ``NOT``, ``-word``, "phrases",
``prefix*``, ``field:value`` and ``date:2024-01..2024-03`` work as in
Whoosh's query language.  Curly quotes typed or pasted into a query count as
straight ones.

Ranked searches go through ``TopCollector(replace=0, usequality=False)``:
with Whoosh's matcher replacement on, multi-field AND/NOT queries under a
limit can return the wrong top hits (upstream Whoosh issue #413); and without
block-quality skipping the collector sees every hit, so it counts them in the
same pass.  Whoosh would otherwise run the query a second time for the
total, which doubled the cost of a phrase search.  (Counting every hit is
also what exposed a NOT defect: see ``whoosh_fixes``.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from whoosh.collectors import Collector, FacetCollector, FilterCollector, SortingCollector, TopCollector
from whoosh.qparser import MultifieldParser, PlusMinusPlugin
from whoosh.query import DateRange, Every, Query
from whoosh.searching import Results, Searcher

from ..errors import QueryError
from ..ingest.models import Article
from ..ingest.store import ArchiveStore
from ..results import (  # noqa: F401 - the plain data of a search, named here for its callers
    MARK_END,
    MARK_START,
    QUERY_FIELDS,
    QUOTES,
    URL,
    Hit,
    SearchOptions,
    SearchResult,
    as_text,
    query_from_args,
    render_marks,
)
from . import datespec
from .index import open_index, reads_index
from .phrases import for_index
from .schema import DEFAULT_FIELDS, FIELD_BOOSTS
from .snippets import make_snippet

SORTS = ("relevance", "newest", "oldest")
SNIPPETS = 3
FEW_HITS = 3  # below this many hits, look for a respelling that finds more


def parse_query(text: str, schema: Any) -> Query:
    """A Whoosh query from the user's text, or ``QueryError`` pointing at the problem."""
    text = as_text(text.translate(QUOTES).strip(), [*schema.names(), *QUERY_FIELDS])
    if re.search(r'(?<![\w:"])date:', text):
        text = datespec.rewrite_date_terms(text)
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
    """Nothing to refuse any more: ``as_text`` has made a word before a colon that
    names no field into text ("Coronavirus: what next" is a headline, not a field)."""


def date_filter(since: str | None, until: str | None) -> Query | None:
    """--since/--until as a filter on the publication date; None when neither is given."""
    start, end = datespec.bound(since, False), datespec.bound(until, True)
    return DateRange("published", start, end) if start or end else None


def _run(searcher: Searcher, query: Query, options: SearchOptions) -> Results:
    """The page's hits, and the facet counts over every hit in the same pass:
    both collectors see every matching document, so a second search for the
    counts would only match them all again (a phrase twice over)."""
    limit = options.offset + options.limit
    allow = date_filter(options.since, options.until)
    collector: Collector
    if options.sort == "relevance":
        collector = TopCollector(limit=limit, replace=0, usequality=False)
    else:
        collector = SortingCollector(_by_date(searcher, options.sort == "newest"), limit=limit)
    if options.facets:
        from whoosh.sorting import Count

        from .facets import grouping  # only here: a plain search has no use for it

        collector = FacetCollector(collector, grouping(options.facets), maptype=Count)
    if allow is not None:  # outermost, so that it sees the documents first
        collector = FilterCollector(collector, allow=allow)
    searcher.search_with_collector(query, collector)
    return collector.results()


@reads_index
def search(
    archive: Path, text: str, options: SearchOptions | None = None, searcher: Searcher | None = None
) -> SearchResult:
    """Run ``text`` against the archive's index; hits carry highlighted snippets.

    ``searcher``: an open one to use (the server keeps one per thread, see
    ``index.ResidentIndex``); by default the index is opened for this search.
    """
    options = options or SearchOptions()
    if options.sort not in SORTS:
        raise QueryError(f"unknown sort {options.sort!r}: use one of {', '.join(SORTS)}")
    if searcher is not None:
        return _search(archive, searcher, text, options)
    ix = open_index(archive)
    try:
        with ix.searcher() as opened:
            return _search(archive, opened, text, options)
    finally:
        ix.close()


def _by_date(searcher: Searcher, newest: bool) -> Any:
    """Newest or oldest first, undated articles last either way (from index format 5 on)."""
    from whoosh import sorting

    by_date = sorting.FieldFacet("published", reverse=newest)
    if "undated" not in searcher.schema.names():
        return by_date
    return sorting.MultiFacet([sorting.FieldFacet("undated"), by_date])


def _search(archive: Path, searcher: Searcher, text: str, options: SearchOptions) -> SearchResult:
    with ArchiveStore(archive, readonly=True) as store:
        if URL.fullmatch(text.strip()):  # a pasted URL: the article at that URL, or none
            return _by_url(store, text.strip(), options)
        schema = searcher.schema
        query = parse_query(text, schema)
        results = _run(searcher, for_index(query, schema), options)
        analyzer = schema["body"].analyzer
        page = list(results)[options.offset :]
        articles = store.get_many(hit["id"] for hit in page) if options.snippets else {}
        hits = []
        for rank, hit in enumerate(page, start=options.offset + 1):
            article = articles.get(hit["id"])
            snippet, commenter = _snippet(article, query, analyzer) if article else ("", None)
            hits.append(Hit.from_whoosh(rank, hit, snippet, commenter))
        result = SearchResult(text, len(results), hits, offset=options.offset, limit=options.limit)
        if options.facets:
            from .facets import counts

            result.facets = counts(results, options.facets)
        if options.suggest and result.total < FEW_HITS:
            _suggest(searcher, text, result, options)
        return result


def _by_url(store: ArchiveStore, url: str, options: SearchOptions) -> SearchResult:
    from ..ingest.identity import canonical_url

    found = sorted(store.find_by_key(f"url:{canonical_url(url)}"))[:1]  # one article has that URL
    articles = store.get_many(found[options.offset : options.offset + options.limit])
    hits = [
        Hit(1, a.id, a.url, a.title, a.published, None, _snippet(a, Every(), None)[0], None) for a in articles.values()
    ]
    return SearchResult(url, len(found), hits, offset=options.offset, limit=options.limit)


def _suggest(searcher: Searcher, text: str, result: SearchResult, options: SearchOptions) -> None:
    """Offer a respelling when it finds more than the query as typed."""
    from .suggest import did_you_mean

    respelled = did_you_mean(searcher, text)
    if not respelled:
        return
    found = len(
        searcher.search(
            for_index(parse_query(respelled, searcher.schema), searcher.schema),
            limit=1,
            filter=date_filter(options.since, options.until),
        )
    )
    if found > result.total:
        result.suggestion, result.suggestion_total = respelled, found


def _snippet(article: Article, query: Query, analyzer: Any) -> tuple[str, str | None]:
    """Passages of the body around the matches, else of a matching reader comment
    (with its author), else the opening lines."""
    snippet = make_snippet(article.body, query, "body", analyzer, SNIPPETS)
    if snippet:
        return snippet.replace(f"{MARK_END} {MARK_START}", " "), None
    for comment in article.comments:
        snippet = make_snippet(comment.text, query, "comments", analyzer, 1)
        if snippet:
            return snippet.replace(f"{MARK_END} {MARK_START}", " "), comment.author or "anonymous"
    lead = article.standfirst or article.summary or article.body
    return (lead if len(lead) <= 240 else lead[:240].rsplit(" ", 1)[0] + " …"), None
