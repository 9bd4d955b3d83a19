"""The archive database's schema history: ordered, named migrations.

Each migration runs once, in one transaction, and its name is recorded in
the ``upgrades`` table; a writer applies whatever is missing, in order, when
it opens the archive.  (sqlite-utils' ``migrations`` is the model.)

``PRAGMA user_version`` says which readers can use the file: a migration
that readers depend on raises it (``READERS_NEED``); one they can do
without (keys only the merge uses) leaves it.  An archive that a newer
release wrote, with a higher version or a migration this release does not
know, is refused with a line saying so, never stamped down to this
release's version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ArchiveError
from .identity import lead_key

# The user_version a reader of this release needs at least, and the one it writes.
READERS_NEED = 2
VERSION = 3


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]
    version: int  # the user_version once it is applied


BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS parts (
    part_key TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS parts_article ON parts(article_id);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT,
    published TEXT,
    digest TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_unindexed ON articles(indexed) WHERE indexed = 0;
CREATE TABLE IF NOT EXISTS keys (
    key TEXT NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (key, article_id)
);
CREATE INDEX IF NOT EXISTS keys_article ON keys(article_id);
CREATE TABLE IF NOT EXISTS deleted (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS history (
    article_id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS feed_state (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    body_sha TEXT,
    last_attempt TEXT,
    last_success TEXT,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_try TEXT
);
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    origin TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS snapshots_source ON snapshots(sha256, origin);
"""


def _base(db: sqlite3.Connection) -> None:
    """The tables every reader needs (an archive of version 2 has them already)."""
    for statement in BASE_SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def _merged(db: sqlite3.Connection) -> None:
    """Which article an id merged away now lives in (``ArchiveStore.merged_into``)."""
    db.execute("CREATE TABLE IF NOT EXISTS merged (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL)")
    db.execute("CREATE INDEX IF NOT EXISTS merged_new ON merged(new_id)")


def _lead_keys(db: sqlite3.Connection) -> None:
    """The lead keys (``identity.lead_key``) of every stored part's body and standfirst."""
    rows = db.execute("SELECT article_id, json_extract(data, '$.body'), json_extract(data, '$.standfirst') FROM parts")
    found = {(lead, aid) for aid, *texts in rows for lead in map(lead_key, texts) if lead}
    db.executemany("INSERT OR IGNORE INTO keys (key, article_id) VALUES (?, ?)", sorted(found))


def _comments_seen(db: sqlite3.Connection) -> None:
    """Comment feeds: the post's comment count when each was last fetched."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(feed_state)")}
    if "comments_seen" not in columns:
        db.execute("ALTER TABLE feed_state ADD COLUMN comments_seen INTEGER")


def _runs(db: sqlite3.Connection) -> None:
    """Each ingest's summary, for whoever watches the nightly job (the feeds page)."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, "
        "finished TEXT NOT NULL, summary TEXT NOT NULL)"
    )


def _site_polls(db: sqlite3.Connection) -> None:
    """Polls that several articles of one site carry (``site_polls``): their keys, the poll
    keys of every stored article (so that the next copy is known), and those polls taken
    out of the records that hold them (marked for the index to catch up)."""
    import json

    from .models import Article
    from .site_polls import keys_of
    from .store import drop_polls

    db.execute("CREATE TABLE IF NOT EXISTS site_polls (key TEXT PRIMARY KEY)")
    rows = db.execute("SELECT id, data FROM articles WHERE json_array_length(json_extract(data, '$.polls')) > 0")
    found = {(key, aid) for aid, data in rows for key in keys_of(Article.from_dict(json.loads(data)))}
    db.executemany("INSERT OR IGNORE INTO keys (key, article_id) VALUES (?, ?)", sorted(found))
    holders: dict[str, set[str]] = {}
    for key, aid in found:
        holders.setdefault(key, set()).add(aid)
    shared = {key for key, ids in holders.items() if len(ids) > 1}
    db.executemany("INSERT OR IGNORE INTO site_polls (key) VALUES (?)", [(key,) for key in sorted(shared)])
    for aid in sorted(set().union(*(holders[key] for key in shared))):
        drop_polls(db, aid, shared)


MIGRATIONS = (
    Migration("base-schema", _base, 2),
    Migration("merged-ids", _merged, 2),
    Migration("lead-keys", _lead_keys, 2),
    Migration("comments-seen", _comments_seen, 3),
    Migration("runs", _runs, 3),
    Migration("site-polls", _site_polls, 3),
)
KNOWN = {m.name for m in MIGRATIONS}


def check_readable(db: sqlite3.Connection, where: str) -> None:
    """Refuse an archive this release cannot read: too old, or written by a newer release."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > VERSION:
        raise ArchiveError(
            f"the archive at {where} was written by a newer newsarchive (format {version}; "
            f"this one knows up to {VERSION}): upgrade newsarchive to use it"
        )
    if version < READERS_NEED:
        raise ArchiveError(
            f"the archive at {where} was written by an older newsarchive: run 'newsarchive reindex' once to upgrade it"
        )


def migrate(db: sqlite3.Connection, where: str) -> list[str]:
    """Apply the missing migrations in order, each in one transaction; return their names."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > VERSION:
        check_readable(db, where)
    db.execute("CREATE TABLE IF NOT EXISTS upgrades (name TEXT PRIMARY KEY)")
    done = {row[0] for row in db.execute("SELECT name FROM upgrades")}
    if version < READERS_NEED:  # from before migrations were recorded: every one again (each is idempotent)
        done = set()
    unknown = sorted(done - KNOWN)
    if unknown:
        raise ArchiveError(
            f"the archive at {where} was changed by a newer newsarchive ({', '.join(unknown)}): upgrade newsarchive"
        )
    applied = []
    for migration in MIGRATIONS:
        if migration.name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            migration.apply(db)
            db.execute("INSERT OR IGNORE INTO upgrades (name) VALUES (?)", (migration.name,))
            version = max(version, migration.version)
            db.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        applied.append(migration.name)
    return applied
