"""Nightly ingestion against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from conftest import Runner, records
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsarchive.ingest.errors import SourceError
from newsarchive.ingest.http_fetch import FetchOptions, fetch

BODY = (
    "Councils across England are being asked to test a new programme of support for social workers in "
    "their first years of practice, the government said, in a consultation published this week. "
) * 3


def item(n: int, comments: int | None = None, base: str = "https://news.example.org") -> str:
    url = f"{base}/2024/03/{n:02d}/story-number-{n}/"
    extra = ""
    if comments is not None:
        extra = f"<wfw:commentRss>{url}feed/</wfw:commentRss><slash:comments>{comments}</slash:comments>"
    return (
        f"<item><title>Story number {n} about social work</title><link>{url}</link>"
        f"<pubDate>Mon, {n:02d} Mar 2024 10:00:00 +0000</pubDate><guid>{base}/?p={n}</guid>"
        f"<description>Summary {n}</description>"
        f"<content:encoded><![CDATA[<p>Story {n}. {BODY}</p>]]></content:encoded>{extra}</item>"
    )


def rss(*items: str, title: str = "Example News") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>{escape(title)}</title><link>https://news.example.org/</link><language>en-GB</language>"
        + "".join(items)
        + "</channel></rss>"
    )


def comment_feed(*comments: tuple[str, str, str]) -> str:
    entries = "".join(
        f"<item><title>By: {a}</title><dc:creator>{a}</dc:creator><pubDate>{d}</pubDate>"
        f"<guid>https://news.example.org/?c={i}</guid><description>{escape(t)}</description></item>"
        for i, (a, d, t) in enumerate(comments)
    )
    return rss(entries, title="Comments on Story number 1")


def summary_line(result: Any) -> str:
    return result.stderr.strip().splitlines()[-1]


def index_generation(archive: Path) -> int:
    from whoosh import index

    return index.open_dir(str(archive / "index")).latest_generation()


# -- conditional requests -----------------------------------------------------------------


def test_etag_then_304_costs_no_index_write(run: Runner, archive: Path, httpserver: HTTPServer) -> None:
    url = httpserver.url_for("/feed/")
    httpserver.expect_ordered_request("/feed/").respond_with_data(
        rss(item(1), item(2)), content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    httpserver.expect_ordered_request("/feed/", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    assert summary_line(run("ingest", url)) == "added 2, updated 0, unchanged 0, not-modified 0, failed 0"
    generation = index_generation(archive)
    assert summary_line(run("ingest", url)) == "added 0, updated 0, unchanged 0, not-modified 1, failed 0"
    assert index_generation(archive) == generation
    httpserver.check_assertions()


def test_last_modified_is_sent_back(run: Runner, httpserver: HTTPServer) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"
    url = httpserver.url_for("/feed/")
    httpserver.expect_ordered_request("/feed/").respond_with_data(rss(item(1)), headers={"Last-Modified": stamp})
    httpserver.expect_ordered_request("/feed/", headers={"If-Modified-Since": stamp}).respond_with_data("", status=304)
    run("ingest", url)
    assert "not-modified 1" in summary_line(run("ingest", url))
    httpserver.check_assertions()


def test_identical_body_without_validators_is_not_modified(run: Runner, archive: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1), item(2)))
    run("ingest", httpserver.url_for("/feed/"))
    generation = index_generation(archive)
    assert "not-modified 1" in summary_line(run("ingest", httpserver.url_for("/feed/")))
    assert index_generation(archive) == generation


def test_changed_feed_adds_only_new_items(run: Runner, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/feed/").respond_with_data(rss(item(2), item(1)))
    httpserver.expect_ordered_request("/feed/").respond_with_data(rss(item(3), item(2), item(1)))
    run("ingest", httpserver.url_for("/feed/"))
    assert summary_line(run("ingest", httpserver.url_for("/feed/"))) == (
        "added 1, updated 0, unchanged 2, not-modified 0, failed 0"
    )
    recs = records(run)
    assert len(recs) == 3
    story = next(r for r in recs if r["title"] == "Story number 1 about social work")
    assert story["first_seen"] <= story["last_seen"]


def test_changed_item_is_updated_with_a_note(run: Runner, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/feed/").respond_with_data(rss(item(1)))
    httpserver.expect_ordered_request("/feed/").respond_with_data(
        rss(item(1).replace("Story 1.", "Story 1, corrected."))
    )
    run("ingest", httpserver.url_for("/feed/"))
    assert "updated 1" in summary_line(run("ingest", httpserver.url_for("/feed/")))
    (rec,) = records(run)
    assert rec["body"].startswith("Story 1, corrected.")
    assert [c["changed"] for c in rec["changes"]] == [["body"]]


# -- failures -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "reason"), [(404, "http-404"), (410, "http-410")])
def test_client_errors_are_reported_and_others_ingested(
    run: Runner, httpserver: HTTPServer, status: int, reason: str
) -> None:
    httpserver.expect_request("/gone/").respond_with_data("nope", status=status)
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1)))
    result = run("ingest", httpserver.url_for("/gone/"), httpserver.url_for("/feed/"), expect=1)
    assert f"newsarchive: skipped {httpserver.url_for('/gone/')}: the server answered {status}" in result.stderr
    assert summary_line(result) == f"added 1, updated 0, unchanged 0, not-modified 0, failed 1 ({reason}: 1)"
    assert len([r for r in httpserver.log if r[0].path == "/gone/"]) == 1  # no retry on 4xx
    assert len(records(run)) == 1


def test_server_error_then_success_on_retry(run: Runner, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/feed/").respond_with_data("busy", status=503, headers={"Retry-After": "1"})
    httpserver.expect_ordered_request("/feed/").respond_with_data(rss(item(1)))
    result = run("ingest", httpserver.url_for("/feed/"))
    assert summary_line(result) == "added 1, updated 0, unchanged 0, not-modified 0, failed 0"


def test_html_where_a_feed_was_expected(run: Runner, httpserver: HTTPServer) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Home</title></head><body><article><p>"
        + BODY
        + "</p></article></body></html>"
    )
    httpserver.expect_request("/feed/").respond_with_data(page, content_type="text/html")
    result = run("ingest", httpserver.url_for("/feed/"), expect=1)
    assert "expected a feed, got an html-page" in result.stderr
    assert "(not-a-feed: 1)" in summary_line(result)


def test_redirect_loop_among_good_feeds(run: Runner, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1)))
    result = run("ingest", httpserver.url_for("/a"), httpserver.url_for("/feed/"), expect=1)
    assert f"newsarchive: skipped {httpserver.url_for('/a')}: more than 5 redirects" in result.stderr
    assert summary_line(result) == "added 1, updated 0, unchanged 0, not-modified 0, failed 1 (redirect-loop: 1)"


def test_gzip_body(run: Runner, httpserver: HTTPServer) -> None:
    body = gzip.compress(rss(item(1), item(2)).encode())
    httpserver.expect_request("/feed/").respond_with_data(
        body, headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml"
    )
    assert "added 2" in summary_line(run("ingest", httpserver.url_for("/feed/")))


# Short texts in single-byte encodings that detection alone reads wrongly
# (ISO-8859-2 is taken for ISO-8859-10, Windows-1251 for Mac Cyrillic).
SERVER_CHARSETS = [
    ("iso-8859-2", "Zażółć gęślą jaźń. Świętokrzyskie służby społeczne ogłosiły nowe zasady."),
    ("windows-1251", "Социальные работники получили новые правила ухода за детьми."),
]


def foreign_rss(title: str, declared: str | None) -> str:
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    body = f"<p>{title} {title} {title}</p>"
    return (
        f'{declaration}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Foreign News</title><link>https://foreign.example.org/</link>"
        f"<item><title>{title}</title><link>https://foreign.example.org/2024/03/01/one/</link>"
        "<pubDate>Fri, 01 Mar 2024 10:00:00 +0000</pubDate>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
    )


@pytest.mark.parametrize(("charset", "title"), SERVER_CHARSETS, ids=[c for c, _ in SERVER_CHARSETS])
@pytest.mark.parametrize("declared", [None, "iso-8859-1"])
def test_the_charset_the_server_names_is_used(
    run: Runner, httpserver: HTTPServer, charset: str, title: str, declared: str | None
) -> None:
    """The Content-Type header's charset decodes a feed that declares no
    encoding, or declares a wrong one (HTTP's word outranks the XML
    declaration); a rebuild from the snapshots reads the bytes the same way."""
    httpserver.expect_request("/feed/").respond_with_data(
        foreign_rss(title, declared).encode(charset), content_type=f"application/rss+xml; charset={charset}"
    )
    run("ingest", httpserver.url_for("/feed/"))
    [record] = records(run)
    assert record["title"] == title
    assert title in record["body"]
    run("reindex", "--from-snapshots")
    [rebuilt] = records(run)
    assert (rebuilt["title"], rebuilt["body"]) == (record["title"], record["body"])


def test_the_server_charset_holds_for_a_long_multibyte_body() -> None:
    """The charset is checked on a sample; a character cut at its end is not a contradiction."""
    from newsarchive.ingest.decode import guess_encoding

    data = b"a" + ("ソーシャルワーカーは新しい規則を受け取りました。" * 8000).encode("shift_jis")
    assert len(data) > 200_000 and data[1:200_000].decode("shift_jis", "ignore")  # the sample ends mid-character
    assert guess_encoding(data, "shift_jis") == "shift_jis"
    assert guess_encoding(b"\x80\xff" + data, "shift_jis") != "shift_jis"  # broken bytes: not its word


def test_a_server_charset_the_bytes_contradict_is_not_used(run: Runner, httpserver: HTTPServer) -> None:
    """UTF-8 bytes labelled Windows-1251 (a server's wrong default) stay UTF-8."""
    title = "Социальные работники получили новые правила ухода за детьми."
    httpserver.expect_request("/feed/").respond_with_data(
        foreign_rss(title, "utf-8").encode("utf-8"), content_type="application/rss+xml; charset=windows-1251"
    )
    run("ingest", httpserver.url_for("/feed/"))
    assert [r["title"] for r in records(run)] == [title]


def test_failing_feed_is_backed_off_and_listed(run: Runner, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone/").respond_with_data("nope", status=404)
    url = httpserver.url_for("/gone/")
    run("feeds", "add", url, "--name", "Gone", "--no-check")
    run("ingest", "-q", expect=1)
    listed = json.loads(run("feeds", "list", "--json").stdout)
    assert listed[0]["failures"] == 1 and "404" in listed[0]["last_error"] and listed[0]["next_try"]
    result = run("ingest", expect=0)  # backed off: not fetched again before next_try
    assert "deferred 1" in summary_line(result)
    assert len(httpserver.log) == 1
    assert "1 failures in a row" in run("feeds", "list").stdout
    run("ingest", "--force", expect=1)
    assert len(httpserver.log) == 2


# -- fetch limits (the fetcher directly, with short limits) --------------------------------


def test_timeout(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(rss(item(1)))

    httpserver.expect_request("/slow/").respond_with_handler(slow)
    with pytest.raises(SourceError) as caught:
        fetch(httpserver.url_for("/slow/"), options=FetchOptions(read_timeout=0.3, retries=1, backoff=0.05))
    assert caught.value.reason == "timeout"
    assert "timed out (2 attempts)" in str(caught.value)


def test_trickling_server_is_cut_off(httpserver: HTTPServer) -> None:
    def trickle(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(50):
                time.sleep(0.1)
                yield b"<"

        return Response(chunks(), content_type="application/rss+xml")

    httpserver.expect_request("/trickle/").respond_with_handler(trickle)
    with pytest.raises(SourceError) as caught:
        fetch(httpserver.url_for("/trickle/"), options=FetchOptions(read_timeout=1, total_timeout=1, retries=0))
    assert caught.value.reason == "timeout"


def test_redirect_loop(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(SourceError) as caught:
        fetch(httpserver.url_for("/a"))
    assert caught.value.reason == "redirect-loop"


def test_body_over_the_size_limit(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big/").respond_with_data(rss(*(item(n) for n in range(1, 29))))
    with pytest.raises(SourceError) as caught:
        fetch(httpserver.url_for("/big/"), options=FetchOptions(max_bytes=5_000))
    assert caught.value.reason == "too-large"


def test_user_agent_and_redirect(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request(
        "/new", headers={"User-Agent": __import__("newsarchive.ingest.http_fetch").ingest.http_fetch.USER_AGENT}
    ).respond_with_data(rss(item(1)))
    fetched = fetch(httpserver.url_for("/old"))
    assert fetched.url.endswith("/new") and b"Story number 1" in fetched.body


# -- backfill, comment feeds, feed list --------------------------------------------------


def test_backfill_walks_pages_until_404(run: Runner, httpserver: HTTPServer) -> None:
    for page in range(1, 6):
        items = [item(n) for n in range(page * 3 - 2, page * 3 + 1)]
        query = "" if page == 1 else f"paged={page}"
        httpserver.expect_request("/tag/feed/", query_string=query).respond_with_data(rss(*items))
    httpserver.expect_request("/tag/feed/", query_string="paged=6").respond_with_data("missing", status=404)
    result = run("ingest", "--backfill", httpserver.url_for("/tag/feed/"))
    assert summary_line(result) == "added 15, updated 0, unchanged 0, not-modified 0, failed 0"
    assert len(records(run)) == 15
    assert len(httpserver.log) == 6


def test_comment_feed_is_merged(run: Runner, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1, comments=2, base=base)))
    httpserver.expect_request("/2024/03/01/story-number-1/feed/").respond_with_data(
        comment_feed(
            ("Bob", "Tue, 02 Apr 2024 10:00:00 +0000", "A later reply."),
            ("Ann", "Mon, 01 Apr 2024 09:00:00 +0000", "First!"),
        )
    )
    run("ingest", httpserver.url_for("/feed/"))
    (rec,) = records(run)
    assert [(c["author"], c["text"]) for c in rec["comments"]] == [("Ann", "First!"), ("Bob", "A later reply.")]
    assert rec["comment_count"] == 2
    # all comments captured: tomorrow's run does not ask for them again
    run("ingest", httpserver.url_for("/feed/"))
    assert len([r for r in httpserver.log if "story-number-1/feed" in r[0].path]) == 1


def test_feed_list(run: Runner, archive: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/one/").respond_with_data(rss(item(1)))
    httpserver.expect_request("/two/").respond_with_data(rss(item(2)))
    run("feeds", "add", httpserver.url_for("/one/"), "--name", "One", "--spam-pattern", "^Story ")
    run("feeds", "add", httpserver.url_for("/two/"), "--name", "Two")
    assert "already in the feed list" in run("feeds", "add", httpserver.url_for("/two/"), expect=4).stderr
    run("feeds", "enable", "Two", "--off")
    assert "added 1" in summary_line(run("ingest"))
    (rec,) = records(run)
    assert rec["title"] == "number 1 about social work"  # the feed's own spam pattern applied
    text = (archive / "feeds.toml").read_text()
    assert 'name = "Two"' in text and "enabled = false" in text
    run("feeds", "remove", "One")
    assert [f["name"] for f in json.loads(run("feeds", "list", "--json").stdout)] == ["Two"]
    bad = archive / "feeds.toml"
    bad.write_text("[[feed]]\nurl = 3\n")
    assert "feed 1 has no url" in run("ingest", expect=4).stderr


def test_nothing_to_ingest_is_a_usage_error(run: Runner) -> None:
    assert "Nothing to ingest" in run("ingest", expect=2).stderr


# -- one run at a time, and rebuilding from snapshots --------------------------------------


def test_two_concurrent_ingests(archive: Path, httpserver: HTTPServer, run: Runner) -> None:
    def slow(request: Request) -> Response:
        time.sleep(5)  # the first run holds the lock while it waits on this
        return Response(rss(item(1), item(2)))

    httpserver.expect_request("/feed/").respond_with_handler(slow)
    command = [sys.executable, "-m", "newsarchive", "--archive", str(archive), "ingest", httpserver.url_for("/feed/")]
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    lock = archive / "ingest.lock"
    while first.poll() is None and not (lock.exists() and lock.read_text()):
        time.sleep(0.05)
    assert first.poll() is None, "the first run ended before it was seen holding the lock"
    second = subprocess.run(command, capture_output=True, text=True)
    assert second.returncode == 6, second.stderr
    assert "is being written by pid" in second.stderr and "--wait" in second.stderr
    waiting = subprocess.Popen([*command, "--wait"], stderr=subprocess.PIPE, text=True)
    first_err = first.communicate(timeout=30)[1]
    waiting_err = waiting.communicate(timeout=30)[1]
    assert first.returncode == 0 and waiting.returncode == 0, first_err + waiting_err
    assert "added 2" in first_err
    assert "not-modified 1" in waiting_err  # ran after the first, found nothing new
    assert len(records(run)) == 2
    assert len(httpserver.log) == 2


def test_search_works_while_an_ingest_runs(corpus_run: Runner, corpus_archive: Path) -> None:
    from newsarchive.ingest.lock import ArchiveLock

    with ArchiveLock(corpus_archive):  # as if an ingest were holding the archive
        assert len(json.loads(corpus_run("search", "early adopter", "--json").stdout)["hits"]) == 6


def test_reindex_from_snapshots_equals_the_archive(run: Runner, httpserver: HTTPServer, tmp_path: Path) -> None:
    from conftest import CORPUS
    from test_archive import comparable

    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1, comments=1, base=base), item(2, base=base)))
    httpserver.expect_request("/2024/03/01/story-number-1/feed/").respond_with_data(
        comment_feed(("Ann", "Mon, 01 Apr 2024 09:00:00 +0000", "First!"))
    )
    run("ingest", str(CORPUS), httpserver.url_for("/feed/"))
    before = records(run)
    search_before = json.loads(run("search", "early adopter", "--json").stdout)["hits"]
    result = run("reindex", "--from-snapshots")
    assert "rebuilt 13 articles from snapshots" in result.stderr
    after = records(run)
    assert comparable(after) == comparable(before)
    assert [r["sources"] for r in after] == [r["sources"] for r in before]  # fetch times included
    assert json.loads(run("search", "early adopter", "--json").stdout)["hits"] == search_before


def test_lock_left_by_a_killed_run_is_taken_over(archive: Path, run: Runner) -> None:
    from conftest import LETTER_DUMP

    code = (
        "import sys, time\nfrom pathlib import Path\nfrom newsarchive.ingest.lock import ArchiveLock\n"
        f"with ArchiveLock(Path({str(archive)!r})):\n    print('locked', flush=True)\n    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    assert run("ingest", str(LETTER_DUMP), expect=6).exit_code == 6
    holder.kill()
    holder.communicate()
    assert "added 1" in summary_line(run("ingest", str(LETTER_DUMP)))


def test_waiting_thread_sees_the_lock_released(archive: Path) -> None:
    from newsarchive.ingest.lock import ArchiveLock, Locked

    order: list[str] = []
    with ArchiveLock(archive):
        with pytest.raises(Locked):
            ArchiveLock(archive).__enter__()

        def wait_for_the_lock() -> None:
            ArchiveLock(archive, wait=True).__enter__()
            order.append("got")

        waiter = threading.Thread(target=wait_for_the_lock)
        waiter.start()
        time.sleep(0.3)
        order.append("released")
    waiter.join(timeout=5)
    assert order == ["released", "got"]


# -- comment feeds and the nightly run's exit code (issue: unattended runs) ----------------------


def _fetches(httpserver: HTTPServer, part: str) -> int:
    return len([r for r in httpserver.log if part in r[0].path])


def test_a_missing_comment_feed_is_a_warning_backed_off(run: Runner, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1, comments=3, base=base)))
    httpserver.expect_request("/2024/03/01/story-number-1/feed/").respond_with_data("gone", status=404)
    first = run("ingest", httpserver.url_for("/feed/"))  # exit 0: the post is in; only its comments are not
    assert "added 1" in summary_line(first) and "warnings 1 (comment-feed-http-404: 1)" in summary_line(first)
    assert "a warning: the post itself is kept" in first.stderr
    httpserver.clear()  # the next night: the feed has changed (a new story), so the post is read again
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1, comments=3, base=base), item(2, base=base)))
    httpserver.expect_request("/2024/03/01/story-number-1/feed/").respond_with_data("gone", status=404)
    quiet = run("ingest", "-q", httpserver.url_for("/feed/"))
    assert quiet.stderr == ""  # backed off: not fetched again tonight, and nothing to say under -q
    assert _fetches(httpserver, "/feed/") == 1 and _fetches(httpserver, "story-number-1/feed") == 0


