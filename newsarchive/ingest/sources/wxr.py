"""WordPress eXtended RSS (WXR) exports: posts and pages with their comments.

feedparser reads a WXR file as plain RSS and drops the ``wp:`` elements that
carry the post type, the status and, above all, the comments with their
``wp:comment_parent`` links, so exports get a reader of their own.  Only
published posts and pages are articles; attachments, menu items and drafts
are not.  Only approved comments count, and pingbacks are not comments.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from ..clean import fix_line, trim_teaser
from ..dates import iso_date
from ..errors import SourceError
from ..models import Comment, Kind, Part
from ..spam import clean_titles
from .common import SourceContext, build_body, cleaning_notes
from .feed_xml import _lines

KIND = Kind.WXR
WXR_MARK = re.compile(rb"xmlns:wp=[\"']https?://wordpress\.org/export/", re.I)
ARTICLE_TYPES = {"post", "page"}
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def looks_like(data: bytes) -> bool:
    return bool(WXR_MARK.search(data[:20_000]))


def _wp(element: Any, name: str) -> str:
    """Text of the first child whose local name is ``name`` in any wp: namespace."""
    for child in element:
        if isinstance(child.tag, str) and child.tag.endswith("}" + name) and "wordpress.org/export" in child.tag:
            return (child.text or "").strip()
    return ""


def _wp_all(element: Any, name: str) -> list[Any]:
    return [c for c in element if isinstance(c.tag, str) and c.tag.endswith("}" + name)]


def parse(data: bytes, ctx: SourceContext) -> list[Part]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError("malformed-feed", f"{ctx.origin}: not a readable WordPress export ({exc})") from exc
    channel = root.find("channel")
    if channel is None:
        raise SourceError("malformed-feed", f"{ctx.origin}: WordPress export without a channel")
    authors = {_wp(a, "author_login"): _wp(a, "author_display_name") for a in _wp_all(channel, "author")}
    items = [
        i for i in channel.findall("item") if _wp(i, "post_type") in ARTICLE_TYPES and _wp(i, "status") == "publish"
    ]
    if not items:
        raise SourceError("no-article", f"{ctx.origin}: the export holds no published post or page")
    language = channel.findtext("language")
    site = fix_line(channel.findtext("title") or "") or None
    titles = [fix_line(i.findtext("title") or "") for i in items]
    cleaned = clean_titles(titles, ctx.spam_filter(language))
    return [_part(i, t, r, authors, site, language, ctx) for i, (t, r) in zip(items, cleaned, strict=True)]


def _part(
    item: Any,
    title: str,
    spam: list[str],
    authors: dict[str, str],
    site: str | None,
    language: str | None,
    ctx: SourceContext,
) -> Part:
    body = build_body(_lines(item.findtext(CONTENT) or ""))
    excerpt = next(
        (e.text for e in item if isinstance(e.tag, str) and e.tag.endswith("}encoded") and "excerpt" in e.tag), None
    )
    creator = (item.findtext(DC_CREATOR) or "").strip()
    gmt = _wp(item, "post_date_gmt")
    published = iso_date(gmt.replace(" ", "T") + "+00:00") if gmt and not gmt.startswith("0000") else None
    published = published or iso_date(item.findtext("pubDate"), ctx.timezone)
    comments = _comments(item)
    categories = [fix_line(c.text or "") for c in item.findall("category") if (c.text or "").strip()]
    link = (item.findtext("link") or "").strip() or None
    guid = (item.findtext("guid") or "").strip() or None
    return ctx.part(
        KIND,
        key=_wp(item, "post_id") or guid or link or title,
        url=link,
        guid=guid,
        title=title or None,
        summary=trim_teaser(fix_line(excerpt))[0] or None if excerpt and excerpt.strip() else None,
        published=published,
        date_source="feed" if published else None,
        authors=[fix_line(authors.get(creator) or creator)] if creator else [],
        tags=list(dict.fromkeys(categories)),
        body=body.text,
        comment_count=len(comments),
        comments=comments,
        polls=body.polls,
        site=site,
        language=language,
        cleaning=cleaning_notes(body, spam),
    )


def _comments(item: Any) -> list[Comment]:
    """Approved comments, threaded by wp:comment_parent, in thread order."""
    raw: list[dict[str, Any]] = []
    for element in _wp_all(item, "comment"):
        if _wp(element, "comment_approved") != "1" or _wp(element, "comment_type") in ("pingback", "trackback"):
            continue
        gmt = _wp(element, "comment_date_gmt")
        raw.append(
            {
                "wp_id": _wp(element, "comment_id"),
                "parent": _wp(element, "comment_parent"),
                "author": fix_line(_wp(element, "comment_author")) or None,
                "published": iso_date(gmt.replace(" ", "T") + "+00:00") if gmt and not gmt.startswith("0000") else None,
                "text": build_body(_lines(_wp(element, "comment_content"))).text,
            }
        )
    known = {c["wp_id"] for c in raw}
    children: dict[str, list[dict]] = {}
    for c in raw:
        children.setdefault(c["parent"] if c["parent"] in known else "0", []).append(c)
    out: list[Comment] = []
    # Depth-first without recursion: a hostile export may nest replies very deep.
    stack: list[tuple[dict, Comment | None]] = [(c, None) for c in reversed(_in_order(children.get("0", [])))]
    while stack:
        c, parent = stack.pop()
        comment = Comment.create(c["author"], c["published"], c["text"], parent)
        out.append(comment)
        stack.extend((r, comment) for r in reversed(_in_order(children.get(c["wp_id"], []))))
    return out


def _in_order(comments: list[dict]) -> list[dict]:
    return sorted(comments, key=lambda c: (c["published"] or "", int(c["wp_id"]) if c["wp_id"].isdigit() else 0))
