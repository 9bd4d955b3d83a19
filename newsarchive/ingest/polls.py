"""WP-Polls results as they survive in page text: question, options, voters.

The results block reads, once tags are gone::

    The proposed five-year early career framework ... is most likely to:
      • Make little difference to current levels of support (49%, 73 Votes)
      • Increase pressures on early career social workers (37%, 56 Votes)
    Total Voters: 150
    Loading ... Loading ...

Multi-answer polls keep their numbers as printed: percentages may sum past
100 and votes may exceed voters.
"""

from __future__ import annotations

import re

from .models import Poll, PollOption

OPTION = re.compile(
    r"^(?:• )?(?P<label>.+?)\s*\((?P<percent>\d{1,3}(?:\.\d+)?)\s*%\s*,\s*(?P<votes>[\d,]+)\s+votes?\)$",
    re.IGNORECASE,
)
TOTAL_VOTERS = re.compile(r"^total voters\s*:\s*(?P<n>[\d,]+)$", re.IGNORECASE)
TOTAL_VOTES = re.compile(r"^total votes\s*:\s*(?P<n>[\d,]+)$", re.IGNORECASE)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def extract_polls(lines: list[str]) -> tuple[list[Poll], list[str]]:
    """Find poll result blocks in normalised lines; return polls and the other lines."""
    polls: list[Poll] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        if not OPTION.match(lines[i]):
            i += 1
            continue
        options, block, k = [], [], i
        while k < len(lines) and (not lines[k] or OPTION.match(lines[k])):
            if match := OPTION.match(lines[k]):
                options.append(PollOption(match["label"], float(match["percent"]), _number(match["votes"])))
                block.append(k)
            k += 1
        if len(options) < 2:
            i = k
            continue
        poll = Poll(question=None, options=options)
        q = _previous_text(lines, i)
        if q is not None and (lines[q].endswith(("?", ":")) or len(lines[q].split()) <= 30):
            poll.question = lines[q]
            block.append(q)
        while k < len(lines) and (not lines[k] or TOTAL_VOTERS.match(lines[k]) or TOTAL_VOTES.match(lines[k])):
            if match := TOTAL_VOTERS.match(lines[k]):
                poll.total_voters = _number(match["n"])
                block.append(k)
            elif TOTAL_VOTES.match(lines[k]):
                block.append(k)
            k += 1
        polls.append(poll)
        used.update(block)
        i = k
    return polls, [line for n, line in enumerate(lines) if n not in used]


def _previous_text(lines: list[str], before: int) -> int | None:
    for i in range(before - 1, -1, -1):
        if lines[i]:
            return i
    return None


def placeholder_poll() -> Poll:
    """A poll the source mentions but whose results it does not carry."""
    return Poll(question=None, options=[], total_voters=None, results_available=False)
