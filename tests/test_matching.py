"""Which stored article a new part joins: URLs, guids, fingerprints, sketches.

Real archives carry the same paragraph in many articles (a sign-off, a
paywall notice) and the same short text at several URLs; neither may merge
articles that are not one, nor make a lookup cost more as the archive grows.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest
from conftest import (
    COUNCILS_DUMP,
    FEED_DUMP,
    LETTER_DUMP,
    PAY_SCALES_DUMP,
    PAY_SCALES_URL,
    UNTITLED_DUMP,
    Runner,
    make_runner,
    records,
)
from test_archive import by_url, comparable

from newsarchive.ingest.models import Article
from newsarchive.ingest.readers import distinct_keys, parse_payload
from newsarchive.ingest.sources.common import SourceContext
from newsarchive.ingest.store import MAX_KEY_HOLDERS, ArchiveStore

STUB = (
    "This article is available to subscribers only. Log in or subscribe today to read the whole of "
    "this story and every other story in our archive without limits of any kind at all."
)


def rss(items: Sequence[tuple[str, str, str, str | None]]) -> str:
    """An RSS 2.0 feed of (title, link, body, guid) items, a day apart."""
    entries = []
    for n, (title, link, body, guid) in enumerate(items, start=1):
        guid_tag = f"<guid isPermaLink='false'>{escape(guid)}</guid>" if guid else ""
        entries.append(
            f"<item><title>{escape(title)}</title><link>{escape(link)}</link>{guid_tag}"
            f"<pubDate>Mon, {n:02d} Jan 2024 10:00:00 +0000</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>https://news.example.org/</link><description>d</description>{''.join(entries)}</channel></rss>"
    )


TWO_STUBS = [
    ("Council cuts children's services budget", "https://news.example.org/a/", STUB, None),
    ("Court rules on deprivation of liberty", "https://news.example.org/b/", STUB, None),
]


def titles_by_url(run: Runner) -> dict[str | None, list[str | None]]:
    found: dict[str | None, list[str | None]] = {}
    for record in records(run):
        found.setdefault(record["url"], []).append(record["title"])
    return found


def test_text_at_two_urls_does_not_merge_them(run: Runner, tmp_path: Path) -> None:
    """A page without a URL whose text two articles carry joins neither: before,
    it merged the two into one and the second article's record was gone."""
    (tmp_path / "feed.xml").write_text(rss(TWO_STUBS), encoding="utf-8")
    (tmp_path / "stub.txt").write_text(STUB + "\n", encoding="utf-8")
    run("ingest", str(tmp_path / "feed.xml"))
    result = run("ingest", str(tmp_path / "stub.txt"))
    assert result.stderr.strip().splitlines()[-1].startswith("added 1, updated 0,")
    found = titles_by_url(run)
    assert found["https://news.example.org/a/"] == ["Council cuts children's services budget"]
    assert found["https://news.example.org/b/"] == ["Court rules on deprivation of liberty"]
    assert len(records(run)) == 3


def test_text_first_then_two_urls_keeps_both(tmp_path: Path) -> None:
    """The other order: the page joins the first article at a URL, and the
    second stays an article of its own."""
    run = make_runner(tmp_path / "archive")
    (tmp_path / "feed.xml").write_text(rss(TWO_STUBS), encoding="utf-8")
    (tmp_path / "stub.txt").write_text(STUB + "\n", encoding="utf-8")
    run("ingest", str(tmp_path / "stub.txt"))
    run("ingest", str(tmp_path / "feed.xml"))
    found = titles_by_url(run)
    assert set(found) == {"https://news.example.org/a/", "https://news.example.org/b/"}
    assert all(len(titles) == 1 for titles in found.values())


def test_repeated_guid_at_two_urls_gives_two_articles(run: Runner, tmp_path: Path) -> None:
    """Feeds and exports repeat guids by mistake, even within one file: each
    item stays an article of its own (the second replaced the first's part)."""
    items = [
        ("First", "https://news.example.org/first/", "One story about councils and their budgets. " * 5, "p=1"),
        ("Second", "https://news.example.org/second/", "Another story about courts and the law. " * 5, "p=1"),
    ]
    (tmp_path / "feed.xml").write_text(rss(items), encoding="utf-8")
    run("ingest", str(tmp_path / "feed.xml"))
    assert titles_by_url(run) == {
        "https://news.example.org/first/": ["First"],
        "https://news.example.org/second/": ["Second"],
    }


