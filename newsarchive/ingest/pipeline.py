"""Compose the stages: find inputs, read or fetch, parse, fold into the store.

Each source is handled on its own: it is read and parsed completely before
anything is written, and its writes (parts, records, the raw snapshot) commit
in one transaction, so a source that fails leaves the archive exactly as it
was and the batch goes on.  Outcomes are counted by reason for the summary
line cron mails home.  The index is brought up to date by the caller
(``search.index.sync``), after the store.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatch
from functools import cached_property, partial
from pathlib import Path
from typing import BinaryIO

from .commit import commit_source
from .dates import DEFAULT_TZ
from .entities import entity_text, extract_text
from .errors import ArchiveError, SourceError
from .identity import text_key, text_keys
from .matching import Ahead
from .models import Kind, Part
from .parallel import ordered_map
from .readers import parse_payload
from .snapshots import SnapshotOptions
from .sources.common import SourceContext
from .spam import SlowPattern
from .store import ArchiveStore

MAX_BYTES = 64 * 1024 * 1024
# Files a directory walk passes over: they document a folder, they are not news.
SKIPPED_NAMES = ("readme", "license", "licence", "copying", "notice", "changelog")
STDIN = "-"
FEED_KINDS = {kind for kind in Kind if kind.is_feed}
COUNTED = ("added", "updated", "unchanged", "not-modified")


@dataclass
class IngestOptions:
    spam_patterns: list[str] = field(default_factory=list)
    timezone: str = DEFAULT_TZ
    workers: int | None = None  # parsing processes; None: one per core (at most 4), 1: none


@dataclass
class Summary:
    """Counts of what a run did; ``failed`` is keyed by reason."""

    outcomes: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    # What went wrong without losing anything the run could have had (a post's
    # comment feed turned off): said, counted, but not a failed run.
    warnings: Counter[str] = field(default_factory=Counter)
    warning_lines: list[str] = field(default_factory=list)  # said after the run, unless quiet
    sources: int = 0

    def warn(self, reason: str, message: str) -> None:
        self.warnings[reason] += 1
        self.warning_lines.append(message)

    def line(self) -> str:
        """'added 3, updated 1, unchanged 10, not-modified 2, failed 1 (http-404: 1)'."""
        parts = [f"{k} {self.outcomes.get(k, 0)}" for k in COUNTED]
        if self.outcomes.get("deferred"):
            parts.append(f"deferred {self.outcomes['deferred']}")
        failed = sum(self.failed.values())
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(self.failed.items()))
        parts.append(f"failed {failed}" + (f" ({detail})" if detail else ""))
        if self.warnings:
            detail = ", ".join(f"{k}: {v}" for k, v in sorted(self.warnings.items()))
            parts.append(f"warnings {sum(self.warnings.values())} ({detail})")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            **{k: self.outcomes.get(k, 0) for k in (*COUNTED, "deferred")},
            "failed": sum(self.failed.values()),
            "failed_by_reason": dict(self.failed),
            "warnings": sum(self.warnings.values()),
            "warnings_by_reason": dict(self.warnings),
            "sources": self.sources,
        }


@dataclass
class Payload:
    """One input as read: its bytes, or the error that stopped the reading."""

    origin: str
    data: bytes | None = None
    error: SourceError | None = None
    fetched_at: str | None = None
    final_url: str | None = None  # where the fetch ended after redirects, when not the URL asked for
    expect_feed: bool = False  # a feed URL must hold a feed, not a page
    spam_patterns: list[str] = field(default_factory=list)
    not_modified: bool = False
    charset: str | None = None  # named by the server's Content-Type header
    # These bytes were ingested from this origin before: their parts will most
    # likely be unchanged, so a worker does not find their entities ahead.
    seen: bool = False

    @cached_property
    def sha256(self) -> str:
        assert self.data is not None
        return hashlib.sha256(self.data).hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _skipped(name: str) -> bool:
    name = name.lower()
    return name.startswith(".") or name.startswith(SKIPPED_NAMES)


def _wanted(relative: Path, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Whether a file met in a directory walk is taken: its name or its path below the
    directory matches an ``include`` glob (any, when none are given) and no ``exclude`` one."""
    names = (relative.name, relative.as_posix())
    if include and not any(fnmatch(n, g) for g in include for n in names):
        return False
    return not any(fnmatch(n, g) for g in exclude for n in names)


