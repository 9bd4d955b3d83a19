"""Counts over a whole result set: facets and the timeline.

Each facet is a column holding each document's exact values (``f_council``
holds ``[b"East Sussex", ...]``), grouped by Whoosh over every matching
document, not just the page shown, so the counts describe the whole result
set.  Whoosh reads a list column for the matching documents alone, and a
search counts them in the pass that ranks its hits.
"""

from __future__ import annotations

from datetime import date

from whoosh import sorting
from whoosh.query import Query
from whoosh.searching import Results, Searcher

from .schema import FACETS

CHRONOLOGICAL = ("year", "month")


def grouping(names: tuple[str, ...] | list[str]) -> dict[str, sorting.FieldFacet]:
    """Whoosh's ``groupedby`` for these facet names; ValueError for an unknown one."""
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise ValueError(f"unknown facet {unknown[0]!r}")
    return {name: sorting.FieldFacet(f"f_{name}", allow_overlap=True) for name in names}


def counts(results: Results, names: tuple[str, ...] | list[str]) -> dict[str, list[tuple[str, int]]]:
    """For each facet name, (value, hits) pairs: by count, or by time for year/month.
    ``results`` come from a search grouped by ``grouping(names)`` with ``sorting.Count``."""
    out = {}
    for name in names:
        pairs = [(k.decode("utf-8"), int(v)) for k, v in results.groups(name).items() if k]
        key = (lambda kv: kv[0]) if name in CHRONOLOGICAL else (lambda kv: (-kv[1], kv[0].casefold()))
        out[name] = sorted(pairs, key=key)
    return out


def facet_counts(
    searcher: Searcher, query: Query, allow: Query | None, names: tuple[str, ...] | list[str]
) -> dict[str, list[tuple[str, int]]]:
    """The counts alone, from an unscored pass over every hit (the timeline)."""
    groupedby = grouping(names)
    results = searcher.search(query, limit=None, scored=False, groupedby=groupedby, maptype=sorting.Count, filter=allow)
    return counts(results, names)


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
