"""One writer at a time: an exclusive lock on ``ARCHIVE/ingest.lock``.

The lock is an ``flock`` on an open file, so the kernel releases it when the
holder dies, however it dies: a lock left by a killed run is no lock at all,
and the next run simply takes it.  The file records who holds it, for the
message the second run prints.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from .errors import NewsArchiveError

LOCK_FILE = "ingest.lock"
# Descriptors of the locks this process holds: a forked parsing worker
# closes its copies, so that the lock dies with the process that took it.
HELD: set[int] = set()


class Locked(NewsArchiveError):
    """Another run holds the archive."""


class ArchiveLock:
    """``with ArchiveLock(archive, wait=False):`` — raises ``Locked`` when held elsewhere."""

    def __init__(self, archive: Path, wait: bool = False, poll: float = 0.2) -> None:
        self.path = archive / LOCK_FILE
        self.wait = wait
        self.poll = poll
        self.fd: int | None = None

    def __enter__(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not self.wait:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                    os.close(fd)
                    raise Locked(
                        f"{self.path.parent} is being written by {holder}; "
                        "try again later, or add --wait to wait for it"
                    ) from None
                time.sleep(self.poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode(), 0)
        self.fd = fd
        HELD.add(fd)
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            HELD.discard(self.fd)
            self.fd = None
