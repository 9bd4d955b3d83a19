"""Open, create and update the Whoosh index under the archive directory.

The index follows the SQLite store: ``sync`` writes every article the store
marks stale, removes every article it marks deleted, commits once, and only
then tells the store they are indexed.  A crash anywhere leaves the store's
marks in place, so the next ``sync`` repeats the work; ``update_document`` on
the unique id makes repeating it harmless.

Segments are merged by size class (``merge_small``), not by Whoosh's
default policy: that one merged 17 bulk segments into one in a single
commit (84 s of the 135 s Whoosh took to index 25,000 of our documents in
batches), and would do the same to whichever nightly run crossed its
threshold.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index

from ..ingest.errors import ArchiveError
from ..ingest.store import ArchiveStore
from .schema import build_schema, to_document

INDEX_DIR = "index"
# Bumped when the schema's fields, or what they hold, change: the next ingest
# rebuilds an older index.  Searching still reads the versions in READABLE,
# whose fields are the same (3 held dates in UTC, off by their UTC offset).
INDEX_VERSION = "4"
READABLE = ("3", INDEX_VERSION)
VERSION_FILE = "newsarchive-schema"
BATCH = 2000  # documents per commit: bounds memory and the work a crash loses
PARALLEL_FROM = 500  # documents in a batch before two writer processes pay off
WRITER_TIMEOUT = 60.0
MERGE_FACTOR = 10  # small segments of one size class are merged once there are this many
KEEP_FROM = 1000  # live documents: a segment this big is never merged again


def merge_small(writer: Any, segments: list[Any], factor: int = MERGE_FACTOR, keep_from: int = KEEP_FROM) -> list[Any]:
    """Whoosh merge policy: merge the small segments of one size class (1-9,
    10-99, 100-999 live documents) once there are ``factor`` of them; leave
    segments of ``keep_from`` live documents or more alone.

    Why: a Whoosh merge runs in one process at about 200 documents a second,
    so what one commit may merge has to be bounded.  Nightly runs add a small
    segment each; ten of them become one (seconds), ten of those one more (a
    few tens of seconds, every hundred runs or so), and bulk loads' segments
    of ``BATCH / 2`` documents stay as they are.  A segment whose documents
    were mostly replaced falls into a small class by its live count, and is
    merged away with them.  Returns the segments kept, as Whoosh expects.
    """
    from whoosh.reading import SegmentReader

    classes: dict[int, list[Any]] = defaultdict(list)
    for segment in segments:
        live = segment.doc_count()
        if live < keep_from:
            classes[len(str(live))].append(segment)
    merged = [segment for group in classes.values() if len(group) >= factor for segment in group]
    merged += [s for s in segments if s.doc_count() == 0 and s not in merged]  # nothing left in it
    for segment in merged:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in merged]


def index_path(archive: Path) -> Path:
    return archive / INDEX_DIR


def open_index(archive: Path, create: bool = False) -> Index:
    """The archive's index; with ``create``, made when missing."""
    path = index_path(archive)
    try:
        if whoosh_index.exists_in(str(path)):
            marker = path / VERSION_FILE
            if not marker.exists() or marker.read_text().strip() not in READABLE:
                raise ArchiveError(
                    f"the search index at {path} was built by another newsarchive version: run 'newsarchive reindex'"
                )
            return whoosh_index.open_dir(str(path))
        if not create:
            raise ArchiveError(f"no search index at {path}: run 'newsarchive ingest' or 'newsarchive reindex'")
        path.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(path), build_schema())
        (path / VERSION_FILE).write_text(INDEX_VERSION + "\n")
        return ix
    except OSError as exc:
        raise ArchiveError(f"cannot open the search index at {path}: {exc}") from exc


def _outdated(archive: Path) -> bool:
    path = index_path(archive)
    marker = path / VERSION_FILE
    return whoosh_index.exists_in(str(path)) and (not marker.exists() or marker.read_text().strip() != INDEX_VERSION)


def sync(store: ArchiveStore, archive: Path, progress: Callable[[int], None] | None = None) -> int:
    """Bring the index up to date with the store; return the documents written."""
    try:
        return _sync(store, archive, progress)
    except OSError as exc:
        message = f"cannot write the search index at {index_path(archive)} ({exc})"
        raise ArchiveError(message + "; the records are safe, and 'newsarchive reindex' rebuilds it") from exc


def _sync(store: ArchiveStore, archive: Path, progress: Callable[[int], None] | None = None) -> int:
    if _outdated(archive):  # built by another version: start it afresh from the records
        shutil.rmtree(index_path(archive))
        with store.transaction():
            store.mark_all_unindexed()
    stale, gone = store.unindexed()
    if not stale and not gone:
        return 0
    ix = open_index(archive, create=True)
    # Into an index that holds no documents (the first load, a rebuild) no
    # record replaces another: adding skips the look-up of an old version
    # that updating makes for every document (6% of a bulk load's indexing).
    fresh = ix.doc_count_all() == 0
    written = 0
    for start in range(0, max(len(stale), 1), BATCH):
        batch = stale[start : start + BATCH]
        deletes = gone if start == 0 else []
        # Big batches use both cores and write one segment per process: about
        # twice as fast (see ../shared/notes/whoosh.md); small ones stay simple.
        big = len(batch) >= PARALLEL_FROM
        writer = ix.writer(timeout=WRITER_TIMEOUT, limitmb=128, procs=2 if big else 1, multisegment=big)
        try:
            for aid in deletes:
                writer.delete_by_term("id", aid)
            articles = store.get_many(batch)
            put = writer.add_document if fresh else writer.update_document
            for article in filter(None, map(articles.get, batch)):  # the store's order: newest first
                put(**to_document(article))
                written += 1
                if progress:
                    progress(1)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_small)
        store.mark_indexed(batch, deletes)
    ix.close()
    return written


def rebuild(store: ArchiveStore, archive: Path, progress: Callable[[int], None] | None = None) -> int:
    """Drop the index and write it again from the store."""
    shutil.rmtree(index_path(archive), ignore_errors=True)
    with store.transaction():
        store.mark_all_unindexed()
    return sync(store, archive, progress)
