"""Text dumps of article pages: what is left when a page is saved as text.

The layout, top to bottom, with every part optional: site chrome (banners,
"Skip to main content"), the title (sometimes twice), a standfirst, the lead
image's alt text and credit, a dateline, a poll, the body, tag-list debris,
"Comments are closed." or a threaded comment section.
"""

from __future__ import annotations

import re

from ..clean import credit_match, fix_text, is_heading_like, normalise_line, word_count
from ..comments import find_section, parse_comments
from ..dates import parse_datetime, to_iso
from ..models import Image, Kind, Part
from ..spam import clean_titles
from .common import SourceContext, build_body, clean_credit, cleaning_notes, split_authors

KIND = Kind.TEXT_PAGE
SKIP_LINK = re.compile(r"^skip to\b", re.IGNORECASE)
HEADER_SPAN = 5  # a lead image's credit appears within the first few lines
BYLINE = re.compile(r"^(?i:by|words by|written by)\s+[A-Z][\w'’.-]+(?:[ ,&]+(?:and )?[A-Z][\w'’.-]+){0,11}$")


def looks_like(text: str) -> bool:
    """Any text: the reader of last resort, tried after every other."""
    return True


def read(text: str, data: bytes, ctx: SourceContext) -> list[Part]:
    """The reader interface (``ingest.readers.Reader``): this kind is read from the decoded text."""
    return parse(text, ctx)


def parse(text: str, ctx: SourceContext) -> list[Part]:
    """One article from a page text dump."""
    raw_lines = fix_text(text).split("\n")
    comments, comment_count = [], None
    if section := find_section(raw_lines):
        start, comment_count = section
        comments = parse_comments(raw_lines[start + 1 :], ctx.timezone)
        raw_lines = raw_lines[:start]
    lines = _drop_chrome([normalise_line(line) for line in raw_lines])
    title, standfirst, image, lines = _header(lines)
    authors, lines = _byline(lines)
    published, lines = _dateline(lines, ctx)
    body = build_body(lines)
    spam_removed: list[str] = []
    if title:
        ((title, spam_removed),) = clean_titles([title], ctx.spam_filter(None), body.text)
    notes = cleaning_notes(body, spam_removed)
    if published or comments:
        notes["timezone_assumed"] = [ctx.timezone]  # the text gives times without a zone
    return [
        ctx.part(
            KIND,
            title=title or None,
            standfirst=standfirst,
            published=published,
            date_source="dateline" if published else None,
            authors=authors,
            body=body.text,
            image=image,
            comment_count=comment_count,
            comments=comments,
            polls=body.polls,
            cleaning=notes,
        )
    ]


def _drop_chrome(lines: list[str]) -> list[str]:
    """Everything up to the last "Skip to ..." link near the top is site chrome."""
    head = [i for i, line in enumerate(lines[:40]) if SKIP_LINK.match(line)]
    return lines[head[-1] + 1 :] if head else lines


def _nonblank(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if line]


def _header(lines: list[str]) -> tuple[str | None, str | None, Image | None, list[str]]:
    """Title, standfirst and lead image from the top of the dump."""
    idx = _nonblank(lines)
    if not idx:
        return None, None, None, lines
    top = [lines[i] for i in idx[:HEADER_SPAN]]
    credit_at = next((n for n, line in enumerate(top) if credit_match(line)), None)
    title = standfirst = alt = None
    image = None
    if credit_at is not None:
        head = top[:credit_at]
        match = credit_match(top[credit_at])
        assert match is not None
        if head and (len(head) >= 3 or (len(head) == 2 and word_count(head[1]) <= 12)):
            alt = head.pop()
        if head and is_heading_like(head[0]):
            title = head.pop(0)
        standfirst = " ".join(head) or None
        image = Image(credit=clean_credit(match["credit"]), caption=match.groupdict().get("caption") or alt)
        rest = lines[idx[credit_at] + 1 :]
    elif is_heading_like(top[0]) and word_count(top[0]) <= 25:
        title = top[0]
        dup = 1 if len(top) > 1 and top[1] == title else 0
        rest = lines[idx[dup] + 1 :]
    else:
        rest = lines
    return title, standfirst, image, rest


def _byline(lines: list[str]) -> tuple[list[str], list[str]]:
    """A "By Jane Doe and John Smith" line near the top names the authors."""
    for i in _nonblank(lines)[:4]:
        if BYLINE.match(lines[i]):
            return split_authors([lines[i]]), lines[:i] + lines[i + 1 :]
    return [], lines


def _dateline(lines: list[str], ctx: SourceContext) -> tuple[str | None, list[str]]:
    """A line that is nothing but a date, near the top, is the dateline."""
    for i in _nonblank(lines)[:6]:
        if len(lines[i]) <= 40 and (value := parse_datetime(lines[i], ctx.timezone)):
            published = to_iso(value)
            if published:
                return published, lines[:i] + lines[i + 1 :]
    return None, lines
