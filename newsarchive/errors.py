"""Every error newsarchive expects and can explain, in one place.

Raised by the archive, its readers and its searches; turned into one-line
messages with documented exit codes only by the command line.
"""

from __future__ import annotations


class NewsArchiveError(Exception):
    """Base class: every error the tool expects and can explain."""


class SourceError(NewsArchiveError):
    """One source could not be read or parsed; the batch goes on without it.

    ``reason`` is a short machine-friendly tag counted in the summary line
    (``empty``, ``binary``, ``malformed-feed``, ...); the message says what
    was wrong in words.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # parsing workers send it back to the main process: pickle both fields
        return (type(self), (self.reason, str(self)))


class ArchiveError(NewsArchiveError):
    """The archive itself cannot be opened or written."""


class QueryError(NewsArchiveError):
    """A search query that cannot be parsed or run."""


class NotFound(NewsArchiveError):
    """No article answers to that id or URL."""


class Locked(NewsArchiveError):
    """Another run holds the archive."""


class FeedListError(NewsArchiveError):
    """The feed list cannot be read, or has no such feed."""