def files_in(path: Path, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> list[Path]:
    """The files a directory walk reads, sorted: every entry but directories (a device,
    FIFO or socket in the tree is named and skipped by ``_read``, not passed over in
    silence), filtered by the ``include``/``exclude`` globs."""
    return sorted(
        p
        for p in path.rglob("*")
        if not p.is_dir()
        and not any(_skipped(x) for x in p.relative_to(path).parts)
        and _wanted(p.relative_to(path), include, exclude)
    )


def count_inputs(sources: Iterable[str], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> int:
    """How many inputs ``iter_payloads`` will yield (for a progress bar's total)."""
    return sum(len(files_in(Path(s), include, exclude)) or 1 if s != STDIN and Path(s).is_dir() else 1 for s in sources)


def iter_payloads(
    sources: Iterable[str],
    stdin: BinaryIO | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> Iterator[Payload]:
    """Bytes of every file named, every file under a directory (sorted, filtered by the
    ``include``/``exclude`` globs), or stdin."""
    for source in sources:
        if source == STDIN:
            stream = stdin or sys.stdin.buffer
            yield Payload("-", data=stream.read(MAX_BYTES + 1))
            continue
        path = Path(source)
        if path.is_dir():
            files = files_in(path, include, exclude)
            if not files:
                yield Payload(source, error=SourceError("empty-dir", f"{source}: directory holds no files to ingest"))
            yield from (_read(p) for p in files)
        else:
            yield _read(path)


def _read(path: Path) -> Payload:
    """The file's bytes, or why not: only regular files are read, and never past the limit.

    ``stat`` says 0 bytes for a device (``/dev/zero`` is endless) and opening
    a FIFO with no writer blocks for ever, so the file is opened without
    blocking, its kind checked on the open descriptor, and at most one byte
    over the limit read whatever its size claims.
    """
    origin = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return Payload(origin, error=SourceError("not-found", f"{origin}: no such file or directory"))
    except IsADirectoryError:
        return Payload(origin, error=SourceError("unreadable", f"{origin}: is a directory"))
    except OSError as exc:
        return Payload(origin, error=SourceError("unreadable", f"{origin}: cannot read ({exc.strerror or exc})"))
    with os.fdopen(fd, "rb") as stream:
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                message = f"{origin}: not a regular file ({_kind(mode)}), skipped"
                return Payload(origin, error=SourceError("not-a-file", message))
            data = stream.read(MAX_BYTES + 1)
        except OSError as exc:
            return Payload(origin, error=SourceError("unreadable", f"{origin}: cannot read ({exc.strerror or exc})"))
    if len(data) > MAX_BYTES:
        return Payload(origin, error=SourceError("too-large", f"{origin}: larger than {MAX_BYTES >> 20} MiB, skipped"))
    return Payload(origin, data=data)


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a plain file")


def _origin(path: str) -> str:
    """Files are recorded by absolute path so the same file is the same source."""
    return path if path == STDIN or "://" in path else os.path.abspath(path)


def _context(payload: Payload, options: IngestOptions) -> SourceContext:
    assert payload.data is not None
    return SourceContext(
        origin=_origin(payload.origin),
        fetched_at=payload.fetched_at or now_iso(),
        sha256=payload.sha256,
        spam_patterns=[*options.spam_patterns, *payload.spam_patterns],
        timezone=options.timezone,
        charset=payload.charset,
    )


def parse(payload: Payload, options: IngestOptions) -> tuple[SourceContext, list[Part]]:
    """Parse a payload completely, writing nothing; ``SourceError`` if it is unusable."""
    if payload.error:
        raise payload.error
    assert payload.data is not None
    if len(payload.data) > MAX_BYTES:
        raise SourceError("too-large", f"{payload.origin}: larger than {MAX_BYTES >> 20} MiB, skipped")
    ctx = _context(payload, options)
    try:
        parts = parse_payload(payload.data, ctx)
    except SourceError:
        raise
    except SlowPattern as exc:
        raise SourceError("slow-spam-pattern", f"{payload.origin}: {exc}") from exc
    except (ValueError, LookupError, RecursionError, UnicodeError, MemoryError) as exc:
        message = f"{payload.origin}: could not be parsed ({type(exc).__name__}: {exc})"
        raise SourceError("unparsable", message) from exc
    if payload.expect_feed and parts and parts[0].kind not in FEED_KINDS:
        raise SourceError("not-a-feed", f"{payload.origin}: expected a feed, got an {parts[0].kind}")
    return ctx, parts


Parsed = tuple[SourceContext, list[Part], Ahead] | SourceError


def parse_job(payload: Payload, options: IngestOptions) -> Parsed:
    """``parse`` in a worker process, with the entities and match keys of
    every part found ahead (they travel back as values, to ``apply_part``);
    an unusable payload's error is returned, not raised, to be counted in order."""
    try:
        ctx, parts = parse(payload, options)
    except SourceError as exc:
        return exc
    if payload.seen:  # its parts will be found unchanged: nothing to do ahead
        return ctx, parts, Ahead()
    texts = [entity_text(p.title, p.standfirst, p.body) for p in parts if p.body]
    bodies = {text_key(p.body): p.body for p in parts if p.body}
    return (
        ctx,
        parts,
        Ahead(
            {text_key(text): extract_text(text) for text in texts},
            {key: text_keys(body, key) for key, body in bodies.items()},
        ),
    )


class Ingestor:
    """Runs payloads through parsing and merging into one archive."""

    def __init__(self, archive: Path, options: IngestOptions | None = None) -> None:
        self.archive = archive
        self.options = options or IngestOptions()
        self.store = ArchiveStore(archive)

    def close(self) -> None:
        self.store.close()

    def ingest(
        self,
        payloads: Iterable[Payload],
        report: Callable[[str], None] = lambda message: None,
        progress: Callable[[str], None] = lambda origin: None,
        summary: Summary | None = None,
        notice: Callable[[str], None] = lambda message: None,
    ) -> Summary:
        """Fold every payload into the store; the caller then syncs the index.
        ``report`` hears of each source skipped, ``notice`` of anything else
        the operator should know."""
        summary = summary or Summary()
        job = partial(parse_job, options=self.options)
        local = lambda p: p.error is not None or p.not_modified  # noqa: E731

        def broken() -> None:
            notice("a parsing worker stopped (killed by the system?); what it held is parsed again, one file at a time")

        def killed(payload: Payload) -> Parsed:
            message = f"{payload.origin}: parsing it stopped its process twice (killed by the system? out of memory?)"
            return SourceError("parser-killed", message)

        workers = self.options.workers
        for payload, parsed in ordered_map(job, self._marked(payloads), local, workers, broken, killed):
            summary.sources += 1
            progress(payload.origin)
            try:
                self.ingest_one(payload, summary, parsed)
            except SourceError as exc:
                summary.failed[exc.reason] += 1
                report(str(exc))
        return summary

    def _marked(self, payloads: Iterable[Payload]) -> Iterator[Payload]:
        for payload in payloads:
            if payload.data is not None:
                payload.seen = self.store.has_snapshot(payload.sha256, _origin(payload.origin))
            yield payload

    def parse(self, payload: Payload) -> tuple[SourceContext, list[Part]]:
        return parse(payload, self.options)

    def commit(
        self,
        ctx: SourceContext,
        parts: list[Part],
        options: SnapshotOptions,
        data: bytes | None,
        ahead: Ahead | None = None,
    ) -> Counter[str]:
        """``commit_source`` into this ingestor's archive: the one write path."""
        return commit_source(self.store, self.archive, ctx, parts, options, data, ahead)

    def ingest_one(self, payload: Payload, summary: Summary, parsed: Parsed | None = None) -> list[Part]:
        """Parse (unless a worker did), then store the parts and the raw
        snapshot in one transaction."""
        if payload.not_modified:
            summary.outcomes["not-modified"] += 1
            return []
        if isinstance(parsed, SourceError):
            raise parsed
        ahead = None
        if parsed:
            ctx, parts, ahead = parsed
        else:
            ctx, parts = self.parse(payload)
        assert payload.data is not None
        options = SnapshotOptions(
            spam_patterns=list(ctx.spam_patterns),
            timezone=ctx.timezone,
            expect_feed=payload.expect_feed,
            charset=ctx.charset,  # so that a rebuild reads the bytes as this run did
            final_url=payload.final_url,  # what was fetched, when a redirect took it elsewhere
        )
        try:
            outcomes = self.commit(ctx, parts, options, payload.data, ahead)
        except (sqlite3.Error, OSError) as exc:
            # The disk is full or read-only: this source is rolled back, and the
            # batch stops, since no later source could be written either.
            message = f"cannot write the archive at {self.archive} ({exc}); {payload.origin} and later sources"
            raise ArchiveError(message + " were not ingested") from exc
        summary.outcomes.update(outcomes)
        for reason, message in ctx.warnings:
            summary.warn(reason, message)
        return parts
