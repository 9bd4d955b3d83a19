"""Exit codes, one place, documented in the README."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    SOURCES_FAILED = 1  # some sources could not be ingested; the rest were
    USAGE = 2  # bad flags or arguments (click's own code for usage errors)
    NOT_FOUND = 3  # show: no article with that id or URL
    ARCHIVE_ERROR = 4  # the archive or its index cannot be opened or written
    QUERY_ERROR = 5  # a search query that cannot be parsed
    LOCKED = 6  # another ingest or reindex is writing the archive (use --wait)
    INTERNAL = 70  # a bug: the message asks for a report (EX_SOFTWARE)
