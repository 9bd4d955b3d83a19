"""Text for people: terminal-safe, coloured only where that helps.

Everything a source wrote passes through ``safe`` before it reaches a
terminal, so a feed cannot move the cursor, recolour the screen or retitle
the window.  JSON output is left exact: the JSON encoder escapes control
characters itself.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO

from .archive import MARK_END, MARK_START

UNSAFE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?"  # CSI, OSC and two-byte escapes
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"  # controls and bidi overrides
)
BOLD, RESET, YELLOW = "\x1b[1m", "\x1b[0m", "\x1b[33m"


def safe(text: Any) -> str:
    """``text`` with escape sequences, control and bidi-override characters removed."""
    return UNSAFE.sub("", "" if text is None else str(text))


def safe_line(text: Any) -> str:
    """``safe`` for a text that must stay on one line (a filename in a progress
    or error line may hold a newline): line breaks and tabs become spaces."""
    return re.sub(r"[\n\t\u2028\u2029]", " ", safe(text))


def use_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ


SHORT_ID = 8  # characters of an id shown on a hit: enough for 'show' and 'similar', which take prefixes


def terminal_width() -> int:
    """The width to fit: $COLUMNS, else the terminal's, else 80; kept between 40 and 160."""
    return max(40, min(160, shutil.get_terminal_size((80, 24)).columns))


def format_hit(hit: Any, colour: bool, width: int = 80) -> str:
    """Rank, date, title, URL with the short id (for 'show' and 'similar'), and the snippet."""
    date = (hit.published or "")[:10] or "undated"
    title = safe_line(hit.title) or "(untitled)"
    head = textwrap.fill(f"{hit.rank:>3}. {date}  {title}", width=width, subsequent_indent=" " * 17)
    if colour:
        head = head.replace(title[:20], BOLD + title[:20], 1) + RESET if title[:20] in head else head
    lines = [head, f"     {safe(hit.url) or '(no URL)'}  · {hit.id[:SHORT_ID]}"]
    if hit.snippet:
        start, end = (BOLD + YELLOW, RESET) if colour else ("**", "**")
        snippet = safe(hit.snippet)
        if getattr(hit, "commenter", None):
            snippet = f"[comment by {safe(hit.commenter)}] {snippet}"
        wrapped = textwrap.fill(snippet, width=width, initial_indent="     ", subsequent_indent="     ")
        lines.append(wrapped.replace(MARK_START, start).replace(MARK_END, end))
    return "\n".join(lines)


def format_article(article: Any, colour: bool, width: int = 80) -> str:
    """An article in full, as a reader would want it on screen."""
    bold = (lambda s: BOLD + s + RESET) if colour else (lambda s: s)
    out = [bold(safe(article.title) or "(untitled)")]
    meta = [article.published or "undated"]
    if article.authors:
        meta.append("by " + ", ".join(safe(a) for a in article.authors))
    out.append("  ".join(meta))
    out.append(safe(article.url) or f"id {article.id}")
    if article.standfirst:
        out += ["", textwrap.fill(safe(article.standfirst), width)]
    if article.image and (article.image.credit or article.image.caption):
        out += ["", "Image: " + " — ".join(safe(x) for x in (article.image.caption, article.image.credit) if x)]
    for poll in article.polls:
        out += ["", "Poll: " + (safe(poll.question) or "(results not captured)")]
        for o in poll.options:
            share = f"{o.percent:g}%" if o.percent is not None else "?%"
            out.append(f"  - {safe(o.label)}: {share} ({o.votes if o.votes is not None else '?'} votes)")
        if poll.total_voters is not None:
            out.append(f"  Total voters: {poll.total_voters}")
    for paragraph in article.body.split("\n\n"):
        out += ["", textwrap.fill(safe(paragraph), width)]
    if article.comments:
        out += ["", bold(f"Comments ({len(article.comments)} captured, {article.comment_count} reported)")]
        for c in article.comments:
            indent = "  " * (c.depth + 1)
            out.append(f"{indent}{safe(c.author)} — {c.published or 'undated'}")
            out.append(
                textwrap.fill(safe(c.text), width, initial_indent=indent + "  ", subsequent_indent=indent + "  ")
            )
    out += ["", "Sources: " + "; ".join(f"{s.kind} {safe(s.origin)}" for s in article.sources)]
    return "\n".join(out)


def format_facets(facets: dict[str, list[tuple[str, int]]], colour: bool) -> str:
    """Each facet as a heading and its values with their counts."""
    out = []
    for name, counts in facets.items():
        out.append((BOLD + name + RESET) if colour else name)
        out += [f"  {count:>5}  {safe(value)}" for value, count in counts] or ["  (none)"]
        out.append("")
    return "\n".join(out).rstrip("\n")


def format_timeline(periods: list[tuple[str, int]], width: int = 50) -> str:
    """A horizontal bar per period, scaled to the busiest one."""
    if not periods:
        return "no hits"
    peak = max(count for _, count in periods) or 1
    lines = []
    for period, count in periods:
        cells = count * width / peak
        bar = "█" * int(cells) + ("▌" if cells - int(cells) >= 0.5 else "")
        lines.append(f"{period:>7}  {bar:<{width + 1}} {count}")
    return "\n".join(lines)


@contextmanager
def write_atomically(target: Path) -> Iterator[TextIO]:
    """A text stream whose content replaces ``target`` only when complete.

    The file is written beside the target as ``.NAME.partial`` and renamed
    over it at the end, so a failed or killed export never leaves half a
    file where the old one was; the partial file is removed on every
    failure.  A symlink is followed: its target is replaced, the link kept.
    A device or FIFO (``/dev/stdout``, a pipe to another program) is written
    straight into, never replaced by a file: as root, replacing
    ``/dev/full`` would have put a regular file in ``/dev``.
    """
    try:
        yield from _write_atomically(target)
    except OSError as exc:
        if exc.filename is None:  # a failed write names no file: name the one the user gave
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise


def _write_atomically(target: Path) -> Iterator[TextIO]:
    resolved = Path(os.path.realpath(target))
    try:
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        mode = 0
    if mode and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise OSError(errno.EISDIR, "is a directory", str(target))
        with open(resolved, "w", encoding="utf-8", newline="") as stream:
            yield stream
        return
    partial = resolved.with_name(f".{resolved.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as stream:
            yield stream
        if mode:
            os.chmod(partial, stat.S_IMODE(mode))  # the old file's permissions carry over
        os.replace(partial, resolved)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
