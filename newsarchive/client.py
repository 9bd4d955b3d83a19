"""The command line's way to a running ``newsarchive serve``: warm searches with no new habits.

A server records where it listens in ``ARCHIVE/server.json``.  When that
names a live process answering on a loopback address, ``search`` and ``show`` ask it
(the index already open, its files in memory) instead of opening the index
itself; a dead or silent record is passed over, and ``--no-server`` never
asks.  Only the standard library is used: a cold ``newsarchive search``
should not pay for an HTTP library's imports.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

SERVER_FILE = "server.json"
TIMEOUT = 30.0  # seconds for one answer: a hang guard, the answers take milliseconds


class Unavailable(Exception):
    """No server to ask: use the archive directly."""


class ServerClient:
    """A running server's JSON API, answering as ``Archive`` does."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    @classmethod
    def find(cls, archive: Path) -> ServerClient:
        """The server recorded for ``archive``, or ``Unavailable``."""
        try:
            record = json.loads((archive / SERVER_FILE).read_text())
            url, pid = str(record["url"]), int(record["pid"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise Unavailable(str(exc)) from exc
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise Unavailable("only a server on this machine's loopback is asked")
        try:
            os.kill(pid, 0)
        except ProcessLookupError as exc:
            raise Unavailable("the recorded server is gone") from exc
        except PermissionError:
            pass  # alive, another user's
        return cls(url)

    def get(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode([(k, v) for k, v in params.items() for v in _values(v) if v is not None])
        request = urllib.request.Request(f"{self.url}{path}?{query}", headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read())
            except ValueError:
                raise Unavailable(f"the server answered {exc.code}") from exc
            raise ServerError(str(body.get("error")), int(body.get("code", 4))) from exc
        except (OSError, ValueError) as exc:
            raise Unavailable(str(exc)) from exc


class ServerError(Exception):
    """The server's own one-line error and the exit code it names."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]
