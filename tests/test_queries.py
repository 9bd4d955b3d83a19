"""The query language on the corpus: exact result sets, each justified by the texts.

Articles are named by a short key (see ARTICLES).  Each expectation was
checked by reading the articles' titles, standfirsts, summaries and bodies;
the comment says why a set is what it is where that is not obvious.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Runner

ARTICLES = {
    "DfE proposes": "proposes",  # 2025-03-21, poll placeholder, ADCS, Trowler, Treasury
    "DfE to give": "update",  # 2025-02-11, East Sussex
    "Regulator": "regulator",  # 2024-03-27, Colum Conway, Skills for Care
    "‘Massive’": "massive",  # 2024-03-18, poll placeholder, Trowler, kinship, pathfinders
    "Councils urged": "councils",  # 2024-03-07, the eight early adopters listed
    "Supporting early": "wales",  # 2024-02-05, Social Care Wales, Cyngor Gwynedd
    "Employers chosen": "employers",  # 2023-09-21, the eight early adopters named
    "Response to": "letter",  # 2023-05-11, Social Work England's letter: dashboard
    "Quarter": "quarter",  # 2023-03-16, state of the nation, census, England and Wales
    "DfE backs": "payscales",  # 2023-02-08, poll results and 10 comments, NAAS
    "Specialist": "specialist",  # 2023-02-02, kinship, pathfinders, apprentices, bursaries
}
EARLY_ADOPTER = {"update", "regulator", "councils", "employers", "payscales", "specialist"}

QUERIES = [
    # phrases and stemming
    ("early adopter", EARLY_ADOPTER),  # quoted on the shell: the phrase, singular or plural
    ('"early adopters"', EARLY_ADOPTER),
    ('"early-adopter"', EARLY_ADOPTER),  # the hyphen splits like a space
    ('"EARLY ADOPTER"', EARLY_ADOPTER),  # case does not matter
    ("“early adopter”", EARLY_ADOPTER),  # curly quotes are quotes
    ('"adopted early"', set()),  # the words, in the other order, nowhere
    ('"pay scales"', {"payscales"}),
    ('"pay scale"', {"payscales"}),
    ('"Social Work Week"', {"massive", "proposes", "regulator", "update"}),
    # "fitness to practise" in two articles; the letter's "fit to practise" shares the stem
    ('"fitness to practise"', {"letter", "quarter", "update"}),
    ('"state of the nation"', {"quarter"}),
    ("apprentice", {"specialist"}),  # "apprentices"
    ("bursaries", {"specialist"}),  # "bursaries" and "bursary"
    # single words
    ("Wales", {"wales", "quarter"}),  # the Wales feature; "England and Wales" in the census figures
    ("pathfinder", {"massive", "payscales", "specialist"}),
    ("NAAS", {"payscales"}),
    ("Treasury", {"proposes"}),
    ("dashboard", {"letter"}),
    ("census", {"quarter"}),
    # operators
    ("Treasury OR dashboard", {"proposes", "letter"}),
    ("kinship AND pathfinder", {"massive", "specialist"}),
    ("pathfinder NOT kinship", {"payscales"}),
    ("pathfinder -kinship", {"payscales"}),
    ("(Wales OR census) -Cymru", {"quarter"}),  # the Wales feature names BASW Cymru
    # the excluded article is the index's first ADCS article: Whoosh counted it (whoosh_fixes)
    ('org:"Association of Directors of Children’s Services" -org:BASW', {"proposes"}),
    ("locum*", {"massive", "payscales", "proposes", "quarter", "specialist"}),
    # fields
    ("title:Wales", {"wales"}),
    ('title:"early career framework"', {"councils", "employers", "payscales", "regulator"}),
    ("body:dashboard", {"letter"}),
    ('standfirst:"expert practitioners"', {"payscales"}),  # 003's standfirst
    ("comments:Disneyland", {"payscales"}),  # Eddie O'Hara BEM's comment
    ("has:poll", {"proposes", "massive", "payscales"}),  # two placeholders and 003's results
    ("has:comments", {"payscales"}),
    ("author:nobody", set()),  # the corpus names no authors
    # entities
    ('person:"Isabelle Trowler"', {"proposes", "massive", "payscales"}),
    ("person:Conway", {"regulator", "letter", "specialist"}),
    ("org:ADCS", {"proposes", "specialist"}),
    ("org:DfE date:2025", {"proposes", "update"}),
    ('org:"Skills for Care"', {"regulator", "quarter"}),
    ('council:"East Sussex"', {"update", "councils", "employers"}),  # bare, "County Council" and list forms
    ('council:"Tower Hamlets"', {"councils", "employers"}),
    ("council:Gwynedd", {"wales"}),  # "Cyngor Gwynedd Council"
    ('council:"East Sussex" date:2025', {"update"}),
    # dates
    ("date:2024", {"regulator", "massive", "councils", "wales"}),
    ("date:2023-02..2023-03", {"payscales", "specialist", "quarter"}),
    ("date:..2023-06 kinship", {"specialist"}),
]


def keys(hits: list[dict]) -> set[str]:
    return {next(v for k, v in ARTICLES.items() if h["title"].startswith(k)) for h in hits}


def found(run: Runner, *args: str) -> set[str]:
    return keys(json.loads(run("search", *args, "--json", "--limit", "100").stdout)["hits"])


def test_the_table_is_large_enough() -> None:
    assert len(QUERIES) >= 30


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_query(corpus_run: Runner, query: str, expected: set[str]) -> None:
    result = json.loads(corpus_run("search", query, "--json", "--limit", "100", "--facet", "year").stdout)
    assert keys(result["hits"]) == expected
    assert result["total"] == len(result["hits"])  # the count is of the same hits


def test_since_until_and_relative_dates(corpus_run: Runner) -> None:
    assert found(corpus_run, "early adopter", "--since", "2024-03", "--until", "2024-03-31") == {
        "councils",
        "regulator",
    }
    assert found(corpus_run, "early adopter", "--since", "30d") == set()  # the corpus is older than a month
    assert found(corpus_run, "early adopter", "--since", "10y") == EARLY_ADOPTER
    result = corpus_run("search", "x", "--since", "Marchuary", expect=5)  # ("March" is a date now: dateparser)
    assert "not a date: 'marchuary'" in result.stderr


def test_paging(corpus_run: Runner) -> None:
    every = json.loads(corpus_run("search", "early adopter", "--json", "--limit", "100").stdout)["hits"]
    pages = [
        json.loads(corpus_run("search", "early adopter", "--json", "--limit", "4", "--page", str(n)).stdout)["hits"]
        for n in (1, 2)
    ]
    assert [h["id"] for h in pages[0] + pages[1]] == [h["id"] for h in every]
    assert [h["rank"] for h in pages[1]] == [5, 6]
    offset = json.loads(corpus_run("search", "early adopter", "--json", "--offset", "4").stdout)["hits"]
    assert [h["id"] for h in offset] == [h["id"] for h in pages[1]]


def test_facets_count_all_hits(corpus_run: Runner) -> None:
    data = json.loads(
        corpus_run("search", "early adopter", "--limit", "1", "--json", "--facet", "year", "--facet", "council").stdout
    )
    assert data["total"] == 6 and len(data["hits"]) == 1
    assert data["facets"]["year"] == [
        {"value": "2023", "count": 3},
        {"value": "2024", "count": 2},
        {"value": "2025", "count": 1},
    ]
    councils = {f["value"]: f["count"] for f in data["facets"]["council"]}
    assert councils["East Sussex"] == 3 and councils["Tower Hamlets"] == 2
    human = corpus_run("search", "early adopter", "--facet", "org").stdout
    assert "org\n      6  Department for Education" in human
    refused = corpus_run("search", "x", "--facet", "year", "--csv", expect=2)
    assert "--facet goes with the table or --format json" in refused.stderr


FACET_VALUES = {
    "year": lambda r: [r["published"][:4]] if r["published"] else [],
    "month": lambda r: [r["published"][:7]] if r["published"] else [],
    "author": lambda r: r["authors"],
    "tag": lambda r: r["tags"],
    "person": lambda r: [e["name"] for e in r["entities"].get("people", [])],
    "org": lambda r: [e["name"] for e in r["entities"].get("organisations", [])],
    "council": lambda r: [e["name"] for e in r["entities"].get("councils", [])],
}


@pytest.mark.parametrize(
    ("sort", "dates"),
    [
        ("relevance", []),
        ("newest", ["--since", "2024"]),
        ("oldest", ["--until", "2024-03-10"]),
        ("relevance", ["--since", "2023-06", "--until", "2024-12"]),
    ],
)
@pytest.mark.parametrize("query", ["early adopter", "social work", "council OR trust", '"children\'s services"'])
def test_facets_agree_with_the_records_of_every_hit(
    corpus_run: Runner, query: str, sort: str, dates: list[str]
) -> None:
    """Counted in the pass that ranks the page (under a date filter and any
    sort), every facet is what the matching records themselves hold."""
    facets = [arg for name in FACET_VALUES for arg in ("--facet", name)]
    data = json.loads(corpus_run("search", query, "--json", "--limit", "1", "--sort", sort, *dates, *facets).stdout)
    matching = json.loads(corpus_run("export", query, *dates).stdout)
    assert data["total"] == len(matching) > 0
    for name, values in FACET_VALUES.items():
        expected: dict[str, int] = {}
        for record in matching:
            for value in dict.fromkeys(values(record)):
                expected[value] = expected.get(value, 0) + 1
        assert {f["value"]: f["count"] for f in data["facets"][name]} == expected, name


def test_timeline(corpus_run: Runner) -> None:
    periods = json.loads(corpus_run("timeline", "early adopter", "--json").stdout)["periods"]
    assert periods[0] == {"period": "2023-02", "hits": 2}
    assert periods[-1] == {"period": "2025-02", "hits": 1}
    assert sum(p["hits"] for p in periods) == 6
    assert len(periods) == 25  # every month from Feb 2023 to Feb 2025, gaps as zeros
    by_year = json.loads(corpus_run("timeline", "--by", "year", "--json").stdout)["periods"]
    assert by_year == [{"period": "2023", "hits": 5}, {"period": "2024", "hits": 4}, {"period": "2025", "hits": 2}]
    chart = corpus_run("timeline", "early adopter", "--by", "year").stdout.splitlines()
    assert chart[0].startswith("   2023  ████") and chart[0].endswith(" 3")


def test_did_you_mean(corpus_run: Runner) -> None:
    result = corpus_run("search", "early adoptr")
    # one edit away: "adopter" (Whoosh's corrector, two edits wide, said "adopters")
    assert result.stderr.splitlines() == ['0 hits for "early adoptr"', 'Did you mean: "early adopter"  (6 hits)']
    assert "Did you mean" not in corpus_run("search", "early adopter").stderr


def test_similar(corpus_run: Runner) -> None:
    update = json.loads(corpus_run("search", "title:update", "--json").stdout)["hits"][0]
    hits = json.loads(corpus_run("similar", update["id"], "--json", "-n", "3").stdout)["hits"]
    assert len(hits) == 3 and update["id"] not in {h["id"] for h in hits}
    # its closest neighbours are the other early career framework stories
    assert keys(hits) <= {"employers", "councils", "regulator", "payscales", "proposes", "massive"}


def test_hits_in_comments_name_the_commenter(corpus_run: Runner) -> None:
    (hit,) = json.loads(corpus_run("search", "comments:gaslighted", "--json").stdout)["hits"]
    assert hit["commenter"] == "Christine"
    assert "**gaslighted**" in hit["snippet"]
    human = corpus_run("search", "comments:gaslighted").stdout
    assert "[comment by Christine]" in human


def test_accents_fold(corpus_run: Runner) -> None:
    from newsarchive.search.schema import text_analyzer

    analyse = text_analyzer()
    assert [t.text for t in analyse("Café résumé")] == [t.text for t in analyse("cafe resume")]


def test_did_you_mean_reads_the_vocabulary_beside_the_index(corpus_run: Runner, corpus_archive: Path) -> None:
    from newsarchive.search.index import VOCABULARY, read_vocabulary
    from newsarchive.search.suggest import edits, nearest

    vocabulary = read_vocabulary((corpus_archive / "index").resolve())
    assert (corpus_archive / "index" / VOCABULARY).exists() and vocabulary["framework"] >= 10
    assert nearest("framwork", vocabulary) == "framework" and nearest("zzzzqqq", vocabulary) is None
    assert {"fraemwork", "framewrk", "framewor", "frameworks"} <= edits("framework")
    assert "Did you mean: regulator" in corpus_run("search", "regulatr").stderr
