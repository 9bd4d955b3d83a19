"""Each input kind: the same articles as true RSS, Atom and HTML merge with the dumps.

The XML and HTML are written here from the corpus texts, the way a WordPress
site serves them, so that every reader is checked against the same articles.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import CORPUS, FEED_DUMP, PAY_SCALES_DUMP, PAY_SCALES_URL, Runner, records

from newsarchive.ingest.readers import detect_kind
from newsarchive.ingest.sources import feed_dump
from newsarchive.ingest.sources.common import SourceContext

SPAM = "极速赛车168最新开奖号码"


def dump_items() -> list:
    ctx = SourceContext(str(FEED_DUMP), "2026-01-01T00:00:00+00:00", "0" * 64)
    return feed_dump.parse(FEED_DUMP.read_text(encoding="utf-8"), ctx)


def html_paragraphs(body: str) -> str:
    return "".join(f"<p>{escape(p)}</p>\n" for p in body.split("\n\n"))


def rss(items: list, spam: str = SPAM) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:media="http://search.yahoo.com/mrss/">',
        f"<channel><title>{spam} early career framework Archives - Community Care</title>",
        "<link>http://www.communitycare.co.uk/tag/early-career-framework/</link><language>en-GB</language>",
    ]
    for item in items:
        date = item.published  # ISO; RSS wants RFC 822
        from email.utils import format_datetime

        from newsarchive.ingest.dates import parse_datetime

        out += [
            "<item>",
            f"<title>{escape(spam + ' ' + item.title)}</title><link>{item.url}</link>",
            f"<comments>{item.url}#comments</comments>",
            f"<pubDate>{format_datetime(parse_datetime(date) or datetime.now(UTC))}</pubDate>",
            "<dc:creator><![CDATA[Community Care reporter]]></dc:creator>",
            "<category><![CDATA[Children]]></category>",
            f'<guid isPermaLink="false">{item.guid}</guid>',
            f"<description><![CDATA[{item.summary}]]></description>",
            f"<content:encoded><![CDATA[{html_paragraphs(item.body)}]]></content:encoded>",
        ]
        if item.comment_count is not None:
            out.append(f"<wfw:commentRss>{item.url}feed/</wfw:commentRss>")
            out.append(f"<slash:comments>{item.comment_count}</slash:comments>")
        if item.image and item.image.url:
            out.append(f'<media:content url="{item.image.url}" medium="image"/>')
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def atom(items: list) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
        "<title>Community Care</title><id>tag:communitycare.co.uk,2025:feed</id>",
        "<updated>2025-03-24T12:01:02Z</updated>",
    ]
    for item in items:
        out += [
            "<entry>",
            f"<title>{escape(item.title)}</title>",
            f'<link rel="alternate" href="{item.url}"/><id>{item.guid}</id>',
            f"<published>{item.published}</published><updated>{item.published}</updated>",
            "<author><name>Jane Reporter</name></author><author><name>Sam Writer</name></author>",
            f'<content type="html">{escape(html_paragraphs(item.body))}</content>',
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(out).encode("utf-8")


def html_page(item, charset: str = "utf-8") -> str:
    paragraphs = html_paragraphs(item.body)
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="{charset}">
<title>{escape(item.title)} | Community Care</title>
<link rel="canonical" href="{item.url}">
<meta property="og:title" content="{escape(item.title)}">
<meta property="og:site_name" content="Community Care">
<meta property="article:published_time" content="{item.published}">
<meta name="author" content="Alex Turner">
<meta property="article:tag" content="early career framework">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "x", "datePublished": "2001-01-01"}}</script>
</head><body>
<a href="#main">Skip to main content</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news/">News</a></li><li><a href="/jobs/">Jobs</a></li></ul></nav>
<main id="main"><article><h1>{escape(item.title)}</h1>
<div class="byline">By Alex Turner</div>
<div class="entry-content">{paragraphs}</div></article>
<aside><h3>Most popular</h3><ul><li><a href="/a">Another story entirely</a></li></ul></aside></main>
<footer><p>© Mark Allen Group. All rights reserved.</p><a href="#top">Back to top</a></footer>
</body></html>"""


def test_rss_gives_the_same_articles_as_the_dump(run: Runner, tmp_path: Path) -> None:
    items = dump_items()
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(items))
    assert detect_kind(feed.read_text(encoding="utf-8")) == "feed"
    run("ingest", str(feed))
    recs = {r["url"]: r for r in records(run)}
    assert len(recs) == 10
    for item in items:
        rec = recs[item.url]
        assert rec["title"] == item.title
        assert rec["published"] == item.published
        assert rec["comment_count"] == item.comment_count
        assert rec["authors"] == ["Community Care reporter"]
        assert rec["tags"] == ["Children"]
        assert rec["site"] == "Community Care"
        assert rec["cleaning"]["spam_removed"] == [SPAM]
        assert rec["body"] == item.body
    # the dump and the page dumps fold into the same ten records, plus the letter
    result = run("ingest", str(CORPUS))
    assert "added 1," in result.stderr
    assert len(records(run)) == 11


