"""Whoosh defects we correct (newsarchive/search/whoosh_fixes.py), shown on tiny indexes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh.collectors import TopCollector
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import AndNot, Term

import newsarchive.search  # noqa: F401  (applies the fixes)


@pytest.mark.parametrize("usequality", [True, False])
def test_not_excludes_the_first_hit_when_the_excluded_word_comes_earlier(usequality: bool) -> None:
    # Upstream issue #419: added in this order, "ruby ANDNOT sapphire" found both rubies.
    # (AndNot is what "-word" parses to in our queries.)  Counted, not only listed.
    assert _and_not_names(usequality) == ["ruby"]


def test_the_view_reader_reads_like_bytesio() -> None:
    import io
    import pickle

    from newsarchive.search.whoosh_fixes import _ViewReader

    data = b"first line\nsecond\n" + pickle.dumps({"a": [1, 2, 3], "b": "x" * 300}) + b"tail\nend"
    ours, theirs = _ViewReader(memoryview(data)), io.BytesIO(data)
    steps: list[tuple[Any, ...]] = [("readline",), ("read", 3), ("readline", 4), ("readline",), ("tell",), ("seek", 18)]
    for step in steps:
        assert getattr(ours, step[0])(*step[1:]) == getattr(theirs, step[0])(*step[1:]), step
    assert pickle.load(ours) == pickle.load(theirs)
    assert ours.read() == theirs.read() and ours.read(5) == b""
    assert ours.seek(-3, 2) == theirs.seek(-3, 2) and list(ours) == list(theirs)


def test_opening_a_searcher_does_not_copy_the_segments(tmp_path: Path) -> None:
    import tracemalloc

    from whoosh import index

    ix = index.create_in(str(tmp_path), Schema(name=ID(stored=True), text=TEXT))
    with ix.writer() as writer:
        for n in range(3000):
            writer.add_document(name=str(n), text=" ".join(f"word{(n * k) % 5000}" for k in range(60)))
    size = sum(p.stat().st_size for p in tmp_path.glob("*.seg"))
    assert size > 1_000_000
    tracemalloc.start()
    searcher = ix.searcher()
    opened = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    searcher.close()
    assert opened < size / 10  # Whoosh's BytesIO copied the whole postings file in


# -- each patch's upstream defect, shown still there without the patch ---------------------
# When one of these fails, upstream has mended the defect: remove the patch and its test.


def _and_not_names(usequality: bool) -> list[str]:
    """What 'ruby ANDNOT sapphire' finds among three documents added in the order of #419."""
    ix = RamStorage().create_index(Schema(name=ID(stored=True), text=TEXT))
    with ix.writer() as writer:
        for text in ("sapphire", "ruby sapphire", "ruby"):
            writer.add_document(name=text, text=text)
    with ix.searcher() as searcher:
        collector = TopCollector(limit=10, replace=0, usequality=usequality)
        searcher.search_with_collector(AndNot(Term("text", "ruby"), Term("text", "sapphire")), collector)
        results = collector.results()
        names = sorted(hit["name"] for hit in results)
        assert len(results) == len(names)  # the count agrees with the list
        return names


def test_upstream_and_not_still_lets_an_excluded_first_hit_through(monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh.matching.binary import AndNotMatcher

    from newsarchive.search.whoosh_fixes import UPSTREAM

    monkeypatch.setattr(AndNotMatcher, "_find_first", UPSTREAM["AndNotMatcher._find_first"])
    assert _and_not_names(usequality=False) == ["ruby", "ruby sapphire"], "upstream mended #419: drop the patch"


def test_upstream_buffer_file_still_copies_what_it_is_given() -> None:
    from whoosh.filedb.structfile import BufferFile

    from newsarchive.search.whoosh_fixes import UPSTREAM

    underlying = bytearray(b"abcdef")
    upstream = BufferFile.__new__(BufferFile)
    UPSTREAM["BufferFile.__init__"](upstream, memoryview(underlying), name="upstream")
    ours = BufferFile(memoryview(underlying), name="ours")
    underlying[0:1] = b"X"  # a copy does not see this; a view does
    assert upstream.read(3) == b"abc", "upstream BufferFile no longer copies: drop the patch"
    assert ours.read(3) == b"Xbc"


def test_the_view_reader_does_all_whoosh_asks_of_its_file() -> None:
    """RamStorage files (Whoosh's own tests and temporary indexes use them): written, closed,
    opened as BufferFile, used as context managers, read whole with getvalue."""
    import io

    storage = RamStorage()
    with storage.create_file("part") as out:
        out.write(b"line one\nline two\n")
        out.write_int(7)
    with storage.open_file("part") as f:
        assert f.readline() == b"line one\n"
        assert list(f) == [b"line two\n", f.file.getvalue()[18:]]
        f.seek(18)
        assert f.read_int() == 7
        assert f.file.getvalue() == b"line one\nline two\n" + f.file.getbuffer()[18:].tobytes()
        assert f.file.readable() and f.file.seekable() and not f.file.writable()
        with pytest.raises(io.UnsupportedOperation):
            f.file.write(b"x")
        sub = f.subset(5, 3)
        assert sub.read() == b"one"
    assert f.is_closed
    with storage.open_file("part").file as raw:  # the inner file as a context manager too
        assert raw.read(4) == b"line"
    assert raw.closed
