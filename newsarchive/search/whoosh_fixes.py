"""Corrections to Whoosh defects our searches run into, applied on import.

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
"""

from __future__ import annotations

from whoosh.matching.binary import AndNotMatcher


def _find_first(self: AndNotMatcher) -> None:
    if self.a.is_active() and self.b.is_active():
        self._find_next()


AndNotMatcher._find_first = _find_first  # type: ignore[method-assign]
