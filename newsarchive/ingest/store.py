"""The archive's records on disk: one SQLite file, the source of truth.

SQLite holds the parts each source contributed, the merged articles, and the
keys (canonical URL, guid, content fingerprint, MinHash bands) that match a
new part to an article.  The Whoosh index is derived from it and can always
be rebuilt: articles whose index entry is stale carry ``indexed = 0`` until
the index commit that covers them, so a run killed between the two commits
is caught up by the next one.

Readers (search, show, export) open it read-only and, in WAL mode, see the
last committed state while an ingest is writing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ArchiveError
from .models import Article, Part

SCHEMA = """
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
"""
DB_NAME = "archive.db"


class ArchiveStore:
    """Records, parts and match keys in ``DIR/archive.db``."""

    def __init__(self, directory: Path, readonly: bool = False) -> None:
        self.path = directory / DB_NAME
        try:
            if readonly:
                if not self.path.exists():
                    raise ArchiveError(f"no archive at {directory}: run 'newsarchive ingest' first")
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
            else:
                directory.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot open the archive at {self.path}: {exc}") from exc

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a source's writes commit together or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- reading -----------------------------------------------------------

    def get(self, article_id: str) -> Article | None:
        row = self.db.execute("SELECT data FROM articles WHERE id = ?", (article_id,)).fetchone()
        return Article.from_dict(json.loads(row[0])) if row else None

    def get_many(self, ids: Iterable[str]) -> dict[str, Article]:
        ids = list(ids)
        found: dict[str, Article] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for aid, data in self.db.execute(f"SELECT id, data FROM articles WHERE id IN ({marks})", chunk):
                found[aid] = Article.from_dict(json.loads(data))
        return found

    def find_by_key(self, key: str) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT article_id FROM keys WHERE key = ?", (key,))}

    def find_by_id_prefix(self, prefix: str) -> list[str]:
        rows = self.db.execute("SELECT id FROM articles WHERE id >= ? AND id < ? LIMIT 2", (prefix, prefix + "\uffff"))
        return [r[0] for r in rows]

    def iter_articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Articles newest first, or those of ``ids`` in that order; one at a time."""
        if ids is None:
            cursor = self.db.execute("SELECT data FROM articles ORDER BY published DESC, id")
            for (data,) in cursor:
                yield Article.from_dict(json.loads(data))
            return
        for aid in ids:
            article = self.get(aid)
            if article:
                yield article

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def stats(self) -> dict[str, object]:
        first, last = self.db.execute("SELECT min(published), max(published) FROM articles").fetchone()
        return {
            "articles": self.count(),
            "parts": int(self.db.execute("SELECT count(*) FROM parts").fetchone()[0]),
            "sources": int(
                self.db.execute("SELECT count(DISTINCT json_extract(data, '$.origin')) FROM parts").fetchone()[0]
            ),
            "oldest": first,
            "newest": last,
            "unindexed": int(self.db.execute("SELECT count(*) FROM articles WHERE indexed = 0").fetchone()[0]),
        }

    # -- parts -------------------------------------------------------------

    def part_state(self, part_key: str) -> tuple[str, str] | None:
        """(digest, article id) of a stored part, or None."""
        row = self.db.execute("SELECT digest, article_id FROM parts WHERE part_key = ?", (part_key,)).fetchone()
        return (row[0], row[1]) if row else None

    def parts_of(self, article_ids: Iterable[str]) -> list[tuple[str, Part]]:
        out = []
        for aid in article_ids:
            for key, data in self.db.execute("SELECT part_key, data FROM parts WHERE article_id = ?", (aid,)):
                out.append((key, Part.from_dict(json.loads(data))))
        return out

    def article_digest(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT digest FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    # -- writing (inside ``transaction``) ------------------------------------

    def put_part(self, part_key: str, article_id: str, digest: str, part: Part) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO parts (part_key, article_id, digest, data) VALUES (?, ?, ?, ?)",
            (part_key, article_id, digest, json.dumps(part.to_dict(), ensure_ascii=False)),
        )

    def move_parts(self, from_ids: Iterable[str], to_id: str) -> None:
        for aid in from_ids:
            self.db.execute("UPDATE parts SET article_id = ? WHERE article_id = ?", (to_id, aid))

    def put_article(self, article: Article, digest: str, keys: Iterable[str]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO articles (id, url, published, digest, indexed, data) VALUES (?, ?, ?, ?, 0, ?)",
            (article.id, article.url, article.published, digest, json.dumps(article.to_dict(), ensure_ascii=False)),
        )
        self.db.execute("DELETE FROM keys WHERE article_id = ?", (article.id,))
        self.db.executemany(
            "INSERT OR IGNORE INTO keys (key, article_id) VALUES (?, ?)", [(k, article.id) for k in keys]
        )
        self.db.execute("DELETE FROM deleted WHERE id = ?", (article.id,))

    def delete_article(self, article_id: str) -> None:
        self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        self.db.execute("DELETE FROM keys WHERE article_id = ?", (article_id,))
        self.db.execute("INSERT OR IGNORE INTO deleted (id) VALUES (?)", (article_id,))

    # -- index bookkeeping -------------------------------------------------

    def unindexed(self) -> tuple[list[str], list[str]]:
        """Ids whose index entry is stale, and ids deleted but maybe still indexed."""
        stale = [r[0] for r in self.db.execute("SELECT id FROM articles WHERE indexed = 0 ORDER BY id")]
        gone = [r[0] for r in self.db.execute("SELECT id FROM deleted ORDER BY id")]
        return stale, gone

    def mark_indexed(self, ids: Iterable[str], deleted: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany("UPDATE articles SET indexed = 1 WHERE id = ?", [(i,) for i in ids])
            self.db.executemany("DELETE FROM deleted WHERE id = ?", [(i,) for i in deleted])

    def mark_all_unindexed(self) -> None:
        self.db.execute("UPDATE articles SET indexed = 0")
