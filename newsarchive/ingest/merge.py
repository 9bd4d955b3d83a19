"""One record per article, computed from every part that carried it.

The merge is a pure function of the *set* of parts: parts are put in a fixed
order first (by how far each kind is trusted for metadata, then by content
hash), so ingesting the same inputs in any order gives the same record.

What each kind is trusted for:

* feeds: URL, title, date, summary, comment count, full body;
* HTML pages: URL, title, date and authors from the publisher's metadata;
* page text dumps: standfirst, poll results, comments, image caption.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from .identity import article_id_for_text, article_id_for_url, canonical_url
from .models import Article, Image, Kind, Part, Poll, Source

T = TypeVar("T")
# Lower is trusted more for metadata; see the module docstring.
MAX_TITLE = 400  # a "title" longer than this is a page's text in the wrong place


def ordered(parts: Iterable[Part]) -> list[Part]:
    """Parts in merge order: most trusted kind first, ties broken by content."""
    return sorted(parts, key=lambda p: (Kind.rank_of(p.kind), p.sha256, p.origin, p.key))


def article_id(parts: list[Part]) -> str:
    """From the most trusted part's canonical URL, else from its text."""
    for part in ordered(parts):
        if part.url and canonical_url(part.url):
            return article_id_for_url(part.url)
    first = ordered(parts)[0]
    return article_id_for_text(first.body or first.title or first.sha256)


def _first(parts: list[Part], get: Callable[[Part], T | None]) -> T | None:
    for part in parts:
        value = get(part)
        if value:
            return value
    return None


def _union(parts: list[Part], get: Callable[[Part], list[str]]) -> list[str]:
    seen: dict[str, str] = {}
    for part in parts:
        for value in get(part):
            seen.setdefault(value.casefold(), value)
    return list(seen.values())


def _body(parts: list[Part]) -> str:
    """A feed's full body if there is one, else the longest page body, else a summary."""
    full = [p for p in parts if p.body and p.body_complete]
    if full:
        return full[0].body if Kind.rank_of(full[0].kind) == 0 else max(full, key=lambda p: len(p.body)).body
    return _first(parts, lambda p: p.body) or ""


def _polls(parts: list[Part]) -> list[Poll]:
    """Polls with results beat a bare "there is a poll" placeholder."""
    with_results = [p.polls for p in parts if any(poll.results_available for poll in p.polls)]
    if with_results:
        return max(with_results, key=len)
    return _first(parts, lambda p: p.polls) or []


def _image(parts: list[Part]) -> Image | None:
    images = [p.image for p in parts if p.image]
    if not images:
        return None
    return Image(
        url=_first_value(i.url for i in images),
        credit=_first_value(i.credit for i in images),
        caption=_first_value(i.caption for i in images),
    )


def _first_value(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _sources(parts: list[Part]) -> list[Source]:
    unique = {(p.kind, p.origin, p.sha256): p.source for p in parts}
    return [unique[k] for k in sorted(unique)]


def merge_parts(parts: Iterable[Part]) -> Article:
    """The merged article of ``parts`` (at least one)."""
    parts = ordered(parts)
    if not parts:
        raise ValueError("merge_parts needs at least one part")
    by_comments = max(parts, key=lambda p: (len(p.comments), -Kind.rank_of(p.kind)))
    counts = [p.comment_count for p in parts if p.comment_count is not None]
    cleaning: dict[str, list[str]] = {}
    for part in parts:
        for key, values in part.cleaning.items():
            bucket = cleaning.setdefault(key, [])
            bucket.extend(v for v in values if v not in bucket)
    dated = next((p for p in parts if p.published), None)
    title = _first(parts, lambda p: p.title)
    if title and len(title) > MAX_TITLE:
        cleaning.setdefault("title_clipped", []).append(f"{len(title)} characters")
        title = title[:MAX_TITLE].rsplit(" ", 1)[0] + " …"
    return Article(
        id=article_id(parts),
        url=_first(parts, lambda p: canonical_url(p.url) and p.url),
        title=title,
        standfirst=_first(sorted(parts, key=lambda p: p.kind != Kind.TEXT_PAGE), lambda p: p.standfirst),
        published=dated.published if dated else None,
        date_source=dated.date_source if dated else None,
        updated=max((p.updated for p in parts if p.updated), default=None),
        authors=_union(parts, lambda p: p.authors),
        tags=_union(parts, lambda p: p.tags),
        summary=_first(parts, lambda p: p.summary),
        body=_body(parts),
        image=_image(parts),
        comment_count=max(counts) if counts else None,
        comments=list(by_comments.comments),
        polls=_polls(parts),
        site=_first(parts, lambda p: p.site),
        sources=_sources(parts),
        cleaning=cleaning,
    )
