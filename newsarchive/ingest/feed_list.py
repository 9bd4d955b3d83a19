"""The feed list: ``feeds.toml`` in the archive directory.

Written by ``newsarchive feeds add|remove`` and readable and editable by
hand::

    [[feed]]
    name = "Community Care"
    url = "https://www.communitycare.co.uk/feed/"
    enabled = true
    spam_patterns = []          # extra regular expressions to strip from titles

A malformed file is reported with its path and line, never half-read.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tomli_w

from .errors import FeedListError

FEEDS_FILE = "feeds.toml"
HEADER = "# newsarchive feed list: one [[feed]] table per feed. See the README, section 'feeds'.\n\n"


@dataclass
class Feed:
    name: str
    url: str
    enabled: bool = True
    spam_patterns: list[str] = field(default_factory=list)


def feeds_path(archive: Path) -> Path:
    return archive / FEEDS_FILE


# A group that repeats something repeated, then is repeated itself: (a+)+,
# (\w*\s?)*, (x+){2,}.  Such a pattern can backtrack for minutes on a title.
NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")


def pattern_problem(pattern: str) -> str | None:
    """Why a user's spam pattern is refused, or None.  (The timeout in
    ``spam.py`` still bounds any slow pattern this does not catch.)"""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"spam pattern {pattern!r} is not a regular expression ({exc})"
    if NESTED_REPEAT.search(pattern):
        return f"spam pattern {pattern!r} repeats a repeated group, which can take minutes on one title: simplify it"
    return None


def load(archive: Path) -> list[Feed]:
    path = feeds_path(archive)
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FeedListError(f"{path}: not valid TOML ({exc})") from exc
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise FeedListError(f"{path}: 'feed' must be a list of [[feed]] tables, not {type(entries).__name__}")
    feeds = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise FeedListError(f"{path}: feed {i} has no url")
        patterns = entry.get("spam_patterns", [])
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise FeedListError(f"{path}: feed {i}: spam_patterns must be a list of strings")
        for pattern in patterns:
            if problem := pattern_problem(pattern):
                raise FeedListError(f"{path}: feed {i}: {problem}")
        feeds.append(
            Feed(str(entry.get("name") or entry["url"]), entry["url"], bool(entry.get("enabled", True)), list(patterns))
        )
    return feeds


def save(archive: Path, feeds: list[Feed]) -> None:
    """Write the list atomically: a crash leaves the old file or the new one."""
    path = feeds_path(archive)
    archive.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(HEADER + tomli_w.dumps({"feed": [asdict(f) for f in feeds]}), encoding="utf-8")
    os.replace(partial, path)


def add(archive: Path, feed: Feed) -> None:
    feeds = load(archive)
    if any(f.url == feed.url for f in feeds):
        raise FeedListError(f"{feed.url} is already in the feed list")
    save(archive, [*feeds, feed])


def remove(archive: Path, name_or_url: str) -> Feed:
    feeds = load(archive)
    keep = [f for f in feeds if name_or_url not in (f.name, f.url)]
    if len(keep) == len(feeds):
        raise FeedListError(f"no feed named {name_or_url!r} in {feeds_path(archive)}")
    save(archive, keep)
    return next(f for f in feeds if name_or_url in (f.name, f.url))


def check_feed(url: str) -> int:
    """Fetch ``url`` once and parse it as a feed; return its items, or raise
    ``SourceError`` saying why it is not a feed we can read."""
    from .decode import content_type_charset
    from .http_fetch import fetch
    from .pipeline import IngestOptions, Payload, parse

    fetched = fetch(url)
    payload = Payload(
        url, data=fetched.body, expect_feed=True, charset=content_type_charset(fetched.headers.get("content-type"))
    )
    return len(parse(payload, IngestOptions())[1])
