"""What makes two inputs the same article: canonical URLs, ids and fingerprints.

An article's id derives from its canonical URL (so it is stable across feeds,
pages and re-fetches), else from its text.  Text is compared through a
fingerprint that ignores whitespace, quote styles, case and punctuation, and
through word shingles for near-duplicates (a page dump that lost a line, a
feed body with a stray credit), found through a bottom-k sketch of them.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
import zlib
from collections import OrderedDict
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|ref|ref_src|"
    r"cmpid|ito|icid|yclid|spm|share|amp)$",
    re.IGNORECASE,
)
SHINGLE_WORDS = 5
SKETCH_SIZE = 8  # smallest shingle hashes kept as match keys
LEAD_WORDS = 12  # a text's first words, kept as a match key (see lead_key)
MAX_TEXT_KEYS = 8192


@lru_cache(maxsize=4096)
def canonical_url(url: str | None) -> str | None:
    """Normalise a URL so that variants of one page compare equal.

    https and http, a trailing slash, a ``#comments`` fragment, ``www.`` and
    tracking parameters do not make a different article.
    """
    if not url or not re.match(r"^https?://", url.strip(), re.IGNORECASE):
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/+", "/", parts.path or "/")
    path = re.sub(r"/(?:amp|feed|comment-page-\d+)/?$", "/", path).rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def short_hash(text: str, length: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def article_id_for_url(url: str) -> str:
    return short_hash(canonical_url(url) or url)


COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=512)
def normalised_words(text: str) -> tuple[str, ...]:
    """Lower-case words with accents, quotes and punctuation folded away (cached:
    a body is compared several ways while one part is merged)."""
    text = COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))
    text = re.sub(r"['’‘`´]", "", text)
    return tuple(re.findall(r"\w+", text))


def fingerprint(text: str) -> str | None:
    """Exact-content key: equal for texts that differ only in layout and quotes."""
    words = normalised_words(text)
    return short_hash(" ".join(words), 24) if len(words) >= 20 else None


def article_id_for_text(text: str) -> str:
    return "t" + short_hash(" ".join(normalised_words(text)), 15)


@lru_cache(maxsize=512)
def shingles(text: str) -> frozenset[int]:
    """Hashes of overlapping five-word runs (64-bit: CRC-32 and Adler-32 side by side,
    both in C, stable across processes, unlike ``hash``)."""
    words = normalised_words(text)
    out = set()
    for i in range(max(1, len(words) - SHINGLE_WORDS + 1)):
        run = " ".join(words[i : i + SHINGLE_WORDS]).encode()
        out.add(zlib.crc32(run) << 32 | zlib.adler32(run))
    return frozenset(out)


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Overlap of two shingle sets relative to the smaller: a page that lost a few
    paragraphs to boilerplate removal still matches its full feed body."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def band_keys(shingle_set: frozenset[int]) -> list[str]:
    """Sketch keys: the smallest few shingle hashes (a bottom-k sketch).

    Texts that share most of their shingles share most of their smallest
    ones too, including a text and a copy that lost a few paragraphs, so a
    stored text sharing any key is a candidate for the full overlap check.
    """
    if len(shingle_set) < 8:
        return []
    return [f"band:{h:016x}" for h in heapq.nsmallest(SKETCH_SIZE, shingle_set)]


def lead_key(text: str | None) -> str | None:
    """A key of a text's first twelve words, for a feed that carries only an
    excerpt (WordPress's "Summary" setting, a news site's teaser): the
    excerpt starts as its page's body or standfirst does, but shares too
    little of the page's text for the sketch to find it."""
    words = normalised_words(text) if text else ()
    return f"lead:{short_hash(' '.join(words[:LEAD_WORDS]))}" if len(words) >= LEAD_WORDS else None


def text_key(text: str) -> str:
    """A short hash standing for a text: what work done ahead is filed under."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


TextKeys = tuple[str | None, tuple[str, ...]]
# Fingerprints and sketch keys by text_key, most recently used last: a stored
# part's keys are wanted again each time its article is re-merged, and
# parsing workers find them ahead for the parts they read (``remember_keys``).
_TEXT_KEYS: OrderedDict[str, TextKeys] = OrderedDict()


def text_keys(text: str, key: str | None = None) -> TextKeys:
    """``text``'s fingerprint and content keys: its sketch (``band_keys`` of
    its shingles) and its ``lead_key``."""
    key = key or text_key(text)
    found = _TEXT_KEYS.get(key)
    if found is None:
        lead = lead_key(text)
        found = fingerprint(text), (*band_keys(shingles(text)), *([lead] if lead else []))
        remember_keys({key: found})
    else:
        _TEXT_KEYS.move_to_end(key)
    return found


def remember_keys(found: dict[str, TextKeys]) -> None:
    """Keep text keys computed elsewhere (by a parsing worker) or just now."""
    _TEXT_KEYS.update(found)
    while len(_TEXT_KEYS) > MAX_TEXT_KEYS:
        _TEXT_KEYS.popitem(last=False)
