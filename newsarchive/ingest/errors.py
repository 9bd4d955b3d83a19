"""The errors the ingest stages raise: defined in ``newsarchive.errors``, named here for them."""

from ..errors import ArchiveError, FeedListError, Locked, NewsArchiveError, NotFound, QueryError, SourceError

__all__ = ["ArchiveError", "FeedListError", "Locked", "NewsArchiveError", "NotFound", "QueryError", "SourceError"]
