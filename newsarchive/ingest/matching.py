"""Which stored article a new part belongs to, and folding it in.

Matching, in order of certainty: the canonical URL, the feed guid, an exact
content fingerprint, then near-duplicate text (MinHash candidates confirmed
by shingle overlap).  A guid or content match only joins a part to an article
when their URLs agree or one of them has none: two pages at two different
URLs are two articles, however alike (exports repeat guids by mistake).

When a part links several stored articles (a page dump stored on its own,
then the feed item that carries both its text and its URL), they become one
and every part is re-merged, so the result does not depend on arrival order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import site_polls
from .entities import Entities
from .entities import extract as extract_entities
from .identity import TextKeys, canonical_url, lead_key, shingles, short_hash, similarity, text_keys
from .merge import merge_parts
from .models import Article, Part
from .store import ArchiveStore

NEAR_DUPLICATE = 0.8  # share of the smaller text's shingles found in the other
SKETCH_SHARED = 3  # of the 8 sketch keys; at 0.8 overlap a copy shares about 6
MAX_CANDIDATES = 20
OPENING_WORDS = 60  # the opening of a text without a URL, which must agree to join another (see _openings_agree)
OPENING_SHARE = 0.6


@dataclass
class Outcome:
    """What one part did to the archive: 'added', 'updated' or 'unchanged'."""

    status: str
    article_id: str


def part_key(part: Part) -> str:
    """A part's identity: same source, same item -> same key, so it is replaced."""
    origin_key = part.key if part.key else (part.sha256 if part.origin == "-" else "")
    return short_hash(f"{part.kind}\x00{part.origin}\x00{origin_key}", 24)


def part_digest(part: Part, data: dict[str, Any] | None = None) -> str:
    """What a part says, not where it was read: a feed that gains an item leaves
    its other items' parts unchanged although the feed's bytes changed.
    ``data`` is ``part.to_dict()`` if the caller has it already."""
    data = dict(data if data is not None else part.to_dict())
    data.pop("fetched_at", None)
    data.pop("sha256", None)
    return short_hash(json.dumps(data, sort_keys=True, ensure_ascii=False), 32)


HISTORY = ("first_seen", "last_seen", "changes")
TRACKED = (
    "title",
    "url",
    "published",
    "updated",
    "standfirst",
    "summary",
    "body",
    "authors",
    "tags",
    "image",
    "comment_count",
    "comments",
    "polls",
)


def comparable(article: Article, data: dict[str, Any] | None = None) -> dict:
    """The record as merging made it: no history, no moments of fetching.
    ``data`` is ``article.to_dict()`` if the caller has it already (not changed)."""
    data = dict(data if data is not None else article.to_dict())
    for key in HISTORY:
        data.pop(key, None)
    data["sources"] = [{k: v for k, v in source.items() if k != "fetched_at"} for source in data["sources"]]
    return data


def article_digest(article: Article, data: dict[str, Any] | None = None) -> str:
    return short_hash(json.dumps(comparable(article, data), sort_keys=True, ensure_ascii=False), 32)


def changed_fields(old: Article | None, new: Article, after: dict[str, Any] | None = None) -> list[str]:
    if old is None:
        return []
    before, after = old.to_dict(), after if after is not None else new.to_dict()
    return [key for key in TRACKED if before.get(key) != after.get(key)]


def exact_keys(part: Part) -> list[str]:
    keys = []
    if url := canonical_url(part.url):
        keys.append(f"url:{url}")
    if part.guid:
        keys.append(f"guid:{part.guid}")
    if part.body and (fp := text_keys(part.body)[0]):
        keys.append(f"fp:{fp}")
    return keys


def _content_keys(part: Part) -> list[str]:
    """The sketch and lead of a part's body, and the lead of its standfirst
    (a page's standfirst is what a feed that carries only a teaser says)."""
    keys = list(text_keys(part.body)[1]) if part.body else []
    if (lead := lead_key(part.standfirst)) and lead not in keys:
        keys.append(lead)
    return keys


def _text(part: Part | Article) -> str:
    return f"{part.standfirst}\n{part.body}" if part.standfirst else part.body


def find_matches(store: ArchiveStore, part: Part) -> set[str]:
    """Ids of stored articles that ``part`` is a version of."""
    url = canonical_url(part.url)
    found = store.find_by_each_key(exact_keys(part))
    same_url = found.pop(f"url:{url}", set()) if url else set()
    matches = same_url | _joinable(store, set().union(*found.values()) - same_url, url)
    if matches or not part.body:
        return matches
    return _joinable(store, _near_duplicates(store, part, url), url)


