"""Dates, authors, polls, comments and entities: measured on the corpus, checked on made cases."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import PAY_SCALES_DUMP, ROOT, Runner, realworld, records

from newsarchive.ingest.entities import acronym_definitions, extract
from newsarchive.ingest.models import Article
from newsarchive.ingest.readers import parse_payload
from newsarchive.ingest.sources.common import SourceContext, split_authors
from newsarchive.ingest.sources.html_page import plausible_author

sys.path.insert(0, str(ROOT / "bench"))
import extraction as bench_extraction  # noqa: E402  (the benchmark is the measuring code)
import realworld as bench_realworld  # noqa: E402
import threads as bench_threads  # noqa: E402

# Floors: the figures bench/extraction.py printed when these were set, less a small margin.
FLOORS = {
    "people": {"precision": 0.95, "recall": 0.8},
    "organisations": {"precision": 0.95, "recall": 0.85},
    "councils": {"precision": 0.95, "recall": 0.75},
}


def parse_text(text: str, origin: str = "made-up", tz: str = "Europe/London") -> list:
    data = text.encode("utf-8")
    return parse_payload(data, SourceContext(origin, "2026-01-01T00:00:00+00:00", "0" * 64, timezone=tz))


def page(head: str = "", body: str = "", url: str = "https://news.example.org/2024/05/01/story/") -> str:
    paragraphs = "".join(
        f"<p>{p}</p>"
        for p in [
            "The council said it would publish its plans for children's services next month, after a long review.",
            "Campaigners welcomed the move but warned that funding remained far below what families needed.",
            "The plans will be discussed at a meeting of the cabinet, which is expected to approve them.",
            body,
        ]
        if p
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>Council publishes plans</title>'
        f'<link rel="canonical" href="{url}">{head}</head><body><article><h1>Council publishes plans</h1>'
        f"{paragraphs}</article></body></html>"
    )


# -- measured on the corpus -------------------------------------------------------------


@pytest.fixture(scope="module")
def figures() -> dict:
    return bench_extraction.measure()


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_entity_floors(figures: dict, kind: str) -> None:
    for measure, floor in FLOORS[kind].items():
        assert figures[kind][measure] >= floor, (kind, measure, figures[kind])


def test_roles_and_facts(figures: dict) -> None:
    assert figures["roles"]["share"] >= 0.75
    for fact in ("published", "polls", "comments", "comment_count"):
        assert figures[fact]["accuracy"] == 1.0, (fact, figures[fact])


def test_article_pages_floors() -> None:
    root = realworld("articles-trafilatura")
    got = bench_realworld.article_figures(root, quiet=True)
    assert got["pages"] == 68
    assert got["title"] >= 0.88 and got["date"] >= 0.85 and got["author"] >= 0.77, got
    assert got["f1"] >= 0.936 and got["comments"] >= 0.68, got  # 0.934 with favor_recall on every page


def test_recall_mode_is_a_fallback_not_the_rule() -> None:
    """trafilatura's favor_recall drew the headline, the standfirst and a hidden
    "Subscribe ... to bookmark" box into this real page's body (issue 19, item
    14); its defaults do not.  (Eight small pages of our own built to show
    the difference gave the same text in both modes: trafilatura's own
    fallbacks even them out, so the real page is the test.)"""
    page = next(realworld("articles-trafilatura", "tests").rglob("independent.co.uk.penalty.html"))
    (part,) = bench_realworld.parse(page)[:1]
    assert part.body.startswith("Anyone falsely naming an antagonist"), part.body[:200]
    assert "Subscribe to Independent Premium" not in part.body
    assert "Want to bookmark" not in part.body


# -- dates and authors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "url", "published", "source"),
    [
        (
            '<meta property="article:published_time" content="2024-05-01T09:30:00+01:00">'
            '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2020-01-01"}</script>'
            '<time datetime="2019-01-01">x</time>',
            None,
            "2024-05-01T09:30:00+01:00",
            "meta",
        ),
        (
            '<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle",'
            '"datePublished":"2024-04-30T08:00:00Z"}]}</script>',
            None,
            "2024-04-30T08:00:00+00:00",
            "json-ld",
        ),
        (
            '<meta itemprop="datePublished" content="2024-04-28T15:30:00+02:00">',
            "https://news.example.org/story-without-a-date/",
            "2024-04-28T15:30:00+02:00",
            "meta",
        ),
        ('<time datetime="2024-04-29T10:00:00+00:00">29 April</time>', None, "2024-04-29T10:00:00+00:00", "time"),
        ("", None, "2024-05-01T00:00:00+01:00", "url"),
        ("", "https://news.example.org/story-without-a-date/", None, None),
    ],
)
def test_html_date_order_of_trust(head: str, url: str | None, published: str | None, source: str | None) -> None:
    html = page(
        head,
        body="The application deadline is 4 April 2024, and the scheme runs from September 2027.",
        url=url or "https://news.example.org/2024/05/01/story/",
    )
    (part,) = parse_text(html)
    assert (part.published, part.date_source) == (published, source)


@pytest.mark.parametrize(
    "dateline",
    [
        '<span class="date">19.10.2019, 15:30 Uhr</span>',
        '<span class="byline">Published on October 19, 2019</span>',
        '<abbr class="published" title="2019-10-19">19 Oct</abbr>',
    ],
)
def test_a_dateline_in_the_page_is_the_last_resort(dateline: str) -> None:
    """No metadata, no date in the URL: the page's own dateline, as trafilatura
    (htmldate) reads it from the markup, at midnight site time."""
    (part,) = parse_text(page(body=dateline, url="https://news.example.org/story/"))
    assert (part.published, part.date_source) == ("2019-10-19T00:00:00+01:00", "dateline")


def test_future_and_text_dates_are_never_publication_dates() -> None:
    future = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    (part,) = parse_text(
        page(f'<meta property="article:published_time" content="{future}">', url="https://news.example.org/story/")
    )
    assert part.published is None
    dump = "A headline about deadlines\n\nThe deadline is 4 April 2024 for all councils to reply.\n\n" * 3
    (part,) = parse_text(dump)
    assert part.published is None


def test_updated_date() -> None:
    head = (
        '<meta property="article:published_time" content="2024-05-01T09:30:00+01:00">'
        '<meta property="article:modified_time" content="2024-05-03T12:00:00+01:00">'
    )
    (part,) = parse_text(page(head))
    assert part.updated == "2024-05-03T12:00:00+01:00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe and John Smith"], ["Jane Doe", "John Smith"]),
        (["Jane Doe, John Smith"], ["Jane Doe", "John Smith"]),
        (["Rob Picheta, CNN"], ["Rob Picheta"]),
        (["Glen Owen And Brendan Carlin For The Mail On Sunday"], ["Glen Owen", "Brendan Carlin"]),
        (["Andrew Anderson"], ["Andrew Anderson"]),
        (["View all posts by Daniel Lemire"], ["Daniel Lemire"]),
        (["Jane Doe", "jane doe"], ["Jane Doe", "jane doe"]),
    ],
)
def test_authors(raw: list[str], expected: list[str]) -> None:
    assert split_authors(raw) == expected


@pytest.mark.parametrize(
    ("head", "h1", "expected"),
    [
        # the site's name after or before the headline, as og:site_name gives it
        ('<meta property="og:title" content="Plans published - Happyface313">', "", "Plans published"),
        ('<meta property="og:title" content="Happyface313 | Plans published">', "", "Plans published"),
        ('<meta property="og:title" content="Plans published - a review">', "", "Plans published - a review"),
        ('<meta property="og:title" content="Plans published - ">', "", "Plans published"),  # the site's name left out
        # a blog prints its own name, linked home, as every page's <h1>: <title> has the headline before it
        ("<title>Plans published | Happy faces</title>", '<a href="https://x.org/">Happy faces</a>', "Plans published"),
        # ... but on a "Site | Headline" page the <h1> is the headline
        ("<title>News | Plans published</title>", "Plans published", "Plans published"),
        # a kicker in its own element of the <h1>, the headline in another
        (
            '<meta property="og:title" content="Why plans beat hopes">',
            "<span>Open Progress</span><br><span>Why plans beat hopes</span>",
            "Why plans beat hopes",
        ),
        # ... but words before the title in the <h1>'s own text are the headline's
        (
            '<meta property="og:title" content="Plans published">',
            '"Pure joy": Plans published',
            '"Pure joy": Plans published',
        ),
    ],
)
def test_titles_without_site_names_and_kickers(head: str, h1: str, expected: str) -> None:
    body = "".join(f"<p>{p} The council met again to discuss the plan in full.</p>" for p in "ABCDEF")
    site = '<meta property="og:site_name" content="Happyface313">'
    html = f"<html><head>{head if '<title>' in head else '<title>x</title>' + head}{site}</head>"
    html += f"<body><article><h1>{h1}</h1>{body}</article></body></html>"
    assert parse_text(html)[0].title == expected


def test_a_byline_is_the_articles_not_a_commenters_nor_a_teasers() -> None:
    """``.author`` also marks commenters and the bylines of other posts' teasers,
    which many themes print before the article's own byline or around it."""
    teaser = (
        '<ul class="trending"><li><a class="post" href="/other/"><span class="author">Kate May</span>'
        " Another story</a></li></ul>"
    )
    comments = (
        '<div id="comments"><ol class="commentlist"><li class="comment" id="li-comment-1">'
        '<div class="comment-body" id="comment-1"><span class="author">dottoressa</span>'
        "<p>I tried it and loved it.</p></div></li></ol></div>"
    )
    html = page(body="").replace("<article>", teaser + "<article>").replace("</article>", "</article>" + comments)
    html = html.replace("<body>", '<body class="single comments-open">')
    byline = '<div class="byline">By Florina Ionescu</div>'
    assert parse_text(html.replace("</h1>", "</h1>" + byline))[0].authors == ["Florina Ionescu"]
    comments_first = html.replace(teaser, "").replace("<article>", comments + "<article>")
    assert parse_text(comments_first.replace("</h1>", "</h1>" + byline))[0].authors == ["Florina Ionescu"]
    assert "dottoressa" not in parse_text(comments_first)[0].authors
    # a theme's own markup around a byline: an article footer, a link to the author's page
    for own in (
        '<footer class="entry-footer"><span class="author vcard">Florina Ionescu</span></footer>',
        '<a href="/author/florina/"><span class="author">Florina Ionescu</span></a>',
    ):
        assert parse_text(html.replace("</h1>", "</h1>" + own))[0].authors == ["Florina Ionescu"]


