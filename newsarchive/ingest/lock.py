"""One writer at a time: an exclusive lock on ``ARCHIVE/ingest.lock``.

The lock is a POSIX record lock (``lockf``), not an ``flock``, because of
what each does across ``fork``.  An ``flock`` belongs to the open file, so
every forked child (a parsing worker, one of Whoosh's writer processes)
holds it too, and a child that outlives a killed parent keeps the archive
locked for every later run.  A record lock belongs to the process that took
it: children never hold it, and the kernel drops it the moment that process
dies, however it dies (kill -9, the OOM killer).  The next run takes it at
once.

Record locks have two traps, both handled here.  A process never conflicts
with itself, so a second ``ArchiveLock`` in the same process (another
thread, the server) is refused by a registry kept in the process.  And
closing *any* descriptor of the file drops the process's lock, so only this
module opens ``ingest.lock``, once per lock held.

The file records who holds it, for the message the second run prints.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from .errors import Locked

LOCK_FILE = "ingest.lock"
# The archives this process holds the lock of (real paths): record locks do
# not conflict within one process, so this does it.
_HELD_HERE: set[str] = set()
_REGISTRY = threading.Lock()


class ArchiveLock:
    """``with ArchiveLock(archive, wait=False):`` — raises ``Locked`` when held elsewhere."""

    def __init__(self, archive: Path, wait: bool = False, poll: float = 0.2) -> None:
        self.path = archive / LOCK_FILE
        self.wait = wait
        self.poll = poll
        self.fd: int | None = None
        self._key = ""

    def __enter__(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._key = os.path.realpath(self.path)
        while True:
            fd = self._try()
            if fd is not None:
                break
            if not self.wait:
                raise Locked(
                    f"{self.path.parent} is being written by {self._holder()}; "
                    "try again later, or add --wait to wait for it"
                )
            time.sleep(self.poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode(), 0)
        self.fd = fd
        return self

    def _try(self) -> int | None:
        """The locked file's descriptor, or None while another holds it."""
        with _REGISTRY:
            if self._key in _HELD_HERE:
                return None
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EACCES, errno.EAGAIN):
                    return None
                raise
            _HELD_HERE.add(self._key)
            return fd

    def _holder(self) -> str:
        with _REGISTRY:
            if self._key in _HELD_HERE:  # opening the file again here would drop that lock
                return f"pid {os.getpid()} (this process)"
            try:
                return self.path.read_text("utf-8", "replace").strip() or "another process"
            except OSError:
                return "another process"

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.fd is None:
            return
        with _REGISTRY:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing drops the record lock
            _HELD_HERE.discard(self._key)
            self.fd = None
