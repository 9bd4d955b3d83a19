"""Run the real CLI with a pseudo-terminal as stdout and stderr, as a person's shell would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

HANG_GUARD = 300  # seconds: only a hung command takes this long


def run_in_pty(
    archive: Path, *args: str, columns: int = 80, env: dict[str, str] | None = None, stdin: str | None = None
) -> tuple[int, str]:
    """Exit code and everything the terminal received (stdout and stderr, as a terminal mixes them)."""
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    # A pager that waits for no key (less would): a test that is about paging gives its own.
    environment.update({"TERM": "xterm-256color", "NEWSARCHIVE_PAGER": "cat", **(env or {})})
    process = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "--archive", str(archive), *args],
        stdin=subprocess.PIPE if stdin is not None else slave,
        stdout=slave,
        stderr=slave,
        env=environment,
        close_fds=True,
    )
    os.close(slave)
    if stdin is not None and process.stdin:
        process.stdin.write(stdin.encode())
        process.stdin.close()
    received = bytearray()
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not chunk:
                break
            received += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    code = process.wait(timeout=HANG_GUARD)
    return code, received.decode("utf-8", "replace").replace("\r\n", "\n")
