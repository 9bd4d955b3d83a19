"""Feeds and pages of the wider web (issue: every real item kept, and kept right),
each case rebuilt as a small fixture of our own."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import Runner

BODY = "A paragraph long enough to be an article about the council and its social workers, number {n}. " * 4


def _rss(items: str, extra_ns: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"{extra_ns}><channel><title>Show</title>'
        f"<link>https://podcast.example/</link>{items}</channel></rss>"
    )


def _records(run: Runner) -> list[dict]:
    return json.loads(run("export").stdout)


def test_items_sharing_a_link_but_not_a_guid_stay_apart(run: Runner, tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Episode {n}: a talk about case {n}</title><link>https://podcast.example/</link>"
        f"<guid isPermaLink='false'>episode-{n}</guid><description>{BODY.format(n=n)}</description></item>"
        for n in range(12)
    )
    feed = tmp_path / "podcast.xml"
    feed.write_text(_rss(items))
    run("ingest", str(feed))
    records = _records(run)
    assert len(records) == 12 and {r["url"] for r in records} == {None}


def test_a_feed_cut_after_its_last_complete_item_keeps_them(run: Runner, tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Story {n}</title><link>https://news.example/{n}/</link><guid>s{n}</guid>"
        f"<description>{BODY.format(n=n)}</description></item>"
        for n in range(3)
    )
    cut = _rss(items).replace("</channel></rss>", "")
    cut = cut[: cut.rindex("<item>") + 40]  # the third item cut off half way
    feed = tmp_path / "cut.xml"
    feed.write_text(cut)
    result = run("ingest", str(feed))  # exit 0: nothing that could be had was lost
    assert "added 2" in result.stderr and "warnings 1 (truncated-feed: 1)" in result.stderr
    assert "its 2 complete items were kept" in result.stderr
    assert sorted(r["title"] for r in _records(run)) == ["Story 0", "Story 1"]


def test_dates_in_other_languages_utc_minus_zero_and_placeholders(run: Runner, tmp_path: Path) -> None:
    dates = {
        "pt": "Seg, 24 Set 2018 19:42:40 -0300",
        "de": "Mi, 05 Mär 2025 10:00:00 +0100",
        "utc": "Fri, 22 Sep 2023 16:30:15 -0000",
    }
    items = "".join(
        f"<item><title>Dated {key}</title><link>https://news.example/2019/11/19/{key}/</link><guid>{key}</guid>"
        f"<pubDate>{value}</pubDate><description>{BODY.format(n=key)}</description></item>"
        for key, value in dates.items()
    )
    feed = tmp_path / "dates.xml"
    feed.write_text(_rss(items))
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Placeholder date story</title>"
        '<link rel="canonical" href="https://news.example/2019/11/19/placeholder/">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Placeholder date story",'
        ' "datePublished": "0001-01-01T00:00:00Z"}</script></head><body><article><h1>Placeholder date story</h1>'
        f"<p>{BODY.format(n='p')}</p></article></body></html>"
    )
    run("ingest", str(feed), str(page))
    published = {r["title"]: r["published"] for r in _records(run)}
    assert published["Dated pt"] == "2018-09-24T19:42:40-03:00"
    assert published["Dated de"] == "2025-03-05T10:00:00+01:00"
    assert published["Dated utc"] == "2023-09-22T16:30:15+00:00"
    assert published["Placeholder date story"].startswith("2019-11-19")  # the URL's date, not year 1


def test_feedburner_origlink_and_relative_atom_links(run: Runner, tmp_path: Path) -> None:
    proxied = tmp_path / "feedburner.xml"
    proxied.write_text(
        _rss(
            "<item><title>Proxied story</title><link>http://feedproxy.google.com/~r/News/~3/abc/</link>"
            "<feedburner:origLink>https://news.example/2024/01/02/story/</feedburner:origLink>"
            f"<guid>p1</guid><description>{BODY.format(n=1)}</description></item>",
            ' xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"',
        )
    )
    atom = tmp_path / "releases.atom"
    atom.write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Releases</title>'
        '<link href="https://code.example/project/releases"/><id>tag:code.example,2024:r</id>'
        + "".join(
            f"<entry><title>Release v3.9.{n}</title><id>tag:code.example,2024:{n}</id>"
            f'<link rel="alternate" href="/project/releases/tag/v3.9.{n}"/>'
            f"<updated>2024-06-0{n + 1}T00:00:00Z</updated>"
            f"<content type='html'>{escape(BODY.format(n=n))}</content></entry>"
            for n in range(3)
        )
        + "</feed>"
    )
    run("ingest", str(proxied), str(atom))
    urls = {r["title"]: r["url"] for r in _records(run)}
    assert urls["Proxied story"] == "https://news.example/2024/01/02/story/"
    assert urls["Release v3.9.0"] == "https://code.example/project/releases/tag/v3.9.0"
    assert len([u for u in urls.values() if u and "/releases/tag/" in u]) == 3


def test_json_feed_1_and_1_1_are_read_as_feeds(run: Runner, tmp_path: Path) -> None:
    one_one = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Example JSON News",
        "home_page_url": "https://json.example/",
        "authors": [{"name": "Desk"}],
        "items": [
            {
                "id": "j1",
                "url": "/2024/05/01/first/",
                "title": "First JSON story about councils",
                "content_html": f"<p>{BODY.format(n='j1')}</p>",
                "date_published": "2024-05-01T09:30:00+01:00",
                "authors": [{"name": "Ann Writer"}],
                "tags": ["councils"],
            },
            {"id": "j2", "url": "https://json.example/second/", "title": "Second", "content_text": BODY.format(n=2)},
        ],
    }
    one_oh = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Old JSON",
        "items": [
            {
                "id": "o1",
                "url": "https://old.example/o1/",
                "title": "Version one story",
                "summary": BODY.format(n="o1"),
                "author": {"name": "Bo Author"},
            }
        ],
    }
    (tmp_path / "feed.json").write_text(json.dumps(one_one))
    (tmp_path / "old.json").write_text(json.dumps(one_oh))
    run("ingest", str(tmp_path / "feed.json"), str(tmp_path / "old.json"))
    records = {r["title"]: r for r in _records(run)}
    first = records["First JSON story about councils"]
    assert first["url"] == "https://json.example/2024/05/01/first/"
    assert first["published"] == "2024-05-01T09:30:00+01:00" and first["authors"] == ["Ann Writer"]
    assert first["tags"] == ["councils"] and "number j1" in first["body"]
    assert records["Second"]["authors"] == ["Desk"]  # the feed's author when the item names none
    assert records["Version one story"]["authors"] == ["Bo Author"]
    assert {s["kind"] for r in records.values() for s in r["sources"]} == {"json-feed"}


def test_stubs_and_data_files_are_not_articles_and_walks_filter(run: Runner, tmp_path: Path) -> None:
    from conftest import LETTER_DUMP

    folder = tmp_path / "mixed"
    (folder / "drafts").mkdir(parents=True)
    (folder / "moved.html").write_text(
        "<html><head><title>Object Moved</title></head><body><h1>Object Moved</h1>"
        'This document may be found <a href="/x">here</a></body></html>'
    )
    (folder / "councils.csv").write_text("name,code\nKent,E10000016\nSurrey,E10000030\n")
    (folder / "org.json").write_text(json.dumps({"@type": "ORGANIZATION", "name": "Example"}))
    (folder / "settings.yaml").write_text("name: example\nlist:\n  - a\n")
    (folder / "letter.txt").write_bytes(LETTER_DUMP.read_bytes())
    (folder / "drafts" / "draft.txt").write_bytes(LETTER_DUMP.read_bytes().replace(b"Social", b"Draft", 1))
    result = run("ingest", str(folder), "--exclude", "drafts/*", expect=1)
    skipped = [line for line in result.stderr.splitlines() if line.startswith("newsarchive: skipped")]
    assert len(skipped) == 4 and all("not an article" in line for line in skipped)
    assert "(not-an-article: 4)" in result.stderr and "added 1" in result.stderr
    assert [r["title"] for r in _records(run)] and all("Object Moved" != r["title"] for r in _records(run))
    only = run("ingest", str(folder), "--include", "*.txt", "--exclude", "drafts/*")  # nothing else is read
    assert "failed 0" in only.stderr and "unchanged 1" in only.stderr


def test_mojibake_mixed_with_good_text_is_mended(run: Runner, tmp_path: Path) -> None:
    """A WordPress body with both children’s and authoritiesâ€™, and closing quotes
    whose last byte was lost (â€ then a space): none of the broken forms is stored."""
    body = (
        "<p>The children’s services of the local authoritiesâ€™ own homes were praised.</p>"
        "<p>The minister said “it was fineâ€ and that “nothing would changeâ€.</p>"
        "<p>Fees of Â£300 at the cafÃ©, said children’s charity staff, were “too highâ€ for families.</p>"
    ) * 2
    feed = tmp_path / "mixed.xml"
    feed.write_text(
        _rss(f"<item><title>Mixed forms</title><guid>m1</guid><description>{escape(body)}</description></item>")
    )
    run("ingest", str(feed))
    (record,) = _records(run)
    stored = json.dumps(record, ensure_ascii=False)
    for broken in ("â€", "Ã©", "Â£", "†"):
        assert broken not in stored, broken
    assert "authorities’ own homes" in record["body"] and "“it was fine” and" in record["body"]
    assert "£300 at the café" in record["body"] and "“too high” for" in record["body"]


def test_a_sidebar_poll_is_the_sites_not_the_articles(run: Runner, tmp_path: Path) -> None:
    def poll(question: str, votes: int) -> str:
        return (
            f"<p><strong>{question}</strong></p><ul class='wp-polls-ul'>"
            f"<li>Yes ({votes}%, {votes} Votes)</li><li>No ({100 - votes}%, {100 - votes} Votes)</li></ul>"
            f"<p>Total Voters: 100</p>"
        )

    site_poll = poll("Site poll: do you like us?", 70)
    sidebar = f"<aside id='sidebar'><div class='widget widget_polls-widget'>{site_poll}</div></aside>"
    for n, own in enumerate(["", poll("Should councils pay more?", 40)]):
        (tmp_path / f"page-{n}.html").write_text(
            f"<html><head><title>Story {n} about councils</title>"
            f'<link rel="canonical" href="https://site.example/2024/05/0{n + 1}/story-{n}/"></head><body>'
            f"<article><h1>Story {n} about councils</h1><p>{BODY.format(n=n)}</p>{own}</article>{sidebar}</body></html>"
        )
    run("ingest", str(tmp_path / "page-0.html"), str(tmp_path / "page-1.html"))
    polls = {r["title"]: [p["question"] for p in r["polls"]] for r in _records(run)}
    assert polls == {"Story 0 about councils": [], "Story 1 about councils": ["Should councils pay more?"]}
    (with_poll,) = json.loads(run("search", "has:poll", "--json").stdout)["hits"]
    assert with_poll["title"] == "Story 1 about councils"


def test_the_same_poll_on_several_articles_of_a_site_is_the_sites(run: Runner, tmp_path: Path) -> None:
    """A poll inside each article's content (no sidebar to tell), but the same on
    two articles of one site: the site's.  Taken out of the first article when
    the second arrives in a later run, never attached to a third; the same
    poll on another site, and an article's own poll, are kept (issue 19, item 12)."""

    def page(name: str, host: str, n: int, polls: list[tuple[str, int]]) -> Path:
        blocks = "".join(
            f"<p><strong>{question}</strong></p><ul class='wp-polls-ul'>"
            f"<li>Yes ({votes}%, {votes} Votes)</li><li>No ({100 - votes}%, {100 - votes} Votes)</li></ul>"
            for question, votes in polls
        )
        path = tmp_path / f"{name}.html"
        path.write_text(
            f"<html><head><title>Story {n} about councils</title>"
            f'<link rel="canonical" href="https://{host}/2024/05/0{n}/story-{n}/"></head><body>'
            f"<article><h1>Story {n} about councils</h1><p>{BODY.format(n=n)}</p>{blocks}</article></body></html>"
        )
        return path

    def polls() -> dict[str, list[str]]:
        return {r["url"]: sorted(p["question"] for p in r["polls"]) for r in _records(run)}

    running = ("Which pressure is the greatest on your team?", 60)  # results move between runs: same poll
    run("ingest", str(page("a", "site.example", 1, [running, ("Should councils pay more?", 40)])))
    run("ingest", str(page("a2", "site.example", 1, [running, ("Should councils pay more?", 40)])))  # itself again
    assert polls()["https://site.example/2024/05/01/story-1/"] == sorted([running[0], "Should councils pay more?"])
    run("ingest", str(page("b", "site.example", 2, [(running[0], 64)])))
    run("ingest", str(page("c", "site.example", 3, [(running[0], 66)])), str(page("d", "other.example", 4, [running])))
    assert polls() == {
        "https://site.example/2024/05/01/story-1/": ["Should councils pay more?"],
        "https://site.example/2024/05/02/story-2/": [],
        "https://site.example/2024/05/03/story-3/": [],
        "https://other.example/2024/05/04/story-4/": [running[0]],
    }
    found = {h["url"] for h in json.loads(run("search", "has:poll", "--json").stdout)["hits"]}
    assert found == {"https://site.example/2024/05/01/story-1/", "https://other.example/2024/05/04/story-4/"}


