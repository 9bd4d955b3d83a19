"""Open, create and update the Whoosh index under the archive directory.

The index follows the SQLite store: ``sync`` writes every article the store
marks stale, removes every article it marks deleted, commits once, and only
then tells the store they are indexed.  A crash anywhere leaves the store's
marks in place, so the next ``sync`` repeats the work; ``update_document`` on
the unique id makes repeating it harmless.

A whole build (the first ingest, ``reindex``, an index of an older format)
goes into a new directory beside the current one, ``index-<stamp>``, and is
published when complete by replacing the symlink ``index`` in one rename:
a search sees the last complete index throughout, never an empty or half
built one, and a build killed half way leaves the old index in place (and
its directory is cleared by the next writer).  Only then are the records
marked indexed.  Nightly updates go into the current index in place, one
Whoosh commit per batch (each commit is itself atomic), and the records
unindexed meanwhile are what ``behind`` counts for the search to report.

Segments are merged by size class (``merge_small``), not by Whoosh's
default policy: that one merged 17 bulk segments into one in a single
commit (84 s of the 135 s Whoosh took to index 25,000 of our documents in
batches), and would do the same to whichever nightly run crossed its
threshold.
"""

from __future__ import annotations

import functools
import inspect
import os
import pickle
import shutil
import struct
import tempfile
import threading
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from whoosh import index as whoosh_index
from whoosh.index import Index

from ..errors import ArchiveError
from ..ingest.store import ArchiveStore
from .schema import build_schema, to_document

INDEX_DIR = "index"  # what searches open: a symlink to the current generation
GENERATION = "index-"  # prefix of the generations' directories
# Bumped when the schema's fields, or what they hold, change: the next ingest
# rebuilds an older index beside it.  Searching still reads the versions in
# READABLE meanwhile: 3 and 4 lack the pairs field (their phrases stay
# positional), and 3 held dates in UTC (off by their UTC offset).
INDEX_VERSION = "5"  # 5: the pairs field (phrases.py)
READABLE = ("3", "4", INDEX_VERSION)
VERSION_FILE = "newsarchive-schema"
BATCH = 2000  # documents per commit: bounds memory and the work a crash loses
PARALLEL_FROM = 500  # documents in a batch before two writer processes pay off
WRITER_TIMEOUT = 60.0
# A replaced generation is kept this long for the searches that resolved it just before
# the switch; the next writer after that removes it.
REPLACED_KEPT = 600.0
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
    were mostly replaced (more than half) falls into a small class by its
    live count, and is merged away with them; one that lost a few stays.  Returns the segments kept, as Whoosh expects.
    """
    from whoosh.reading import SegmentReader

    classes: dict[int, list[Any]] = defaultdict(list)
    for segment in segments:
        live, written = segment.doc_count(), segment.doc_count_all()
        if written >= keep_from and live * 2 > written:
            # A big segment that still holds most of what was written into it stays,
            # however few of its documents were replaced: updates scattered over a
            # bulk load's segments (a comment count here, a poll there) left each a
            # little under ``keep_from``, and one nightly commit then merged them all,
            # the whole index: 10 minutes for 1,081 updates at 50,000 articles.
            continue
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


def current_generation(archive: Path) -> Path | None:
    """The directory of the index searches see now (resolved, so that a reader
    keeps reading one generation while another is published), or None."""
    path = index_path(archive)
    if not whoosh_index.exists_in(str(path)):
        return None
    return path.resolve()


def open_index(archive: Path) -> Index:
    """The archive's current index (a whole build makes one: ``sync``, ``rebuild``)."""
    path = index_path(archive)
    try:
        current = current_generation(archive)
        if current is not None:
            _refuse_newer(current)
            if _format(current) not in READABLE:
                raise ArchiveError(
                    f"the search index at {path} was built by another newsarchive version: run 'newsarchive reindex'"
                )
            return whoosh_index.open_dir(str(current))
        if not (archive / "archive.db").exists():
            raise ArchiveError(f"no search index at {path}: nothing was ingested yet; run 'newsarchive ingest'")
        raise ArchiveError(
            f"no search index at {path} yet (an ingest may be building it): "
            "'newsarchive reindex' builds it from the records"
        )
    except OSError as exc:
        raise ArchiveError(f"cannot open the search index at {path}: {exc}") from exc


def _new_generation(archive: Path) -> Path:
    """An empty index of today's schema in a directory of its own, not yet published.

    Generations a killed build left behind are removed first: the caller
    holds the archive lock, so no other writer is filling them.
    """
    _remove_generations(archive, keep=current_generation(archive))
    archive.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{GENERATION}{time.strftime('%Y%m%dT%H%M%S')}-", dir=archive))
    path.chmod(0o755)  # as a plain directory would be: readable by a server of another user
    whoosh_index.create_in(str(path), build_schema()).close()
    (path / VERSION_FILE).write_text(INDEX_VERSION + "\n")
    return path


