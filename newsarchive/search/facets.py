"""Counts over a whole result set: facets and the timeline.

Each facet is a keyword field holding exact values (``f_council`` holds
"East Sussex"), grouped by Whoosh over every matching document, not just the
page shown, so the counts describe the whole result set.
"""

from __future__ import annotations

from datetime import date

from whoosh import sorting
from whoosh.query import Query
from whoosh.searching import Searcher

from .schema import FACETS

CHRONOLOGICAL = ("year", "month")


def facet_counts(
    searcher: Searcher, query: Query, allow: Query | None, names: tuple[str, ...] | list[str]
) -> dict[str, list[tuple[str, int]]]:
    """For each facet name, (value, hits) pairs: by count, or by time for year/month."""
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise ValueError(f"unknown facet {unknown[0]!r}")
    groupedby = {name: sorting.FieldFacet(f"f_{name}", allow_overlap=True) for name in names}
    results = searcher.search(query, limit=None, scored=False, groupedby=groupedby, maptype=sorting.Count, filter=allow)
    out = {}
    for name in names:
        counts = [(str(k), int(v)) for k, v in results.groups(name).items() if k]
        key = (lambda kv: kv[0]) if name in CHRONOLOGICAL else (lambda kv: (-kv[1], kv[0].casefold()))
        out[name] = sorted(counts, key=key)
    return out


def fill_periods(counts: list[tuple[str, int]], by: str) -> list[tuple[str, int]]:
    """Every month (or year) from the first to the last, zeros included, so gaps show."""
    if not counts:
        return []
    found = dict(counts)
    first, last = counts[0][0], counts[-1][0]
    if by == "year":
        return [(str(y), found.get(str(y), 0)) for y in range(int(first), int(last) + 1)]
    periods = []
    current = date(int(first[:4]), int(first[5:7]), 1)
    end = date(int(last[:4]), int(last[5:7]), 1)
    while current <= end:
        key = current.strftime("%Y-%m")
        periods.append((key, found.get(key, 0)))
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return periods
