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
from collections.abc import Callable, Iterator
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

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
    # (tag, its parent, whether that parent is the list or a reply list): a reply
    # list may hold another directly, walked in document order, not recursed
    stack: list[tuple[Tag, Tag, bool]] = [(c, node, top) for c in reversed(node.contents) if isinstance(c, Tag)]
    while stack:
        child, parent, in_list = stack.pop()
        if _is_comment(child) and (child.name == "li" or (in_list and parent.name == "div")):
            found.append(child)
        elif _is_reply_list(child):
            stack.extend((c, child, True) for c in reversed(child.contents) if isinstance(c, Tag))
    return found


def _is_reply_list(tag: Tag) -> bool:
    return tag.name in ("ol", "ul", "div") and "children" in (tag.get("class") or [])


class _Owners:
    """Which comment each tag of a comment list belongs to, found in one walk
    of the list, and each selector tried once on the whole list.

    A tag belongs to its nearest enclosing comment item (an ``<article
    class=comment>`` inside an ``li`` is that comment's body, not another
    comment).  Selecting within each comment and then discarding its replies'
    tags cost time in the square of a thread's depth: 12 minutes for a page
    of replies nested 3,000 deep (``python bench/threads.py``).
    """

    def __init__(self, container: Tag, items: list[Tag]) -> None:
        self.container = container
        self.owner: dict[int, Tag] = {}
        self.muted: set[int] = set()  # under a NOT_TEXT element of their own comment
        comments = {id(item) for item in items}
        not_text = {id(tag) for tag in container.select(NOT_TEXT)}
        stack: list[tuple[Tag, Tag | None, bool]] = [
            (c, None, False) for c in reversed(container.contents) if isinstance(c, Tag)
        ]
        while stack:
            tag, owner, muted = stack.pop()
            if id(tag) in not_text:
                muted = True  # a reply link, the meta line: it and all under it
            if owner is not None:
                self.owner[id(tag)] = owner
                if muted:
                    self.muted.add(id(tag))
            if id(tag) in comments or (owner is not None and tag.name == owner.name and _is_comment(tag)):
                owner, muted = tag, False  # a comment of its own (one no list holds is dropped)
            stack.extend((c, owner, muted) for c in reversed(tag.contents) if isinstance(c, Tag))

    def first(self, selector: str) -> dict[int, Tag]:
        """Each comment's first tag matching ``selector``, by the comment's id()."""
        found: dict[int, Tag] = {}
        for tag in self.container.select(selector):
            if (owner := self.owner.get(id(tag))) is not None:
                found.setdefault(id(owner), tag)
        return found

    def paragraphs(self) -> dict[int, list[Tag]]:
        """Each comment's own ``<p>`` outside its reply link, meta and author lines."""
        found: dict[int, list[Tag]] = {}
        for p in self.container.find_all("p"):
            if (owner := self.owner.get(id(p))) is not None and id(p) not in self.muted:
                found.setdefault(id(owner), []).append(p)
        return found


def _thread_items(container: Tag) -> list[tuple[Tag, int | None]]:
    """Every comment item of the list in thread order, with its parent's index."""
    out: list[tuple[Tag, int | None]] = []
    stack: list[tuple[Tag, int | None]] = [(c, None) for c in reversed(_children(container, top=True))]
    while stack:
        item, parent = stack.pop()
        out.append((item, parent))
        here = len(out) - 1
        stack.extend((child, here) for child in reversed(_children(item)))
    return out


def _text(content: Tag | None, paragraphs: list[Tag]) -> str:
    if content is not None:
        paragraphs = [p for p in content.find_all("p") if "comment-likes" not in (p.get("class") or [])]
    texts = [fix_line(p.get_text(" ")) for p in paragraphs]
    if not texts and content is not None:
        texts = [fix_line(content.get_text(" "))]
    return "\n\n".join(t for t in texts if t)


def _published(time_tag: Tag | None, link: Tag | None, tz: str) -> str | None:
    if time_tag is not None and (value := iso_date(str(time_tag["datetime"]), tz)):
        return value
    return iso_date(fix_line(link.get_text(" ")), tz) if link is not None else None


def _author(tag: Tag | None) -> str | None:
    if tag is None:
        return None
    name = re.sub(r"\s+says:?$", "", fix_line(tag.get_text(" ")), flags=re.I)
    return name or None


def _own_tags(item: Tag, is_reply: Callable[[Tag], bool]) -> Iterator[Tag]:
    """The tags of ``item`` itself, in document order, not those of its replies."""
    stack = [c for c in reversed(item.contents) if isinstance(c, Tag)]
    while stack:
        tag = stack.pop()
        if not is_reply(tag):
            yield tag
            stack.extend(c for c in reversed(tag.contents) if isinstance(c, Tag))


def _own_strings(item: Tag, is_reply: Callable[[Tag], bool]) -> list[str]:
    """The text of ``item`` itself, in document order, without its replies'."""
    out: list[str] = []
    stack = list(reversed(item.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if not is_reply(node):
                stack.extend(reversed(node.contents))
        elif type(node) is NavigableString:  # not an HTML comment, CDATA or doctype
            out.append(str(node))
    return out


def _pairs(dl: Tag) -> list[tuple[Tag, Tag | None]]:
    """(``dt``, ``dd``) of each comment in a definition list: head, then words."""
    out: list[tuple[Tag, Tag | None]] = []
    for child in dl.find_all(["dt", "dd"], recursive=False):
        if child.name == "dt":
            out.append((child, None))
        elif out and out[-1][1] is None:
            out[-1] = (out[-1][0], child)
    return out


def _in_heads(dl: Tag, selector: str) -> dict[int, Tag]:
    """Each ``dt``'s first tag matching ``selector``, by the ``dt``'s id(): one
    selection for the list (one per ``dt`` costs the square of a deep thread)."""
    found: dict[int, Tag] = {}
    for tag in dl.select(selector):
        head = tag.find_parent(["dt", "dd"])
        if head is not None and head.name == "dt":
            found.setdefault(id(head), tag)
    return found


def _definition_list(dl: Tag, tz: str) -> list[Comment]:
    """Thesis-style themes: ``dl#comment_list`` of ``dt`` (author, time) and
    ``dd`` (the words) pairs, replies in a ``dl`` inside the ``dd``."""
    authors, times = _in_heads(dl, DL_AUTHOR), _in_heads(dl, DL_TIME)
    out: list[Comment] = []
    stack: list[tuple[Tag, Tag | None, Comment | None]] = [(dt, dd, None) for dt, dd in reversed(_pairs(dl))]
    while stack:
        dt, dd, parent = stack.pop()
        author, when = authors.get(id(dt)), times.get(id(dt))
        own = list(_own_tags(dd, lambda tag: tag.name == "dl")) if dd is not None else []
        text = "\n\n".join(t for t in (fix_line(p.get_text(" ")) for p in own if p.name == "p") if t)
        if not text and dd is not None:  # words straight in the dd, no paragraphs
            text = fix_line(" ".join(_own_strings(dd, lambda tag: tag.name == "dl")))
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
    items = _thread_items(container)
    owners = _Owners(container, [item for item, _ in items])
    authors, contents = owners.first(AUTHOR), owners.first(CONTENT)
    times, links, paragraphs = owners.first("time[datetime]"), owners.first(META_LINK), owners.paragraphs()
    out: list[Comment] = []
    for item, parent in items:
        key = id(item)
        out.append(
            Comment.create(
                _author(authors.get(key)),
                _published(times.get(key), links.get(key), tz),
                _text(contents.get(key), paragraphs.get(key, [])),
                out[parent] if parent is not None else None,
            )
        )
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
