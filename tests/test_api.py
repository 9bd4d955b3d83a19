"""The Python API, in process: everything the command line does, in a few lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, LETTER_DUMP, PAY_SCALES_URL
from pytest_httpserver import HTTPServer
from test_archive import comparable
from test_remote import comment_feed, item, rss

from newsarchive import Archive, SearchOptions
from newsarchive.errors import ArchiveError, Locked, NotFound


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    with Archive.open(tmp_path / "archive", write=True) as archive:
        summary = archive.ingest([str(CORPUS)])
    assert (summary.outcomes["added"], summary.outcomes["updated"], sum(summary.failed.values())) == (11, 3, 0)
    return tmp_path / "archive"


def test_search_show_similar_timeline_export_stats(filled: Path) -> None:
    with Archive.open(filled) as archive:
        result = archive.search('"early adopter"', SearchOptions(limit=3, facets=("year",)))
        assert result.total == 6 and len(result.hits) == 3 and result.facets["year"]
        article = archive.resolve(PAY_SCALES_URL)
        assert archive.resolve(article.id[:8]).id == article.id and article.polls
        assert article.id not in [h.id for h in archive.similar(article.id, 5)]
        assert sum(n for _, n in archive.timeline("framework", by="year")) == archive.search("framework").total
        records = list(archive.export())
        assert len(records) == archive.stats()["articles"] == 11
        adopters = {h.id for h in archive.search('"early adopter"', SearchOptions(limit=50)).hits}
        assert [r["id"] for r in archive.export('"early adopter"')] == [r["id"] for r in records if r["id"] in adopters]
        # the API takes the query language as written: unquoted words are ANDed, not a phrase
        assert len(list(archive.export("early adopter"))) == archive.search("early adopter").total > len(adopters)
        assert archive.index_lag() == 0
        with pytest.raises(NotFound):
            archive.resolve("no-such-article")


def test_a_second_ingest_changes_nothing_and_a_reindex_gives_the_same_search(filled: Path) -> None:
    with Archive.open(filled) as archive:
        before, hits = list(archive.export()), archive.search("framework", SearchOptions(limit=50)).hits
    with Archive.open(filled, write=True) as archive:
        again = archive.ingest([str(CORPUS)])
        assert again.outcomes["unchanged"] == 14 and not again.outcomes["added"] and not again.outcomes["updated"]
        assert archive.reindex() == (None, 11)
        assert archive.reindex(from_snapshots=True) == (11, 11)
    with Archive.open(filled) as archive:
        assert comparable(list(archive.export())) == comparable(before)
        assert [h.id for h in archive.search("framework", SearchOptions(limit=50)).hits] == [h.id for h in hits]


def test_writing_needs_the_lock_and_one_writer_at_a_time(filled: Path) -> None:
    with Archive.open(filled) as reader, pytest.raises(ArchiveError, match="open for reading"):
        reader.ingest([str(LETTER_DUMP)])
    with Archive.open(filled, write=True) as writer:
        with pytest.raises(Locked), Archive.open(filled, write=True):
            pass
        with Archive.open(filled) as reader:  # readers go on beside a writer
            assert reader.search("dashboard").total >= 1
        writer.ingest([str(LETTER_DUMP)])
    with Archive.open(filled, write=True):  # let go when the first closed
        pass


def test_no_archive_is_a_clear_error(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "none") as archive:
        assert not archive.exists and archive.stats() == {"archive": str(tmp_path / "none"), "exists": False}
        with pytest.raises(ArchiveError, match="run 'newsarchive ingest'"):
            list(archive.export())


def test_a_feed_run_with_comments_through_the_api(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1, comments=1, base=base), item(2, base=base)))
    httpserver.expect_request("/2024/03/01/story-number-1/feed/").respond_with_data(
        comment_feed(("Ann", "Mon, 01 Apr 2024 09:00:00 +0000", "First!"))
    )
    archive_path = tmp_path / "archive"
    with Archive.open(archive_path) as archive:
        assert archive.add_feed(httpserver.url_for("/feed/"), name="Example") == 2
    problems: list[str] = []
    with Archive.open(archive_path, write=True) as archive:
        summary = archive.ingest(feed_list=True, report=problems.append)
        assert summary.outcomes["added"] == 2 and not problems
        second = archive.ingest(feed_list=True)
        assert second.outcomes["not-modified"] == 1
    with Archive.open(archive_path) as archive:
        (status,) = archive.feed_status()
        assert status["name"] == "Example" and status["failures"] == 0 and status["last_success"]
        story = archive.resolve(f"{base}/2024/03/01/story-number-1/")
        assert [c.author for c in story.comments] == ["Ann"]
        assert [r["id"] for r in archive.export("comments:first")] == [story.id]
