"""RSS and Atom feeds, read by feedparser from the raw bytes.

feedparser gets bytes, never a string: a string may be taken for a URL or a
path, and bytes let it honour the encoding the feed declares.  A feed that
feedparser flags as ill-formed (``bozo``) but still yields entries is used;
one that yields nothing is reported as malformed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..clean import fix_line, fix_text, normalise_line, text_lines, trim_teaser
from ..dates import date_from_url, iso_date, to_iso
from ..decode import declared_charset, guess_encoding
from ..errors import SourceError
from ..models import Image, Kind, Part
from ..spam import clean_titles
from .common import SourceContext, build_body, cleaning_notes, parse_credit, split_authors
from .html_text import html_to_lines

KIND = Kind.FEED
DOCTYPE = r"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>"
FEED_START = re.compile(
    rf"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|{DOCTYPE}\s*|<\?[^>]*\?>\s*)*<(?:[\w-]+:)?(?:rss|feed|RDF|channel)\b",
    re.S | re.I,
)
# A feed needs no DTD.  Dropping the DOCTYPE drops its entities with it: no
# "billion laughs" expansion, no external entity read from disk or network.
DOCTYPE_BYTES = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.S | re.I)
TAG = re.compile(r"<[a-zA-Z/][^<>]*>")
XML_DECLARED_ENCODING = re.compile(r"""(^\s*<\?xml[^>]*?\bencoding\s*=\s*["'])[^"']*(["'])""")
SITE_SEPARATORS = re.compile(r"\s+[-–|—:»]\s+")


def looks_like(text: str) -> bool:
    return bool(FEED_START.match(text[:5000].lstrip("\ufeff")))


@cache
def _feedparser() -> Any:
    """feedparser, with its Windows-1252 table given as a string.

    feedparser maps the C1 code points of every text it reads through
    ``str.translate`` with a dict of 27 entries, and ``translate`` asks a
    dict with a new int for each non-ASCII character and raises and catches
    a KeyError for each one it lacks.  A string of the first 65,536 code
    points, holding the same replacements, gives the same output at half
    the cost: parsing the bench's feeds took 10% less CPU.  Code points
    beyond it are left as they are, as the dict left them.  Nothing changes
    when a release renames the table.
    """
    import feedparser
    import feedparser.mixin

    cp1252 = getattr(feedparser.mixin, "_cp1252", None)
    if isinstance(cp1252, dict) and all(isinstance(k, int) and k < 0x10000 for k in cp1252):
        table = [chr(i) for i in range(0x10000)]
        for code, replacement in cp1252.items():
            table[code] = replacement
        feedparser.mixin._cp1252 = "".join(table)
    return feedparser


# The root's closing tag, forgiving a lost final ">" (nothing of the feed is lost then).
ROOT_CLOSE = re.compile(rb"</(?:[\w-]+:)?(?:rss|feed|RDF)\s*>?\s*(?:<!--.*?-->\s*)*$", re.S)


def read(text: str, data: bytes, ctx: SourceContext) -> list[Part]:
    """The reader interface: an RSS/Atom/RDF feed, or a WordPress export (WXR), from its bytes
    (XML names its own encoding).  A feed cut off after complete items keeps them, with a warning."""
    from . import wxr

    truncated = not ROOT_CLOSE.search(data.rstrip()[-2000:].replace(b"\x00", b""))
    if truncated:
        closed = close_truncated(data)
        if closed is None:
            raise SourceError("truncated-feed", f"{ctx.origin}: feed is cut off before its first item ends")
        data = closed
    parts = wxr.parse(data, ctx) if wxr.looks_like(data) else parse(data, ctx)
    if truncated:
        ctx.warnings.append(
            ("truncated-feed", f"{ctx.origin}: the feed is cut off; its {len(parts)} complete items were kept")
        )
    return parts


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


def parse(data: bytes, ctx: SourceContext) -> list[Part]:
    feedparser = _feedparser()
    data = _to_utf8(data, ctx.charset)
    head, rest = data[:100_000], data[100_000:]
    data = DOCTYPE_BYTES.sub(b"", head, count=1) + rest
    # Not sanitized: the markup is only ever turned into text (html_text drops
    # scripts, styles, forms and frames), and sanitizing cost a fifth of parsing.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.bozo and not parsed.feed:
            problem = parsed.get("bozo_exception")
            message = f"{ctx.origin}: not a readable feed ({type(problem).__name__}: {problem})"
            raise SourceError("malformed-feed", message)
        raise SourceError("no-article", f"{ctx.origin}: the feed has no items")
    feed = parsed.feed
    language = feed.get("language")
    entries = parsed.entries
    titles = [_title(feed)] + [_title(e) for e in entries]
    sample = " ".join(_html_text(e.get("summary", "")) for e in entries[:5])
    cleaned = clean_titles(titles, ctx.spam_filter(language), sample)
    site = SITE_SEPARATORS.split(cleaned[0][0])[-1] if cleaned[0][0] else None
    base = _base(feed.get("link"), ctx.origin)
    parts = [_part(e, t, r, site, language, ctx, base) for e, (t, r) in zip(entries, cleaned[1:], strict=True)]
    return _without_shared_links(parts)


def _without_shared_links(parts: list[Part]) -> list[Part]:
    """Within one feed a distinct guid is a distinct item, whatever its link says: a
    link that items of different guids share (a podcast's every episode pointing at the
    show's home page) is no item's URL, and would merge them all into one record."""
    guids: dict[str, set[str]] = {}
    for part in parts:
        if part.url and part.guid:
            guids.setdefault(part.url, set()).add(part.guid)
    for part in parts:
        if part.url and len(guids.get(part.url, ())) > 1:
            part.url = None
    return parts


def _base(feed_link: str | None, origin: str) -> str | None:
    """What an item's relative link is relative to, after its own xml:base (which
    feedparser applies): the feed's own link, else the URL the feed came from."""
    for candidate in (feed_link, origin):
        if candidate and urlsplit(candidate).scheme in ("http", "https"):
            return candidate
    return None


