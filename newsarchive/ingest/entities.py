"""People, organisations, councils, acronyms and money named in an article.

No statistical model: the machine has no internet to fetch one, and news
text signals its entities plainly enough for rules:

* **councils** and known **organisations** come from the gazetteers;
* an article's own **acronym** definitions ("early career framework (ECF)",
  "Department for Education (DfE)") are checked letter by letter against the
  words before the bracket; a capitalised expansion is an organisation,
  joined to its acronym;
* other organisations by their form: capitalised names headed by
  "Association", "Department", "Agency", "Trust", "Network" and the like;
* **people** by the way news introduces them: a role next to a name
  ("chief social worker Isabelle Trowler", "Colum Conway, chief executive")
  or a reporting verb ("said Jim Magee"); a surname alone later counts as a
  mention of the same person;
* **money** as printed: "£50,000", "£2.6bn".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from .gazetteer import find_councils, find_organisations, organisations
from .identity import text_key
from .models import Article
from .scan import is_word

NAME_TOKEN = r"(?:[A-Z][a-z]?['’])?[A-Z][a-zà-öø-ÿ]+(?:[A-Z][a-zà-öø-ÿ]+)?(?:-[A-Z][a-zà-öø-ÿ]+)?"
NAME = rf"{NAME_TOKEN}(?: (?:[A-Z]\. )?{NAME_TOKEN}){{1,2}}"
ROLE_NOUNS = (
    r"chief executive|chief social worker|chief inspector|chief officer|chief|director|minister|secretary|"
    r"president|chair|chairman|chairwoman|chairperson|manager|head|lead|officer|spokes(?:person|man|woman)|"
    r"professor|lecturer|researcher|commissioner|ombudsman|inspector|advis[eo]r|founder|leader|councillor|"
    r"MP|social worker|practitioner|editor|reporter|judge|co-?ordinator|consultant|partner|principal|"
    r"deputy|assistant|executive|adviser|campaigner|author|academic|coroner|CEO"
)
ROLE_AFTER = re.compile(
    rf"(?P<name>{NAME}), (?:the |a |an |its |their )?(?P<role>(?:[a-z][\w’'-]* ){{0,4}}(?:{ROLE_NOUNS})\b"
    r"(?: (?:of|for|at|to|in|and|on|the|[A-Za-z][\w’'-]*)){0,9}?)(?=[,;.:)]| said| says| told| added)"
)
# A role phrase in front of a name: up to four modifiers, a role noun, maybe "for/of ...".
ROLE_PHRASE = (
    rf"(?<![\w’'-])(?P<role>(?:(?:[A-Z]{{2,}}|[a-z][\w’'-]*) ){{0,4}}?(?:{ROLE_NOUNS})"
    rf"(?: (?:for|of) [a-z][\w’' -]{{0,60}}?)?)"
)
ROLE_BEFORE = re.compile(rf"{ROLE_PHRASE} (?P<name>{NAME})\b")
ROLE_COMMA_NAME = re.compile(rf"{ROLE_PHRASE}, (?P<name>{NAME})(?=,| who\b| said\b)")
NAME_WHO = re.compile(rf"(?P<name>{NAME}), who (?:is|was|heads|leads|chairs|runs|works|led)\b")
SAID = re.compile(
    rf"(?:(?P<name1>{NAME}),? (?:said|says|told|added|explained|stressed|warned|argued|believes|replied)\b)"
    rf"|(?:(?:said|says|told|added|according to|led by|chaired by) (?P<name2>{NAME})\b)"
)
ROLE_LEAD_STOP = {
    "said",
    "says",
    "told",
    "by",
    "the",
    "a",
    "an",
    "and",
    "with",
    "from",
    "to",
    "of",
    "at",
    "in",
    "as",
    "including",
    "for",
    "that",
    "while",
    "when",
    "but",
    "its",
    "their",
    "his",
    "her",
    "added",
    "on",
    "through",
    "our",
    "your",
    "my",
    "whose",
    "which",
    "who",
    "after",
    "before",
    "about",
    "over",
    "under",
    "into",
    "via",
    "is",
    "was",
    "were",
    "are",
}
NOT_NAME_WORDS = {
    "The",
    "This",
    "That",
    "These",
    "Those",
    "Social",
    "Work",
    "Care",
    "England",
    "Wales",
    "Scotland",
    "Department",
    "Council",
    "Children",
    "Children’s",
    "Children's",
    "Week",
    "Education",
    "Government",
    "National",
    "Local",
    "Independent",
    "Review",
    "Framework",
    "Stable",
    "Homes",
    "Built",
    "Love",
    "Labour",
    "Conservative",
    "Party",
    "Trust",
    "Service",
    "Services",
    "Association",
    "Cymru",
    "Agency",
    "County",
    "City",
    "Borough",
    "Health",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Community",
    "Jobs",
    "Family",
    "Families",
    "Practice",
    "Group",
    "Network",
    "Panel",
    "Outcome",
    "Enabler",
    "Stock",
    "Adobe",
    "Photo",
    "Credit",
    "Image",
    "Treasury",
    "Ofsted",
    "Cafcass",
    "Frontline",
    "Office",
    "Ministry",
    "State",
    "Nation",
    "Dear",
    "Yours",
    "Sir",
    "Madam",
    "Chief",
    "Executive",
    "Director",
    "Minister",
    "President",
    "Professor",
}
ORG_HEADS = (
    r"Association|Department|Agency|Commission|Network|Panel|Service|Services|Society|Foundation|Institute|"
    r"University|Trust|Party|Union|Board|Authority|Office|Ministry|Federation|Alliance|Charity|Partnership|"
    r"Court|Tribunal|Inspectorate|College|Academy|Review|Committee|Forum|Associates|Group|Centre|Council"
)
ORG_HEAD = re.compile(rf"\b(?:{ORG_HEADS})\b")
# Capitalised phrases, from a word's start.  The capital comes before the
# look-behind that checks the character in front of it: re then skips ahead
# to capitals instead of entering a look-behind at every position, three
# times faster (a capital inside a word fails at once, as before).
CAPITALISED = re.compile(
    r"[A-Z](?<![\w’'][A-Z])[\w’'&.-]*(?: (?:of|for|and|the|in|on|&|[A-Z][\w’'&.-]*))* (?:[A-Z][\w’'&.-]*)"
)
ACRONYM_IN_BRACKETS = re.compile(r"\s*\((?P<acronym>[A-Z][A-Za-z]{0,2}[A-Z][A-Za-z]{0,6})\)")
DEFINITION_REACH = 160  # characters before the bracket that may hold the expansion
SMALL_WORDS = {"of", "for", "and", "the", "in", "on", "to", "a", "an", "&", "at", "by"}
MONEY = re.compile(
    r"(?P<currency>[£$€])\s?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?(?P<scale>bn|billion|m|million|k)?\b"
)
SCALES = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3}
CURRENCIES = {"£": "GBP", "$": "USD", "€": "EUR"}


def _sorted(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda e: (-e.get("mentions", 0), e["name"]))


def _initials(words: list[str]) -> str:
    return "".join(w[0].upper() for w in words)


def acronym_definitions(text: str) -> list[tuple[str, str]]:
    """(acronym, expansion) pairs the text defines, checked letter by letter."""
    found: dict[str, str] = {}
    for match in ACRONYM_IN_BRACKETS.finditer(text):
        acronym = match["acronym"]
        # the words before the bracket, back to the previous bracket or line break
        before = re.split(r"[()\n]", text[max(0, match.start() - DEFINITION_REACH) : match.start()])[-1]
        letters = [c for c in acronym.rstrip("s") if c.isupper()]
        words = re.findall(r"[\w’']+", before.replace("-", " "))
        content = [i for i, w in enumerate(words) if w.lower() not in SMALL_WORDS]
        if len(content) < len(letters) or len(letters) < 2:
            continue
        start = content[-len(letters)]
        if _initials([words[i] for i in content[-len(letters) :]]) != "".join(letters):
            continue
        # the expansion as printed, hyphens kept, a possessive dropped
        printed = re.search(r"[\s-]+".join(re.escape(w) for w in words[start:]), before)
        expansion = printed[0] if printed else " ".join(words[start:])
        found.setdefault(acronym, re.sub(r"[’']s$", "", expansion))
    return list(found.items())


def _is_capitalised(expansion: str) -> bool:
    words = [w for w in expansion.split() if w.lower() not in SMALL_WORDS]
    return bool(words) and all(w[0].isupper() for w in words)


def _organisations(text: str, taken: list[tuple[int, int]], definitions: list[tuple[str, str]]) -> list[dict]:
    """Known bodies, bodies the text defines with an acronym, and bodies named by their form."""
    forms: dict[str, set[str]] = {}  # canonical name -> the strings that mention it
    acronyms: dict[str, str | None] = {}
    for org, _, start, end in find_organisations(text):
        forms.setdefault(org.name, {org.name, *org.aliases}).update([org.acronym] if org.acronym else [])
        acronyms[org.name] = org.acronym
        taken.append((start, end))
    known = organisations()
    for acronym, expansion in definitions:
        if not _is_capitalised(expansion) or re.search(r"\bcouncil\b", expansion, re.I):
            continue
        listed = known.get(expansion) or known.get(acronym)
        name = listed.name if listed else expansion
        forms.setdefault(name, {name}).update([acronym, expansion])
        acronyms[name] = acronyms.get(name) or acronym
    for match in CAPITALISED.finditer(text):
        phrase = re.sub(r"[’']s$", "", re.sub(r"^(?:The|A|An|In|At|By|For) ", "", match[0]))
        if not ORG_HEAD.search(phrase) or len(phrase.split()) < 2:
            continue
        if any(match.start() < e and s < match.end() for s, e in taken) or phrase.split()[-1] in SMALL_WORDS:
            continue
        if not any(phrase in f for f in forms.values()):
            forms.setdefault(phrase, {phrase})
            acronyms.setdefault(phrase, None)
    return _sorted(
        [
            {"name": n, "acronym": acronyms.get(n), "mentions": _mentions(text, f, acronyms.get(n))}
            for n, f in forms.items()
        ]
    )


def _mentions(text: str, forms: set[str], acronym: str | None) -> int:
    """Occurrences of any form, a definition "Name (ACR)" counting once."""
    count = count_whole(text, forms)
    if acronym and f"({acronym})" in text:
        count -= len(_definition_pattern(tuple(sorted(forms, key=lambda f: (-len(f), f))), acronym).findall(text))
    return max(count, 1)


def count_whole(text: str, forms: Iterable[str], joiners: str = "") -> int:
    r"""How many times any of ``forms`` stands in ``text`` as a whole word (no
    word character, nor one of ``joiners``, on either side), non-overlapping,
    a longer form first where two start at one place.

    The same count as ``findall`` of ``(?<![\w…])(?:forms)(?![\w…])``, but by
    ``str.find``: a pattern opening with a look-behind is tried at every
    position of the text, and this ran for every entity of every article.
    """
    found = []
    for form in forms:
        if not form:
            continue
        at = text.find(form)
        while at >= 0:
            end = at + len(form)
            before = text[at - 1] if at else ""
            after = text[end] if end < len(text) else ""
            if not (before and (is_word(before) or before in joiners)) and not (
                after and (is_word(after) or after in joiners)
            ):
                found.append((at, -len(form)))
            at = text.find(form, at + 1)
    count, taken_to = 0, 0
    for start, negative_length in sorted(found):
        if start >= taken_to:
            count += 1
            taken_to = start - negative_length
    return count


@lru_cache(maxsize=4096)
def _definition_pattern(forms: tuple[str, ...], acronym: str) -> re.Pattern[str]:
    """A form followed by its acronym in brackets, compiled once per set of forms."""
    alternation = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<!\w)(?:{alternation})\s*\({re.escape(acronym)}\)")


# What may follow a council's bare place name and still be the council ("Kent
# County Council", "Leeds City Council's"); another capitalised word makes it
# part of another name ("the Manchester Union-Leader", "Kent Police").
COUNCIL_FOLLOWERS = {
    "City",
    "County",
    "Council",
    "Councils",
    "Borough",
    "District",
    "Metropolitan",
    "Royal",
    "Corporation",
    "Authority",
}
FOLLOWING_NAME = re.compile(r"[ -]([A-Z][\w’'-]*)")


def _council_context(text: str, start: int, end: int) -> bool:
    """Whether a council name found at ``text[start:end]`` is the UK council: not "New
    York", not the start of another organisation's name."""
    if text[max(0, start - 4) : start] == "New ":
        return False
    following = FOLLOWING_NAME.match(text, end)
    if following and following[1] not in COUNCIL_FOLLOWERS and "Council" not in text[start:end]:
        return text[end] == " " and following[1] in ("The", "A", "In", "On", "At", "It", "He", "She", "They")
    return True


