"""The one Whoosh schema, and how an article becomes an index document.

Text fields are stemmed (so "early adopter" finds "early adopters") after
accents are folded and Unicode normalised (so "cafe" finds "café").  Curly
and straight apostrophes already tokenise alike: both split "children's".
Only what a hit line shows is stored; bodies are read from the archive for
snippets, which keeps the index small and quick to open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.columns import VarBytesListColumn
from whoosh.fields import BOOLEAN, COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from ..ingest.models import Article

DEFAULT_FIELDS = ("title", "standfirst", "body")
WORDS = re.compile(r"[^\W\d_]{3,}")
# Facets: each document's exact values (f_year, f_author, ...), kept as a list
# per document in a column, not indexed: counting reads the column for the
# hits alone.  As keywords, counting read every posting of every facet field
# in the index, whatever the query matched.
FACETS = ("year", "month", "author", "tag", "person", "org", "council")
FIELD_BOOSTS = {"title": 2.0, "standfirst": 1.5, "body": 1.0}
# Neighbouring words of the default fields, as one term each ("social-worker"):
# phrases are answered from it (see phrases.py).  The sections of an article
# are joined with a word no text holds, so no pair spans a join.
PAIR_FIELD = "pairs"
PAIR_SEP = "-"
SECTION_BREAK = "qqsectionbreakqq"


def pair_term(first: str, second: str) -> str:
    """The ``pairs`` term of two analysed neighbouring words."""
    return f"{first}{PAIR_SEP}{second}"


class FoldAccents(Filter):
    """``CharsetFilter(accent_map)`` for the tokens that need it: most are ASCII,
    and skipping ``str.translate`` for them makes indexing measurably cheaper."""

    def __call__(self, tokens):
        for token in tokens:
            if not token.text.isascii():
                token.text = token.text.translate(accent_map)
            yield token


def text_analyzer():
    """Words, lower-cased, accents folded, stop words dropped, English stems."""
    return (
        RegexTokenizer(r"\w+(?:\.?\w+)*")
        | LowercaseFilter()
        | FoldAccents()
        | StopFilter()
        | StemFilter(lang="en", cachesize=50000)
    )


class PairFilter(Filter):
    """Each two neighbouring words as one token ("social-worker"), at the first one's position.

    Whoosh's ``BiWordFilter`` does this, but raises ``UnboundLocalError`` on
    a text left with no words (a title of stop words), and yields a lone word
    as a token of its own; a text of one word has no pair here.  Whoosh
    reuses one token object, so the previous word's values are copied out.
    """

    def __init__(self, sep: str = PAIR_SEP) -> None:
        self.sep = sep

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        previous: str | None = None
        previous_pos = previous_start = 0
        for token in tokens:
            text = token.text
            pos = token.pos if token.positions else 0
            start = token.startchar if token.chars else 0
            if previous is not None:
                token.text = f"{previous}{self.sep}{text}"
                if token.positions:
                    token.pos = previous_pos
                if token.chars:
                    token.startchar = previous_start
                yield token
            previous, previous_pos, previous_start = text, pos, start


def pair_analyzer():
    """The text analyser's words, two by two: "social workers" -> "social-worker"."""
    return text_analyzer() | PairFilter()


def name_analyzer():
    """Names match whole words, unstemmed: person:"Trowler", council:"East Sussex"."""
    # Apostrophes split words, as in text fields, so ’ and ' match alike.
    return RegexTokenizer(r"\w+") | LowercaseFilter() | FoldAccents()


def word_analyzer():
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter() | FoldAccents()