def test_atom_with_several_authors(run: Runner, tmp_path: Path) -> None:
    items = dump_items()[:3]
    (tmp_path / "feed.atom").write_bytes(atom(items))
    run("ingest", str(tmp_path / "feed.atom"))
    recs = records(run)
    assert sorted(r["title"] for r in recs) == sorted(i.title for i in items)
    assert all(r["authors"] == ["Jane Reporter", "Sam Writer"] for r in recs)
    assert {r["published"] for r in recs} == {i.published for i in items}


def test_html_page_alone(run: Runner, tmp_path: Path) -> None:
    item = next(i for i in dump_items() if i.url == PAY_SCALES_URL)
    page = tmp_path / "page.html"
    page.write_text(html_page(item), encoding="utf-8")
    run("ingest", str(page))
    (rec,) = records(run)
    assert rec["url"] == PAY_SCALES_URL
    assert rec["title"] == item.title
    assert rec["published"] == "2023-02-08T14:51:19+00:00"
    assert rec["date_source"] == "meta"  # article:published_time beats the wrong JSON-LD date
    assert rec["authors"] == ["Alex Turner"]
    assert rec["tags"] == ["early career framework"]
    assert rec["site"] == "Community Care"
    assert rec["body"].startswith("The Department for Education (DfE) has backed a care review proposal")
    for junk in ("Skip to main content", "Most popular", "Another story", "All rights reserved", "Back to top"):
        assert junk not in rec["body"]


def test_html_page_merges_with_feed_and_dump(run: Runner, tmp_path: Path) -> None:
    item = next(i for i in dump_items() if i.url == PAY_SCALES_URL)
    page = tmp_path / "page.html"
    page.write_text(html_page(item), encoding="utf-8")
    run("ingest", str(CORPUS), str(page))
    recs = {r["url"]: r for r in records(run)}
    assert len(recs) == 11
    rec = recs[PAY_SCALES_URL]
    assert sorted(s["kind"] for s in rec["sources"]) == ["feed-dump", "html-page", "text-page"]
    assert rec["authors"] == ["Alex Turner"]  # only the page names the author
    assert len(rec["comments"]) == 10 and rec["polls"][0]["total_voters"] == 150


def test_cp1252_html_page(run: Runner, tmp_path: Path) -> None:
    item = next(i for i in dump_items() if i.url == PAY_SCALES_URL)
    page = tmp_path / "page.html"
    page.write_bytes(html_page(item, charset="windows-1252").encode("cp1252"))
    run("ingest", str(page))
    (rec,) = records(run)
    assert (
        rec["title"] == "DfE backs early career framework but rejects national pay scales for children’s social workers"
    )
    assert "\ufffd" not in json.dumps(rec, ensure_ascii=False)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"])
def test_page_dump_in_other_encodings(run: Runner, tmp_path: Path, encoding: str) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_bytes(PAY_SCALES_DUMP.read_text(encoding="utf-8").encode(encoding))
    run("ingest", str(dump))
    (rec,) = records(run)
    assert (
        rec["title"] == "DfE backs early career framework but rejects national pay scales for children’s social workers"
    )
    assert len(rec["comments"]) == 10


def test_feed_dump_items() -> None:
    items = dump_items()
    assert len(items) == 10
    assert [i.comment_count for i in items] == [7, 2, 5, 4, None, None, 1, 10, 10, 19]
    assert items[0].guid == "https://www.communitycare.co.uk/?p=216528"
    assert items[0].summary.endswith("would give new practitioners…")
    assert items[2].image.caption == "Colum Conway, chief executive, Social Work England"
    assert items[2].image.credit is None
    assert items[4].image.credit == "nd3000/Fotolia"
    assert [bool(i.polls) for i in items] == [True, False, False, True, False, False, False, False, True, False]
    assert all(not p.results_available for i in items for p in i.polls)


def test_feed_html_loses_controls_and_escapes_without_replacement_characters(run: Runner, tmp_path: Path) -> None:
    # Raw controls make the XML malformed, so feedparser's loose parser reads it;
    # lxml would turn each control into U+FFFD, and ESC's tail "[31m" would stay.
    body = "<p>Local authorities\x01 back the \x1b[31mframework\x00 for children’s services.</p>" * 3
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Controls</title>'
        "<item><title>Controls in a body</title><link>https://example.org/controls</link>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
    )
    (tmp_path / "controls.xml").write_bytes(feed.encode("utf-8"))
    run("ingest", str(tmp_path / "controls.xml"))
    (record,) = records(run)
    assert "Local authorities back the framework for children’s services." in record["body"]
    assert "\ufffd" not in record["body"] and "[31m" not in record["body"]


def test_feedparsers_cp1252_table_translates_as_its_dict_did() -> None:
    """feed_xml hands feedparser its Windows-1252 table as a string (faster to
    translate through): every code point must come out as the dict gave it."""
    import feedparser.html
    import feedparser.mixin

    from newsarchive.ingest.sources.feed_xml import _feedparser

    _feedparser()
    table = feedparser.mixin._cp1252
    assert isinstance(table, str)
    every = "".join(map(chr, range(0x110000)))
    expected = every.translate(feedparser.html._cp1252)
    assert every.translate(table) == expected
    assert "\x80\x85".translate(table) == "€…"
