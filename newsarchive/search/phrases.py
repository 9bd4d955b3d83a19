"""Phrases answered from word pairs: the query a search runs, not the one it shows.

A phrase in the default fields ("social workers" in title, standfirst or
body) parses to three positional ``Phrase`` queries, and Whoosh answers
each by decoding, in Python, the positions of every document holding all
its words: most of a social-work archive for "social workers", two seconds
on 50,000 articles.  The ``pairs`` field indexes each pair of neighbouring
words of those three fields (``social-worker``), analysed exactly as the
text fields are, so:

* a two-word phrase is one term of ``pairs``: the same documents as the
  positional phrase (the same analyser numbers positions with stop words
  removed, so pairs and positions agree on what "neighbouring" means), and
  a postings list read at Whoosh's full speed;
* a longer phrase is a phrase of its pairs in ``pairs`` ("early-career"
  then "career-framework" at the next position): the same documents again,
  with positions decoded only for documents that hold every pair, far
  fewer than those holding every word.

The phrase's words in the title are kept beside it (``AndMaybe``, for the
score alone) so that an article with the phrase in its headline still ranks
above one with it deep in the body.
A phrase with slop (``"a b"~3``), one in a single named field
(``title:"…"``) or in ``comments`` is left positional.  The original query
still drives highlighting (``snippets.py``), which needs the text fields.
"""

from __future__ import annotations

from whoosh import query as q
from whoosh.query.compound import BinaryQuery

from .schema import DEFAULT_FIELDS, FIELD_BOOSTS, PAIR_FIELD, pair_term


def for_index(query: q.Query, schema: object) -> q.Query:
    """``fast(query)`` where the index has the pairs field (an index of format 4 has not)."""
    return fast(query) if PAIR_FIELD in getattr(schema, "names", lambda: [])() else query


def fast(query: q.Query) -> q.Query:
    """``query`` with each default-field phrase answered from word pairs (same documents)."""
    if isinstance(query, q.Or) and _is_default_phrase(query):
        return _from_pairs(query)
    if isinstance(query, BinaryQuery):  # AndNot, AndMaybe, Require, Otherwise (before CompoundQuery: a subclass)
        binary = type(query)(fast(query.a), fast(query.b))
        binary.boost = query.boost
        return binary
    if isinstance(query, q.CompoundQuery):
        return type(query)([fast(sub) for sub in query.subqueries], boost=query.boost)
    if isinstance(query, q.Not):
        return q.Not(fast(query.query), boost=query.boost)
    return query


def _is_default_phrase(query: q.Or) -> bool:
    """What ``MultifieldParser`` makes of a quoted phrase: the same words, slop 1, in each default field."""
    subs = query.subqueries
    return (
        len(subs) == len(DEFAULT_FIELDS)
        and all(isinstance(s, q.Phrase) and s.slop == 1 for s in subs)
        and sorted(s.fieldname for s in subs) == sorted(DEFAULT_FIELDS)
        and len({tuple(s.words) for s in subs}) == 1
        and len(subs[0].words) >= 2
    )


def _from_pairs(phrases: q.Or) -> q.Query:
    words = list(phrases.subqueries[0].words)
    pairs: list[q.Query] = [q.Term(PAIR_FIELD, pair_term(a, b)) for a, b in zip(words, words[1:], strict=False)]
    terms = [pair_term(a, b) for a, b in zip(words, words[1:], strict=False)]
    core = pairs[0] if len(pairs) == 1 else q.Phrase(PAIR_FIELD, terms)
    # Ranking only (what matches is ``core``): the phrase's words in the headline, positions
    # unread.  A positional title phrase here cost 0.6 s of a 0.9 s search on 20,000 articles.
    title = q.And([q.Term("title", word) for word in words], boost=FIELD_BOOSTS["title"])
    return q.AndMaybe(core, title)
