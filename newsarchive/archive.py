"""The archive as one object: what the command line, the server and Python users all go through.

An archive is a directory (``archive.db``, the ``index`` generations,
``snapshots/``, ``feeds.toml``, ``ingest.lock``); ``Archive`` is the only
thing outside ``ingest/`` and ``search/`` that knows that layout.  Opened for
reading it takes no lock, so searches run beside a nightly ingest; opened
with ``write=True`` it holds the archive lock until closed::

    from newsarchive import Archive

    with Archive.open("~/news", write=True) as archive:
        summary = archive.ingest(["corpus/", "https://www.communitycare.co.uk/feed/"])
        print(summary.line())

    with Archive.open("~/news") as archive:
        result = archive.search('"early career" council:Kent', SearchOptions(limit=5))
        for hit in result.hits:
            print(hit.published, hit.title, hit.url)

Imports are made on first use: ``newsarchive --help`` and a cold search load
only what they need (the search path loads no parsing library).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .errors import ArchiveError, FeedListError

if TYPE_CHECKING:
    from .ingest.feed_list import Feed
    from .ingest.models import Article
    from .ingest.pipeline import Summary
    from .ingest.store import ArchiveStore
    from .results import Hit, SearchOptions, SearchResult

DB_NAME = "archive.db"
URL = re.compile(r"^https?://", re.I)

# Public types, importable from here without loading what they live beside
# until they are asked for (PEP 562).
_LAZY = {
    "Article": "newsarchive.ingest.models",
    "Feed": "newsarchive.ingest.feed_list",
    "FetchOptions": "newsarchive.ingest.http_fetch",
    "IngestOptions": "newsarchive.ingest.pipeline",
    "Summary": "newsarchive.ingest.pipeline",
    "Hit": "newsarchive.results",
    "SearchOptions": "newsarchive.results",
    "SearchResult": "newsarchive.results",
    "MARK_START": "newsarchive.results",
    "MARK_END": "newsarchive.results",
    "FACETS": "newsarchive.search.schema",
    "pattern_problem": "newsarchive.ingest.feed_list",
    "query_from_args": "newsarchive.results",
    "serialise": "newsarchive.search.export",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        return getattr(module, "write" if name == "serialise" else name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ``feeds list``'s columns: a feed as ``feeds.toml`` holds it, then its state.
FEED_STATE_COLUMNS = ("last_attempt", "last_success", "last_error", "failures", "next_try")
FEED_COLUMNS = ("name", "url", "enabled", "spam_patterns", *FEED_STATE_COLUMNS)


def record_columns() -> tuple[str, ...]:
    """A record's keys in their order: the columns of a CSV export."""
    from dataclasses import fields

    from .ingest.models import Article

    return tuple(f.name for f in fields(Article))


def _silent(message: str) -> None:
    """The default for the callbacks: say nothing."""


