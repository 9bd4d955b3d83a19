"""Hits per month or year for a query: when did a topic peak?"""

from __future__ import annotations

from pathlib import Path

from whoosh.query import Every

from .facets import facet_counts, fill_periods
from .index import open_index, reads_index
from .phrases import for_index
from .query import date_filter, parse_query


@reads_index
def timeline(
    archive: Path, text: str, by: str = "month", since: str | None = None, until: str | None = None
) -> list[tuple[str, int]]:
    """(period, hits) from the first period with a hit to the last, gaps as zeros."""
    ix = open_index(archive)
    try:
        query = parse_query(text, ix.schema) if text.strip() else Every()
        with ix.searcher() as searcher:
            counts = facet_counts(searcher, for_index(query, ix.schema), date_filter(since, until), (by,))[by]
        return fill_periods(counts, by)
    finally:
        ix.close()