def _councils(text: str, taken: list[tuple[int, int]]) -> list[dict]:
    by_code: dict[str, dict[str, Any]] = {}
    for council, form, start, end in find_councils(text):
        if not _council_context(text, start, end):
            continue
        taken.append((start, end))
        entry = by_code.setdefault(
            council.code, {"name": council.name, "code": council.code, "type": council.type, "forms": [], "mentions": 0}
        )
        entry["mentions"] += 1
        if form not in entry["forms"]:
            entry["forms"].append(form)
    return _sorted(list(by_code.values()))


# Words a capitalised run of words may open with that are not the person's:
# a conjunction ("And Harry Smith said"), a caption's position ("Center Kati
# Marton").  They are dropped; what is left must still be two names or more.
LEADING_NOISE = {"And", "Or", "But", "With", "Center", "Centre", "Left", "Right", "Pictured", "Above", "Below", "Top"}
# A name that ends so is an organisation's ("California Public Utilities").
ORG_ENDINGS = {"Utilities", "Commission", "Services", "Partners", "Holdings", "Group", "Media", "News", "Press"}


def _without_leading_noise(name: str, start: int) -> tuple[str, int]:
    tokens = name.split()
    while tokens and tokens[0] in LEADING_NOISE:
        start += len(tokens[0]) + 1
        tokens = tokens[1:]
    return " ".join(tokens), start


