"""Segment merges stay small (newsarchive/search/index.py: merge_small), on real indexes in temp dirs."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Term
from whoosh.writing import NO_MERGE

from newsarchive.search.index import merge_small

policy = partial(merge_small, factor=4, keep_from=20)


def make_index(path: Path, sizes: list[int]) -> index.Index:
    ix = index.create_in(str(path), Schema(id=ID(stored=True, unique=True), text=TEXT))
    n = 0
    for size in sizes:
        with ix.writer() as writer:
            writer.mergetype = NO_MERGE
            for _ in range(size):
                writer.add_document(id=str(n), text=f"word{n} common")
                n += 1
    return ix


def counts(ix: index.Index) -> list[int]:
    return sorted(s.doc_count() for s in ix._segments())


def everything_found(ix: index.Index, expected: int) -> bool:
    with ix.searcher() as searcher:
        return len(searcher.search(Term("text", "common"), limit=None)) == expected


@pytest.mark.parametrize("procs", [1, 2])
def test_small_segments_of_one_class_merge_once_there_are_enough(tmp_path: Path, procs: int) -> None:
    ix = make_index(tmp_path, [25, 3, 3, 3, 30, 40])  # two big ones, three of 1-9, two of 10-99
    assert counts(ix) == [3, 3, 3, 25, 30, 40]
    writer = ix.writer(procs=procs, multisegment=procs > 1)
    writer.add_document(id="new", text="common")
    writer.commit(mergetype=policy)
    assert counts(ix) == [1, 3, 3, 3, 25, 30, 40]  # three of 1-9 and the new one: not yet
    writer = ix.writer(procs=procs, multisegment=procs > 1)
    writer.add_document(id="newer", text="common")
    writer.commit(mergetype=policy)  # four of 1-9 now: merged into one
    # one process writes the new document into the merged segment; two write it apart
    assert counts(ix) == ([11, 25, 30, 40] if procs == 1 else [1, 10, 25, 30, 40])
    assert everything_found(ix, 25 + 9 + 30 + 40 + 2)


def test_big_segments_stay_until_most_of_them_is_replaced(tmp_path: Path) -> None:
    ix = make_index(tmp_path, [25, 25, 25, 25, 25])
    with ix.writer() as writer:
        writer.mergetype = policy
        writer.add_document(id="x", text="common")
    assert counts(ix) == [1, 25, 25, 25, 25, 25]  # big ones are never merged by count
    with ix.writer() as writer:  # empty one segment and most of another
        writer.mergetype = policy
        for n in list(range(25)) + list(range(25, 48)):
            writer.delete_by_term("id", str(n))
    assert counts(ix) == [0, 1, 2, 25, 25, 25]  # deletions count from the next commit
    with ix.writer() as writer:
        writer.mergetype = policy
        writer.add_document(id="y", text="common")
    # the emptied segment is gone; the mostly replaced one is small now: 1-9 holds it,
    # "x" and, apart (a commit's policy sees the segments that were there before it), "y"
    assert counts(ix) == [1, 1, 2, 25, 25, 25]
    for doc_id in ("z", "zz"):
        with ix.writer() as writer:
            writer.mergetype = policy
            writer.add_document(id=doc_id, text="common")
    assert counts(ix) == [6, 25, 25, 25]  # four of 1-9 at the last commit: merged, with "zz"
    assert everything_found(ix, 1 + 2 + 75 + 3)


def test_the_index_holds_each_record_once_after_updates_and_merges(tmp_path: Path) -> None:
    from conftest import CORPUS_FILES, LETTER_DUMP, make_runner, records

    archive = tmp_path / "archive"
    run = make_runner(archive)
    for n in (3, 0, 4, 1):  # page dumps first: articles of their own until the feed claims them
        run("ingest", str(CORPUS_FILES[n]))
    run("ingest", str(CORPUS_FILES[2]))  # the feed: merges, so some records go and others change
    changed = tmp_path / "changed.txt"
    changed.write_bytes(LETTER_DUMP.read_bytes() + b"\nOne more paragraph, new tonight.\n")
    run("ingest", str(changed))
    ix = index.open_dir(str(archive / "index"))
    with ix.searcher() as searcher:
        indexed = [fields["id"] for fields in searcher.all_stored_fields()]
    ix.close()
    assert sorted(indexed) == sorted(r["id"] for r in records(run))  # each once, none left over


@pytest.mark.parametrize("procs", [1, 2])
def test_facet_columns_survive_merges_and_replacements(tmp_path: Path, procs: int) -> None:
    """Facet values live in per-document columns: merging segments and
    replacing documents must carry each live document's values, and drop a
    replaced one's."""
    from whoosh.query import Every

    from newsarchive.ingest.models import Article
    from newsarchive.search.facets import facet_counts
    from newsarchive.search.schema import build_schema, to_document

    def article(n: int, version: int = 0) -> Article:
        tags = [f"tag {n % 3}", "shared, with a comma"] + (["replaced"] if version else [])
        return Article(id=str(n), published=f"{2000 + n % 4}-01-01T00:00:00+00:00", tags=tags, body="common")

    ix = index.create_in(str(tmp_path), build_schema())
    live: dict[int, Article] = {}
    for start in range(0, 24, 3):  # eight segments of three
        with ix.writer() as writer:
            writer.mergetype = NO_MERGE
            for n in range(start, start + 3):
                live[n] = article(n)
                writer.add_document(**to_document(live[n]))
    for n in (1, 5, 22):  # replaced: the old versions are deleted in their segments
        writer = ix.writer(procs=procs, multisegment=procs > 1)
        live[n] = article(n, version=1)
        writer.update_document(**to_document(live[n]))
        writer.commit(mergetype=partial(merge_small, factor=4, keep_from=20))
    assert len(counts(ix)) < 8  # the small segments were merged

    expected: dict[str, dict[str, int]] = {"tag": {}, "year": {}}
    for a in live.values():
        for value in a.tags:
            expected["tag"][value] = expected["tag"].get(value, 0) + 1
        year = (a.published or "")[:4]
        expected["year"][year] = expected["year"].get(year, 0) + 1
    with ix.searcher() as searcher:
        found = facet_counts(searcher, Every(), None, ("tag", "year"))
    assert {name: dict(pairs) for name, pairs in found.items()} == expected


def test_updates_scattered_over_big_segments_do_not_merge_them_all(tmp_path: Path) -> None:
    """A few documents replaced in each of many bulk-load segments left every one just
    under ``keep_from``, and the next commit merged them all: the whole index, 10
    minutes at 50,000 articles.  A big segment that lost a few documents stays."""
    ix = make_index(tmp_path, [20] * 6)  # each exactly keep_from
    with ix.writer() as writer:  # one document replaced in each segment: 19 live, under keep_from
        writer.mergetype = NO_MERGE
        for n in range(0, 120, 20):
            writer.update_document(id=str(n), text="common again")
    with ix.writer() as writer:
        writer.mergetype = policy
        writer.add_document(id="night", text="common")
    assert counts(ix) == [1, 6, 19, 19, 19, 19, 19, 19]  # nothing merged: each still holds 19 of 20
    assert everything_found(ix, 120 + 1)
