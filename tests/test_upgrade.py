"""An archive written by an older version is upgraded, never crashed on."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

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
    (hit,) = json.loads(run("search", "dashboard", "--json").stdout)
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
    assert (archive / "index" / "newsarchive-schema").read_text() == "4\n"
    data = json.loads(run("search", "social", "--json", "--facet", "year").stdout)
    years = Counter(r["published"][:4] for r in json.loads(run("export", "social").stdout) if r["published"])
    assert data["total"] == 2 and [(f["value"], f["count"]) for f in data["facets"]["year"]] == sorted(years.items())


def test_an_index_of_utc_dates_is_searched_until_the_next_ingest_rebuilds_it(run: Runner, archive: Path) -> None:
    # Version 3 held dates in UTC, version 4 the article's own clock; the fields
    # are the same, so searching goes on across the upgrade without a reindex.
    run("ingest", str(LETTER_DUMP))
    (archive / "index" / "newsarchive-schema").write_text("3\n")
    assert json.loads(run("search", "dashboard", "--json").stdout)
    run("ingest", str(PAY_SCALES_DUMP))
    assert (archive / "index" / "newsarchive-schema").read_text() == "4\n"
    assert len(json.loads(run("search", "social", "--json").stdout)) == 2