def _link(entry: Any, base: str | None) -> str | None:
    """The article's URL: FeedBurner's ``origLink`` over its proxy address (which no page
    of the article ever carries), a relative link resolved, a non-web one dropped."""
    link = (entry.get("feedburner_origlink") or entry.get("link") or "").strip()
    if not link:
        return None
    if not urlsplit(link).scheme:
        return urljoin(base, link) if base else None
    return link


def _to_utf8(data: bytes, transport: str | None) -> bytes:
    """A feed that is not UTF-8 is handed to feedparser as UTF-8 when the
    server named its charset (``transport``, which outranks the XML
    declaration) or when it declares none (EUC-KR, Shift JIS, KOI8-R...:
    found by detection); feedparser alone would guess Windows-1252 and store
    mojibake.  A feed that declares its encoding is otherwise left to
    feedparser."""
    encoding = guess_encoding(data, transport)  # a BOM, then UTF-8, then the server's word...
    if encoding == "utf-8" or encoding.startswith(("utf-16", "utf-32")) or encoding == declared_charset(data):
        return data
    # the declaration, if any, would now lie about the bytes
    text = XML_DECLARED_ENCODING.sub(r"\1utf-8\2", data.decode(encoding, errors="replace"), count=1)
    return text.encode("utf-8")


def _title(node: Any) -> str:
    """A title as text: markup in an HTML-typed title is rendered, not kept."""
    title = node.get("title", "")
    kind = (node.get("title_detail") or {}).get("type", "")
    return _html_text(title) if kind != "text/plain" and TAG.search(title) else fix_line(title)


def _html_text(html: str) -> str:
    """The text of a title or summary; repaired as bodies are (a summary's mojibake was kept)."""
    return " ".join(fix_line(line) for line in html_to_lines(html) if line) if "<" in html else fix_line(html)


def _lines(html: str) -> list[str]:
    """Text lines of the HTML, each repaired: ftfy, slow on a long line of
    markup, is then only called for the few lines that need it."""
    if "<" not in html:
        return text_lines(html)
    return [normalise_line(fix_text(line, entities=False)) for line in html_to_lines(html)]


def _published(entry: Any, ctx: SourceContext) -> tuple[str | None, str | None]:
    # dict.get: FeedParserDict maps a missing "published" to "updated" with a warning.
    for key in ("published", "updated", "created"):
        if value := iso_date(dict.get(entry, key), ctx.timezone):
            return value, "feed"
    for key in ("published_parsed", "updated_parsed"):
        if parsed := dict.get(entry, key):
            year, month, day, hour, minute, second = parsed[:6]
            return to_iso(datetime(year, month, day, hour, minute, second, tzinfo=UTC)), "feed"
    if value := date_from_url(entry.get("feedburner_origlink") or entry.get("link"), ctx.timezone):
        return value, "url"
    return None, None


def _part(
    entry: Any,
    title: str,
    spam_removed: list[str],
    site: str | None,
    language: str | None,
    ctx: SourceContext,
    base: str | None = None,
) -> Part:
    content = entry.get("content") or []
    full = max((c.get("value", "") for c in content), key=len, default="")
    summary_html = entry.get("summary", "")
    body = build_body(_lines(full or summary_html))
    published, date_source = _published(entry, ctx)
    updated = iso_date(dict.get(entry, "updated"), ctx.timezone)
    link = _link(entry, base)
    return ctx.part(
        KIND,
        key=entry.get("id") or link or title,
        url=link,
        guid=entry.get("id"),
        title=title or None,
        summary=trim_teaser(_html_text(summary_html))[0] or None,
        published=published,
        date_source=date_source,
        updated=updated if updated != published else None,
        authors=_authors(entry),
        tags=[
            fix_line(t.get("term") or t.get("label") or "")
            for t in entry.get("tags", [])
            if t.get("term") or t.get("label")
        ],
        body=body.text,
        body_complete=bool(full),
        image=_image(entry),
        comment_count=_int(entry.get("slash_comments")),
        comments_feed=entry.get("wfw_commentrss") or None,
        polls=body.polls,
        site=site,
        language=language,
        cleaning=cleaning_notes(body, spam_removed),
    )


def _authors(entry: Any) -> list[str]:
    names = [fix_line(a.get("name", "")) for a in entry.get("authors", []) if a.get("name")]
    if not names and entry.get("author"):
        names = [fix_line(entry["author"])]
    return split_authors(names)


def _image(entry: Any) -> Image | None:
    urls = [m.get("url") for m in entry.get("media_content", []) + entry.get("media_thumbnail", []) if m.get("url")]
    urls += [e.get("href") for e in entry.get("enclosures", []) if str(e.get("type", "")).startswith("image/")]
    credit = entry.get("media_credit")
    if isinstance(credit, list):
        credit = credit[0].get("content") if credit else None
    elif isinstance(credit, dict):
        credit = credit.get("content")
    if not urls and not credit:
        return None
    caption, parsed_credit = parse_credit(fix_line(credit)) if credit else (None, None)
    return Image(url=urls[0] if urls else None, credit=parsed_credit or caption, caption=None)


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
