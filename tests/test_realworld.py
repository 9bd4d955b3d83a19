"""Third-party material from ../shared/realworld goes through ingest without a traceback.

Each folder is ingested as a directory through the real command line; every
skipped file gets one line naming it, and the rest land in the archive.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import Runner, realworld

SKIP_LINE = re.compile(r"^newsarchive: skipped \S.*: .+$")
SUMMARY = re.compile(r"^added \d+, updated \d+, unchanged \d+, not-modified \d+, failed \d+( \(.+\))?$")


def ingest_folder(run: Runner, *parts: str) -> tuple[list[str], list[dict]]:
    folder = realworld(*parts)
    result = run("ingest", str(folder), expect=None)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert SUMMARY.match(lines[-1]), lines[-1]
    for line in lines[:-1]:
        assert SKIP_LINE.match(line), line
    return lines, json.loads(run("export").stdout)


def test_feedparser_fixtures(run: Runner) -> None:
    lines, records = ingest_folder(run, "feeds-feedparser", "tests")
    assert len(records) >= 30  # most fixtures test channel elements and hold no item
    for record in records:
        assert "\x1b" not in json.dumps(record)


def test_wordpress_export(run: Runner) -> None:
    _, records = ingest_folder(run, "feeds-wordpress-wxr")
    titles = {r["title"] for r in records}
    assert "Template: Comments" in titles
    assert "Ελληνικά-Greek" in titles or any("Greek" in (t or "") for t in titles)


def test_article_pages(run: Runner) -> None:
    lines, records = ingest_folder(run, "articles-trafilatura", "tests")
    assert len(lines) == 1  # no page is skipped
    expected = json.loads(realworld("articles-trafilatura", "expected_evaldata_subset.json").read_text())
    by_url = {r["url"]: r for r in records if r["url"]}
    found = sum(1 for url in expected if url in by_url)
    assert found >= 50, f"only {found} of {len(expected)} pages kept their canonical URL"


@pytest.mark.parametrize("name", ["feed1.atom", "feed2.rss", "utf8.html"])
def test_trafilatura_resources(run: Runner, name: str) -> None:
    path = realworld("articles-trafilatura", "tests", "resources", name)
    result = run("ingest", str(path), expect=None)
    assert "Traceback" not in result.output
