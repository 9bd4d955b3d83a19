"""The write path in process: matching, merging, ``commit_source`` and the rebuild,
on a real ``ArchiveStore`` in a temp dir (issue 20: no longer reached only through the CLI)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS_FILES, COUNCILS_DUMP, FEED_DUMP, LETTER_DUMP

from newsarchive import Archive
from newsarchive.ingest import matching
from newsarchive.ingest.commit import commit_source
from newsarchive.ingest.entities import entity_text
from newsarchive.ingest.identity import text_key
from newsarchive.ingest.matching import Ahead, apply_part
from newsarchive.ingest.models import Kind, Part
from newsarchive.ingest.readers import parse_payload
from newsarchive.ingest.snapshots import SnapshotOptions
from newsarchive.ingest.sources.common import SourceContext
from newsarchive.ingest.store import ArchiveStore

WHEN = "2026-01-01T00:00:00+00:00"
BODY = "Councils said the plan for early career social workers would need more money and more time. " * 6


def _read(path: Path) -> tuple[SourceContext, list[Part], bytes]:
    data = path.read_bytes()
    ctx = SourceContext(str(path), WHEN, hashlib.sha256(data).hexdigest())
    return ctx, parse_payload(data, ctx), data


@pytest.fixture
def store(tmp_path: Path):
    opened = ArchiveStore(tmp_path)
    yield opened
    opened.close()


def _page(key: str, body: str, url: str | None = None) -> Part:
    ctx = SourceContext(f"/in/{key}.txt", WHEN, hashlib.sha256(body.encode()).hexdigest())
    return ctx.part(Kind.TEXT_PAGE, key=key, title=f"Title {key}", body=body, url=url)


def test_a_page_dump_joins_its_feed_item_whichever_comes_first(store: ArchiveStore, tmp_path: Path) -> None:
    ctx, items, data = _read(FEED_DUMP)
    page_ctx, pages, page_data = _read(COUNCILS_DUMP)
    first = commit_source(store, tmp_path, page_ctx, pages, SnapshotOptions(), page_data)
    then = commit_source(store, tmp_path, ctx, items, SnapshotOptions(), data)
    assert first == Counter(added=1)
    assert then["updated"] == 1 and then["added"] == len(items) - 1  # the page met its item
    assert store.count() == len(items)
    (page_id,) = {matching.find_matches(store, part).pop() for part in pages}
    merged = store.get(page_id)
    assert merged is not None and merged.url and {s.kind for s in merged.sources} == {"feed-dump", "text-page"}


def test_texts_without_urls_that_share_only_a_footer_stay_apart(store: ArchiveStore) -> None:
    footer = " Community Care is the leading news site for social workers; sign up for our newsletter." * 3
    one = _page("one", "The council closed two youth centres and cut the budget by a third this year. " * 4 + footer)
    two = _page(
        "two", "Foster carers will get a pay rise of five per cent from April, the minister said. " * 4 + footer
    )
    assert apply_part(store, one).status == "added"
    assert apply_part(store, two).status == "added"
    again = _page("one-copy", one.body)
    assert apply_part(store, again).article_id == apply_part(store, one).article_id  # the same text joins
    assert store.count() == 2


def test_a_source_is_stored_whole_or_not_at_all(
    store: ArchiveStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, items, data = _read(FEED_DUMP)
    calls = 0
    real = matching.apply_part

    def failing(store: ArchiveStore, part: Part, entities: dict | None = None):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("disk full")
        return real(store, part, entities)

    monkeypatch.setattr("newsarchive.ingest.commit.apply_part", failing)
    with pytest.raises(OSError):
        commit_source(store, tmp_path, ctx, items, SnapshotOptions(), data)
    assert store.count() == 0 and not store.has_snapshot(ctx.sha256, ctx.origin)  # the two stored parts rolled back
    monkeypatch.setattr("newsarchive.ingest.commit.apply_part", real)
    assert sum(commit_source(store, tmp_path, ctx, items, SnapshotOptions(), data).values()) == len(items)
    assert store.has_snapshot(ctx.sha256, ctx.origin)


def test_what_a_worker_found_ahead_reaches_the_merge_as_a_value(store: ArchiveStore, tmp_path: Path) -> None:
    part = _page("ahead", BODY)
    text = entity_text(part.title, part.standfirst, part.body)
    marker = {"people": [{"name": "Found Ahead", "role": None, "mentions": 1}]}
    ctx = SourceContext(part.origin, WHEN, part.sha256)
    ahead = Ahead(entities={text_key(text): marker})
    assert commit_source(store, tmp_path, ctx, [part], SnapshotOptions(), ahead=ahead) == Counter(added=1)
    (article,) = store.get_many([apply_part(store, part).article_id]).values()
    assert article.entities == marker  # taken from the worker, not found again
    fresh = _page("fresh", BODY.replace("Councils", "Boroughs"))
    outcome = apply_part(store, fresh)  # no worker: found here
    assert store.get(outcome.article_id).entities != marker  # type: ignore[union-attr]


def test_a_rebuild_from_snapshots_gives_the_same_records(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a", write=True) as archive:
        archive.ingest([str(p) for p in CORPUS_FILES])
        before = [r for r in archive.export()]
        rebuilt, indexed = archive.reindex(from_snapshots=True)
        after = [r for r in archive.export()]
    history = ("first_seen", "last_seen", "changes")
    assert rebuilt == indexed == len(before) == 11
    assert [{k: v for k, v in r.items() if k not in history} for r in after] == [
        {k: v for k, v in r.items() if k not in history} for r in before
    ]


def test_kinds_rank_feeds_first_and_an_unknown_kind_last() -> None:
    assert Kind.FEED.is_feed and Kind.WXR.is_feed and not Kind.HTML_PAGE.is_feed
    assert Kind.rank_of("feed-dump") < Kind.rank_of("html-page") < Kind.rank_of("text-page")
    assert Kind.rank_of("a-kind-from-a-later-release") == 3
    ctx, parts, _ = _read(LETTER_DUMP)
    assert parts[0].kind == "text-page" == Kind.TEXT_PAGE  # as stored in JSON, equal to the member


def test_every_reader_has_the_one_interface_and_the_last_takes_anything() -> None:
    from newsarchive.ingest.readers import READERS, reader_for

    assert len({reader.KIND for reader in READERS}) == len(READERS)
    assert all(callable(reader.looks_like) and callable(reader.read) for reader in READERS)
    assert reader_for("just some words, in no format at all").KIND == Kind.TEXT_PAGE
    assert reader_for('{"version": "https://jsonfeed.org/version/1.1", "items": []}').KIND == Kind.JSON_FEED
    assert reader_for(FEED_DUMP.read_text()).KIND == Kind.FEED_DUMP
