"""Threaded reader comments from page text dumps.

A WordPress comment section survives as::

    10 Responses to <title>
      1. Christine February 9, 2023 at 8:36 am #
        I could not read talk of this ...
        • Beth February 10, 2023 at 8:20 pm #
          Interesting as I bet men are ...

Each header line carries the author and the timestamp; indentation gives
the depth, and a reply's parent is the nearest shallower comment above it.
Timestamps carry no zone and are read in the site's time zone.
"""

from __future__ import annotations

import re

from .clean import normalise_line, to_body
from .dates import DEFAULT_TZ, MONTH, iso_date
from .models import Comment

SECTION = re.compile(
    r"^\s*(?P<n>\d+|no|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:responses?|comments?|thoughts?|replies)\s+(?:to|on)\b",
    re.IGNORECASE,
)
HEADER = re.compile(
    r"^(?P<indent>\s*)(?:\d+\.\s+|[•·*-]\s+)?(?P<author>\S.{0,80}?)\s+(?:says:?\s+)?"
    r"(?P<date>" + MONTH + r"\s+\d{1,2},?\s+\d{4}(?:\s+at\s+\d{1,2}:\d{2}\s*[ap]\.?m\.?)?)\s*#?\s*$",
    re.IGNORECASE,
)
WORD_NUMBERS = {
    "no": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def find_section(lines: list[str]) -> tuple[int, int] | None:
    """Index of the "N Responses to ..." line and the count it states."""
    for i, line in enumerate(lines):
        if match := SECTION.match(line):
            n = match["n"].lower()
            return i, int(n) if n.isdigit() else WORD_NUMBERS[n]
    return None


def parse_comments(lines: list[str], tz: str = DEFAULT_TZ) -> list[Comment]:
    """Comments from the raw (indented) lines after the section heading."""
    headers = [(i, m) for i, line in enumerate(lines) if (m := HEADER.match(line))]
    levels = sorted({len(m["indent"].expandtabs()) for _, m in headers})
    comments: list[Comment] = []
    stack: list[Comment] = []
    for n, (i, match) in enumerate(headers):
        end = headers[n + 1][0] if n + 1 < len(headers) else len(lines)
        text = to_body([normalise_line(line) for line in lines[i + 1 : end]]).strip()
        depth = levels.index(len(match["indent"].expandtabs()))
        while stack and stack[-1].depth >= depth:
            stack.pop()
        parent = stack[-1] if stack else None
        author = match["author"].strip()
        published = iso_date(match["date"], tz)
        comment = Comment.create(author, published, text, parent)
        comments.append(comment)
        stack.append(comment)
    return comments
