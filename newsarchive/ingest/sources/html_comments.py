"""Threaded comments from WordPress comment markup.

WordPress themes print comments as ``ol.commentlist`` (or ``ol.comment-list``)
of ``li.comment`` items, replies nested in ``ol.children`` / ``ul.children``,
the author in ``.fn`` / ``cite``, the time in ``<time datetime>`` or the text
of the ``comment-meta`` link, and the words in ``.comment-content``; older
themes (Thesis) print a ``dl`` of ``dt`` heads and ``dd`` texts instead.  The
thread is walked without recursion so a hostile page cannot exhaust the stack.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from ..clean import fix_line
from ..comments import SECTION, WORD_NUMBERS
from ..dates import iso_date
from ..models import Comment

LISTS = "ol.commentlist, ol.comment-list, ul.commentlist, ul.comment-list, div.commentlist"
FALLBACK_LISTS = "#comments ol, #comments ul, .comments-area ol, .comments ol"
AUTHOR = ".comment-author .fn, cite.fn, b.fn, .fn, cite.comment-author, .comment-author, .author"
CONTENT = ".comment-content, .contenttext, .comment-text, .comment-body-content"
DEFINITION_LISTS = "dl#comment_list, dl.comment_list, dl.commentlist, dl.comment-list"
DL_AUTHOR = ".comment_author, .comment-author .fn, cite.fn, .fn, .comment-author"
DL_TIME = ".comment_time a, .comment_time, .comment-meta a"
META_LINK = ".comment-metadata a, .commentmetadata a, .comment-meta a, .comment-date"
NOT_TEXT = (
    ".reply, .comment-likes, .comment-actions, .comment-meta, .comment-metadata, .commentmetadata, "
    ".comment-author, .says, ol.children, ul.children, .comment-awaiting-moderation"
)


def _is_comment(tag: Any) -> bool:
    if not isinstance(tag, Tag) or tag.name not in ("li", "div", "article"):
        return False
    classes: list[str] | str = tag.get("class") or []
    return "comment" in classes or "pingback" in classes or str(tag.get("id", "")).startswith("comment-")


def _children(node: Tag, top: bool = False) -> list[Tag]:
    """Comment items under ``node``: its ``li`` comments, those in reply lists, and
    (in a ``div`` list) comment blocks; an ``<article id=comment-N>`` inside an
    ``li`` is that comment's body, not a reply."""
    found: list[Tag] = []
    for child in node.children:
        if not isinstance(child, Tag):
            continue
        if _is_comment(child) and (child.name == "li" or (top and node.name == "div")):
            found.append(child)
        elif child.name in ("ol", "ul", "div") and "children" in (child.get("class") or []):
            found.extend(_children(child, top=True))
    return found


def _owner(tag: Tag, item: Tag) -> Tag | None:
    """The comment an element belongs to: its nearest ancestor of ``item``'s kind."""
    for parent in tag.parents:
        if _is_comment(parent) and (parent.name == item.name or parent is item):
            return parent
    return None


def _own(item: Tag, selector: str) -> Tag | None:
    """The first match of ``selector`` in ``item`` itself, not in its replies."""
    return next((tag for tag in item.select(selector) if _owner(tag, item) is item), None)


def _text(item: Tag) -> str:
    content = _own(item, CONTENT)
    if content is not None:
        paragraphs = [p for p in content.find_all("p") if "comment-likes" not in (p.get("class") or [])]
    else:
        skip = set(map(id, item.select(NOT_TEXT)))
        paragraphs = [
            p for p in item.find_all("p") if _owner(p, item) is item and not any(id(a) in skip for a in p.parents)
        ]
    texts = [fix_line(p.get_text(" ")) for p in paragraphs]
    if not texts and content is not None:
        texts = [fix_line(content.get_text(" "))]
    return "\n\n".join(t for t in texts if t)


def _published(item: Tag, tz: str) -> str | None:
    time_tag = _own(item, "time[datetime]")
    if time_tag is not None and (value := iso_date(str(time_tag["datetime"]), tz)):
        return value
    link = _own(item, META_LINK)
    return iso_date(fix_line(link.get_text(" ")), tz) if link is not None else None


def _author(item: Tag) -> str | None:
    tag = _own(item, AUTHOR)
    if tag is None:
        return None
    name = re.sub(r"\s+says:?$", "", fix_line(tag.get_text(" ")), flags=re.I)
    return name or None


def _pairs(dl: Tag) -> list[tuple[Tag, Tag | None]]:
    """(``dt``, ``dd``) of each comment in a definition list: head, then words."""
    out: list[tuple[Tag, Tag | None]] = []
    for child in dl.find_all(["dt", "dd"], recursive=False):
        if child.name == "dt":
            out.append((child, None))
        elif out and out[-1][1] is None:
            out[-1] = (out[-1][0], child)
    return out


def _definition_list(dl: Tag, tz: str) -> list[Comment]:
    """Thesis-style themes: ``dl#comment_list`` of ``dt`` (author, time) and
    ``dd`` (the words) pairs, replies in a ``dl`` inside the ``dd``."""
    out: list[Comment] = []
    stack: list[tuple[Tag, Tag | None, Comment | None]] = [(dt, dd, None) for dt, dd in reversed(_pairs(dl))]
    while stack:
        dt, dd, parent = stack.pop()
        author = dt.select_one(DL_AUTHOR)
        when = dt.select_one(DL_TIME)
        paragraphs = [p for p in dd.find_all("p") if p.find_parent("dl") is dt.parent] if dd else []
        text = "\n\n".join(t for t in (fix_line(p.get_text(" ")) for p in paragraphs) if t)
        if not text and dd is not None:  # words straight in the dd, no paragraphs
            text = fix_line(" ".join(s for s in dd.find_all(string=True) if s.find_parent("dl") is dt.parent))
        comment = Comment.create(
            (fix_line(author.get_text(" ")) or None) if author else None,
            iso_date(fix_line(when.get_text(" ")), tz) if when else None,
            text,
            parent,
        )
        out.append(comment)
        replies = dd.find("dl") if dd else None
        if replies is not None:
            stack.extend((rdt, rdd, comment) for rdt, rdd in reversed(_pairs(replies)))
    return out


def parse_comments(soup: BeautifulSoup, tz: str) -> list[Comment]:
    """The comments of the first comment list on the page, in thread order."""
    container = soup.select_one(LISTS) or next((c for c in soup.select(FALLBACK_LISTS) if _children(c, top=True)), None)
    if container is None:
        dl = soup.select_one(DEFINITION_LISTS)
        return _definition_list(dl, tz) if dl is not None else []
    out: list[Comment] = []
    stack: list[tuple[Tag, Comment | None]] = [(c, None) for c in reversed(_children(container, top=True))]
    while stack:
        item, parent = stack.pop()
        author, published, text = _author(item), _published(item, tz), _text(item)
        comment = Comment.create(author, published, text, parent)
        out.append(comment)
        stack.extend((child, comment) for child in reversed(_children(item)))
    return out


def reported_count(soup: BeautifulSoup) -> int | None:
    """The count a "12 Responses to ..." or "3 comments" heading states."""
    for heading in soup.select(
        "#comments h2, #comments h3, .comments-title, h2.comments, h3#comments, .comments_intro p"
    ):
        text = fix_line(heading.get_text(" ")).lstrip("{([ ")  # Thesis: "{ 38 comments… }"
        match = SECTION.match(text) or re.match(r"^(?P<n>\d+|no|one)\s+comments?\b", text, re.I)
        if match:
            n = match["n"].lower()
            return int(n) if n.isdigit() else WORD_NUMBERS[n]
    return None