def _publish(archive: Path, generation: Path) -> Index:
    """Make ``generation`` the index searches see, in one rename; drop the others."""
    link = index_path(archive)
    previous = current_generation(archive)
    temporary = archive / f".{INDEX_DIR}.{os.getpid()}.link"
    temporary.unlink(missing_ok=True)
    os.symlink(generation.name, temporary)
    if link.is_dir() and not link.is_symlink():  # an archive from before generations
        os.rename(link, archive / f"{GENERATION}legacy-{os.getpid()}")
    os.replace(temporary, link)
    directory = os.open(archive, os.O_RDONLY)
    try:
        os.fsync(directory)  # the switch survives a power cut
    finally:
        os.close(directory)
    # The one replaced stays until the next publish: a search that resolved it a moment
    # ago reads it to the end.  Older ones (and what a killed build left) go.
    _remove_generations(archive, keep=generation, also=previous)
    return whoosh_index.open_dir(str(generation))


def _remove_generations(
    archive: Path, keep: Path | None, also: Path | None = None, older_than: float | None = None
) -> None:
    """Remove the generation directories other than ``keep`` and ``also`` (with
    ``older_than``, only those unchanged for that many seconds)."""
    kept = {p.resolve() for p in (keep, also) if p is not None}
    for path in archive.glob(f"{GENERATION}*"):
        if not path.is_dir() or path.resolve() in kept:
            continue
        if older_than is None or time.time() - path.stat().st_mtime > older_than:
            shutil.rmtree(path, ignore_errors=True)
    for stale_link in archive.glob(f".{INDEX_DIR}.*.link"):
        stale_link.unlink(missing_ok=True)


class ResidentIndex:
    """The index kept open across searches, for a process that serves many (the server).

    Each thread gets a searcher of its own (Whoosh's are not shared between
    threads), reopened when a nightly run has committed to the index or
    published a new generation of it: a search never answers from an index
    older than the last complete one, and never waits for a restart.
    """

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self._local = threading.local()

    def searcher(self) -> Any:
        """An up-to-date searcher for this thread (``ArchiveError`` when there is no index)."""
        local = self._local
        current = current_generation(self.archive)
        searcher = getattr(local, "searcher", None)
        if searcher is not None and local.generation == current and searcher.up_to_date():
            return searcher
        if searcher is not None:
            searcher.close()
            local.ix.close()
            local.searcher = None
        with _damage_is_an_archive_error(self.archive):
            local.ix = open_index(self.archive)
            local.generation = current
            local.searcher = local.ix.searcher()
        return local.searcher


# What Whoosh raises when an index file is cut short or overwritten: not
# the user's doing, and mended by a rebuild from the records.
DAMAGE = (EOFError, struct.error, zlib.error, pickle.UnpicklingError, UnicodeDecodeError)

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def _damage_is_an_archive_error(archive: Path) -> Iterator[None]:
    try:
        yield
    except DAMAGE as exc:
        detail = f"{type(exc).__name__}: {exc}"[:120]
        raise ArchiveError(
            f"the search index at {index_path(archive)} is damaged ({detail}): "
            "'newsarchive reindex' rebuilds it from the records"
        ) from exc


def reads_index(fn: F) -> F:
    """For a function (or generator) whose first argument is the archive and
    which reads its index: a damaged index becomes a one-line ``ArchiveError``
    naming the repair, instead of an EOFError that click calls "Aborted!"."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(archive: Path, *args: Any, **kwargs: Any) -> Any:
            with _damage_is_an_archive_error(archive):
                yield from fn(archive, *args, **kwargs)

        return cast(F, generator)

    @functools.wraps(fn)
    def plain(archive: Path, *args: Any, **kwargs: Any) -> Any:
        with _damage_is_an_archive_error(archive):
            return fn(archive, *args, **kwargs)

    return cast(F, plain)


VOCABULARY = "words.txt"  # the index's words and how many articles hold each: "did you mean" reads it


def write_vocabulary(generation: Path, vocabulary: Counter[str]) -> None:
    """The words of the ``words`` field with their article counts, beside the index, replaced whole."""
    partial = generation / f".{VOCABULARY}.partial"
    partial.write_text("".join(f"{word}\t{count}\n" for word, count in sorted(vocabulary.items())), "utf-8")
    os.replace(partial, generation / VOCABULARY)


def read_vocabulary(generation: Path) -> Counter[str]:
    """What ``write_vocabulary`` wrote (empty for an index from before it)."""
    try:
        lines = (generation / VOCABULARY).read_text("utf-8").splitlines()
    except OSError:
        return Counter()
    return Counter({word: int(count) for word, _, count in (line.partition("\t") for line in lines) if count})


def sync(store: ArchiveStore, archive: Path, progress: Callable[[int], None] | None = None) -> int:
    """Bring the index up to date with the store; return the documents written."""
    try:
        current = current_generation(archive)
        if current is None or _outdated(current):  # none yet, or another version's: a whole build
            return _build(store, archive, progress)
        _remove_generations(archive, keep=current, older_than=REPLACED_KEPT)
        try:
            return _update(store, archive, progress)
        except DAMAGE:  # a damaged index mends itself on the nightly run: built again beside it
            return _build(store, archive, progress)
    except OSError as exc:
        message = f"cannot write the search index at {index_path(archive)} ({exc})"
        raise ArchiveError(message + "; the records are safe, and 'newsarchive reindex' rebuilds it") from exc


def rebuild(store: ArchiveStore, archive: Path, progress: Callable[[int], None] | None = None) -> int:
    """Write the whole index again from the store, beside the current one, and switch."""
    try:
        return _build(store, archive, progress)
    except OSError as exc:
        message = f"cannot build the search index at {index_path(archive)} ({exc})"
        raise ArchiveError(message + "; the index searches see is unchanged") from exc


def _format(generation: Path) -> str:
    """The index format a generation was written in ('' when unmarked: older than format 2)."""
    marker = generation / VERSION_FILE
    return marker.read_text().strip() if marker.exists() else ""


def _refuse_newer(generation: Path) -> None:
    """An index a newer release wrote is neither read nor rebuilt down to this release's format."""
    found = _format(generation)
    if found.isdigit() and int(found) > int(INDEX_VERSION):
        raise ArchiveError(
            f"the search index at {generation} was built by a newer newsarchive (format {found}; "
            f"this one knows up to {INDEX_VERSION}): upgrade newsarchive to use it"
        )


