"""WordPress RSS feeds whose XML tags were stripped, leaving only the text.

What remains of each ``<item>``, in template order::

    <title> <link> [<comments>] <pubDate> <guid>      (one line)
    <description> ]]>                                  (the excerpt)
    <content:encoded> ]]>                              (the full body)
    [<wfw:commentRss> <slash:comments>] <image url> <image credit>

The channel header (title, link, description, lastBuildDate, language,
update period, generator) shares the first line with the first item.
"""

from __future__ import annotations

import re

from ..clean import fix_line, fix_text, normalise_line, trim_teaser
from ..dates import iso_date
from ..models import Image, Kind, Part
from ..spam import clean_titles
from .common import SourceContext, build_body, cleaning_notes, parse_credit

KIND = Kind.FEED_DUMP
RFC822 = (
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} [A-Z][a-z]{2} \d{4} "
    r"\d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UTC|UT|[A-Z]{3})"
)
ITEM = re.compile(
    rf"^(?P<title>.+?) (?P<link>https?://\S+)(?: (?P<comments>https?://\S+))? "
    rf"(?P<date>{RFC822})(?: (?P<guid>\S+))?$"
)
CHANNEL = re.compile(
    rf"^(?P<title>.+?) (?P<link>https?://\S+) (?P<description>.*?) ?(?P<date>{RFC822}) "
    r"(?P<language>[a-z]{2,3}(?:-[A-Za-z]{2,4})?)\b ?(?P<rest>.*)$"
)
CHANNEL_TAIL = re.compile(r"^(?:(?:hourly|daily|weekly|monthly|yearly) \d+ )?(?:https?://\S+ )?")
CDATA_END = "]]>"
MAX_HEADER = 5000  # an item header is a title, two URLs, a date and a guid: never longer
SITE_SEPARATORS = re.compile(r"\s+[-–|—:]\s+")


def _header(line: str) -> re.Match[str] | None:
    line = line.strip()
    return ITEM.match(line) if len(line) <= MAX_HEADER else None


def looks_like(text: str) -> bool:
    """A stripped feed has CDATA ends on their own lines and item header lines."""
    head = text[:200_000]
    return f"\n{CDATA_END}" in head and any(_header(line) for line in head.split("\n")[:400])


def read(text: str, data: bytes, ctx: SourceContext) -> list[Part]:
    """The reader interface (``ingest.readers.Reader``): this kind is read from the decoded text."""
    return parse(text, ctx)


def parse(text: str, ctx: SourceContext) -> list[Part]:
    lines = fix_text(text).split("\n")
    channel, lines = _channel(lines)
    items = _split_items(lines)
    language = channel.get("language")
    titles = [channel.get("title", "")] + [item["header"]["title"] for item in items]
    sample = " ".join("\n".join(item["segments"][0]) for item in items[:5])
    cleaned = clean_titles(titles, ctx.spam_filter(language), sample)
    channel_title = cleaned[0][0]
    site = SITE_SEPARATORS.split(channel_title)[-1] if channel_title else None
    return [
        _part(item, title, removed, site, language, ctx)
        for item, (title, removed) in zip(items, cleaned[1:], strict=True)
    ]


def _channel(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    first = lines[0].strip() if lines else ""
    match = CHANNEL.match(first) if len(first) <= 2 * MAX_HEADER else None
    if not match:
        return {}, lines
    channel = {k: fix_line(v) for k, v in match.groupdict().items() if v}
    rest = CHANNEL_TAIL.sub("", match["rest"] or "", count=1)
    return channel, ([rest] if rest else []) + lines[1:]


def _split_items(lines: list[str]) -> list[dict]:
    items: list[dict] = []
    for line in lines:
        match = _header(line)
        if match:
            items.append({"header": {k: fix_line(v) for k, v in match.groupdict().items() if v}, "segments": [[]]})
        elif items:
            if line.strip() == CDATA_END:
                items[-1]["segments"].append([])
            else:
                items[-1]["segments"][-1].append(line)
    return items


def _part(
    item: dict, title: str, spam_removed: list[str], site: str | None, language: str | None, ctx: SourceContext
) -> Part:
    header, segments = item["header"], item["segments"]
    excerpt = trim_teaser(fix_line(" ".join(segments[0])))[0] or None if len(segments) > 1 else None
    body_lines = segments[1] if len(segments) > 2 else segments[0]
    body = build_body([normalise_line(line) for line in body_lines])
    trailer = fix_line(" ".join(segments[-1])) if len(segments) > 2 else ""
    comment_count, comments_feed, image = _trailer(trailer, site)
    link = header.get("link")
    return ctx.part(
        KIND,
        key=header.get("guid") or link or title,
        url=link,
        guid=header.get("guid"),
        title=title,
        summary=excerpt,
        published=iso_date(header.get("date"), ctx.timezone),
        date_source="feed",
        body=body.text,
        body_complete=len(segments) > 2,
        image=image,
        comment_count=comment_count if comment_count is not None else (0 if header.get("comments") else None),
        comments_feed=comments_feed,
        polls=body.polls,
        site=site,
        language=language,
        cleaning=cleaning_notes(body, spam_removed),
    )


def _trailer(trailer: str, site: str | None) -> tuple[int | None, str | None, Image | None]:
    """Comment feed and count, then the image URL and its credit."""
    tokens = trailer.split(" ")
    count = comments_feed = None
    if len(tokens) >= 2 and tokens[0].startswith("http") and tokens[1].isdigit():
        comments_feed, count = tokens[0], int(tokens[1])
        tokens = tokens[2:]
    url = tokens.pop(0) if tokens and tokens[0].startswith("http") else None
    rest = " ".join(tokens).strip()
    if site and rest.startswith(site):
        rest = rest[len(site) :].strip()  # the image's provider, named as the site
    caption, credit = parse_credit(rest)
    if not (url or caption or credit):
        return count, comments_feed, None
    return count, comments_feed, Image(url=url, credit=credit, caption=caption)
