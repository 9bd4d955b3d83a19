"""Whoosh defects we correct (newsarchive/search/whoosh_fixes.py), shown on tiny indexes."""

from __future__ import annotations

import pytest
from whoosh.collectors import TopCollector
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import AndNot, Term

import newsarchive.search  # noqa: F401  (applies the fixes)


@pytest.mark.parametrize("usequality", [True, False])
def test_not_excludes_the_first_hit_when_the_excluded_word_comes_earlier(usequality: bool) -> None:
    # Upstream issue #419: added in this order, "ruby ANDNOT sapphire" found both rubies.
    # (AndNot is what "-word" parses to in our queries.)
    ix = RamStorage().create_index(Schema(name=ID(stored=True), text=TEXT))
    with ix.writer() as writer:
        for text in ("sapphire", "ruby sapphire", "ruby"):
            writer.add_document(name=text, text=text)
    with ix.searcher() as searcher:
        collector = TopCollector(limit=10, replace=0, usequality=usequality)
        searcher.search_with_collector(AndNot(Term("text", "ruby"), Term("text", "sapphire")), collector)
        results = collector.results()
        assert [hit["name"] for hit in results] == ["ruby"]
        assert len(results) == 1