def build_schema() -> Schema:
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(),
        title=TEXT(analyzer=analyzer, phrase=True, field_boost=FIELD_BOOSTS["title"]),
        standfirst=TEXT(analyzer=analyzer, phrase=True, field_boost=FIELD_BOOSTS["standfirst"]),
        body=TEXT(analyzer=analyzer, phrase=True),
        comments=TEXT(analyzer=analyzer, phrase=True),
        pairs=TEXT(analyzer=pair_analyzer(), phrase=True),  # positions: longer phrases are phrases of pairs
        author=TEXT(analyzer=name_analyzer(), phrase=True),
        person=TEXT(analyzer=name_analyzer(), phrase=True),
        org=TEXT(analyzer=name_analyzer(), phrase=True),
        council=TEXT(analyzer=name_analyzer(), phrase=True),
        tag=KEYWORD(lowercase=True, commas=True, scorable=True),
        site=KEYWORD(lowercase=True, commas=True),
        published=DATETIME(stored=True, sortable=True),
        # 1 for an article with no date: sorted on first, so undated articles come last either way
        # (a missing date sorts as the largest, first under --sort newest).
        undated=NUMERIC(sortable=True),
        has=KEYWORD(lowercase=True, commas=True),
        comment_count=NUMERIC(stored=False),
        poll=BOOLEAN(),
        words=TEXT(analyzer=word_analyzer(), phrase=False),  # unstemmed: "did you mean" spellings
        display=STORED(),
        **{f"f_{name}": COLUMN(VarBytesListColumn()) for name in FACETS},
    )


def _entity_names(article: Article, kind: str, extra: str | None = None) -> list[str]:
    """Canonical names, plus acronyms or printed forms, so either finds the entity."""
    names = []
    for entity in article.entities.get(kind, []):
        names.append(entity["name"])
        value = entity.get(extra) if extra else None
        names += value if isinstance(value, list) else [value] if value else []
    return names


def _facets(article: Article) -> dict[str, list[str]]:
    published = article.published or ""
    return {
        "year": [published[:4]] if published else [],
        "month": [published[:7]] if published else [],
        "author": article.authors,
        "tag": article.tags,
        "person": [e["name"] for e in article.entities.get("people", [])],
        "org": [e["name"] for e in article.entities.get("organisations", [])],
        "council": [e["name"] for e in article.entities.get("councils", [])],
    }


def to_document(article: Article) -> dict[str, Any]:
    """Index fields of ``article``; absent values are left out, not emptied."""
    has = []
    if article.polls:
        has.append("poll")
    if article.comments:
        has.append("comments")
    if article.image and article.image.url:
        has.append("image")
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title or "",
        "standfirst": " ".join(filter(None, [article.standfirst, article.summary])),
        "body": article.body,
        "comments": "\n".join(c.text for c in article.comments),
        "pairs": f" {SECTION_BREAK} ".join(  # the default fields as indexed above, none spanning another
            filter(None, [article.title, " ".join(filter(None, [article.standfirst, article.summary])), article.body])
        ),
        "author": "\n".join(article.authors),
        "person": "\n".join(_entity_names(article, "people")),
        "org": "\n".join(_entity_names(article, "organisations", "acronym")),
        "council": "\n".join(_entity_names(article, "councils", "forms")),
        "tag": ",".join(t.replace(",", " ") for t in article.tags),
        "has": ",".join(has),
        "poll": bool(article.polls),
        "display": {"title": article.title, "url": article.url, "published": article.published},
    }
    # each word once, in any order: the spelling field needs the vocabulary,
    # not the counts nor the positions
    text = " ".join(filter(None, [article.title, article.standfirst, article.body])).lower()
    doc["words"] = " ".join(set(WORDS.findall(text)))
    for name, values in _facets(article).items():
        # each value once, or a document would count twice under it
        doc[f"f_{name}"] = [v.encode("utf-8") for v in dict.fromkeys(v.strip() for v in values) if v]
    if article.url:
        doc["url"] = article.url
    if article.site:
        doc["site"] = article.site
    if article.comment_count is not None:
        doc["comment_count"] = article.comment_count
    from ..ingest.dates import wall_clock  # here: searching never needs it, nor zoneinfo

    if published := wall_clock(article.published):
        doc["published"] = published
    doc["undated"] = 0 if published else 1
    return doc
