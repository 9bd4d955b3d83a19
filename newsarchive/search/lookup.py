"""Find records: one by id, id prefix or URL; many by query, as a stream."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from whoosh.query import Every

from ..errors import NotFound
from ..ingest.identity import canonical_url
from ..ingest.models import Article
from ..ingest.store import ArchiveStore
from .index import open_index, reads_index
from .phrases import for_index
from .query import date_filter, parse_query


def resolve(archive: Path, id_or_url: str) -> Article:
    """The article with this id, unique id prefix, or (canonical) URL."""
    with ArchiveStore(archive, readonly=True) as store:
        article = store.get(id_or_url)
        if article:
            return article
        if url := canonical_url(id_or_url):
            for aid in sorted(store.find_by_key(f"url:{url}")):
                if found := store.get(aid):
                    return found
            raise NotFound(f"no article with URL {id_or_url}")
        matches = store.find_by_id_prefix(id_or_url) if len(id_or_url) >= 4 else []
        if not matches and len(id_or_url) >= 4:  # an id from before a merge
            matches = store.merged_into(id_or_url)
        if len(matches) == 1 and (found := store.get(matches[0])):
            return found
        if len(matches) > 1:
            raise NotFound(f"id prefix {id_or_url!r} is ambiguous: give more characters")
        raise NotFound(f"no article with id {id_or_url!r} (ids are shown by 'search --json')")


@reads_index
def iter_matching(
    archive: Path, query: str | None, since: str | None = None, until: str | None = None
) -> Iterator[Article]:
    """Every article matching ``query`` (all when None), newest first, one at a time.

    With no query and no dates the records stream straight from the store;
    otherwise only the matching ids are held (a few bytes each), never the
    records, so memory stays flat however many match.
    """
    allow = date_filter(since, until)
    if not query and allow is None:
        with ArchiveStore(archive, readonly=True) as store:
            yield from store.iter_articles()
        return
    ix = open_index(archive)
    try:
        with ArchiveStore(archive, readonly=True) as store:
            parsed = parse_query(query, ix.schema) if query else Every()
            with ix.searcher() as searcher:
                matching = for_index(parsed, ix.schema)
                results = searcher.search(matching, limit=None, sortedby="published", reverse=True, filter=allow)
                ids = [searcher.stored_fields(docnum)["id"] for docnum in results.docs()]
            yield from store.iter_articles(ids)
    finally:
        ix.close()
