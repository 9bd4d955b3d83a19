"""What every reader needs: the source's context and the shared body stage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..clean import Cleaned, credit_match, remove_boilerplate, to_body
from ..dates import DEFAULT_TZ
from ..models import Part, Poll
from ..polls import extract_polls, placeholder_poll
from ..spam import SpamFilter

WRAPPED_CREDIT = re.compile(r"^\((?:credit|photo|image)s?\s*[:;]\s*(?P<credit>.+)\)$", re.IGNORECASE)


@dataclass
class SourceContext:
    """One input as read: where it came from, when, its hash, and the user's options."""

    origin: str
    fetched_at: str
    sha256: str
    spam_patterns: list[str] = field(default_factory=list)
    timezone: str = DEFAULT_TZ
    charset: str | None = None  # what the server's Content-Type header named, if anything
    # (reason, message) of what was wrong but cost nothing that could be had (a feed cut
    # off after its last complete item): counted as warnings, not failures.
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def part(self, kind: str, key: str = "", **values: object) -> Part:
        return Part(kind=kind, origin=self.origin, key=key, fetched_at=self.fetched_at, sha256=self.sha256, **values)  # type: ignore[arg-type]

    def spam_filter(self, language: str | None) -> SpamFilter:
        return SpamFilter(language=language, patterns=self.spam_patterns)


@dataclass
class Body:
    """A cleaned body and what came out of it on the way."""

    text: str
    polls: list[Poll]
    cleaned: Cleaned


def clean_credit(credit: str) -> str:
    """'(credit: nd3000/Fotolia)' -> 'nd3000/Fotolia'."""
    credit = credit.strip()
    match = WRAPPED_CREDIT.match(credit)
    return (match["credit"] if match else credit).strip()


def parse_credit(text: str) -> tuple[str | None, str | None]:
    """Split an image line into (caption, credit); plain text is a caption."""
    match = credit_match(text)
    if not match:
        return text or None, None
    return match.groupdict().get("caption"), clean_credit(match["credit"])


def build_body(lines: list[str]) -> Body:
    """Polls out, boilerplate out, paragraphs joined: the stage all readers share."""
    polls, lines = extract_polls(lines)
    cleaned = remove_boilerplate(lines)
    if cleaned.poll_placeholder and not polls:
        polls = [placeholder_poll()]
    return Body(to_body(cleaned.lines), polls, cleaned)


def cleaning_notes(body: Body, spam_removed: list[str] | None = None) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    if spam_removed:
        notes["spam_removed"] = spam_removed
    if body.cleaned.removed:
        notes["boilerplate_removed"] = body.cleaned.removed
    return notes


AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\b(?:and|And|AND)\b)\s*")  # "And": title-cased bylines
BYLINE_PREFIX = re.compile(r"^(?:view all posts by|posted by|written by|words by|by)\s+", re.IGNORECASE)
AUTHOR_NOISE = re.compile(r"\s+\d{1,2} \w+ \d{4}$|\s+(?:for|at) the .+$", re.IGNORECASE)


def split_authors(names: list[str]) -> list[str]:
    """'By Jane Doe and John Smith' -> ['Jane Doe', 'John Smith'], duplicates dropped.

    A comma separates names only when every piece looks like a name (two or
    more capitalised words), so 'Rob Picheta, CNN' stays one author.
    """
    out: list[str] = []
    for raw in names:
        text = AUTHOR_NOISE.sub("", BYLINE_PREFIX.sub("", raw.strip())).strip(" ,|-")
        pieces = [p for p in AUTHOR_SPLIT.split(text) if p]
        if len(pieces) > 1 and all(len(p.split()) >= 2 and p[0].isupper() for p in pieces):
            out.extend(pieces)
        elif text:
            out.append(re.sub(r",\s*[A-Z]{2,}$", "", text))
    cleaned = (" ".join(MARKUP.sub(" ", name).split()) for name in out)
    return list(dict.fromkeys(name for name in cleaned if _plausible_author(name)))


# Whole elements a byline slot may carry as text (a script with its content, a tag):
# taken out, the name beside them kept.
MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[a-zA-Z/][^<>]*>", re.S | re.I)


def _plausible_author(name: str) -> bool:
    """Not a date ("8. November 2021") nor markup debris (">themereviewteam") that a byline slot held."""
    from ..dates import parse_datetime

    if not name or "<" in name or ">" in name or not any(c.isalpha() for c in name):
        return False
    return parse_datetime(name.replace(". ", " ").strip(". ")) is None
