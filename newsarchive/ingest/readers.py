"""Which kind of input a payload is, judged by its content, never its name.

Order matters: an XML feed can contain HTML in its items and a stripped feed
can contain anything, so the most specific test runs first.
"""

from __future__ import annotations

import re
from typing import Protocol

from .decode import decode_bytes
from .errors import SourceError
from .models import Kind, Part
from .sources import feed_dump, feed_xml, html_page, json_feed, text_dump
from .sources.common import SourceContext

MIN_WORDS = 3


class Reader(Protocol):
    """What every reader in ``sources/`` is (a module with these three names)."""

    KIND: Kind

    def looks_like(self, text: str) -> bool:
        """Whether the decoded text is of this kind (judged by content, never by name)."""

    def read(self, text: str, data: bytes, ctx: SourceContext) -> list[Part]:
        """The parts the payload holds (``text`` decoded from ``data``); ``SourceError`` if none."""


# In the order they are tried: the most specific first (see the module's docstring).
READERS: tuple[Reader, ...] = (feed_xml, json_feed, html_page, feed_dump, text_dump)


def reader_for(text: str) -> Reader:
    """The reader of a decoded payload (``text_dump`` takes what no other claims)."""
    return next(reader for reader in READERS if reader.looks_like(text))


def detect_kind(text: str) -> str:
    """'feed', 'json-feed', 'html-page', 'feed-dump' or 'text-page'."""
    return reader_for(text).KIND


def parse_payload(data: bytes, ctx: SourceContext) -> list[Part]:
    """Decode, detect and parse one payload into the parts it holds.

    Raises:
        SourceError: when the payload is empty, binary, truncated or yields
            no article; the message names the source.
    """
    text = decode_bytes(data, ctx.origin, ctx.charset)
    reader = reader_for(text)
    kind = reader.KIND
    if kind not in (Kind.FEED, Kind.JSON_FEED) and DATA_FILE.search(ctx.origin.split("?")[0]):
        raise SourceError("not-an-article", f"{ctx.origin}: a data file (CSV, TSV, YAML or JSON), not an article")
    parts = reader.read(text, data, ctx)
    parts = [p for p in parts if len(p.body.split()) >= MIN_WORDS or p.title]
    stubs = [p for p in parts if _is_stub(p)]
    if stubs and len(stubs) == len(parts):
        title = stubs[0].title or ""
        raise SourceError("not-an-article", f"{ctx.origin}: a server's {title!r} page, not an article")
    parts = [p for p in parts if p not in stubs]
    if not parts:
        raise SourceError("no-article", f"{ctx.origin}: no article text found in this {kind}")
    return distinct_keys(parts)


DATA_FILE = re.compile(r"\.(?:csv|tsv|ya?ml|json|jsonl|ndjson)$", re.I)
# What servers title their error, redirect and challenge pages.
STUB_TITLE = re.compile(
    r"^(?:(?:\d{3}\s*[-:]?\s*)?(?:object|document|page)\s+moved|moved\s+(?:permanently|temporarily)"
    r"|\d{3}\s*[-:]?\s*(?:error|not\s+found|forbidden|unauthori[sz]ed|bad\s+request|moved\s+\w+|gone"
    r"|internal\s+server\s+error|service\s+unavailable|bad\s+gateway|gateway\s+time-?out)"
    r"|(?:page\s+)?not\s+found|access\s+denied|forbidden|just\s+a\s+moment\W*|attention\s+required\W*"
    r"|redirecting\W*|service\s+unavailable|bad\s+gateway|an?\s+error\s+(?:has\s+)?occurred\W*)$",
    re.I,
)
STUB_WORDS = 80  # a stub says a sentence or two; an article about a 404 says much more


def _is_stub(part: Part) -> bool:
    return bool(part.title and STUB_TITLE.match(part.title.strip())) and len(part.body.split()) < STUB_WORDS


def distinct_keys(parts: list[Part]) -> list[Part]:
    """Give each part of one source a key of its own.

    Items that share a key (a feed or an export that repeats a guid) would
    replace each other's part as they are stored, and the article of the
    first would be lost.  A later one is keyed by its URL as well, or by its
    place in the source if that is the same too.
    """
    seen: set[str] = set()
    for place, part in enumerate(parts):
        if part.key in seen:
            key = f"{part.key} {part.url}" if part.url else ""
            part.key = key if key and key not in seen else f"{part.key} #{place}"
        seen.add(part.key)
    return parts
