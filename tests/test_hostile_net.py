"""Hostile HTTP servers on 127.0.0.1, written with raw sockets so that they
can misbehave as real ones do: headers sent a line at a time, never ending."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from newsarchive.ingest.errors import SourceError
from newsarchive.ingest.fetch import FetchOptions, fetch

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