def _plausible_name(name: str, taken: list[tuple[int, int]], start: int) -> bool:
    tokens = name.split()
    if any(t in NOT_NAME_WORDS or t.isupper() for t in tokens) or re.fullmatch(ORG_HEADS, tokens[-1]):
        return False
    if tokens[-1] in ORG_ENDINGS:
        return False
    return not any(s <= start < e for s, e in taken)


ROLE_NOUN_START = re.compile(rf"^(?:{ROLE_NOUNS})\b")
MAX_MODIFIERS = 2  # "shadow children's minister", "ex-Frontline chief executive"


def _role(raw: str) -> str:
    """The role phrase from its role noun, with at most two modifiers before it."""
    words = raw.split()
    first = next((i for i in range(len(words)) if ROLE_NOUN_START.match(" ".join(words[i:]))), 0)
    start = first
    while (
        start > 0
        and first - start < MAX_MODIFIERS
        and words[start - 1].lower() not in ROLE_LEAD_STOP
        and not words[start - 1].lower().endswith("ed")
    ):
        start -= 1
    return " ".join(words[start:]).strip(" ,")


# Where a role noun can stand in a role pattern's match: at a word's start.
ROLE_NOUN_AT = re.compile(rf"(?<![\w’'-])(?=(?:{ROLE_NOUNS})\b)")
# The role patterns, each with the most spaces its match can hold before its
# role noun, and where a match can begin (a capital, or a word's start):
WORD_START = re.compile(r"(?<![\w’'-])")
ROLE_PATTERNS = (
    # the name (4 spaces at most: "Mary J. Anne K. Smith"), ", ", "the ", 4 modifiers
    (ROLE_AFTER, 10, re.compile(r"[A-Z]")),
    (ROLE_BEFORE, 4, WORD_START),  # 4 modifiers
    (ROLE_COMMA_NAME, 4, WORD_START),
)
# Cheap tests for a line worth the other people patterns, which never span
# lines: most lines report no speech.
WHO = re.compile(r", who ")
REPORTING = re.compile(
    r"\b(?:said|says|told|added|explained|stressed|warned|argued|believes|replied|according|led|chaired)\b"
)
LINE = re.compile(r"[^\n]+")


