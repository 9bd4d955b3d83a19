"""Finding patterns at the start of words, faster than a look-behind does.

A pattern that opens with a look-behind such as ``(?<!\\w)`` gives up re's
quick scan for its first character: the engine enters the look-behind at
every position of the text.  The entity rules run such patterns over every
article, so they are written without the look-behind and the character
before each match is checked here instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache


def is_word(char: str) -> bool:
    """What re's ``\\w`` matches in a str."""
    return char.isalnum() or char == "_"


def at_word_starts(pattern: re.Pattern[str], text: str, joiners: str = "") -> Iterator[re.Match[str]]:
    """The matches of ``(?<![\\w{joiners}])`` followed by ``pattern``, as
    ``finditer`` gives them: in order, not overlapping.

    A match that follows a word character (or one of ``joiners``) is not
    one; the search goes on from the end of that word, since no match can
    start inside it, but one may start inside the rejected match.  (From
    the next position instead, a long word of capitals, as in base64, would
    cost time quadratic in its length.)
    """
    word = _word_run(joiners)
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        start = match.start()
        before = text[start - 1] if start else ""
        if before and (is_word(before) or before in joiners):
            run = word.match(text, start)
            pos = max(run.end() if run else start, start + 1)
        else:
            yield match
            pos = max(match.end(), start + 1)


@cache
def _word_run(joiners: str) -> re.Pattern[str]:
    return re.compile(rf"[\w{re.escape(joiners)}]*")
