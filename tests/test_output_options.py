"""One set of output options for every command that prints data (issue 22, items 3 and 5).

``-f/--format table|json|jsonl|csv`` with the short aliases ``--json``,
``--nl`` and ``--csv``; ``-o FILE`` where output can be long; one JSON shape
per command, whatever the other flags; ``show N`` opens hit N of the last
search.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import Runner

from newsarchive.exitcodes import ExitCode

SEARCH_KEYS = {"query", "total", "offset", "limit", "hits", "facets", "suggestion", "suggestion_total"}


@pytest.mark.parametrize(
    ("query", "flags"),
    [
        ("early adopter", []),
        ("early adopter", ["--facet", "year"]),
        ("early adopter", ["--page", "2", "-n", "2"]),
        ("early adopter", ["--sort", "newest"]),
        ("early adopter", ["--page", "99"]),
        ("zzzqqq", []),
    ],
    ids=["plain", "facet", "page", "sort", "past-the-end", "no-hits"],
)
def test_search_json_is_one_object_whatever_the_flags(corpus_run: Runner, query: str, flags: list[str]) -> None:
    data = json.loads(corpus_run("search", query, "--json", *flags).stdout)
    assert set(data) == SEARCH_KEYS
    assert isinstance(data["hits"], list) and isinstance(data["total"], int)
    assert [h["rank"] for h in data["hits"]] == list(range(data["offset"] + 1, data["offset"] + 1 + len(data["hits"])))


def test_the_format_option_and_its_aliases_agree(corpus_run: Runner) -> None:
    for long, short in (("json", "--json"), ("jsonl", "--nl"), ("csv", "--csv")):
        for command in (["search", "early adopter"], ["timeline", "framework"], ["feeds", "list"]):
            assert corpus_run(*command, "--format", long).stdout == corpus_run(*command, short).stdout, command
            assert corpus_run(*command, "-f", long).stdout == corpus_run(*command, short).stdout, command
    refused = corpus_run("search", "x", "--format", "csv", "--json", expect=2)
    assert "Use just one output format" in refused.stderr
    same = corpus_run("search", "early adopter", "--format", "json", "--json")  # the same twice is no conflict
    assert json.loads(same.stdout)["total"] == 6


def test_jsonl_and_csv_are_the_hits_alone(corpus_run: Runner) -> None:
    whole = json.loads(corpus_run("search", "early adopter", "--json").stdout)
    lines = [json.loads(line) for line in corpus_run("search", "early adopter", "-f", "jsonl").stdout.splitlines()]
    rows = list(csv.DictReader(io.StringIO(corpus_run("search", "early adopter", "-f", "csv").stdout)))
    assert lines == whole["hits"]
    assert [r["id"] for r in rows] == [h["id"] for h in whole["hits"]]
    periods = json.loads(corpus_run("timeline", "early adopter", "--json").stdout)
    assert periods["by"] == "month"
    timeline_rows = list(csv.DictReader(io.StringIO(corpus_run("timeline", "early adopter", "--csv").stdout)))
    assert [{"period": r["period"], "hits": int(r["hits"])} for r in timeline_rows] == periods["periods"]


@pytest.mark.parametrize(
    "command",
    [
        ["search", "early adopter"],
        ["search", "early adopter", "--json"],
        ["search", "early adopter", "--csv"],
        ["timeline", "framework"],
        ["timeline", "framework", "--nl"],
        ["similar", "4f86fb47"],
        ["similar", "4f86fb47", "--json"],
        ["show", "4f86fb47"],
        ["show", "4f86fb47", "--json"],
        ["export", "early adopter", "--csv"],
    ],
    ids=lambda c: "-".join(c).replace(" ", "_"),
)
def test_dash_o_writes_what_stdout_would_have_shown(corpus_run: Runner, tmp_path: Path, command: list[str]) -> None:
    printed = corpus_run(*command).stdout
    target = tmp_path / "out"
    written = corpus_run(*command, "-o", str(target))
    assert written.stdout == ""
    assert target.read_text().rstrip("\n") == printed.rstrip("\n")
    assert "\x1b" not in target.read_text()  # a file gets no colours


def test_a_page_past_the_end_says_so(corpus_run: Runner) -> None:
    result = corpus_run("search", "early adopter", "--page", "99")
    assert result.stdout.strip() == ""
    assert "there are 6" in result.stderr


def test_show_n_opens_hit_n_of_the_last_search(corpus_run: Runner) -> None:
    hits = json.loads(corpus_run("search", "early adopter", "--json").stdout)["hits"]
    corpus_run("search", "early adopter")  # the table is what a person reads ranks from
    for hit in hits[:3]:
        shown = json.loads(corpus_run("show", str(hit["rank"]), "--json").stdout)
        assert shown["id"] == hit["id"]
    neighbours = json.loads(corpus_run("similar", "1", "--json").stdout)
    assert neighbours["of"] == hits[0]["id"]
    beyond = corpus_run("show", "99", expect=int(ExitCode.NOT_FOUND))
    assert "no hit 99" in beyond.stderr and "Traceback" not in beyond.stderr
    first = json.loads(corpus_run("search", "regulator", "--json").stdout)["hits"][0]["id"]
    assert first != hits[0]["id"]
    corpus_run("search", "regulator")  # a newer search replaces the ranks
    assert json.loads(corpus_run("show", "1", "--json").stdout)["id"] == first


def test_feeds_list_has_one_shape(run: Runner) -> None:
    run("feeds", "add", "https://example.org/feed/", "--name", "One", "--no-check")
    from newsarchive.archive import FEED_COLUMNS

    (row,) = json.loads(run("feeds", "list", "--json").stdout)
    assert list(row) == list(FEED_COLUMNS)  # every key, in the documented order, before any run
    assert {"name", "url", "enabled", "last_success", "last_error", "failures", "next_try"} <= set(row)
    (line,) = list(csv.DictReader(io.StringIO(run("feeds", "list", "--csv").stdout)))
    assert line["name"] == "One" and line["failures"] == "0"
