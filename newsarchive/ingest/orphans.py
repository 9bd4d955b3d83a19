"""No child process outlives the run that forked it.

A run killed with SIGKILL (by hand, by the OOM killer) cannot tell its
children to stop.  Left alone, a forked parsing worker or one of Whoosh's
index-writer processes waits on its queue for ever, holding memory and
whatever descriptors it inherited.  So each child, first thing, asks the
kernel to kill it when its parent dies (Linux's ``PR_SET_PDEATHSIG``) and,
where that is not to be had, polls its parent id in a daemon thread.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
import time

PR_SET_PDEATHSIG = 1
POLL = 0.5  # seconds between looks at the parent id, where the kernel cannot tell us


def watch_parent(parent: int) -> None:
    """In a forked child: die when process ``parent`` dies, and leave Ctrl-C to it.

    A terminal's Ctrl-C reaches every process of the foreground group; the
    parent alone decides what it means (it stops its children in order), so
    a child ignores it instead of dying with a traceback of its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler raised in the wrong process
    if _death_signal():
        if os.getppid() != parent:  # it died before the request took effect
            os._exit(1)
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def _death_signal() -> bool:
    """Ask Linux for SIGKILL when the parent dies; False where that cannot be had."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