@pytest.mark.parametrize(
    ("ld_author", "expected"),
    [
        ({"@type": "Organization", "name": "News Example"}, ["Michael Hingston"]),  # the site itself
        ({"@type": "Organization", "name": "Press Association"}, ["Press Association"]),  # a real source
        ({"@type": "Person", "name": "Jane Doe"}, ["Jane Doe"]),
    ],
)
def test_json_ld_author_that_is_the_site_gives_way_to_the_byline(ld_author: dict, expected: list[str]) -> None:
    ld = {"@type": "NewsArticle", "author": ld_author, "publisher": {"@type": "Organization", "name": "News Example"}}
    site = '<meta property="og:site_name" content="News Example">'
    head = f'{site}<script type="application/ld+json">{json.dumps(ld)}</script>'
    html = page(head).replace("<h1>", '<div class="byline">By Michael Hingston</div><h1>')
    assert parse_text(html)[0].authors == expected


@pytest.mark.parametrize(
    ("name", "plausible"),
    [("Art Edwards says:", False), ("dwoz says", False), ("On August 3", False), ("June 28, 2015", False)]
    + [("Edward Said", True), ("August Wilson", True), ("Florina Ionescu", True), ("", False)],
)
def test_names_trafilatura_took_from_comment_markup_are_dropped(name: str, plausible: bool) -> None:
    assert plausible_author(name) is plausible


def test_byline_in_a_page_dump() -> None:
    text = PAY_SCALES_DUMP.read_text(encoding="utf-8").replace(
        "Group meeting\nCredit: Monkey Business/Adobe Stock\n",
        "Group meeting\nCredit: Monkey Business/Adobe Stock\n\nBy Alex Turner and Mithran Samuel\n",
    )
    (part,) = parse_text(text)
    assert part.authors == ["Alex Turner", "Mithran Samuel"]
    assert "By Alex Turner" not in part.body


def test_comment_times_in_the_site_zone(run: Runner, tmp_path: Path) -> None:
    (part,) = parse_text(PAY_SCALES_DUMP.read_text(encoding="utf-8"), tz="America/New_York")
    assert part.comments[0].published == "2023-02-09T08:36:00-05:00"
    assert part.cleaning["timezone_assumed"] == ["America/New_York"]
    dump = tmp_path / "dump.txt"
    dump.write_text(
        PAY_SCALES_DUMP.read_text(encoding="utf-8").replace("February 9, 2023 at 8:36 am", "May 30, 2019 at 1:06 PM")
    )
    run("ingest", str(dump))
    (rec,) = records(run)
    assert rec["comments"][0]["published"] == "2019-05-30T13:06:00+01:00"  # BST


# -- polls ---------------------------------------------------------------------------------

POLL_RESULTS = """<div class="wp-polls"><strong class="poll-question">Should councils get more money?</strong>
<ul class="wp-polls-ul">
<li>Yes, now <small>(41%, 212 Votes)</small><div class="pollbar" style="width: 41%;"></div></li>
<li>Not yet <small>(59%, 306 Votes)</small><div class="pollbar" style="width: 59%;"></div></li>
</ul><p>Total Voters: <strong>518</strong></p><div class="wp-polls-loading">Loading ...</div></div>"""
POLL_FORM = """<div class="wp-polls"><form><p><strong>Should councils get more money?</strong></p>
<ul class="wp-polls-ul"><li><input type="radio" name="p" value="1"><label>Yes, now</label></li>
<li><input type="radio" name="p" value="2"><label>Not yet</label></li></ul>
<input type="button" value="Vote"></form></div>"""
POLL_MULTI = """<div class="wp-polls"><strong>Which matter most? (pick two)</strong><ul class="wp-polls-ul">
<li>Pay <small>(80%, 400 Votes)</small></li><li>Caseloads <small>(70%, 350 Votes)</small></li>
<li>Training <small>(50%, 250 Votes)</small></li></ul><p>Total Voters: <strong>500</strong></p></div>"""


@pytest.mark.parametrize(
    ("widget", "expected"),
    [
        (POLL_RESULTS, [("Should councils get more money?", [("Yes, now", 41.0, 212), ("Not yet", 59.0, 306)], 518)]),
        (
            POLL_MULTI,
            [
                (
                    "Which matter most? (pick two)",
                    [("Pay", 80.0, 400), ("Caseloads", 70.0, 350), ("Training", 50.0, 250)],
                    500,
                )
            ],
        ),
        (POLL_FORM, []),
        ("<p>Sorry, there are no polls available.</p>", []),
    ],
)
def test_html_polls(widget: str, expected: list) -> None:
    (part,) = parse_text(page(body="").replace("</article>", widget + "</article>"))
    got = [(p.question, [(o.label, o.percent, o.votes) for o in p.options], p.total_voters) for p in part.polls]
    assert got == expected
    assert "Total Voters" not in part.body and "Sorry, there are no polls" not in part.body


# -- comments ------------------------------------------------------------------------------

COMMENTS = """<div id="comments"><h2 class="comments-title">3 Responses to “Council publishes plans”</h2>
<ol class="commentlist">
<li class="comment depth-1" id="comment-1"><article class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">Ann</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="#comment-1"><time datetime="2024-05-02T08:00:00+01:00">May 2, 2024</time></a>
</div></footer><div class="comment-content"><p>First comment.</p></div><div class="reply">Reply</div></article>
<ol class="children"><li class="comment depth-2" id="comment-2"><article class="comment-body">
<footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">Bob</b></div><div class="comment-metadata"><a href="#comment-2">
May 3, 2024 at 9:15 pm</a></div></footer><div class="comment-content"><p>A reply.</p><p>Two paragraphs.</p></div>
</article></li></ol></li>
<li class="comment depth-1" id="comment-3"><article class="comment-body"><cite class="fn">Cat</cite>
<div class="comment-content"><p>Third.</p></div></article></li>
</ol></div>"""


def test_wordpress_html_comments() -> None:
    (part,) = parse_text(page(body="").replace("</article>", "</article>" + COMMENTS))
    got = [(c.author, c.published, c.text, c.depth) for c in part.comments]
    assert got == [
        ("Ann", "2024-05-02T08:00:00+01:00", "First comment.", 0),
        ("Bob", "2024-05-03T21:15:00+01:00", "A reply.\n\nTwo paragraphs.", 1),
        ("Cat", None, "Third.", 0),
    ]
    assert part.comments[1].parent == part.comments[0].id and part.comments[2].parent is None
    assert part.comment_count == 3


THESIS = """<div id="comments"><div class="comments_intro"><p><span class="bracket">{</span> <span>40</span>
comments&#8230; read them below or <a href="#respond">add one</a> <span class="bracket">}</span></p></div>
<dl id="comment_list">
<dt class="comment even depth-1" id="comment-11"><span class="comment_author">Armanox</span>
<span class="comment_time"><a href="#comment-11">June 28, 2015 at 10:25 pm</a></span></dt>
<dd class="comment even depth-1"><div class="format_text"><p>Really, no Shagrath?<br>Mustaine at 89?</p>
<dl class="children"><dt class="comment depth-2" id="comment-12"><span class="comment_author">Leo</span></dt>
<dd class="comment depth-2">He is at 41.</dd></dl></div></dd>
<dt class="comment odd depth-1" id="comment-13"><span class="comment_author">FLOUNDER</span>
<span class="comment_time"><a href="#comment-13">July 6, 2015 at 6:57 pm</a></span></dt>
<dd class="comment odd depth-1"><div class="format_text"><p>No Mike Patton.</p><p>Nor Chino.</p></div></dd>
</dl></div>"""


def test_definition_list_comments() -> None:
    """Thesis and other older themes print a ``dl`` of author/time heads and texts."""
    (part,) = parse_text(page(body="").replace("</article>", "</article>" + THESIS))
    got = [(c.author, c.published, c.text, c.depth) for c in part.comments]
    assert got == [
        ("Armanox", "2015-06-28T22:25:00+01:00", "Really, no Shagrath? Mustaine at 89?", 0),
        ("Leo", None, "He is at 41.", 1),
        ("FLOUNDER", "2015-07-06T18:57:00+01:00", "No Mike Patton.\n\nNor Chino.", 0),
    ]
    assert part.comments[1].parent == part.comments[0].id
    assert part.comment_count == 40  # as the heading says: the rest are on earlier pages
    assert "Shagrath" not in part.body


def test_comments_beside_a_reply_list_keep_page_order() -> None:
    one = '<div class="comment" id="comment-{n}"><cite class="fn">{a}</cite><p>Words of {a}.</p></div>'
    thread = (
        '<div class="commentlist">'
        + one.format(n=1, a="Ann")
        + '<div class="children">'
        + one.format(n=2, a="Bob")
        + '<div class="children">'
        + one.format(n=3, a="Cat")
        + "</div></div>"
        + one.format(n=4, a="Dan")
        + "</div>"
    )
    (part,) = parse_text(page(body="").replace("</article>", f'</article><div id="comments">{thread}</div>'))
    assert [(c.author, c.text) for c in part.comments] == [(a, f"Words of {a}.") for a in ("Ann", "Bob", "Cat", "Dan")]


@pytest.mark.parametrize("kind", ["li", "dl"])
def test_a_thread_nested_deep_keeps_each_comment_to_its_own_words(kind: str) -> None:
    """Each reply's words, author and place in the thread, however deep (the
    time this takes is in ``python bench/threads.py``: it grew with the square
    of the depth, 12 minutes for 3,000)."""
    n = 400
    (part,) = parse_text(page(body="").replace("</article>", "</article>" + bench_threads.thread(kind, n)))
    assert [(c.author, c.text, c.depth) for c in part.comments] == [(f"A{i}", f"Reply {i}.", i) for i in range(n)]
    assert all(c.parent == p.id for p, c in zip(part.comments, part.comments[1:], strict=False))


def test_later_capture_with_more_comments_updates(run: Runner, tmp_path: Path) -> None:
    two = page(body="").replace(
        "</article>",
        "</article>"
        + COMMENTS.replace(
            '<li class="comment depth-1" id="comment-3"><article class="comment-body"><cite class="fn">Cat</cite>\n'
            '<div class="comment-content"><p>Third.</p></div></article></li>',
            "",
        ),
    )
    (tmp_path / "page.html").write_text(two)
    run("ingest", str(tmp_path / "page.html"))
    assert len(records(run)[0]["comments"]) == 2
    (tmp_path / "page.html").write_text(page(body="").replace("</article>", "</article>" + COMMENTS))
    result = run("ingest", str(tmp_path / "page.html"))
    assert "updated 1" in result.stderr
    assert [c["author"] for c in records(run)[0]["comments"]] == ["Ann", "Bob", "Cat"]


WP = "{https://wordpress.org/export/1.2/}"


def test_wxr_threading_matches_the_export(run: Runner) -> None:
    path = realworld("feeds-wordpress-wxr", "themeunittestdata.wordpress.xml")
    run("ingest", str(path))
    by_title = {r["title"]: r for r in records(run)}
    root = ElementTree.parse(path).getroot()
    checked = 0
    for item in root.iter("item"):
        if item.findtext(f"{WP}post_type") not in ("post", "page") or item.findtext(f"{WP}status") != "publish":
            continue
        wanted = {}
        for c in item.findall(f"{WP}comment"):
            if c.findtext(f"{WP}comment_approved") != "1" or c.findtext(f"{WP}comment_type") in (
                "pingback",
                "trackback",
            ):
                continue
            wanted[c.findtext(f"{WP}comment_id")] = (
                c.findtext(f"{WP}comment_parent"),
                c.findtext(f"{WP}comment_author"),
                c.findtext(f"{WP}comment_date_gmt"),
            )
        if not wanted:
            continue
        rec = by_title[item.findtext("title")]
        assert len(rec["comments"]) == len(wanted) == rec["comment_count"]
        ours = {c["id"]: c for c in rec["comments"]}
        by_key = {(a, (d or "").replace(" ", "T") + "+00:00"): wid for wid, (_, a, d) in wanted.items()}
        for comment in rec["comments"]:
            wid = by_key[(comment["author"], comment["published"])]
            parent_wid = wanted[wid][0]
            if parent_wid in wanted:
                parent = ours[comment["parent"]]
                assert by_key[(parent["author"], parent["published"])] == parent_wid
                assert comment["depth"] == parent["depth"] + 1
            else:
                assert comment["parent"] is None and comment["depth"] == 0
            checked += 1
    assert checked >= 25
    deepest = max(c["depth"] for r in by_title.values() for c in r["comments"])
    assert deepest == 9  # the export's reply chain ten deep


# -- entities ------------------------------------------------------------------------------


def entities(body: str) -> dict:
    return extract(Article(id="x", title="A story", body=body))


def test_council_forms_are_one_council() -> None:
    found = entities(
        "East Sussex County Council said it would. A spokesperson for East Sussex said so. "
        "East Sussex council added more."
    )["councils"]
    assert [(c["name"], c["code"], c["mentions"]) for c in found] == [("East Sussex", "GB-ESX", 3)]
    assert set(found[0]["forms"]) == {"East Sussex County Council", "East Sussex", "East Sussex council"}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("London Borough of Tower Hamlets and the Royal Borough of Greenwich", ["Greenwich", "Tower Hamlets"]),
        ("Birmingham Children’s Trust runs services", ["Birmingham"]),
        ("staff at Cyngor Gwynedd Council", ["Gwynedd"]),
        ("Bridgend County Borough Council and Pen-y-bont ar Ogwr", ["Bridgend"]),
        ("the City of London Corporation and London itself", ["City of London"]),
        ("Reading the report, Reading Borough Council agreed", ["Reading"]),
        ("Social workers in England and Wales", []),
    ],
)
def test_council_gazetteer(text: str, names: list[str]) -> None:
    assert sorted(c["name"] for c in entities(text)["councils"]) == names


