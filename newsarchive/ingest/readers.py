"""Which kind of input a payload is, judged by its content, never its name.

Order matters: an XML feed can contain HTML in its items and a stripped feed
can contain anything, so the most specific test runs first.
"""

from __future__ import annotations

import re

from .decode import decode_bytes
from .errors import SourceError
from .models import Part
from .sources import feed_dump, feed_xml, html_page, json_feed, text_dump, wxr
from .sources.common import SourceContext

# The root's closing tag, forgiving a lost final ">" (nothing of the feed is lost then).
ROOT_CLOSE = re.compile(rb"</(?:[\w-]+:)?(?:rss|feed|RDF)\s*>?\s*(?:<!--.*?-->\s*)*$", re.S)
MIN_WORDS = 3


def detect_kind(text: str) -> str:
    """'feed', 'json-feed', 'feed-dump', 'html-page' or 'text-page'."""
    if feed_xml.looks_like(text):
        return feed_xml.KIND
    if json_feed.looks_like(text):
        return json_feed.KIND
    if html_page.looks_like(text):
        return html_page.KIND
    if feed_dump.looks_like(text):
        return feed_dump.KIND
    return text_dump.KIND


def parse_payload(data: bytes, ctx: SourceContext) -> list[Part]:
    """Decode, detect and parse one payload into the parts it holds.

    Raises:
        SourceError: when the payload is empty, binary, truncated or yields
            no article; the message names the source.
    """
    text = decode_bytes(data, ctx.origin, ctx.charset)
    kind = detect_kind(text)
    if kind not in (feed_xml.KIND, json_feed.KIND) and DATA_FILE.search(ctx.origin.split("?")[0]):
        raise SourceError("not-an-article", f"{ctx.origin}: a data file (CSV, TSV, YAML or JSON), not an article")
    if kind == feed_xml.KIND:
        truncated = not ROOT_CLOSE.search(data.rstrip()[-2000:].replace(b"\x00", b""))
        if truncated:
            closed = close_truncated(data)
            if closed is None:
                raise SourceError("truncated-feed", f"{ctx.origin}: feed is cut off before its first item ends")
            data = closed
        parts = wxr.parse(data, ctx) if wxr.looks_like(data) else feed_xml.parse(data, ctx)
        if truncated:
            ctx.warnings.append(
                ("truncated-feed", f"{ctx.origin}: the feed is cut off; its {len(parts)} complete items were kept")
            )
    elif kind == json_feed.KIND:
        parts = json_feed.parse(text, ctx)
    elif kind == html_page.KIND:
        parts = html_page.parse(text, ctx)
    elif kind == feed_dump.KIND:
        parts = feed_dump.parse(text, ctx)
    else:
        parts = text_dump.parse(text, ctx)
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


ITEM_END = re.compile(rb"</(?:[\w-]+:)?(?:item|entry)\s*>", re.I)


def close_truncated(data: bytes) -> bytes | None:
    """A feed cut off mid-way, ended after its last complete item and closed as its root
    opened, or None when not one item is complete: the incomplete item is all it loses."""
    ends = list(ITEM_END.finditer(data))
    if not ends:
        return None
    head = data[:4000].lower()
    if b"<rdf:rdf" in head:
        closing = b"</rdf:RDF>"
    elif b"<feed" in head:
        closing = b"</feed>"
    else:
        closing = b"</channel></rss>"
    return data[: ends[-1].end()] + closing


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
