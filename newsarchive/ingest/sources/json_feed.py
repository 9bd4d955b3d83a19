"""JSON Feed (versions 1 and 1.1, https://jsonfeed.org/): a feed as JSON.

Feed readers support it beside RSS and Atom, and some publishers serve only
it.  Each item becomes a part as a feed item does: its ``id`` identifies it
within the feed, ``url`` (else ``external_url``) is the article's address,
``content_html`` (else ``content_text``, else ``summary``) its body, and the
authors of 1.1 (``authors``) or 1.0 (``author``) its byline.  Titles go
through the same spam rules as a feed's.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..clean import fix_line, text_lines, trim_teaser
from ..dates import date_from_url, iso_date
from ..errors import SourceError
from ..models import Image, Kind, Part
from ..spam import clean_titles
from .common import SourceContext, build_body, cleaning_notes
from .feed_xml import _html_text, _lines, _without_shared_links

KIND = Kind.JSON_FEED
VERSION = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/', re.I)


def looks_like(text: str) -> bool:
    """A JSON object naming a jsonfeed.org version near its start."""
    head = text.lstrip()[:2000]
    return head.startswith("{") and bool(VERSION.search(head))


def read(text: str, data: bytes, ctx: SourceContext) -> list[Part]:
    """The reader interface (``ingest.readers.Reader``): this kind is read from the decoded text."""
    return parse(text, ctx)


def parse(text: str, ctx: SourceContext) -> list[Part]:
    try:
        feed = json.loads(text)
    except ValueError as exc:
        raise SourceError("malformed-feed", f"{ctx.origin}: not a readable JSON Feed ({exc})") from exc
    if not isinstance(feed, dict):
        raise SourceError("malformed-feed", f"{ctx.origin}: a JSON Feed is an object")
    items = [item for item in feed.get("items") or [] if isinstance(item, dict)]
    if not items:
        raise SourceError("no-article", f"{ctx.origin}: the feed has no items")
    base = next((u for u in (feed.get("home_page_url"), feed.get("feed_url"), ctx.origin) if _web(u)), None)
    language = feed.get("language") if isinstance(feed.get("language"), str) else None
    titles = [_str(feed.get("title"))] + [_str(item.get("title")) for item in items]
    sample = " ".join(_html_text(_str(item.get("content_html")) or _str(item.get("summary"))) for item in items[:5])
    cleaned = clean_titles(titles, ctx.spam_filter(language), sample)
    site = cleaned[0][0] or None
    feed_authors = _authors(feed)
    parts = [
        _part(item, title, removed, site, language, base, feed_authors, ctx)
        for item, (title, removed) in zip(items, cleaned[1:], strict=True)
    ]
    return _without_shared_links(parts)


def _part(
    item: dict[str, Any],
    title: str,
    removed: list[str],
    site: str | None,
    language: str | None,
    base: str | None,
    feed_authors: list[str],
    ctx: SourceContext,
) -> Part:
    url = _url(_str(item.get("url")) or _str(item.get("external_url")), base)
    html = _str(item.get("content_html"))
    plain = _str(item.get("content_text"))
    summary = _str(item.get("summary"))
    lines = _lines(html) if html else text_lines(plain) if plain else _lines(summary)
    body = build_body(lines)
    published = iso_date(_str(item.get("date_published")), ctx.timezone)
    date_source = "feed" if published else None
    if not published and (published := date_from_url(url, ctx.timezone)):
        date_source = "url"
    updated = iso_date(_str(item.get("date_modified")), ctx.timezone)
    image = _str(item.get("image")) or _str(item.get("banner_image"))
    guid = _str(item.get("id")) or None
    return ctx.part(
        KIND,
        key=guid or url or title,
        url=url,
        guid=guid,
        title=title or None,
        summary=trim_teaser(_html_text(summary))[0] or None if summary else None,
        published=published,
        date_source=date_source,
        updated=updated if updated != published else None,
        authors=_authors(item) or feed_authors,
        tags=[fix_line(t) for t in item.get("tags") or [] if isinstance(t, str) and t.strip()],
        body=body.text,
        body_complete=bool(html or plain),
        image=Image(url=_url(image, base)) if image else None,
        polls=body.polls,
        site=site,
        language=_str(item.get("language")) or language,
        cleaning=cleaning_notes(body, removed),
    )


def _authors(node: dict[str, Any]) -> list[str]:
    found = node.get("authors") or ([node["author"]] if isinstance(node.get("author"), dict) else [])
    return [fix_line(a["name"]) for a in found if isinstance(a, dict) and isinstance(a.get("name"), str)]


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _web(url: Any) -> bool:
    return isinstance(url, str) and urlsplit(url).scheme in ("http", "https")


def _url(url: str, base: str | None) -> str | None:
    """An absolute http(s) URL, a relative one resolved against the feed's home page."""
    if not url:
        return None
    if not urlsplit(url).scheme:
        return urljoin(base, url) if base else None
    return url if _web(url) else None