def _near_duplicates(store: ArchiveStore, part: Part, url: str | None) -> set[str]:
    """Stored articles whose text ``part``'s nearly repeats, or holds whole.

    A part with a URL may only join an article without one: ask for those
    alone.  A near-duplicate shares most of the sketch; a text that merely
    quotes the same stock paragraph shares a key or two.  A teaser (a feed
    that carries only an excerpt) shares little of its page's sketch but
    starts as the page's body or standfirst does: a lead key finds it.
    Either way the likeliest few candidates are checked by their shingles:
    most of the smaller text must be in the other.
    """
    keys = _content_keys(part)
    bands = [key for key in keys if key.startswith("band:")]
    leads = [key for key in keys if key.startswith("lead:")]
    candidates = store.find_by_keys(bands, without_url=bool(url), min_shared=SKETCH_SHARED, limit=MAX_CANDIDATES)
    by_lead = store.find_by_keys(leads, without_url=bool(url), limit=MAX_CANDIDATES) if leads else set()
    if not candidates and not by_lead:
        return set()
    mine = shingles(part.body)
    found = set()
    for aid, article in store.get_many(candidates | by_lead).items():
        theirs = shingles(article.body)
        if not url and not article.url and aid not in by_lead and not _openings_agree(part, article, mine, theirs):
            continue  # two texts without URLs that share a footer or a sidebar, not their own words
        if similarity(mine, theirs) >= NEAR_DUPLICATE or (
            aid in by_lead and similarity(shingles(_text(part)), shingles(_text(article))) >= NEAR_DUPLICATE
        ):
            found.add(aid)
    return found


def _openings_agree(part: Part, article: Article, mine: frozenset[int], theirs: frozenset[int]) -> bool:
    """Whether two texts open alike: most of the first ``OPENING_WORDS`` words of one
    run through the other.  A text's own words come first; what two different
    articles of one site share (a footer, a sidebar, a closing paragraph) does not,
    so shared boilerplate alone cannot join two texts that have no URL."""
    first_a, first_b = (shingles(" ".join(text.split()[:OPENING_WORDS])) for text in (part.body, article.body))
    return max(similarity(first_a, theirs), similarity(first_b, mine)) >= OPENING_SHARE


def _joinable(store: ArchiveStore, matches: set[str], url: str | None) -> set[str]:
    """The matches ``part`` may join: never two articles at two different URLs.

    A part with a URL joins the articles without one besides those at its
    URL (a guid or text match to another URL is another page that says the
    same, or an export that repeated a guid).  A part without a URL whose
    text is at several URLs (a paywall notice, a stock reply) cannot tell
    which page it is: it joins only the matches without a URL, so that those
    articles are not merged into one.
    """
    if not matches:
        return matches
    urls = {aid: canonical_url(found) for aid, found in store.urls(matches).items()}
    if url:
        return {aid for aid in matches if urls.get(aid) in (None, url)}
    if len({u for u in urls.values() if u}) <= 1:
        return matches
    return {aid for aid in matches if not urls.get(aid)}


@dataclass
class Ahead:
    """Work a parsing worker did for the merge (``pipeline.parse_job``), by ``text_key``:
    the entities of each part's text, and the match keys of each part's body."""

    entities: dict[str, Entities] = field(default_factory=dict)
    keys: dict[str, TextKeys] = field(default_factory=dict)


def apply_part(store: ArchiveStore, part: Part, entities: Mapping[str, Entities] | None = None) -> Outcome:
    """Store ``part`` and re-merge the article it belongs to (inside a transaction).

    ``entities``: what a parsing worker already found in texts, by
    ``text_key`` (``Ahead.entities``), used when the merged text is one it read.
    """
    part_data = part.to_dict()  # once: for the digest and for the store
    key, digest = part_key(part), part_digest(part, part_data)
    now = part.fetched_at
    state = store.part_state(key)
    if state and state[0] == digest:
        store.seen(state[1], now)
        return Outcome("unchanged", state[1])
    matches = find_matches(store, part)
    if state:
        matches.add(state[1])  # the article this part used to belong to
    stored = [p for k, p in store.parts_of(sorted(matches)) if k != key]
    article = merge_parts([*stored, part])
    article.entities = extract_entities(article, entities)
    old_digest, previous = store.get_merged(article.id) or (None, None)
    removed = tuple(sorted(m for m in matches if m != article.id))
    for aid in removed:
        store.delete_article(aid)
    poll_keys = site_polls.keys_of(article)
    site_polls.settle(store, article, removed)  # a sidebar poll that other articles carry too is the site's
    store.move_parts(removed, article.id)
    store.put_part(key, article.id, digest, part_data)
    article_data = article.to_dict()  # once: for the digest, the store and the changes
    new_digest = article_digest(article, article_data)
    keys = sorted({k for p in [*stored, part] for k in exact_keys(p) + _content_keys(p)} | set(poll_keys))
    store.put_article(article, new_digest, keys, article_data)
    store.touch(article.id, now, changed_fields(previous, article, article_data), merged_from=removed)
    if not matches:
        return Outcome("added", article.id)
    status = "unchanged" if old_digest == new_digest and not removed else "updated"
    return Outcome(status, article.id)
