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

import ipaddress
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


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
PRIVATE_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)


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
    # Addresses a fetch that began at a public address may not reach (by a
    # redirect, or a comment feed a feed names): loopback, private, shared and
    # link-local ranges, the cloud metadata address among them.
    private_networks: tuple[IPNetwork, ...] = PRIVATE_NETWORKS


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
    local: bool = False  # the first connection went to a private address (see FetchOptions.private_networks)


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


class _Guard:
    """What every connection of one fetch must respect, checked on the socket itself.

    Through httpcore's ``trace`` extension it sees each connection as it is
    made, redirects included, and the address it actually reached (so a
    name that resolves differently the second time cannot slip by):

    * The first connection decides the fetch's standing.  A URL the
      operator gave that is itself at a private address (a test server, an
      intranet) may go on to private addresses; one at a public address may
      not: a feed must not make the cron host fetch from 127.0.0.1, the
      LAN or the cloud metadata address.  ``allow_private`` set by the
      caller overrides the first connection (a comment feed named by a
      public feed is held to the public rule).
    * The deadline: httpx's timeouts bound each read, so a server that sends
      one header line every few seconds (or one body byte) never trips them.
      When ``seconds`` run out the sockets are shut down: the read blocked
      on them returns at once, and the exchange fails as a ``timeout``.
    """

    def __init__(self, options: FetchOptions, allow_private: bool | None) -> None:
        self.options = options
        self.allow_private = allow_private
        self.first_private: bool | None = None
        self.refused: str | None = None
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.timer: threading.Timer | None = None

    def private(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.options.private_networks)

    def trace(self, event: str, info: dict[str, object]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None  # type: ignore[attr-defined]
        if not isinstance(sock, socket.socket):
            return
        self.sockets.append(sock)
        if self.expired:
            self._cut()
        try:
            peer = str(sock.getpeername()[0])
        except OSError:
            return
        private = self.private(peer)
        if self.first_private is None:
            self.first_private = private
            if self.allow_private is None:
                self.allow_private = private
        if private and not self.allow_private:
            self.refused = peer
            self._cut()

    def start(self, seconds: float) -> None:
        self.expired = False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True
        self.timer.start()

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        self._cut()

    def _cut(self) -> None:
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


def _once(client: httpx.Client, url: str, headers: dict[str, str], options: FetchOptions, guard: _Guard) -> Fetched:
    started = time.monotonic()
    late = f"{url}: no complete answer after {options.total_timeout:.0f} s, gave up"
    guard.start(options.total_timeout)
    try:
        fetched = _exchange(client, url, headers, options, started, guard)
    except (httpx.TransportError, SourceError) as exc:
        _refuse_private(url, guard, exc)
        if guard.expired:
            raise SourceError("timeout", late) from exc
        raise
    finally:
        guard.stop()
    _refuse_private(url, guard)
    if guard.expired:  # a body without a length, cut short, reads as complete
        raise SourceError("timeout", late)
    fetched.local = bool(guard.first_private)
    return fetched


def _refuse_private(url: str, guard: _Guard, cause: BaseException | None = None) -> None:
    if guard.refused:
        raise SourceError(
            "private-address",
            f"{url}: led to the private address {guard.refused} (a redirect or a link from a public feed), refused",
        ) from cause


def _exchange(
    client: httpx.Client, url: str, headers: dict[str, str], options: FetchOptions, started: float, guard: _Guard
) -> Fetched:
    with client.stream("GET", url, headers=headers, extensions={"trace": guard.trace}) as response:
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
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    options: FetchOptions | None = None,
    allow_private: bool | None = None,
) -> Fetched:
    """GET ``url`` conditionally, with retries; raise ``SourceError`` on failure.

    ``allow_private``: None lets the first connection decide (see ``_Guard``);
    False holds the fetch to public addresses from the start.
    """
    options = options or FetchOptions()
    guard = _Guard(options, allow_private)
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
                return _once(client, url, headers, options, guard)
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
