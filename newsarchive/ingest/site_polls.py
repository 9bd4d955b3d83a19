"""A poll that several articles of one site carry is the site's, not theirs.

A WordPress sidebar poll ("Which is the biggest pressure on your team?")
sits beside every post of the site while it runs.  ``polls.py`` already
refuses a poll outside a page's main content; this catches the rest: the
same poll (same question, same choices) on two different articles of one
site.  Its key is then recorded as a site poll (the ``site_polls`` table),
it is taken out of every article that holds it, and it is never attached
to an article of that site again.  The results are left out of the key:
they move while the poll runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlsplit

from .identity import short_hash
from .models import Article, Poll

PREFIX = "poll:"


def site_of(article: Article) -> str | None:
    """The site as a host name without ``www.`` (else the site's name): what a sidebar belongs to."""
    host = urlsplit(article.url).hostname if article.url else None
    if host:
        return host.removeprefix("www.")
    return article.site.casefold() if article.site else None


def poll_key(site: str | None, poll: Poll) -> str | None:
    """The key of a poll on a site; None for a bare placeholder (no question, no choices)."""
    if not site or not (poll.question or poll.options):
        return None
    words = [" ".join((poll.question or "").casefold().split())]
    words += [" ".join(option.label.casefold().split()) for option in poll.options]
    return f"{PREFIX}{site}:{short_hash(chr(31).join(words), 16)}"


def keys_of(article: Article) -> list[str]:
    site = site_of(article)
    return [key for key in (poll_key(site, poll) for poll in article.polls) if key]


class SitePolls(Protocol):
    """What ``settle`` needs of the store (``ArchiveStore`` has it)."""

    def is_site_poll(self, key: str) -> bool: ...
    def add_site_poll(self, key: str) -> None: ...
    def find_by_key(self, key: str) -> set[str]: ...
    def drop_poll(self, article_id: str, key: str) -> None: ...


def settle(store: SitePolls, article: Article, leaving: Iterable[str] = ()) -> None:
    """Take out of ``article`` the polls that are its site's (and out of the other articles holding them).

    ``leaving``: ids being merged into ``article`` (their copies are the same article's).
    """
    site = site_of(article)
    others_than = {article.id, *leaving}
    kept = []
    for poll in article.polls:
        key = poll_key(site, poll)
        if key is None:
            kept.append(poll)
            continue
        if store.is_site_poll(key):
            continue
        others = store.find_by_key(key) - others_than
        if not others:
            kept.append(poll)
            continue
        store.add_site_poll(key)
        for other in sorted(others):
            store.drop_poll(other, key)
    article.polls = kept
