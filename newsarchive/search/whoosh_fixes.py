"""Corrections to Whoosh defects we run into, applied on import.

Whoosh is unmaintained upstream and we pin ``whoosh-reloaded``; each fix here
names the defect, so it can go when a release mends it.

``AndNotMatcher`` (``a NOT b``, ``-word``) checks at start-up only whether its
two sides stand on the same document, without first moving the excluded side
up to the included side's first document.  So when the first included
document is also excluded but the excluded side starts earlier, that
document matches anyway (upstream issue #419, "ANDNOT results depend on the
order documents are added").  Block-quality skipping happens to repair it
for the top hits, but counting the hits does not: a search printed "2 hits"
and listed one.  Moving the excluded side is what ``_find_next`` does.

``BufferFile`` copied every segment part it opened into memory (see
``_ViewReader``): opening a searcher on 50,000 articles cost 1.9 s and
347 MiB, and every indexing batch paid it again.

The upstream functions are kept as ``UPSTREAM``: ``tests/test_whoosh_fixes.py``
shows each defect still there without its fix, so the day a release mends
one, a test fails and says the patch can go.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from whoosh.filedb.structfile import BufferFile
from whoosh.matching.binary import AndNotMatcher


def _find_first(self: AndNotMatcher) -> None:
    if self.a.is_active() and self.b.is_active():
        self._find_next()


UPSTREAM = {"AndNotMatcher._find_first": AndNotMatcher._find_first, "BufferFile.__init__": BufferFile.__init__}
AndNotMatcher._find_first = _find_first


class _ViewReader(io.RawIOBase):
    """A read-only, seekable in-memory file over a memoryview that never copies it.

    Whoosh opens each part of a segment as a ``BufferFile`` over the
    segment's memory map, and ``BufferFile`` wraps that view in ``BytesIO``,
    which copies it: every searcher opened copied every segment's postings
    into memory.  On 50,000 articles (53 segments) opening a searcher took
    1.9 s and 347 MiB; a bulk load paid that in every batch, and it was
    most of the ingest's peak memory.  Reads here copy only what is read.

    It stands in for that ``BytesIO`` wherever Whoosh uses one: reading,
    lines, seeking, ``getvalue``/``getbuffer``, ``with``, closing (an
    ``io.RawIOBase``, so the rest of the file API comes with it); writing
    raises ``io.UnsupportedOperation``, as the file is read-only.
    """

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view.cast("B") if view.format != "B" or view.ndim != 1 else view
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._view)
        for i in range(self._pos, end):
            if self._view[i] == 10:  # b"\n"
                end = i + 1
                break
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        return self.read(end - self._pos)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def getvalue(self) -> bytes:
        """The whole content, as ``BytesIO.getvalue`` gives it (a copy: asked for)."""
        return bytes(self._view)

    def getbuffer(self) -> memoryview:
        return self._view

    def writable(self) -> bool:
        return False

    def write(self, data: Any) -> int:
        raise io.UnsupportedOperation("a segment part opened for reading is read-only")

    def truncate(self, size: int | None = None) -> int:
        raise io.UnsupportedOperation("a segment part opened for reading is read-only")


def _buffer_file_init(self: BufferFile, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = _ViewReader(memoryview(buf))
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


BufferFile.__init__ = _buffer_file_init
