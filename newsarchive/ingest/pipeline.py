"""Compose the stages: find inputs, read, parse, fold into the store, index.

Each source is handled on its own: it is read and parsed completely before
anything is written, and its writes commit in one transaction, so a source
that fails leaves the archive exactly as it was and the batch goes on.
Outcomes are counted by reason for the summary line cron mails home.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from .cluster import apply_part
from .dates import DEFAULT_TZ
from .detect import parse_payload
from .errors import SourceError
from .sources.common import SourceContext
from .store import ArchiveStore

MAX_BYTES = 64 * 1024 * 1024
# Files a directory walk passes over: they document a folder, they are not news.
SKIPPED_NAMES = ("readme", "license", "licence", "copying", "notice", "changelog")
STDIN = "-"


@dataclass
class IngestOptions:
    spam_patterns: list[str] = field(default_factory=list)
    timezone: str = DEFAULT_TZ


@dataclass
class Summary:
    """Counts of what a run did; ``failed`` is keyed by reason."""

    outcomes: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    sources: int = 0

    def line(self) -> str:
        """'added 3, updated 1, unchanged 10, failed 1 (empty: 1)'."""
        parts = [f"{k} {self.outcomes.get(k, 0)}" for k in ("added", "updated", "unchanged")]
        failed = sum(self.failed.values())
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(self.failed.items()))
        parts.append(f"failed {failed}" + (f" ({detail})" if detail else ""))
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            **{k: self.outcomes.get(k, 0) for k in ("added", "updated", "unchanged")},
            "failed": sum(self.failed.values()),
            "failed_by_reason": dict(self.failed),
            "sources": self.sources,
        }


@dataclass
class Payload:
    origin: str
    data: bytes | None = None
    error: SourceError | None = None


def _skipped(name: str) -> bool:
    name = name.lower()
    return name.startswith(".") or name.startswith(SKIPPED_NAMES)


def iter_payloads(sources: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Payload]:
    """Bytes of every file named, every file under a directory (sorted), or stdin."""
    for source in sources:
        if source == STDIN:
            stream = stdin or sys.stdin.buffer
            yield Payload("-", data=stream.read(MAX_BYTES + 1))
            continue
        path = Path(source)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and not any(_skipped(x) for x in p.relative_to(path).parts)
            )
            if not files:
                yield Payload(source, error=SourceError("empty-dir", f"{source}: directory holds no files to ingest"))
            yield from (_read(p) for p in files)
        else:
            yield _read(path)


def _read(path: Path) -> Payload:
    origin = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return Payload(
                origin, error=SourceError("too-large", f"{origin}: larger than {MAX_BYTES >> 20} MiB, skipped")
            )
        return Payload(origin, data=path.read_bytes())
    except FileNotFoundError:
        return Payload(origin, error=SourceError("not-found", f"{origin}: no such file or directory"))
    except IsADirectoryError:
        return Payload(origin, error=SourceError("unreadable", f"{origin}: is a directory"))
    except OSError as exc:
        return Payload(origin, error=SourceError("unreadable", f"{origin}: cannot read ({exc.strerror or exc})"))


def _origin(path: str) -> str:
    """Files are recorded by absolute path so the same file is the same source."""
    return path if path == STDIN or "://" in path else os.path.abspath(path)


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
    ) -> Summary:
        """Fold every payload into the store; the caller then syncs the index."""
        summary = Summary()
        for payload in payloads:
            summary.sources += 1
            progress(payload.origin)
            try:
                self._one(payload, summary)
            except SourceError as exc:
                summary.failed[exc.reason] += 1
                report(str(exc))
        return summary

    def _one(self, payload: Payload, summary: Summary) -> None:
        if payload.error:
            raise payload.error
        assert payload.data is not None
        if len(payload.data) > MAX_BYTES:
            raise SourceError("too-large", f"{payload.origin}: larger than {MAX_BYTES >> 20} MiB, skipped")
        ctx = SourceContext(
            origin=_origin(payload.origin),
            fetched_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            sha256=hashlib.sha256(payload.data).hexdigest(),
            spam_patterns=self.options.spam_patterns,
            timezone=self.options.timezone,
        )
        try:
            parts = parse_payload(payload.data, ctx)
        except SourceError:
            raise
        except (ValueError, LookupError, RecursionError, UnicodeError) as exc:
            raise SourceError(
                "unparsable", f"{payload.origin}: could not be parsed ({type(exc).__name__}: {exc})"
            ) from exc
        outcomes: Counter[str] = Counter()
        with self.store.transaction():
            for part in parts:
                outcomes[apply_part(self.store, part).status] += 1
        summary.outcomes.update(outcomes)
