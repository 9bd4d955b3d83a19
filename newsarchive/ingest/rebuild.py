"""Rebuild the records from the raw snapshots alone.

Every payload the archive kept is parsed again, in the order it first came,
with the origin, time and options it came with, into a fresh store; the old
store's feed state is carried over; then the fresh store replaces the old in
one rename.  Because merging depends only on the set of parts, the result is
the archive an ingest of the same inputs makes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import snapshots
from .commit import commit_source
from .errors import ArchiveError, SourceError
from .feed_runs import comment_feed_part
from .pipeline import FEED_KINDS
from .readers import parse_payload
from .sources.common import SourceContext
from .store import DB_NAME, FEED_STATE, ArchiveStore

REBUILD_DIR = ".rebuild"


def rebuild_from_snapshots(archive: Path) -> int:
    """Replace ``archive``'s records with those parsed from its snapshots; return how many."""
    old = ArchiveStore(archive)
    work = archive / REBUILD_DIR
    shutil.rmtree(work, ignore_errors=True)
    new = ArchiveStore(work)
    try:
        for sha, origin, fetched_at, options in old.snapshots():
            try:
                data = snapshots.load(archive, sha)
            except OSError as exc:
                raise ArchiveError(f"snapshot {sha} of {origin} cannot be read: {exc}") from exc
            ctx = SourceContext(origin, fetched_at, sha, options.spam_patterns, options.timezone, options.charset)
            try:
                parts = parse_payload(data, ctx)
            except SourceError:
                continue  # what no longer parses is left out, as ingest would leave it out
            if options.expect_feed and parts and parts[0].kind not in FEED_KINDS:
                continue  # fetched as a feed, now read as a page: ingest refuses it too (not-a-feed)
            if options.comment_feed_of:
                parts = [comment_feed_part(ctx, parts, options.comment_feed_of, options.comment_count)]
            commit_source(new, archive, ctx, parts, options)  # the snapshot is kept already
        with new.transaction():
            for (url,) in old.db.execute("SELECT url FROM feed_state"):
                new.set_feed_state(url, **{k: v for k, v in old.feed_state(url).items() if k in FEED_STATE})
        count = new.count()
    finally:
        new.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        new.close()
        old.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        old.close()
    for suffix in ("-wal", "-shm"):
        for directory in (archive, work):
            (directory / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
    os.replace(work / DB_NAME, archive / DB_NAME)
    shutil.rmtree(work, ignore_errors=True)
    return count
