"""Councils and organisations by name: the gazetteers entity extraction looks up.

Councils come from ISO 3166-2:GB as pycountry ships it (counties, unitary
authorities, London boroughs, metropolitan districts, Scottish council areas,
Welsh principal areas, Northern Irish districts), under one canonical name,
and are recognised in every form news uses: "East Sussex", "East Sussex
County Council", "East Sussex council", "London Borough of Tower Hamlets",
"Birmingham Children's Trust", "Cyngor Gwynedd".  Organisations come from a
small list shipped in ``data/organisations.json``; others are found by their
form in ``entities.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from .scan import at_word_starts

COUNCIL_TYPES = {
    "Two-tier county",
    "Unitary authority",
    "Metropolitan district",
    "London borough",
    "Council area",
    "District",
    "City corporation",
}
# Bare names that are ordinary words or places too often: only with a council word.
NEEDS_COUNCIL_WORD = {"Reading", "Bury", "Derby", "Durham"}
EXTRA_FORMS = {
    "Kingston upon Hull": ["Hull"],
    "County Durham": ["Durham"],
    "Bournemouth, Christchurch and Poole": ["BCP"],
    "Herefordshire": ["Herefordshire, County of"],
}
APOSTROPHE = "['’]"
PREFIX = r"(?:(?:London|Royal) Borough of |City of |Metropolitan Borough of |Cyngor (?:Sir )?)"
SUFFIX = (
    r"(?: (?:(?:Metropolitan|County|City|Borough|District|Unitary|Town) )*(?:Council|council)"
    rf"| Children{APOSTROPHE}s (?:Trust|Services Trust))"
)


@dataclass(frozen=True)
class Council:
    name: str
    code: str
    type: str


@dataclass(frozen=True)
class Organisation:
    name: str
    acronym: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _canonical(raw: str) -> tuple[str, list[str]]:
    """'Bridgend [Pen-y-bont ar Ogwr GB-POG]' -> ('Bridgend', ['Pen-y-bont ar Ogwr'])."""
    alternatives = []
    if match := re.match(r"^(.*?)\s*\[(.*?)\]$", raw):
        raw = match[1]
        alternatives.append(re.sub(r"\s+GB-\w+$", "", match[2]).removeprefix("Sir "))
    if raw == "London, City of":  # the Square Mile; bare "London" is the city, not this council
        return "City of London", ["Corporation of London"]
    if match := re.match(r"^(.*), (City of|County|The|County of)$", raw):
        base = match[1]
        alternatives.append(raw)
        raw = "County " + base if match[2] == "County" else base
    return raw, alternatives


@cache
def councils() -> dict[str, Council]:
    """Every name form (canonical and alternative) -> its council."""
    import pycountry

    forms: dict[str, Council] = {}
    for sub in pycountry.subdivisions.get(country_code="GB"):
        if sub.type not in COUNCIL_TYPES:
            continue
        name, alternatives = _canonical(sub.name)
        council = Council(name, sub.code, sub.type)
        for form in [name, *alternatives, *EXTRA_FORMS.get(name, [])]:
            forms.setdefault(form, council)
    return forms


def trie_alternation(names: list[str], render: dict[str, str] | None = None) -> str:
    """A regex matching any of ``names``, longest first, as a trie of shared
    prefixes: ``re`` tries a plain alternation of hundreds of names one by
    one at every position of the text, which made the gazetteers the costliest
    step of entity extraction.  ``render`` maps a character to a pattern."""
    render = render or {}
    trie: dict = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = True

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [render.get(ch, re.escape(ch)) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:  # greedy: the longer name is tried before the name ending here
            return f"(?:{body})?"
        return body

    return pattern(trie)


@cache
def council_pattern() -> re.Pattern[str]:
    alternation = trie_alternation(list(councils()), {"'": APOSTROPHE})
    return re.compile(rf"(?<![\w-])(?P<prefix>{PREFIX})?(?P<name>{alternation})(?P<suffix>{SUFFIX})?(?![\w-])")


def find_councils(text: str) -> list[tuple[Council, str, int, int]]:
    """(council, surface form, start, end) for every council mention in ``text``."""
    found = []
    for match in council_pattern().finditer(text):
        name = match["name"]
        if name in NEEDS_COUNCIL_WORD and not (match["prefix"] or match["suffix"]):
            continue
        found.append((councils()[name], match[0], match.start(), match.end()))
    return found


@cache
def organisations() -> dict[str, Organisation]:
    """Every name, alias and acronym -> its organisation."""
    data = json.loads(resources.files("newsarchive.data").joinpath("organisations.json").read_text("utf-8"))
    forms: dict[str, Organisation] = {}
    for entry in data["organisations"]:
        org = Organisation(entry["name"], entry.get("acronym"), tuple(entry.get("aliases", [])))
        for form in [org.name, *(org.aliases), *([org.acronym] if org.acronym else [])]:
            forms.setdefault(form, org)
            forms.setdefault(form.replace("'", "’"), org)
    return forms


@cache
def organisation_pattern() -> re.Pattern[str]:
    # a hyphen may join a name to a word: "Ofsted-rated", "ex-Frontline"
    # at word starts only: ``find_organisations`` checks the character before
    return re.compile(r"(?:" + trie_alternation(list(organisations())) + r")(?!\w)")


def find_organisations(text: str) -> list[tuple[Organisation, str, int, int]]:
    found = at_word_starts(organisation_pattern(), text)
    return [(organisations()[m[0]], m[0], m.start(), m.end()) for m in found]