def _outdated(generation: Path) -> bool:
    _refuse_newer(generation)
    return _format(generation) != INDEX_VERSION


def _build(store: ArchiveStore, archive: Path, progress: Callable[[int], None] | None) -> int:
    generation = _new_generation(archive)
    ids = store.ids_newest_first()
    ix = whoosh_index.open_dir(str(generation))
    try:
        # Into an index that holds no documents no record replaces another:
        # adding skips the look-up of an old version that updating makes for
        # every document (6% of a bulk load's indexing).
        vocabulary: Counter[str] = Counter()
        written = sum(
            _write_batch(ix, store, ids[start : start + BATCH], [], True, progress, vocabulary)
            for start in range(0, len(ids), BATCH)
        )
    finally:
        ix.close()
    write_vocabulary(generation, vocabulary)
    _publish(archive, generation).close()
    store.mark_all_indexed()
    return written


def _update(store: ArchiveStore, archive: Path, progress: Callable[[int], None] | None) -> int:
    stale, gone = store.unindexed()
    if not stale and not gone:
        return 0
    ix = open_index(archive)
    written = 0
    generation = current_generation(archive)
    vocabulary = read_vocabulary(generation) if generation else Counter()
    try:
        for start in range(0, max(len(stale), 1), BATCH):
            batch = stale[start : start + BATCH]
            deletes = gone if start == 0 else []
            written += _write_batch(ix, store, batch, deletes, False, progress, vocabulary)
            store.mark_indexed(batch, deletes)
    finally:
        ix.close()
    if generation:
        write_vocabulary(generation, vocabulary)  # counts of replaced documents stay: a few too many, harmless
    return written


def _write_batch(
    ix: Index,
    store: ArchiveStore,
    batch: list[str],
    deletes: list[str],
    fresh: bool,
    progress: Callable[[int], None] | None,
    vocabulary: Counter[str],
) -> int:
    """Write one batch in one commit; return the documents written."""
    writer = _writer(ix, len(batch))
    written = 0
    try:
        for aid in deletes:
            writer.delete_by_term("id", aid)
        articles = store.get_many(batch)
        put = writer.add_document if fresh else writer.update_document
        for article in filter(None, map(articles.get, batch)):  # the store's order: newest first
            document = to_document(article)
            put(**document)
            vocabulary.update(document["words"].split())
            written += 1
            if progress:
                progress(1)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=merge_small)
    return written


def _writer(ix: Index, documents: int) -> Any:
    """A writer for ``documents`` documents: two processes for a big batch.

    Big batches use both cores and write one segment per process: about
    twice as fast (see ../shared/notes/whoosh.md); small ones stay simple.
    Whoosh's own ``WRITELOCK`` is not taken: the archive lock already keeps
    every other writer out, and Whoosh's is an ``flock`` that its forked
    writer processes would inherit and keep after a killed run.
    """
    if documents < PARALLEL_FROM:
        from whoosh.writing import SegmentWriter

        return SegmentWriter(ix, _lk=False, limitmb=128)
    return _watched_mp_writer()(ix, procs=2, multisegment=True, _lk=False, limitmb=128, subargs={"limitmb": 128})


@cache
def _watched_mp_writer() -> type:
    """Whoosh's multi-process writer whose processes die with the one that forked them.

    Made on first use: ``whoosh.multiproc`` pulls in ``multiprocessing``,
    which a search never needs.
    """
    from whoosh.multiproc import MpWriter, SubWriterTask

    from ..ingest.orphans import watch_parent

    class WatchedTask(SubWriterTask):
        """Whoosh's writer process, made to die with the process that forked it
        (else it waits on its job queue for ever after a kill -9)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.parent = os.getpid()

        def run(self) -> None:
            watch_parent(self.parent)
            super().run()

    class WatchedMpWriter(MpWriter):
        def _new_task(self) -> Any:
            task = WatchedTask(
                self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment
            )
            self.tasks.append(task)
            task.start()
            return task

    return WatchedMpWriter
