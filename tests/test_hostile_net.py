"""Hostile HTTP servers on 127.0.0.1, written with raw sockets so that they
can misbehave as real ones do: headers sent a line at a time, never ending."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.ingest.errors import SourceError
from newsarchive.ingest.http_fetch import FetchOptions, fetch

HANG_GUARD = 120  # seconds: a fetch still running then has hung (the bound under test is 2 s)


@pytest.fixture
def trickling_headers() -> Iterator[str]:
    """A server that answers with one header line every 0.3 s, for at most 3 minutes."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.5)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    for n in range(600):
                        if stop.wait(0.3):
                            break
                        conn.sendall(f"X-Slow-{n}: still coming\r\n".encode())
                except OSError:
                    pass  # the client hung up: what we want

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/feed/"
    stop.set()
    thread.join(timeout=10)
    server.close()


def test_headers_sent_a_line_at_a_time_are_cut_at_the_total_timeout(trickling_headers: str) -> None:
    outcome: list[BaseException | object] = []

    def attempt() -> None:
        try:
            outcome.append(fetch(trickling_headers, options=FetchOptions(read_timeout=1, total_timeout=2, retries=1)))
        except BaseException as exc:  # noqa: B036 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=HANG_GUARD)
    assert not worker.is_alive(), "the fetch hung: the total timeout did not bound the headers"
    assert isinstance(outcome[0], SourceError), outcome
    assert outcome[0].reason == "timeout"
    assert "no complete answer after 2 s" in str(outcome[0])


# -- redirects and links into private address space -----------------------------------------------
# A test cannot reach a public address, so 127.0.0.2 plays one: the fetches below
# count only 127.0.0.1/32 as private (FetchOptions.private_networks, the setting an
# operator would change), and the real redirect-following and peer checks do the rest.

import ipaddress  # noqa: E402

from pytest_httpserver import HTTPServer  # noqa: E402

ONLY_LOOPBACK_ONE = FetchOptions(retries=0, private_networks=(ipaddress.ip_network("127.0.0.1/32"),), total_timeout=30)


@pytest.fixture
def public_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.2", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_redirect_from_a_public_address_to_a_private_one_is_refused(
    public_server: HTTPServer, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/secret/").respond_with_data("internal data")
    public_server.expect_request("/feed/").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/secret/")}
    )
    with pytest.raises(SourceError) as caught:
        fetch(public_server.url_for("/feed/"), options=ONLY_LOOPBACK_ONE)
    assert caught.value.reason == "private-address" and "127.0.0.1" in str(caught.value)
    assert all(r[0].path != "/secret/" for r in httpserver.log)  # not even asked


def test_a_private_url_the_operator_gave_may_redirect_within_private_space(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old/").respond_with_data("", status=301, headers={"Location": "/new/"})
    httpserver.expect_request("/new/").respond_with_data("<rss/>")
    fetched = fetch(httpserver.url_for("/old/"), options=FetchOptions(retries=0))
    assert fetched.url == httpserver.url_for("/new/") and fetched.local


def test_a_public_fetch_may_not_start_at_a_private_address_when_told(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/comments/").respond_with_data("<rss/>")
    with pytest.raises(SourceError) as caught:
        fetch(httpserver.url_for("/comments/"), options=FetchOptions(retries=0), allow_private=False)
    assert caught.value.reason == "private-address"


def test_a_public_feed_cannot_send_its_comment_feed_fetch_to_a_private_address(
    public_server: HTTPServer, httpserver: HTTPServer, tmp_path: Path
) -> None:
    from test_remote import comment_feed, item, rss

    from newsarchive.ingest.feed_runs import FeedFetcher
    from newsarchive.ingest.pipeline import IngestOptions, Ingestor, Summary

    base = public_server.url_for("").rstrip("/")
    post = item(1, comments=2, base=base).replace(
        f"{base}/2024/03/01/story-number-1/feed/", httpserver.url_for("/internal/comments/")
    )
    public_server.expect_request("/feed/").respond_with_data(rss(post))
    httpserver.expect_request("/internal/comments/").respond_with_data(
        comment_feed(("Ann", "Mon, 01 Apr 2024 09:00:00 +0000", "First!"))
    )
    ingestor = Ingestor(tmp_path / "archive", IngestOptions())
    notices: list[str] = []
    try:
        summary = Summary()
        FeedFetcher(ingestor, ONLY_LOOPBACK_ONE).ingest_feed(
            public_server.url_for("/feed/"), summary, notices.append, notice=notices.append
        )
    finally:
        ingestor.close()
    assert summary.outcomes["added"] == 1 and summary.warnings == {"comment-feed-private-address": 1}
    assert any("private address 127.0.0.1" in n for n in notices), notices
    assert not httpserver.log  # never asked


def test_the_final_url_of_a_fetch_is_recorded(httpserver: HTTPServer, tmp_path: Path) -> None:
    import json
    import sqlite3

    from conftest import make_runner
    from test_remote import item, rss

    httpserver.expect_request("/old-feed/").respond_with_data("", status=301, headers={"Location": "/feed/"})
    httpserver.expect_request("/feed/").respond_with_data(rss(item(1)))
    make_runner(tmp_path / "archive")("ingest", httpserver.url_for("/old-feed/"))
    with sqlite3.connect(tmp_path / "archive" / "archive.db") as db:
        ((origin, options),) = db.execute("SELECT origin, options FROM snapshots").fetchall()
    assert origin == httpserver.url_for("/old-feed/")
    assert json.loads(options)["final_url"] == httpserver.url_for("/feed/")