def _lines_with(trigger: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``text`` in which ``trigger`` occurs."""
    for line in LINE.finditer(text):
        if trigger.search(text, line.start(), line.end()):
            yield line.start(), line.end()


def _role_matches(text: str) -> Iterator[re.Match[str]]:
    """What ``finditer`` of each role pattern over each line gives, line by
    line and pattern by pattern, found by trying each pattern only where a
    match can begin: a few words before a role noun.

    Every match holds a role noun at a word's start, and at most so many
    spaces before it (``ROLE_PATTERNS``), so it begins after the next space
    further back.  Scanning every position of every line that names a role
    cost about a tenth of all parsing.
    """
    nouns = [m.start() for m in ROLE_NOUN_AT.finditer(text)]
    i = 0
    while i < len(nouns):
        line_start = text.rfind("\n", 0, nouns[i]) + 1
        line_end = text.find("\n", nouns[i])
        line_end = len(text) if line_end < 0 else line_end
        j = i
        while j < len(nouns) and nouns[j] < line_end:
            j += 1
        for pattern, spaces, begins in ROLE_PATTERNS:
            yield from _matches_near(pattern, text, line_start, line_end, nouns[i:j], spaces, begins)
        i = j


def _matches_near(
    pattern: re.Pattern[str],
    text: str,
    line_start: int,
    line_end: int,
    anchors: list[int],
    spaces: int,
    begins: re.Pattern[str],
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, line_start, line_end)`` for a pattern whose
    every match holds one of ``anchors`` with at most ``spaces`` spaces before
    it, and begins where ``begins`` matches."""
    starts: set[int] = set()
    for anchor in anchors:
        low = anchor
        for _ in range(spaces + 1):
            low = text.rfind(" ", line_start, low)
            if low < 0:
                break
        low = line_start if low < 0 else low + 1
        starts.update(m.start() for m in begins.finditer(text, low, anchor + 1))
    taken_to = line_start
    for start in sorted(starts):
        if start >= taken_to and (match := pattern.match(text, start, line_end)):
            yield match
            taken_to = match.end()


def _people(text: str, taken: list[tuple[int, int]]) -> list[dict]:
    people: dict[str, dict[str, Any]] = {}

    def add(name: str, start: int, role: str | None = None) -> None:
        name, start = _without_leading_noise(name, start)
        if len(name.split()) < 2 or not _plausible_name(name, taken, start):
            return
        entry = people.setdefault(name, {"name": name, "role": None, "mentions": 0})
        if role and not entry["role"]:
            entry["role"] = role

    for match in _role_matches(text):
        add(match["name"], match.start("name"), _role(match["role"]))
    for start, end in _lines_with(WHO, text):
        for match in NAME_WHO.finditer(text, start, end):
            add(match["name"], match.start("name"))
    for start, end in _lines_with(REPORTING, text):
        for match in SAID.finditer(text, start, end):
            key = "name1" if match["name1"] else "name2"
            add(match[key], match.start(key))
    for name, entry in people.items():
        full = count_whole(text, [name], "’'")
        alone = count_whole(text, [name.split()[-1]], "’'-")
        entry["mentions"] = max(full, 1) + max(alone - full, 0)
    return _sorted(list(people.values()))


def _money(text: str) -> list[dict]:
    out: dict[str, dict[str, Any]] = {}
    for match in MONEY.finditer(text):
        amount = float(match["number"].replace(",", "")) * SCALES.get((match["scale"] or "").lower(), 1)
        name = match[0].strip()
        entry = out.setdefault(
            name, {"name": name, "amount": amount, "currency": CURRENCIES[match["currency"]], "mentions": 0}
        )
        entry["mentions"] += 1
    return _sorted(list(out.values()))


Entities = dict[str, list[dict[str, Any]]]


def entity_text(title: str | None, standfirst: str | None, body: str | None) -> str:
    """The text entities are taken from (comments are readers', not the article's)."""
    return "\n\n".join(t for t in (title, standfirst, body) if t)


def extract(article: Article, found: Mapping[str, Entities] | None = None) -> Entities:
    """The entities of ``article``'s title, standfirst and body.

    ``found``: entities a parsing worker already took from texts, by
    ``text_key``; most merged articles carry exactly the text of one of
    their parts, so the work is not done twice.
    """
    text = entity_text(article.title, article.standfirst, article.body)
    if found and (known := found.get(text_key(text))) is not None:
        return known
    return extract_text(text)


def extract_text(text: str) -> Entities:
    """The entities of ``text``, found by the rules above."""
    taken: list[tuple[int, int]] = []
    definitions = acronym_definitions(text)
    councils = _councils(text, taken)
    orgs = _organisations(text, taken, definitions)
    return {
        "people": _people(text, taken),
        "organisations": orgs,
        "councils": councils,
        "acronyms": [{"name": a, "expansion": e} for a, e in sorted(definitions)],
        "money": _money(text),
    }
