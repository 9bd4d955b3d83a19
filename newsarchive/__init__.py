"""newsarchive: turn a news site's feeds and page dumps into a searchable archive."""

__version__ = "0.1.0"