def words(rng: random.Random, n: int) -> str:
    return " ".join(f"w{rng.randrange(100_000)}" for _ in range(n))


def test_page_finds_its_feed_item_among_articles_sharing_a_sign_off(run: Runner, tmp_path: Path) -> None:
    """Sixty feed items end with one long sign-off, so some of their sketch keys
    are the sign-off's and held by all of them (stop keys).  A page dump of
    one item that lost a paragraph still joins that item, and only it."""
    rng = random.Random(7)
    sign_off = words(rng, 120)
    bodies = [f"{words(rng, 150)}\n\n{words(rng, 150)}\n\n{words(rng, 150)}\n\n{sign_off}" for _ in range(60)]
    items = [(f"Story {n}", f"https://news.example.org/{n}/", body, None) for n, body in enumerate(bodies)]
    (tmp_path / "feed.xml").write_text(rss(items), encoding="utf-8")
    run("ingest", str(tmp_path / "feed.xml"))
    paragraphs = bodies[17].split("\n\n")
    page = "Story 17\n\n" + "\n\n".join([paragraphs[0], paragraphs[2], paragraphs[3]]) + "\n"
    (tmp_path / "page.txt").write_text(page, encoding="utf-8")
    result = run("ingest", str(tmp_path / "page.txt"))
    assert result.stderr.strip().splitlines()[-1].startswith("added 0, updated 1,")
    (joined,) = [r for r in records(run) if len(r["sources"]) == 2]
    assert joined["url"] == "https://news.example.org/17/"
    assert len(records(run)) == 60


def store_with(tmp_path: Path, holders: int) -> ArchiveStore:
    """``holders`` articles hold band:common; one of them, "twin", also holds
    band:a and band:b; "copy" holds band:a, band:b and band:c."""
    store = ArchiveStore(tmp_path / "archive")
    with store.transaction():
        for n in range(holders - 1):
            store.put_article(Article(id=f"boiler{n:03d}"), "d", ["band:common", f"band:own{n}"])
        store.put_article(Article(id="twin"), "d", ["band:common", "band:a", "band:b"])
        store.put_article(Article(id="copy"), "d", ["band:a", "band:b", "band:c"])
    return store


@pytest.mark.parametrize(
    ("holders", "expected"), [(MAX_KEY_HOLDERS, {"copy", "twin"}), (MAX_KEY_HOLDERS + 1, {"copy"})]
)
def test_a_key_held_by_too_many_articles_counts_for_nothing(tmp_path: Path, holders: int, expected: set[str]) -> None:
    store = store_with(tmp_path, holders)
    query = ["band:common", "band:a", "band:b", "band:c"]
    assert store.find_by_keys(query, min_shared=3) == expected
    # the cap counts articles, not the times a key is named
    assert store.find_by_keys([*query, "band:common"], min_shared=3) == expected


def test_lookup_ranks_by_keys_shared_then_id(tmp_path: Path) -> None:
    store = store_with(tmp_path, 3)
    assert store.find_by_keys(["band:a", "band:b", "band:c"], min_shared=2, limit=1) == {"copy"}
    assert store.find_by_keys(["band:a", "band:b"], min_shared=2, limit=1) == {"copy"}  # a tie: lower id
    assert store.find_by_keys(["band:a", "band:c"], min_shared=3) == set()


def test_parts_of_one_source_get_keys_of_their_own() -> None:
    ctx = SourceContext(origin="feed.xml", fetched_at="2024-01-01T00:00:00+00:00", sha256="0" * 64)
    parts = [ctx.part("feed", "p=1", url=url) for url in ("https://a/", "https://b/", "https://a/", "https://b/")]
    parts.append(ctx.part("feed", "p=2", url="https://c/"))
    keys = [part.key for part in distinct_keys(parts)]
    assert keys == ["p=1", "p=1 https://b/", "p=1 https://a/", "p=1 #3", "p=2"]


