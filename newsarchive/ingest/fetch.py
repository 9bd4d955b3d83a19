"""Fetching feeds over HTTP the way an unattended nightly job must.

Explicit connect and read timeouts, a cap on the bytes read (counted as they
arrive, gzip included), a bounded number of redirects, a User-Agent that says
who we are, conditional requests (``If-None-Match`` / ``If-Modified-Since``),
and retries with exponential backoff on timeouts, connection errors and 5xx
answers, honouring ``Retry-After`` — never on 4xx, which will not mend itself
by morning.  Every failure is a ``SourceError`` whose reason is counted in the
summary line (``http-404``, ``timeout``, ``too-large``, ...).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

from .. import __version__
from .errors import SourceError

USER_AGENT = f"newsarchive/{__version__} (news archive; +https://pypi.org/project/newsarchive/)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass
class FetchOptions:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0  # one exchange, connect to last byte: a trickling server cannot hold a run
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0  # seconds; doubles with each retry
    max_retry_after: float = 120.0


@dataclass
class Fetched:
    """A fetch's outcome: a body, or ``not_modified`` for a 304."""

    url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def _retry_after(response: httpx.Response, default: float, cap: float) -> float:
    value = response.headers.get("retry-after")
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return default
    return max(0.0, min(seconds, cap))


def _read(response: httpx.Response, url: str, options: FetchOptions, started: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > options.max_bytes:
        raise SourceError("too-large", f"{url}: body of {int(declared)} bytes is over the {options.max_bytes} limit")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > options.max_bytes:
            raise SourceError("too-large", f"{url}: body is over the {options.max_bytes}-byte limit")
        if time.monotonic() - started > options.total_timeout:
            raise SourceError("timeout", f"{url}: still downloading after {options.total_timeout:.0f} s, gave up")
        chunks.append(chunk)
    return b"".join(chunks)


class _Deadline:
    """Cut an exchange that outlasts ``seconds``, whatever stage it is at.

    httpx's timeouts bound each read, so a server that sends one header line
    every few seconds (or one body byte) never trips them.  This records the
    socket of every connection the exchange opens (httpcore's ``trace``
    extension) and, when the time is up, shuts them down: the read blocked
    on them returns at once, and the exchange fails as a ``timeout``.
    """

    def __init__(self, seconds: float) -> None:
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.timer = threading.Timer(seconds, self._cut)
        self.timer.daemon = True

    def trace(self, event: str, info: dict[str, object]) -> None:
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None  # type: ignore[attr-defined]
            if isinstance(sock, socket.socket):
                self.sockets.append(sock)
                if self.expired:
                    self._cut()

    def _cut(self) -> None:
        self.expired = True
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def __enter__(self) -> _Deadline:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def _once(client: httpx.Client, url: str, headers: dict[str, str], options: FetchOptions) -> Fetched:
    started = time.monotonic()
    late = f"{url}: no complete answer after {options.total_timeout:.0f} s, gave up"
    with _Deadline(options.total_timeout) as deadline:
        try:
            fetched = _exchange(client, url, headers, options, started, deadline)
        except (httpx.TransportError, SourceError) as exc:
            if deadline.expired:
                raise SourceError("timeout", late) from exc
            raise
    if deadline.expired:  # a body without a length, cut short, reads as complete
        raise SourceError("timeout", late)
    return fetched


def _exchange(
    client: httpx.Client, url: str, headers: dict[str, str], options: FetchOptions, started: float, deadline: _Deadline
) -> Fetched:
    with client.stream("GET", url, headers=headers, extensions={"trace": deadline.trace}) as response:
        if response.status_code == 304:
            return Fetched(
                str(response.url),
                304,
                not_modified=True,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
        if response.status_code in RETRY_STATUSES:
            raise _Retry(response.status_code, _retry_after(response, 0.0, options.max_retry_after))
        if response.status_code >= 400:
            raise SourceError(
                f"http-{response.status_code}",
                f"{url}: the server answered {response.status_code} {response.reason_phrase}",
            )
        body = _read(response, url, options, started)
        return Fetched(
            str(response.url),
            response.status_code,
            body,
            response.headers.get("etag"),
            response.headers.get("last-modified"),
            headers=dict(response.headers),
        )


class _Retry(Exception):
    def __init__(self, status: int, wait: float) -> None:
        super().__init__(status)
        self.status = status
        self.wait = wait


def fetch(
    url: str, etag: str | None = None, last_modified: str | None = None, options: FetchOptions | None = None
) -> Fetched:
    """GET ``url`` conditionally, with retries; raise ``SourceError`` on failure."""
    options = options or FetchOptions()
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/xml, "
        "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
    last_problem = ""
    with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=options.max_redirects) as client:
        for attempt in range(options.retries + 1):
            wait = options.backoff * (2**attempt)
            try:
                return _once(client, url, headers, options)
            except _Retry as retry:
                last_problem, reason = f"the server answered {retry.status}", f"http-{retry.status}"
                wait = max(wait, retry.wait)
            except httpx.TooManyRedirects as exc:
                raise SourceError("redirect-loop", f"{url}: more than {options.max_redirects} redirects") from exc
            except httpx.UnsupportedProtocol as exc:
                raise SourceError("bad-url", f"{url}: not an http(s) URL") from exc
            except httpx.DecodingError as exc:
                raise SourceError("bad-encoding", f"{url}: the compressed body is corrupt ({exc})") from exc
            except httpx.TimeoutException:
                last_problem, reason = "timed out", "timeout"
            except httpx.TransportError as exc:
                last_problem, reason = f"connection failed ({type(exc).__name__})", "connection"
            except httpx.InvalidURL as exc:
                raise SourceError("bad-url", f"{url}: not a URL that can be fetched ({exc})") from exc
            if attempt < options.retries:
                time.sleep(wait)
    raise SourceError(reason, f"{url}: {last_problem} ({options.retries + 1} attempts)")