def test_an_archive_from_before_site_polls_loses_them_on_upgrade(
    run: Runner, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 'site-polls' migration finds the polls that several stored articles of a site
    share, takes them out, and the index follows at the same ingest."""
    import sqlite3

    from newsarchive.ingest import site_polls

    poll = (
        "<p><strong>Which pressure is the greatest?</strong></p><ul class='wp-polls-ul'>"
        "<li>Time (60%, 60 Votes)</li><li>Money (40%, 40 Votes)</li></ul>"
    )
    for n in (1, 2):
        (tmp_path / f"p{n}.html").write_text(
            f"<html><head><title>Story {n} about councils</title>"
            f'<link rel="canonical" href="https://site.example/2024/05/0{n}/s-{n}/"></head><body>'
            f"<article><h1>Story {n} about councils</h1><p>{BODY.format(n=n)}</p>{poll}</article></body></html>"
        )
    with monkeypatch.context() as before:  # as a release without the check stored them
        before.setattr(site_polls, "settle", lambda store, article, leaving=(): None)
        run("ingest", str(tmp_path / "p1.html"), str(tmp_path / "p2.html"))
    assert len(json.loads(run("search", "has:poll", "--json").stdout)["hits"]) == 2
    with sqlite3.connect(archive / "archive.db") as db:
        db.execute("DELETE FROM upgrades WHERE name = 'site-polls'")
        db.execute("DROP TABLE site_polls")
    run("ingest", str(tmp_path / "p1.html"))  # a writer: migrates, then brings the index up to date
    assert [r["polls"] for r in _records(run)] == [[], []]
    assert json.loads(run("search", "has:poll", "--json").stdout)["hits"] == []


def test_a_short_story_whose_title_opens_with_a_number_is_an_article(run: Runner, tmp_path: Path) -> None:
    page = tmp_path / "short.html"
    page.write_text(
        "<html><head><title>100 councils miss targets</title></head><body><article>"
        "<h1>100 councils miss targets</h1><p>A short item: one hundred councils missed their targets "
        "for assessments this year, figures show.</p></article></body></html>"
    )
    run("ingest", str(page))
    assert [r["title"] for r in _records(run)] == ["100 councils miss targets"]