class Archive:
    """One archive directory, for reading or (with ``write=True``) writing."""

    def __init__(self, path: Path | str, write: bool = False, wait: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.write = write
        self.wait = wait
        self._lock: Any = None
        self._store: ArchiveStore | None = None

    @classmethod
    def open(cls, path: Path | str, write: bool = False, wait: bool = False) -> Archive:
        """``with Archive.open(path, write=True) as archive:``; the lock is taken on entering.

        ``wait``: with ``write``, wait for another writer instead of raising ``Locked``.
        """
        return cls(path, write, wait)

    def __enter__(self) -> Archive:
        if self.write:
            from .ingest.lock import ArchiveLock

            self._lock = ArchiveLock(self.path, wait=self.wait).__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the store and let the lock go (also done on leaving the ``with`` block)."""
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None

    # -- layout --------------------------------------------------------------

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def exists(self) -> bool:
        """Whether anything was ever ingested here."""
        return self.db_path.exists()

    @property
    def store(self) -> ArchiveStore:
        """The records (read-only unless the archive was opened for writing)."""
        if self._store is None:
            from .ingest.store import ArchiveStore

            if not self.write and not self.exists:
                raise ArchiveError(f"no archive at {self.path}: run 'newsarchive ingest' first")
            self._store = ArchiveStore(self.path, readonly=not self.write)
        return self._store

    def _writable(self) -> None:
        if not self.write or self._lock is None:
            raise ArchiveError(f"{self.path} is open for reading: use Archive.open(path, write=True) as a context")

    # -- reading -------------------------------------------------------------

    def search(self, query: str, options: SearchOptions | None = None) -> SearchResult:
        """Hits for ``query`` (the query language of the README), with snippets, facets and a total."""
        from .search.query import search

        return search(self.path, query, options)

    def resolve(self, id_or_url: str) -> Article:
        """The article with this id, unique id prefix, merged-away id or URL; ``NotFound`` otherwise."""
        from .search.lookup import resolve

        return resolve(self.path, id_or_url)

    show = resolve

    def iter_matching(
        self, query: str | None = None, since: str | None = None, until: str | None = None
    ) -> Iterator[Article]:
        """Every article matching ``query`` (all when None), newest first, one at a time, in constant memory."""
        from .search.lookup import iter_matching

        return iter_matching(self.path, query, since, until)

    def export(
        self, query: str | None = None, since: str | None = None, until: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """``iter_matching`` as plain records (the JSON shape of the README's record format).

        The archive is opened before this returns, so an archive that cannot
        be read raises here, before a caller has written anything.
        """
        matching = self.iter_matching(query, since, until)
        first = next(matching, None)
        if first is None:
            return iter(())
        return (article.to_dict() for article in _chain(first, matching))

    def similar(self, id_or_url: str, limit: int = 10) -> list[Hit]:
        """The articles most like one article, best first."""
        from .search.similar import similar

        return similar(self.path, self.resolve(id_or_url).id, limit)

    def timeline(
        self, query: str = "", by: str = "month", since: str | None = None, until: str | None = None
    ) -> list[tuple[str, int]]:
        """(period, hits) per month or year, empty periods included."""
        from .search.timeline import timeline

        return timeline(self.path, query, by, since, until)

    def index_lag(self) -> int:
        """Records the search index does not yet hold as they are (0 when it is complete)."""
        return self.store.unindexed_count() if self.exists else 0

    def stats(self) -> dict[str, Any]:
        """Where the archive is and what it holds."""
        info: dict[str, Any] = {"archive": str(self.path), "exists": self.exists}
        if self.exists:
            info.update(self.store.stats())
            from .search.index import current_generation

            index = current_generation(self.path)
            info["index_bytes"] = sum(p.stat().st_size for p in index.glob("*") if p.is_file()) if index else 0
        return info

    # -- the feed list -------------------------------------------------------

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        """The last ingest runs, newest first: started, finished, and their summary's counts."""
        return self.store.runs(limit) if self.exists else []

    def feeds(self) -> list[Feed]:
        """The feed list (``feeds.toml``)."""
        from .ingest import feed_list

        return feed_list.load(self.path)

    def feed_status(self) -> list[dict[str, Any]]:
        """Each feed with its state: last success and attempt, failures in a row, last error, next try.

        Every row has every key of ``FEED_COLUMNS`` (None where there is nothing yet)."""
        listed = self.feeds()
        rows = []
        for feed in listed:
            state = self.store.feed_state(feed.url) if self.exists else {}
            row = {**asdict(feed), **{k: state.get(k) for k in FEED_STATE_COLUMNS}}
            row["failures"] = row["failures"] or 0
            rows.append(row)
        return rows

    def add_feed(
        self,
        url: str,
        name: str | None = None,
        spam_patterns: Sequence[str] = (),
        enabled: bool = True,
        check: bool = True,
    ) -> int | None:
        """Add a feed; with ``check``, fetch it once first and raise ``SourceError`` if it is not
        a feed we can read.  Returns the items it held when checked."""
        from .ingest import feed_list

        items = feed_list.check_feed(url) if check else None
        feed_list.add(self.path, feed_list.Feed(name or url, url, enabled, list(spam_patterns)))
        return items

    def remove_feed(self, name_or_url: str) -> Feed:
        from .ingest import feed_list

        return feed_list.remove(self.path, name_or_url)

    def enable_feed(self, name_or_url: str, enabled: bool = True) -> None:
        from .ingest import feed_list

        listed = feed_list.load(self.path)
        matches = [f for f in listed if name_or_url in (f.name, f.url)]
        if not matches:
            raise FeedListError(f"no feed named {name_or_url!r} in {feed_list.feeds_path(self.path)}")
        for feed in matches:
            feed.enabled = enabled
        feed_list.save(self.path, listed)

    # -- writing -------------------------------------------------------------

    def ingest(
        self,
        sources: Iterable[str] = (),
        *,
        feed_list: bool = False,
        backfill: str | None = None,
        max_pages: int = 50,
        spam_patterns: Sequence[str] = (),
        timezone: str = "Europe/London",
        timeout: float = 30.0,
        jobs: int | None = None,
        force: bool = False,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        report: Callable[[str], None] = _silent,
        notice: Callable[[str], None] = _silent,
        progress: Callable[[str], None] = _silent,
        planned: Callable[[int], None] | None = None,
    ) -> Summary:
        """Ingest files, directories, ``-`` (stdin) and feed URLs, then the feed list (``feed_list``)
        and a WordPress backfill; then bring the index up to date.  Returns the summary.

        ``include``/``exclude``: globs a file met in a directory must (not) match.
        ``report`` gets each problem (a source skipped, counted as failed),
        ``notice`` what is worth saying but not a failure, ``progress`` the
        origin of each source as it starts, ``planned`` how many there will be
        (files, URLs and feeds; a backfill's pages are not known ahead).
        """
        self._writable()
        from .ingest.feed_runs import FeedFetcher
        from .ingest.http_fetch import FetchOptions
        from .ingest.pipeline import IngestOptions, Ingestor, Summary, count_inputs, iter_payloads, now_iso
        from .search.index import sync

        sources = list(sources)
        urls = [s for s in sources if URL.match(s)]
        paths = [s for s in sources if s not in urls]
        configured = [f for f in self.feeds() if f.enabled] if feed_list else []
        if planned is not None:  # the walk is repeated only for a progress bar's total
            planned(count_inputs(paths, include, exclude) + len(urls) + len(configured))
        started = now_iso()
        ingestor = Ingestor(self.path, IngestOptions(list(spam_patterns), timezone, workers=jobs))
        try:
            fetcher = FeedFetcher(ingestor, FetchOptions(read_timeout=timeout), force=force)
            summary = Summary()
            ingestor.ingest(
                iter_payloads(paths, include=include, exclude=exclude),
                report=report,
                progress=progress,
                summary=summary,
                notice=notice,
            )
            for url in urls:
                progress(url)
                fetcher.ingest_feed(url, summary, report, notice=notice)
            for feed in configured:
                progress(feed.url)
                fetcher.ingest_feed(feed.url, summary, report, feed.spam_patterns, notice=notice)
            if backfill:
                fetcher.backfill(backfill, max_pages, summary, report, progress=progress, notice=notice)
            sync(ingestor.store, self.path)
            ingestor.store.add_run(started, now_iso(), summary.to_dict())
        finally:
            ingestor.close()
        return summary

    def reindex(self, from_snapshots: bool = False) -> tuple[int | None, int]:
        """Build the search index again beside the current one and switch to it; with
        ``from_snapshots``, the records too, from the raw payloads.  Returns
        (records rebuilt or None, articles indexed)."""
        self._writable()
        if not self.exists:
            raise ArchiveError(f"no archive at {self.path}: run 'newsarchive ingest' first")
        from .ingest.rebuild import rebuild_from_snapshots
        from .ingest.store import ArchiveStore
        from .search.index import rebuild

        rebuilt = None
        if from_snapshots:
            if self._store is not None:
                self._store.close()
                self._store = None
            rebuilt = rebuild_from_snapshots(self.path)
        with ArchiveStore(self.path) as store:
            return rebuilt, rebuild(store, self.path)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest
