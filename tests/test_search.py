"""Searching the corpus archive: phrases, stemming, snippets, formats."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import Runner

# Articles whose text holds "early adopter" or "early adopters", found by reading them:
# grep -il "early adopter" over the bodies gives these six feed items (and the two page
# dumps that merge into two of them).
EARLY_ADOPTER_TITLES = {
    "DfE to give update on early career support for children’s social workers",
    "Employers chosen to design and test social work early career framework",
    "Councils urged to test social work early career framework",
    "Regulator calls for consistency of support for NQSWs as DfE develops children’s early career framework",
    "DfE backs early career framework but rejects national pay scales for children’s social workers",
    "Specialist child protection social workers to be piloted in DfE care review response",
}


def hits(run: Runner, *args: str) -> list[dict]:
    return json.loads(run("search", *args, "--json", "--limit", "100").stdout)["hits"]


def titles(run: Runner, *args: str) -> set[str]:
    return {h["title"] for h in hits(run, *args)}


def test_early_adopter_finds_exactly_the_six(corpus_run: Runner) -> None:
    found = hits(corpus_run, "early adopter")
    assert {h["title"] for h in found} == EARLY_ADOPTER_TITLES
    assert [h["rank"] for h in found] == [1, 2, 3, 4, 5, 6]
    scores = [h["score"] for h in found]
    assert scores == sorted(scores, reverse=True)
    # the article that uses the phrase most ranks first
    assert found[0]["title"] == "DfE to give update on early career support for children’s social workers"


def test_early_adopter_is_matched_by_reading_the_bodies(corpus_run: Runner) -> None:
    records = json.loads(corpus_run("export").stdout)
    by_text = {r["title"] for r in records if re.search(r"early[\s-]adopters?\b", r["body"], re.I)}
    assert by_text == EARLY_ADOPTER_TITLES


def test_phrase_snippets_contain_the_marked_phrase(corpus_run: Runner) -> None:
    for hit in hits(corpus_run, "early adopter"):
        assert re.search(r"\*\*early adopters?\*\*", hit["snippet"], re.I), hit["snippet"]
        assert "**early** career" not in hit["snippet"]


def test_words_unquoted_are_anded_and_stemmed(corpus_run: Runner) -> None:
    anded = titles(corpus_run, "early", "adopter")
    assert EARLY_ADOPTER_TITLES < anded  # plus "adoption" in the register article
    assert any(t.startswith("Quarter of those") for t in anded)


def test_phrase_does_not_match_reversed_words(corpus_run: Runner) -> None:
    assert titles(corpus_run, '"adopters early"') == set()


def test_curly_and_straight_apostrophes_match(corpus_run: Runner) -> None:
    curly = titles(corpus_run, "children’s trusts")
    straight = titles(corpus_run, "children's trusts")
    assert curly == straight and curly


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:wales", {"Supporting early career social workers: lessons from Wales"}),
        (
            "has:poll AND title:ASYE",
            {"DfE proposes two-year support scheme for children’s social workers to replace ASYE"},
        ),
        (
            "comments:gaslighted",
            {"DfE backs early career framework but rejects national pay scales for children’s social workers"},
        ),
        (
            'council:"East Sussex"',
            {
                "DfE to give update on early career support for children’s social workers",
                "Employers chosen to design and test social work early career framework",
                "Councils urged to test social work early career framework",
            },
        ),
        ("council:gwynedd", {"Supporting early career social workers: lessons from Wales"}),
        (
            'person:"Isabelle Trowler"',
            {
                "DfE proposes two-year support scheme for children’s social workers to replace ASYE",
                "‘Massive’ cut in care population is key success measure for DfE reforms, says chief social worker",
                "DfE backs early career framework but rejects national pay scales for children’s social workers",
            },
        ),
        (
            "org:ADCS",
            {
                "DfE proposes two-year support scheme for children’s social workers to replace ASYE",
                "Specialist child protection social workers to be piloted in DfE care review response",
            },
        ),
        (
            'org:"Association of Directors of Children’s Services" -org:BASW',
            {"DfE proposes two-year support scheme for children’s social workers to replace ASYE"},
        ),
        ("Bridgend", set()),  # only in the job adverts, which are not body text
        ("极速赛车", set()),  # the spam prefix is gone from the index too
    ],
)
def test_field_queries(corpus_run: Runner, query: str, expected: set[str]) -> None:
    assert titles(corpus_run, query) == expected


def test_date_filters(corpus_run: Runner) -> None:
    found = hits(corpus_run, "early adopter", "--since", "2024", "--until", "2024-03")
    assert {h["published"][:7] for h in found} == {"2024-03"}
    assert len(found) == 2


def test_sort_newest(corpus_run: Runner) -> None:
    dates = [h["published"] for h in hits(corpus_run, "early adopter", "--sort", "newest")]
    assert dates == sorted(dates, reverse=True)


def test_human_output(corpus_run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # the width to fit (80 when nothing says)
    result = corpus_run("search", "early adopter", "--limit", "2")
    assert result.stderr.startswith('1-2 of 6 hits for "early adopter"')
    lines = result.stdout.splitlines()
    assert lines[0] == "  1. 2025-02-11  DfE to give update on early career support for children’s social workers"
    assert lines[1].strip().startswith("https://www.communitycare.co.uk/2025/02/11/")
    assert lines[1].endswith(" · 4f86fb47")  # the short id, for show and similar
    assert "**early adopter" in result.stdout
    assert "\x1b" not in result.stdout  # no colour when stdout is not a terminal


def test_nl_and_csv_carry_the_same_hits(corpus_run: Runner) -> None:
    as_json = hits(corpus_run, "early adopter")
    as_nl = [json.loads(line) for line in corpus_run("search", "early adopter", "--nl").stdout.splitlines()]
    rows = list(csv.DictReader(io.StringIO(corpus_run("search", "early adopter", "--csv").stdout)))
    assert [h["id"] for h in as_nl] == [h["id"] for h in as_json] == [r["id"] for r in rows]
    assert set(rows[0]) == {"rank", "id", "url", "title", "published", "score", "snippet", "commenter"}


def test_conflicting_formats_refused(corpus_run: Runner) -> None:
    result = corpus_run("search", "x", "--json", "--csv", expect=2)
    assert "Use just one output format, not json and csv." in result.stderr


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"early adopter', "unbalanced quote"),
        ("(early adopter", "unbalanced parentheses"),
    ],
)
def test_malformed_queries_get_one_line(corpus_run: Runner, query: str, message: str) -> None:
    result = corpus_run("search", query, expect=5)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_search_without_archive(run: Runner) -> None:
    result = run("search", "x", expect=4)
    assert result.stderr.startswith("Error: no search index at ")


def test_search_path_imports_no_parsing_library(corpus_archive) -> None:
    """A cold `newsarchive search` must not pay for bs4, feedparser, ftfy or trafilatura,
    nor for our modules it does not use."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from newsarchive.cli import cli\n"
        f"try:\n    cli(['--archive', {str(corpus_archive)!r}, 'search', 'early adopter', '--json'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('bs4', 'feedparser', 'ftfy', 'trafilatura', 'lxml', 'charset_normalizer',"
        " 'platformdirs', 'zoneinfo', 'newsarchive.cli_ingest', 'newsarchive.search.facets',"
        " 'newsarchive.search.suggest') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stderr, result.stderr
    assert len(json.loads(result.stdout)["hits"]) == 6


def test_the_index_holds_articles_newest_first(corpus_archive: Path) -> None:
    # Segments then cover stretches of time, which makes date ranges cheap (store.unindexed).
    from newsarchive.search.index import open_index

    ix = open_index(corpus_archive)
    with ix.searcher() as searcher:
        dates = [fields["display"]["published"] for fields in searcher.all_stored_fields()]
    ix.close()
    assert len(dates) == 11
    assert dates == sorted(dates, reverse=True)


def test_facet_values_holding_a_comma_are_kept_whole(run: Runner, tmp_path: Path) -> None:
    items = [
        ("One", ["Children, young people", "Fostering"]),
        ("Two", ["Fostering"]),
    ]
    body = "".join(
        f"<item><title>{title}</title><link>https://example.org/{title.lower()}</link>"
        + "".join(f"<category>{tag}</category>" for tag in tags)
        + f"<description>{title} fostering story about carers and their children.</description></item>"
        for title, tags in items
    )
    feed = tmp_path / "feed.xml"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>')
    run("ingest", str(feed))
    data = json.loads(run("search", "fostering", "--json", "--facet", "tag").stdout)
    assert data["total"] == 2
    assert {f["value"]: f["count"] for f in data["facets"]["tag"]} == {"Fostering": 2, "Children, young people": 1}


def test_date_filters_facets_and_display_agree_on_the_articles_own_date(run: Runner, tmp_path: Path) -> None:
    """Half past midnight in British Summer Time is the previous day in UTC: the
    date shown, the month counted and the date filtered on must all be the one
    the article carries, or ``--since`` drops what the listing dates inside it."""
    items = [("Midnight", "Sat, 01 Jun 2024 00:30:00 +0100"), ("Noon", "Fri, 31 May 2024 12:00:00 +0100")]
    body = "".join(
        f"<item><title>{title}</title><link>https://example.org/{title.lower()}</link><pubDate>{date}</pubDate>"
        f"<description>{title} story about foster carers and their children.</description></item>"
        for title, date in items
    )
    feed = tmp_path / "feed.xml"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>')
    run("ingest", str(feed))

    def shown(*args: str) -> dict[str, str]:
        return {h["title"]: h["published"][:10] for h in hits(run, "carers", *args)}

    assert shown() == {"Midnight": "2024-06-01", "Noon": "2024-05-31"}
    assert shown("--since", "2024-06-01") == {"Midnight": "2024-06-01"}
    assert shown("--until", "2024-05-31") == {"Noon": "2024-05-31"}
    assert shown("date:2024-06") == {"Midnight": "2024-06-01"}
    months = json.loads(run("timeline", "carers", "--json").stdout)["periods"]
    assert months == [{"period": "2024-05", "hits": 1}, {"period": "2024-06", "hits": 1}]
    june = json.loads(run("timeline", "carers", "--since", "2024-06", "--until", "2024-06", "--json").stdout)["periods"]
    assert june == [{"period": "2024-06", "hits": 1}]


def test_facet_columns_hold_each_value_once() -> None:
    # A value an article repeated would count twice.  Merging already drops
    # repeated tags (so no ingest can show this); the index must not count on it.
    from newsarchive.ingest.models import Article
    from newsarchive.search.schema import to_document

    article = Article(id="a", published="2024-03-07T09:00:00+00:00", tags=["Pay, grading", " Pay, grading ", "Pay", ""])
    doc = to_document(article)
    assert doc["f_tag"] == [b"Pay, grading", b"Pay"]
    assert doc["f_year"] == [b"2024"] and doc["f_council"] == []


def test_a_word_before_a_colon_that_names_no_field_is_text(corpus_run: Runner) -> None:
    """'Regulator: …' is a headline, not a field (it used to be 'unknown field' and exit 5)."""
    plain = json.loads(corpus_run("search", "regulator", "consistency", "--json").stdout)["hits"]
    pasted = json.loads(corpus_run("search", "regulator: consistency OR nosuchfield:consistency", "--json").stdout)[
        "hits"
    ]
    assert plain and {h["id"] for h in plain} <= {h["id"] for h in pasted}


@pytest.mark.parametrize("typed", ["yesterday", "last week", "3 March", "March 2024", "today", "2 weeks ago"])
def test_dates_as_people_type_them(corpus_run: Runner, typed: str) -> None:
    from newsarchive.search.datespec import bound

    start, end = bound(typed, False), bound(typed, True)
    assert start is not None and end is not None and start <= end and start.hour == 0 and end.second == 59
    result = corpus_run("search", "framework", "--since", typed, "--json")
    assert result.exit_code == 0  # read, and used as a bound
    assert all(h["published"][:10] >= start.date().isoformat() for h in json.loads(result.stdout)["hits"])


def test_a_date_that_cannot_be_read_says_how_to_write_one(corpus_run: Runner) -> None:
    result = corpus_run("search", "framework", "--until", "the day after never", expect=5)
    assert "not a date" in result.stderr and "yesterday" in result.stderr


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_undated_articles_sort_last_either_way(run: Runner, tmp_path: Path, sort: str) -> None:
    from conftest import CORPUS

    for n in (1, 2):
        (tmp_path / f"undated-{n}.txt").write_text(
            f"Undated story number {n} about frameworks\n\n" + f"A paragraph about the framework, number {n}. " * 15
        )
    run("ingest", str(CORPUS), str(tmp_path / "undated-1.txt"), str(tmp_path / "undated-2.txt"))
    found = json.loads(run("search", "framework", "--sort", sort, "--json", "-n", "50").stdout)["hits"]
    dates = [h["published"] for h in found]
    assert dates[-2:] == [None, None] and None not in dates[:-2]
    assert dates[:-2] == sorted(dates[:-2], reverse=sort == "newest")
