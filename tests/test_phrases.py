"""Phrases answered from word pairs find exactly the documents the positional
phrase finds (newsarchive/search/phrases.py), on the corpus, generated
articles and the real-world pages, for phrases taken from their own texts."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, REALWORLD, ROOT, make_runner
from whoosh import index

from newsarchive.search.phrases import fast
from newsarchive.search.query import parse_query

sys.path.insert(0, str(ROOT / "bench"))
from generate import write_archive_inputs  # noqa: E402

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


def _phrases(texts: list[str], count: int, seed: int) -> list[str]:
    """Runs of 2 to 4 words from the texts, as a reporter would quote them."""
    rng = random.Random(seed)
    found: list[str] = []
    while len(found) < count:
        words = WORD.findall(rng.choice(texts))
        if len(words) < 5:
            continue
        size = rng.choice((2, 2, 3, 4))
        start = rng.randrange(len(words) - size)
        found.append(" ".join(words[start : start + size]))
    return found


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("phrases")
    write_archive_inputs(folder / "generated", 300)
    sources = [str(CORPUS), str(folder / "generated")]
    pages = REALWORLD / "articles-trafilatura" / "tests" / "cache"
    if pages.exists():  # real news pages, when ../shared is beside the checkout
        sources.append(str(pages))
    make_runner(folder / "archive")("ingest", "-q", *sources, expect=None)
    return folder / "archive"


def test_pairs_find_what_positions_find(archive: Path) -> None:
    ix = index.open_dir(str(archive / "index"))
    with ix.searcher() as searcher:
        texts = [fields.get("display", {}).get("title") or "" for fields in searcher.all_stored_fields()]
        from newsarchive.ingest.store import ArchiveStore

        store = ArchiveStore(archive, readonly=True)
        texts += [a.body[:3000] for a in store.iter_articles()]
        store.close()
        phrases = _phrases([t for t in texts if t], 300, seed=21)
        phrases += ["social workers", "early career framework", "head of service", "the Department for Education"]
        compared = differing = 0
        for phrase in phrases:
            positional = parse_query(f'"{phrase}"', ix.schema)
            answered = fast(positional)
            if answered == positional:
                continue  # a phrase that analyses to one word is no phrase
            compared += 1
            expected = set(searcher.search(positional, limit=None).docs())
            got = set(searcher.search(answered, limit=None).docs())
            differing += expected != got
            assert got == expected, phrase
    ix.close()
    assert compared > 150 and differing == 0


def test_a_phrase_still_ranks_its_headline_first(archive: Path) -> None:
    run = make_runner(archive)
    import json

    for headline in (
        "Councils urged to test social work early career framework",
        "Employers chosen to design and test social work early career framework",
        "DfE backs early career framework but rejects national pay scales for children’s social workers",
    ):
        hits = json.loads(run("search", headline, "--json").stdout)["hits"]
        assert hits and hits[0]["title"] == headline