def test_organisations_join_their_acronyms() -> None:
    found = entities(
        "The Department for Education (DfE) said so. The DfE later added more. "
        "The Widget Standards Agency (WSA) agreed; WSA staff were pleased."
    )["organisations"]
    got = {(o["name"], o["acronym"], o["mentions"]) for o in found}
    assert ("Department for Education", "DfE", 2) in got
    assert ("Widget Standards Agency", "WSA", 2) in got


def test_acronym_definitions() -> None:
    text = (
        "the early career framework (ECF) replaces the assessed and supported year in employment (ASYE); "
        "post-qualifying standards (PQS) apply (see below) to newly qualified social workers (NQSWs)."
    )
    assert acronym_definitions(text) == [
        ("ECF", "early career framework"),
        ("ASYE", "assessed and supported year in employment"),
        ("PQS", "post-qualifying standards"),
        ("NQSWs", "newly qualified social workers"),
    ]


def test_people_and_roles() -> None:
    found = entities(
        "Isabelle Trowler, chief social worker for children and families, spoke first. "
        "Announcing the strategy, children’s minister Claire Coutinho said it mattered. "
        "Its chief executive, Colum Conway, said more. Trowler added a point. “It works,” said Jim Magee."
    )["people"]
    got = {p["name"]: (p["role"], p["mentions"]) for p in found}
    assert got == {
        "Isabelle Trowler": ("chief social worker for children and families", 2),
        "Claire Coutinho": ("children’s minister", 1),
        "Colum Conway": ("chief executive", 1),
        "Jim Magee": (None, 1),
    }


def test_no_people_from_organisations_or_places() -> None:
    found = entities(
        "Social Work England said it would act. East Sussex said the same. "
        "The Department for Education said nothing, and Stable Homes said little."
    )["people"]
    assert found == []


def test_money() -> None:
    found = entities("It costs £2.6bn over four years, £200m now and £50,000 a council, or £1,000.50 each.")["money"]
    assert {(m["name"], m["amount"]) for m in found} == {
        ("£2.6bn", 2.6e9),
        ("£200m", 2e8),
        ("£50,000", 50000.0),
        ("£1,000.50", 1000.5),
    }


def test_entities_reach_the_record(corpus_run: Runner) -> None:
    rec = next(r for r in records(corpus_run) if r["title"].startswith("Councils urged"))
    councils = {c["name"] for c in rec["entities"]["councils"]}
    assert {"East Sussex", "Tower Hamlets", "Birmingham", "Plymouth"} <= councils
    assert {"people", "organisations", "councils", "acronyms", "money"} == set(rec["entities"])


@pytest.mark.parametrize(
    ("text", "people", "councils"),
    [
        ("And Harry Smith said it would not happen.", ["Harry Smith"], []),
        ("Pictured: Center Kati Marton, who leads the charity.", ["Kati Marton"], []),
        ("The California Public Utilities said the rates would rise.", [], []),
        ("In New York the mayor, Eric Adams, said so.", ["Eric Adams"], []),
        ("The Manchester Union-Leader reported the vote; Kent Police were there.", [], []),
        (
            "York council agreed, as did Kent County Council and the City of London Corporation.",
            [],
            ["City of London", "Kent", "York"],
        ),
    ],
)
def test_entity_noise_of_real_pages(text: str, people: list[str], councils: list[str]) -> None:
    """Names start with a name, councils are the UK's (not New York, not a newspaper's name)."""
    from newsarchive.ingest.entities import extract_text

    found = extract_text(text)
    assert sorted(p["name"] for p in found["people"]) == people
    assert sorted(c["name"] for c in found["councils"]) == councils


def test_a_byline_that_is_a_date_or_markup_is_no_author() -> None:
    from newsarchive.ingest.sources.common import split_authors

    assert split_authors(["8. November 2021", ">themereviewteam", "<b>", "Jane Doe", "12/03/2024"]) == ["Jane Doe"]
