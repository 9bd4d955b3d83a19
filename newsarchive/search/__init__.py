"""The Whoosh index and the queries run against it."""

# Before any search runs: NOT must exclude before hits are counted.
from . import whoosh_fixes  # noqa: E402, F401
