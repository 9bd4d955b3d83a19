"""An archive written by an older version is upgraded, never crashed on."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from conftest import LETTER_DUMP, PAY_SCALES_DUMP, Runner


def make_old(archive: Path) -> None:
    """Make the archive look as version 1 left it: no history table, an unmarked index."""
    db = sqlite3.connect(archive / "archive.db")
    db.execute("DROP TABLE history")
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    (archive / "index" / "newsarchive-schema").unlink()


def test_reading_an_old_archive_says_what_to_do(run: Runner, archive: Path) -> None:
    run("ingest", str(LETTER_DUMP))
    make_old(archive)
    result = run("export", expect=4)
    assert result.stderr.startswith("Error: the ") and "run 'newsarchive reindex'" in result.stderr


def test_reindex_upgrades_an_old_archive(run: Runner, archive: Path) -> None:
    run("ingest", str(LETTER_DUMP))
    make_old(archive)
    run("reindex")
    (hit,) = json.loads(run("search", "dashboard", "--json").stdout)["hits"]
    assert hit["title"] == json.loads(run("export", "--format", "json").stdout)[0]["title"]


def test_ingest_upgrades_an_old_archive_and_its_index(run: Runner, archive: Path) -> None:
    run("ingest", str(LETTER_DUMP))
    make_old(archive)
    run("ingest", str(PAY_SCALES_DUMP))
    assert "2 hits" in run("search", "social").stderr


def test_a_bug_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "archive.db").write_bytes(b"this is not a database")
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "--archive", str(archive), "export"], capture_output=True, text=True
    )
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.returncode == 4 and "file is not a database" in result.stderr, result.stderr


def test_an_index_of_the_previous_format_is_rebuilt_by_the_next_ingest(run: Runner, archive: Path) -> None:
    # Version 2 kept facets as keywords; version 3 reads them from columns.
    run("ingest", str(LETTER_DUMP))
    (archive / "index" / "newsarchive-schema").write_text("2\n")
    refused = run("search", "dashboard", "--facet", "year", expect=4)
    assert "built by another newsarchive version: run 'newsarchive reindex'" in refused.stderr
    run("ingest", str(PAY_SCALES_DUMP))
    assert (archive / "index" / "newsarchive-schema").read_text() == "5\n"
    data = json.loads(run("search", "social", "--json", "--facet", "year").stdout)
    years = Counter(r["published"][:4] for r in json.loads(run("export", "social").stdout) if r["published"])
    assert data["total"] == 2 and [(f["value"], f["count"]) for f in data["facets"]["year"]] == sorted(years.items())


def test_an_index_of_utc_dates_is_searched_until_the_next_ingest_rebuilds_it(run: Runner, archive: Path) -> None:
    # Version 3 held dates in UTC, version 4 the article's own clock; the fields
    # are the same, so searching goes on across the upgrade without a reindex.
    run("ingest", str(LETTER_DUMP))
    (archive / "index" / "newsarchive-schema").write_text("3\n")
    assert json.loads(run("search", "dashboard", "--json").stdout)["hits"]
    run("ingest", str(PAY_SCALES_DUMP))
    assert (archive / "index" / "newsarchive-schema").read_text() == "5\n"
    assert len(json.loads(run("search", "social", "--json").stdout)["hits"]) == 2


# -- one schema history: migrations, and what a newer release wrote ---------------------


def test_an_archive_of_the_previous_release_is_migrated_in_order(run: Runner, archive: Path) -> None:
    from newsarchive.ingest.migrations import MIGRATIONS, VERSION

    run("ingest", str(LETTER_DUMP))
    with sqlite3.connect(archive / "archive.db") as db:  # as the release before comments_seen left it
        db.execute("DELETE FROM upgrades WHERE name != 'lead-keys'")
        db.execute("ALTER TABLE feed_state DROP COLUMN comments_seen")
        db.execute("PRAGMA user_version = 2")
    assert len(run("export").stdout) > 100  # readable as it is
    run("ingest", str(PAY_SCALES_DUMP))
    with sqlite3.connect(archive / "archive.db") as db:
        assert {r[0] for r in db.execute("SELECT name FROM upgrades")} == {m.name for m in MIGRATIONS}
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
        assert "comments_seen" in {r[1] for r in db.execute("PRAGMA table_info(feed_state)")}


@pytest.mark.parametrize("how", ["version", "migration"])
def test_an_archive_a_newer_release_wrote_is_refused_not_downgraded(run: Runner, archive: Path, how: str) -> None:
    run("ingest", str(LETTER_DUMP))
    with sqlite3.connect(archive / "archive.db") as db:
        if how == "version":
            db.execute("PRAGMA user_version = 99")
        else:
            db.execute("INSERT INTO upgrades (name) VALUES ('a-later-release')")
    commands = [("ingest", str(PAY_SCALES_DUMP)), ("reindex",)] + ([("export",)] if how == "version" else [])
    for command in commands:
        result = run(*command, expect=4)
        assert "newer newsarchive" in result.stderr and "upgrade newsarchive" in result.stderr, result.stderr
    with sqlite3.connect(archive / "archive.db") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == (99 if how == "version" else 3)


def test_an_index_a_newer_release_wrote_is_refused_not_rebuilt(run: Runner, archive: Path) -> None:
    run("ingest", str(LETTER_DUMP))
    (archive / "index" / "newsarchive-schema").write_text("99\n")
    assert "newer newsarchive" in run("search", "dashboard", expect=4).stderr
    assert "newer newsarchive" in run("ingest", str(PAY_SCALES_DUMP), expect=4).stderr
    assert (archive / "index" / "newsarchive-schema").read_text() == "99\n"


def test_a_rebuild_reads_each_snapshot_with_its_own_options(run: Runner, archive: Path) -> None:
    """The time zone a payload was ingested with is the one a rebuild reads it with."""
    run("ingest", "--timezone", "America/New_York", str(LETTER_DUMP))
    before = json.loads(run("export").stdout)
    with sqlite3.connect(archive / "archive.db") as db:
        (options,) = db.execute("SELECT options FROM snapshots").fetchone()
    assert json.loads(options)["timezone"] == "America/New_York"
    run("reindex", "--from-snapshots")
    after = json.loads(run("export").stdout)
    assert [r["published"] for r in after] == [r["published"] for r in before]
