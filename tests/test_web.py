"""The web front in a real headless browser (Debian's chromium, driven by Playwright):
search, facets, an article with its poll and comment thread, entity links, a CSV
download read back, the feeds page, and hostile feed content that must neither run
nor be lost.  Screenshots are saved as artefacts (NEWSARCHIVE_ARTIFACTS, else a temp dir).

Locally the tests skip, saying why, when no chromium is installed; under CI=true a
missing browser fails them (.ci/run installs it)."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from conftest import CORPUS, PAY_SCALES_URL, make_runner
from test_server import _start, _stop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PWNED = "window.__pwned"
HOSTILE = [
    ("<script>window.__pwned = 1</script>Script in a title", "javascript:window.__pwned=1"),
    ('<img src=x onerror="window.__pwned=2">Handler in a title', "data:text/html,<script>parent.__pwned=3</script>"),
    ("Broken <b><i markup & an unclosed <a href='javascript:window.__pwned=4'>link", "https://news.example/ok/"),
]


def _browser_or_skip() -> str:
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail("no chromium: .ci/run installs Debian's chromium for these tests")
    pytest.skip("no chromium on this machine (apt-get install chromium); CI installs it")


def _hostile_feed(folder: Path) -> Path:
    from xml.sax.saxutils import escape

    items = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<guid>hostile-{n}</guid><pubDate>Mon, 0{n + 1} Apr 2024 09:00:00 +0000</pubDate>"
        f"<dc:creator>{escape('<script>window.__pwned=9</script>Eve')}</dc:creator>"
        f"<description>{escape(f'<p onclick=window.__pwned=5>Hostile story {n} about zebrafish number {n}.</p>')}"
        f"{escape(f'<p>Its own second paragraph, {n * 7919} words on council item {n} alone.</p>')}"
        "</description></item>"
        for n, (title, link) in enumerate(HOSTILE)
    )
    path = folder / "hostile.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Hostile</title><link>https://news.example/</link>{items}</channel></rss>"
    )
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("web")
    archive = folder / "archive"
    run = make_runner(archive)
    run("ingest", "-q", str(CORPUS), str(_hostile_feed(folder)))
    run("feeds", "add", "http://127.0.0.1:9/feed/", "--name", "Broken <b>feed</b>", "--no-check")
    process, url = _start(archive)
    yield archive, url
    _stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    context.close()
    assert not errors, errors  # no script ran, so none failed


def _artefact(page: Any, name: str) -> None:
    folder = Path(
        os.environ.get("NEWSARCHIVE_ARTIFACTS") or Path(os.environ.get("TMPDIR", "/tmp")) / "newsarchive-artifacts"
    )
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_search_a_phrase_then_narrow_it_with_a_facet(site: tuple[Path, str], page: Any) -> None:
    _, url = site
    page.goto(url + "/")
    page.fill("input[name=q]", '"early career"')
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("li.hit")
    count = page.inner_text("p.count")
    assert "of" in count and page.locator("li.hit").count() >= 5
    assert page.locator("li.hit mark").count() >= 3  # the phrase highlighted in the snippets
    _artefact(page, "search.png")
    total = int(count.split(" of ")[1].split()[0])
    facet = page.locator("aside.facets section:has(h3:text('Year')) a").first
    year = facet.inner_text()
    facet.click()
    page.wait_for_selector("p.count")
    assert f"date:{year}" in unquote_plus(page.url)  # the whole state is in the URL
    narrowed = int(page.inner_text("p.count").split(" of ")[1].split()[0])
    assert 0 < narrowed < total
    assert all(line.startswith(year) for line in page.locator("li.hit time").all_inner_texts())


def test_an_article_with_its_poll_and_comments_and_an_entity_link(site: tuple[Path, str], page: Any) -> None:
    from newsarchive import Archive

    archive, url = site
    with Archive.open(archive) as opened:
        article = opened.resolve(PAY_SCALES_URL)
    page.goto(f"{url}/article/{article.id}")
    assert page.inner_text("h1") == article.title
    (poll,) = article.polls
    meters = page.locator("section.poll meter")
    assert meters.count() == len(poll.options)
    assert [float(m.get_attribute("value")) for m in meters.all()] == [o.percent or 0 for o in poll.options]
    assert page.locator("section.poll .label").all_inner_texts() == [o.label for o in poll.options]
    comments = page.locator("section.comments li.comment")
    assert comments.count() == len(article.comments)
    depths = [int(c.get_attribute("class").split("depth-")[1]) for c in comments.all()]
    assert depths == [min(c.depth, 8) for c in article.comments] and max(depths) >= 1  # a reply is indented
    indent = [c.bounding_box()["x"] for c in comments.all()]
    assert indent[depths.index(1)] > indent[depths.index(0)]
    _artefact(page, "article.png")
    link = page.locator("section.entities a").first
    name = link.inner_text()
    link.click()
    page.wait_for_selector("p.count")
    assert name in unquote_plus(page.url) and page.locator("li.hit").count() >= 1


def test_the_timeline_and_a_csv_download(site: tuple[Path, str], page: Any) -> None:
    from newsarchive import Archive

    archive, url = site
    page.goto(url + "/timeline?q=framework&by=year")
    bars = page.locator("svg a")
    assert bars.count() >= 2
    _artefact(page, "timeline.png")
    with Archive.open(archive) as opened:
        expected = opened.search("framework").total
    assert f"{expected} articles" in page.inner_text("p.count")
    page.goto(url + "/?q=framework")
    with page.expect_download() as waiting:
        page.click("text=CSV")
    rows = list(csv.DictReader(io.StringIO(Path(waiting.value.path()).read_text("utf-8"))))
    assert len(rows) == expected and all(row["id"] for row in rows)


def test_the_feeds_page(site: tuple[Path, str], page: Any) -> None:
    _, url = site
    page.goto(url + "/feeds")
    row = page.locator("table.feeds tbody tr")
    assert row.count() == 1 and "Broken <b>feed</b>" in row.inner_text()  # shown as text, not markup


def test_hostile_feed_content_never_runs_and_is_never_lost(site: tuple[Path, str], page: Any) -> None:
    _, url = site
    page.goto(url + "/?q=zebrafish")
    page.wait_for_selector("li.hit")
    assert page.locator("li.hit").count() == len(HOSTILE)
    shown = page.inner_text("ol.hits")
    for word in ("Script in a title", "Handler in a title", "Broken", "markup"):
        assert word in shown  # the text is kept, as text
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    hrefs = [a.get_attribute("href") or "" for a in page.locator("a").all()]
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    for href in [a.get_attribute("href") for a in page.locator("li.hit h2 a").all()]:
        page.goto(url + href)
        assert page.evaluate(PWNED) is None
        assert page.locator("script").count() == 0
        assert "Eve" in page.inner_text("p.meta")  # the author, escaped, kept
    page.goto(url + "/?q=zebrafish")
    page.locator("li.hit p.snippet").first.click()
    assert page.evaluate(PWNED) is None
    _artefact(page, "hostile.png")


def test_the_feeds_page_lists_the_last_runs(site: tuple[Path, str], page: Any) -> None:
    archive, url = site
    make_runner(archive)("ingest", "-q", str(CORPUS))  # a second run, nothing new
    page.goto(url + "/feeds")
    rows = page.locator("table.runs tbody tr")
    assert rows.count() >= 2
    newest = rows.first.locator("td").all_inner_texts()
    assert newest[2] == "0" and newest[4] == "14"  # added 0, unchanged 14: the run just made