def test_a_comment_feed_that_cannot_deliver_the_count_is_not_fetched_night_after_night(
    run: Runner, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")

    # The post says 12 comments; its comment feed lists one (WordPress lists the latest ten at most)
    def night(n: int, comments: int) -> None:  # each night the feed has changed, so the post is read again
        httpserver.clear()
        httpserver.expect_request("/feed/").respond_with_data(
            rss(item(1, comments=comments, base=base), *(item(k, base=base) for k in range(2, n + 2)))
        )
        httpserver.expect_request("/2024/03/01/story-number-1/feed/").respond_with_data(
            comment_feed(("Ann", "Mon, 01 Apr 2024 09:00:00 +0000", "First!"))
        )
        assert run("ingest", "-q", httpserver.url_for("/feed/")).stderr == ""

    night(0, 12)
    assert _fetches(httpserver, "story-number-1/feed") == 1
    for n in (1, 2):
        night(n, 12)
        assert _fetches(httpserver, "story-number-1/feed") == 0  # it gave all it could at twelve
    night(3, 13)  # a new comment on the post: its feed may hold more now, so it is asked once again
    assert _fetches(httpserver, "story-number-1/feed") == 1
    night(4, 13)
    assert _fetches(httpserver, "story-number-1/feed") == 0


def test_feeds_add_checks_the_feed(run: Runner, archive: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone/").respond_with_data("nope", status=404)
    httpserver.expect_request("/page/").respond_with_data(
        "<html><head><title>A page</title></head><body><article><h1>A page</h1><p>"
        + BODY
        + "</p></article></body></html>",
        content_type="text/html",
    )
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1), item(2)), content_type="application/rss+xml")
    gone = run("feeds", "add", httpserver.url_for("/gone/"), expect=2)
    assert "404" in gone.stderr and "--no-check" in gone.stderr
    page = run("feeds", "add", httpserver.url_for("/page/"), expect=2)
    assert "expected a feed" in page.stderr
    assert not (archive / "feeds.toml").exists() or "gone" not in (archive / "feeds.toml").read_text()
    assert "a feed of 2 items" in run("feeds", "add", httpserver.url_for("/feed/"), "--name", "Good").stderr
    run("feeds", "add", httpserver.url_for("/gone/"), "--name", "Gone", "--no-check")
    assert [f["name"] for f in json.loads(run("feeds", "list", "--json").stdout)] == ["Good", "Gone"]


def test_quiet_and_the_exit_code_agree(run: Runner, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1)))
    httpserver.expect_request("/gone/").respond_with_data("nope", status=404)
    run("feeds", "add", httpserver.url_for("/feed/"), "--name", "Good")
    run("feeds", "add", httpserver.url_for("/gone/"), "--name", "Gone", "--no-check")
    first = run("ingest", "-q", expect=1)  # a problem tonight: said, and the code says so
    assert "404" in first.stderr
    second = run("ingest", "-q", expect=0)  # the broken feed is backed off: nothing new to say
    assert second.stderr == "" and second.stdout == ""
    assert "deferred 1" in summary_line(run("ingest"))  # without -q it is still shown
