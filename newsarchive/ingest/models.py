"""The data model: one place that says what an archived article is.

Field names are the JSON keys of `show --json` and `export`, and the names of
the Whoosh fields built from them.  Every record round-trips through
``to_dict``/``from_dict`` unchanged, so the JSON a script reads back is exactly
what the archive holds.

Two levels exist:

* ``Part`` is what one source said about one article (a feed item, a page
  dump, an HTML page).  Parts are stored as they were parsed, so the article
  can always be recomputed from them.
* ``Article`` is the merged record, derived from all parts of one article by
  ``merge.merge_parts`` and never edited by hand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import Any

# The time zone of dates that carry none, unless the user names another (--timezone).
DEFAULT_TZ = "Europe/London"


class Kind(StrEnum):
    """The kinds of input, as records name them (``sources[].kind``).

    A ``StrEnum``: a kind read back from JSON is the plain string, and equal
    to its member.  ``rank`` orders what a merge believes first: a feed's
    text is the publisher's own, a page's is extracted, a dump's is a copy.
    """

    FEED = "feed"
    JSON_FEED = "json-feed"
    FEED_DUMP = "feed-dump"
    WXR = "wxr"
    HTML_PAGE = "html-page"
    TEXT_PAGE = "text-page"
    COMMENT_FEED = "comment-feed"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def is_feed(self) -> bool:
        """A kind a feed URL may hold (a page where a feed was fetched is refused)."""
        return _RANKS[self] == 0

    @classmethod
    def rank_of(cls, kind: str) -> int:
        """The rank of a kind as stored (an unknown one, from a newer release, ranks last)."""
        try:
            return cls(kind).rank
        except ValueError:
            return 3


_RANKS = {
    Kind.FEED: 0,
    Kind.JSON_FEED: 0,
    Kind.FEED_DUMP: 0,
    Kind.WXR: 0,
    Kind.HTML_PAGE: 1,
    Kind.TEXT_PAGE: 2,
    Kind.COMMENT_FEED: 3,
}


@dataclass
class Image:
    """The lead image: its URL, photo credit and caption (alt text)."""

    url: str | None = None
    credit: str | None = None
    caption: str | None = None


@dataclass
class Comment:
    """One reader comment; ``parent`` is the id of the comment it replies to."""

    id: str
    author: str | None
    published: str | None
    text: str
    parent: str | None = None
    depth: int = 0

    @classmethod
    def create(cls, author: str | None, published: str | None, text: str, parent: Comment | None = None) -> Comment:
        """A comment with its id from its content, so the same comment captured
        from a page, an export or a comment feed gets the same id."""
        digest = hashlib.sha256(f"{author}|{published}|{text[:200]}".encode()).hexdigest()[:12]
        return cls(
            "c" + digest, author, published, text, parent.id if parent else None, parent.depth + 1 if parent else 0
        )


@dataclass
class PollOption:
    label: str
    percent: float | None = None
    votes: int | None = None


@dataclass
class Poll:
    """A reader poll; ``results_available`` is false for a bare placeholder."""

    question: str | None
    options: list[PollOption] = field(default_factory=list)
    total_voters: int | None = None
    results_available: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Poll:
        return cls(
            question=data.get("question"),
            options=[PollOption(**o) for o in data.get("options", [])],
            total_voters=data.get("total_voters"),
            results_available=data.get("results_available", True),
        )


@dataclass
class Source:
    """Where a record came from: ``kind`` of input, ``origin`` path or URL."""

    kind: str
    origin: str
    fetched_at: str
    sha256: str


def _entities() -> dict[str, list[dict[str, Any]]]:
    return {"people": [], "organisations": [], "councils": [], "acronyms": []}


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` for our records, several times faster: containers
    are copied, strings and numbers (immutable) are not deep-copied."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f: plain(getattr(value, f)) for f in _field_names(type(value))}
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple(f.name for f in fields(cls))
    return _FIELDS[cls]


@dataclass
class Part:
    """What one source says about one article, before merging.

    ``key`` identifies the part within its source (a feed item's guid or link;
    empty for a single-article source), so a re-fetched item replaces its
    earlier version instead of piling up beside it.
    """

    kind: str
    origin: str
    key: str
    fetched_at: str
    sha256: str
    url: str | None = None
    guid: str | None = None
    title: str | None = None
    standfirst: str | None = None
    summary: str | None = None
    published: str | None = None
    date_source: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    body: str = ""
    body_complete: bool = True
    image: Image | None = None
    comment_count: int | None = None
    comments: list[Comment] = field(default_factory=list)
    comments_feed: str | None = None  # the post's own comment feed (wfw:commentRss)
    polls: list[Poll] = field(default_factory=list)
    site: str | None = None
    language: str | None = None
    cleaning: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Part:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["image"] = Image(**data["image"]) if data.get("image") else None
        values["comments"] = [Comment(**c) for c in data.get("comments", [])]
        values["polls"] = [Poll.from_dict(p) for p in data.get("polls", [])]
        return cls(**values)

    @property
    def source(self) -> Source:
        return Source(self.kind, self.origin, self.fetched_at, self.sha256)


@dataclass
class Article:
    """One archived article, merged from every source that carried it."""

    id: str
    url: str | None = None
    title: str | None = None
    standfirst: str | None = None
    published: str | None = None
    date_source: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    body: str = ""
    image: Image | None = None
    comment_count: int | None = None
    comments: list[Comment] = field(default_factory=list)
    polls: list[Poll] = field(default_factory=list)
    entities: dict[str, list[dict[str, Any]]] = field(default_factory=_entities)
    site: str | None = None
    sources: list[Source] = field(default_factory=list)
    cleaning: dict[str, list[str]] = field(default_factory=dict)
    # History, kept by the store rather than merged from parts:
    first_seen: str | None = None
    last_seen: str | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["image"] = Image(**data["image"]) if data.get("image") else None
        values["comments"] = [Comment(**c) for c in data.get("comments", [])]
        values["polls"] = [Poll.from_dict(p) for p in data.get("polls", [])]
        values["sources"] = [Source(**s) for s in data.get("sources", [])]
        return cls(**values)
