"""newsarchive: turn a news site's feeds and page dumps into a searchable archive.

``from newsarchive import Archive`` is the Python API (see ``newsarchive.archive``).
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["Archive", "SearchOptions", "__version__"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that 'newsarchive --help' does not pay for it.
    if name in ("Archive", "SearchOptions"):
        from . import archive

        return getattr(archive, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
