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


EXPECTED = re.compile(
    r"^(?:not bozo and )?entries\[0\]\['(?P<field>title|link)'\] == (?P<value>u?'[^']*'|u?\"[^\"]*\")$"
)


def test_titles_and_links_agree_with_feedparsers_expectations() -> None:
    """Where a fixture states its first entry's title or link, our record says the same
    (a title with markup compared as the text a reader sees)."""
    import ast
    import hashlib

    from bs4 import BeautifulSoup

    from newsarchive.ingest.errors import SourceError
    from newsarchive.ingest.readers import parse_payload
    from newsarchive.ingest.sources.common import SourceContext

    root = realworld("feeds-feedparser")
    checked = 0
    for line in (root / "EXPECTATIONS.jsonl").read_text().splitlines():
        row = json.loads(line)
        match = EXPECTED.match(row["expect"].strip())
        if not match:
            continue
        data = (root / row["path"]).read_bytes()
        try:
            parts = parse_payload(
                data, SourceContext(row["path"], "2026-01-01T00:00:00+00:00", hashlib.sha256(data).hexdigest())
            )
        except SourceError as exc:
            assert exc.reason == "no-article", row["path"]  # an entry with a link and nothing else is no article
            continue
        expected = ast.literal_eval(match["value"].lstrip("u"))
        if match["field"] == "title":
            import feedparser

            kind = feedparser.parse(data).entries[0].title_detail.type
            # markup and entities as a reader sees them; plain text as it is
            text = expected if kind == "text/plain" else BeautifulSoup(expected, "html.parser").get_text(" ")
            assert " ".join((parts[0].title or "").split()) == " ".join(text.split()), row["path"]
        else:
            assert parts[0].url == expected, row["path"]
        checked += 1
    assert checked >= 15


def test_stored_text_is_clean_where_the_source_was_decodable(run: Runner) -> None:
    """No U+FFFD and no mojibake in what was stored, but for fixtures whose encoding
    only an HTTP header (which a file does not carry) or invalid bytes explain."""
    from ftfy import badness

    root = realworld("feeds-feedparser")
    excused = set()
    for line in (root / "EXPECTATIONS.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["http_headers"] or "invalid" in row["description"].lower():
            excused.add(row["path"].split("/")[-1])
    _, records = ingest_folder(run, "feeds-feedparser", "tests")
    dirty = []
    for record in records:
        text = json.dumps({k: record[k] for k in ("title", "summary", "body")}, ensure_ascii=False)
        if "\ufffd" in text or badness.is_bad(text):
            dirty.append({s["origin"].split("/")[-1] for s in record["sources"]})
    assert all(origins & excused for origins in dirty), dirty
