"""Headlines, questions and URLs as reporters paste them: none is an error, and each
finds its own article first.  The table is built from the corpus's, generated and
real-world articles' own titles and URLs (each expected id is the article that
carries that title or URL), in the forms people paste: as typed, with a question
mark, in capitals, with a colon after the first word, with a pipe, lower-case with
curly quotes, and the article's URL."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import CORPUS, REALWORLD, ROOT, make_runner

sys.path.insert(0, str(ROOT / "bench"))
from generate import write_archive_inputs  # noqa: E402

VARIANTS = {
    "as typed": lambda t: t,
    "question": lambda t: t.rstrip("?.! ") + "?",
    "capitals": lambda t: t.upper(),
    "colon": lambda t: t.replace(" ", ": ", 1),
    "pipe": lambda t: t + " | Community Care",
    "curly": lambda t: t.lower().replace("'", "’"),
}


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, list[tuple[str, str, set[str]]]]:
    folder = tmp_path_factory.mktemp("pasted")
    write_archive_inputs(folder / "generated", 60, seed=5)
    sources = [str(CORPUS), str(folder / "generated")]
    pages = REALWORLD / "articles-trafilatura" / "tests" / "cache"
    if pages.exists():
        sources.append(str(pages))
    run = make_runner(folder / "archive")
    run("ingest", "-q", *sources, expect=None)
    records = json.loads(run("export").stdout)
    by_title: dict[str, set[str]] = {}
    for record in records:
        if record["title"] and len(record["title"].split()) >= 4:
            by_title.setdefault(record["title"], set()).add(record["id"])
    rows = []
    for title, ids in sorted(by_title.items()):
        for name, make in VARIANTS.items():
            if name == "pipe" and "|" in title:
                continue
            rows.append((name, make(title), ids))
    rows += [("url", r["url"], {r["id"]}) for r in records if r["url"] and r["title"]]
    return run, rows


def test_over_a_hundred_pasted_queries_find_their_own_article_first(table: tuple) -> None:
    run, rows = table
    assert len(rows) >= 100
    missed = []
    for kind, query, ids in rows:
        result = run("search", query, "--json", "-n", "3", expect=None)
        assert result.exit_code == 0, (kind, query, result.stderr)
        hits = json.loads(result.stdout)["hits"]
        if not hits or hits[0]["id"] not in ids:
            missed.append((kind, query, [h["title"] for h in hits]))
    assert not missed, missed


def test_a_url_with_no_article_says_so(table: tuple) -> None:
    run, _ = table
    result = run("search", "https://news.example.org/no/such/article/")
    assert result.stderr.startswith("0 hits for https://news.example.org/no/such/article/")