def teaser_feed(path: Path, tails: bool = False) -> Path:
    """The corpus's feed as a site set to WordPress's "Summary" would serve it:
    each item's excerpt, never its body; with ``tails``, each excerpt ends
    as many themes and Yoast SEO make it end."""
    ctx = SourceContext(origin=str(FEED_DUMP), fetched_at="2025-04-01T00:00:00+00:00", sha256="0" * 64)
    items = []
    for p in parse_payload(FEED_DUMP.read_bytes(), ctx):
        title, url, summary = escape(p.title or ""), escape(p.url or ""), escape(p.summary or "")
        if tails:
            summary = (
                f"<p>{summary} &#8230; <a href='{url}'>Continue reading <span>{title}</span> &#8594;</a></p>"
                f"<p>The post <a href='{url}'>{title}</a> appeared first on "
                "<a href='https://www.communitycare.co.uk'>Community Care</a>.</p>"
            )
        items.append(
            f"<item><title>{title}</title><link>{url}</link>"
            f"<pubDate>{format_datetime(datetime.fromisoformat(p.published or ''))}</pubDate>"
            f"<description>{escape(summary)}</description></item>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Community Care</title>'
        f"<link>https://www.communitycare.co.uk/</link><description>d</description>{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )
    return path


PAGES = [UNTITLED_DUMP, COUNCILS_DUMP, PAY_SCALES_DUMP, LETTER_DUMP]


def test_teaser_feed_and_its_pages_make_one_record_each(tmp_path: Path) -> None:
    """A feed of excerpts shares too little of a page's text for the sketch:
    the lead key finds the page (14 records before, 11 now, as with the
    full feed), whichever comes first."""
    feed = teaser_feed(tmp_path / "teasers.xml")
    runs = {}
    for feed_first in (True, False):
        run = make_runner(tmp_path / f"archive-{feed_first}")
        for source in [feed, *PAGES] if feed_first else [*PAGES, feed]:
            run("ingest", str(source))
        runs[feed_first] = comparable(records(run))
    assert runs[True] == runs[False]
    assert len(runs[True]) == 11
    assert sum(len(r["sources"]) == 2 for r in runs[True]) == 3
    pay = by_url(runs[True])[PAY_SCALES_URL]
    assert {s["kind"] for s in pay["sources"]} == {"feed", "text-page"}
    assert pay["summary"] and pay["body"].startswith(pay["summary"][:60])
    assert len(pay["body"].split()) > 1000 and pay["polls"] and pay["comments"]


def test_teasers_lose_their_read_more_links_and_still_meet_their_pages(run: Runner, tmp_path: Path) -> None:
    """ "… Continue reading <title>" and "The post <title> appeared first on
    <site>." are the feed's, not the article's: left in, every article would
    match a search for the site's name, and a teaser less of its page."""
    run("ingest", str(teaser_feed(tmp_path / "teasers.xml", tails=True)), *map(str, PAGES))
    found = records(run)
    assert len(found) == 11 and sum(len(r["sources"]) == 2 for r in found) == 3
    for record in found:
        text = f"{record['summary']} {record['body']}"
        assert "appeared first" not in text and "Continue reading" not in text
    teasers = [r for r in found if len(r["sources"]) == 1 and r["url"]]
    assert len(teasers) == 7 and all(r["summary"].endswith(" …") for r in teasers)
    assert json.loads(run("search", "appeared first", "--json").stdout)["hits"] == []


def test_teaser_that_is_the_page_standfirst(tmp_path: Path) -> None:
    run = make_runner(tmp_path / "archive")
    run("ingest", str(COUNCILS_DUMP))
    (page,) = records(run)
    item = ("Councils urged to test", "https://news.example.org/councils/", page["standfirst"], None)
    (tmp_path / "feed.xml").write_text(rss([item]), encoding="utf-8")
    result = run("ingest", str(tmp_path / "feed.xml"))
    assert result.stderr.strip().splitlines()[-1].startswith("added 0, updated 1,")
    (merged,) = records(run)
    assert merged["url"] == "https://news.example.org/councils/" and merged["body"] == page["body"]


def test_a_stock_opening_is_not_a_teaser(run: Runner, tmp_path: Path) -> None:
    """Two texts that start alike but go on differently stay apart."""
    opening = "Welcome to this week's round-up of the social work news stories that you might have missed"
    rng = random.Random(3)
    item = ("Round-up", "https://news.example.org/round-up-1/", f"{opening}: {words(rng, 40)}", None)
    (tmp_path / "feed.xml").write_text(rss([item]), encoding="utf-8")
    (tmp_path / "page.txt").write_text(f"Round-up\n\n{opening}: {words(rng, 300)}\n", encoding="utf-8")
    run("ingest", str(tmp_path / "feed.xml"))
    run("ingest", str(tmp_path / "page.txt"))
    assert len(records(run)) == 2


def test_an_archive_from_before_lead_keys_gets_them(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    run = make_runner(archive)
    run("ingest", str(teaser_feed(tmp_path / "teasers.xml")))
    db = sqlite3.connect(archive / "archive.db")
    assert db.execute("SELECT count(*) FROM keys WHERE key LIKE 'lead:%'").fetchone()[0] == 10
    with db:  # as an older version left it
        db.execute("DELETE FROM keys WHERE key LIKE 'lead:%'")
        db.execute("DROP TABLE upgrades")
    db.close()
    result = run("ingest", str(PAY_SCALES_DUMP))
    assert result.stderr.strip().splitlines()[-1].startswith("added 0, updated 1,")
    assert len(records(run)) == 10


def test_an_id_noted_before_a_merge_still_finds_its_article(run: Runner, tmp_path: Path) -> None:
    """A page dump's id (from its text) gives way to its feed item's (from its
    URL), and that one to the item's next URL when the site renames the
    page; the ids someone noted on the way keep finding the article."""
    run("ingest", str(PAY_SCALES_DUMP))
    (dump,) = records(run)
    assert dump["id"].startswith("t")
    ctx = SourceContext(origin=str(FEED_DUMP), fetched_at="2025-04-01T00:00:00+00:00", sha256="0" * 64)
    (item,) = [p for p in parse_payload(FEED_DUMP.read_bytes(), ctx) if p.url == PAY_SCALES_URL]
    feed = tmp_path / "feed.xml"
    noted = [dump["id"], dump["id"][:8]]
    for url in (PAY_SCALES_URL, PAY_SCALES_URL.replace("/2023/02/08/", "/2023/02/09/")):
        feed.write_text(rss([(item.title or "", url, item.body, "https://www.communitycare.co.uk/?p=1")]), "utf-8")
        run("ingest", str(feed))
        (record,) = records(run)
        assert record["url"] == url
        for old in noted:
            assert json.loads(run("show", old, "--json").stdout)["id"] == record["id"]
        noted.append(record["id"])
    assert len({dump["id"], *noted[2:]}) == 3  # a new id at each step


def test_posts_without_urls_sharing_boilerplate_stay_apart(tmp_path: Path) -> None:
    """Four blog posts saved as page files without canonical URLs: short texts of
    their own, the same long site footer, a poll each.  Shared boilerplate must not
    join them (it made three records of four, and lost a poll)."""
    # a long closing section every post of the site carries (varied prose, which cleaning keeps)
    from conftest import LETTER_DUMP, make_runner

    footer = " ".join(" ".join(LETTER_DUMP.read_text("utf-8").split("\n\n")[3:]).split()[:300])
    topics = ["kinship carers", "adult safeguarding", "youth justice", "fostering allowances"]
    folder = tmp_path / "posts"
    folder.mkdir()
    for n, topic in enumerate(topics):
        own = f"This post is about {topic}. " + f"Our view on {topic} differs from last year's, number {n}. " * 3
        (folder / f"post-{n}.txt").write_text(
            f"Our thoughts on {topic}\n\n{own}\n\nPoll: What do you think about {topic}?\n\n"
            f"  • Agree ({40 + n}%, {10 + n} Votes)\n  • Disagree ({60 - n}%, {20 - n} Votes)\n\n"
            f"Total Voters: {30 + n}\n\n{footer}\n"
        )
    run = make_runner(tmp_path / "archive")
    run("ingest", str(folder))
    records = json.loads(run("export").stdout)
    assert len(records) == 4
    assert sorted(len(r["polls"]) for r in records) == [1, 1, 1, 1]
    assert sorted(r["polls"][0]["total_voters"] for r in records) == [30, 31, 32, 33]
