"""Bytes to text, whatever encoding the source claims or forgot to claim.

Order of trust: a byte-order mark, then strict UTF-8 (the web's default, and
a cheap test that almost never passes by accident), then the charset the
server named in its Content-Type header (HTTP's word outranks the
document's, as RFC 7303 and HTML5 both say), then the charset the document
declares, then detection by charset-normalizer.  Mojibake that
survives decoding (UTF-8 read as cp1252 somewhere upstream) is repaired later,
by ``clean.fix_text``.
"""

from __future__ import annotations

import codecs
import re

from .errors import SourceError

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
DECLARED_CHARSET = re.compile(rb"""(?:encoding|charset)\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# HTML5 says a page labelled latin-1 is to be read as windows-1252.
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
# Control characters other than tab, newline, carriage return and form feed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Random bytes decode to ~12% control characters; text with a stray escape
# sequence or NUL has far fewer.  Such text is cleaned, not refused.
MAX_CONTROL_SHARE = 0.05
MIN_CONTROLS = 16
RAW_CONTROLS = [*range(0, 9), 11, *range(14, 27), *range(28, 32)]  # not tab, newline, CR, FF, or ESC


def _strip_bom(data: bytes) -> tuple[bytes, str | None]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :], encoding
    return data, None


def _wide_without_bom(data: bytes) -> str | None:
    """Spot UTF-16/32 with no BOM by the NUL bytes that pad ASCII characters."""
    sample = data[: 4000 - 4000 % 4]
    if len(sample) < 8:
        return None
    lanes = [sample[i::4].count(0) / (len(sample) / 4) for i in range(4)]
    if lanes[0] > 0.9 and lanes[1] > 0.9 and lanes[2] > 0.4 and lanes[3] < 0.05:
        return "utf-32-be"
    if lanes[3] > 0.9 and lanes[2] > 0.9 and lanes[1] > 0.4 and lanes[0] < 0.05:
        return "utf-32-le"
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset the document names (XML declaration or HTML meta), if a known one."""
    match = DECLARED_CHARSET.search(data[:4096])
    return known_charset(match.group(1).decode("ascii", "ignore")) if match else None


def known_charset(name: str | None) -> str | None:
    """Python's name for a charset label, or None for one it does not know."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def content_type_charset(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header, if a known one."""
    match = re.search(r"""charset\s*=\s*["']?([^"';\s]+)""", content_type or "", re.IGNORECASE)
    return known_charset(match.group(1)) if match else None


def _transport(data: bytes, charset: str | None) -> str | None:
    """The server's charset for bytes that are not UTF-8, if they decode in it.

    A header that says UTF-8 for bytes that are not is wrong, and one that
    names a charset the bytes break is too: the document and detection decide.
    """
    if not charset or codecs.lookup(charset).name in ("utf-8", "utf-8-sig"):
        return None
    try:  # incrementally: a character cut at the sample's end is not an error
        codecs.getincrementaldecoder(charset)().decode(data[:200_000], final=False)
    except (UnicodeDecodeError, LookupError):
        return None
    return charset


def _detect(data: bytes) -> str | None:
    """charset-normalizer's guess, with Windows-1252 preferred for English text.

    For short English text the detector cannot tell cp1252 from DOS and Central
    European code pages (it reads ’ as ĺ via cp852); English on the web in a
    single-byte encoding is cp1252 far more often than any of those.
    """
    from charset_normalizer import from_bytes

    sample = data[:200_000]
    best = from_bytes(sample).best()
    if best is None:
        return None
    if best.encoding != "cp1252" and best.language in ("English", "Unknown", ""):
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return best.encoding


def guess_encoding(data: bytes, transport: str | None = None) -> str:
    """Name the encoding ``decode_bytes`` would use, without decoding all of it;
    ``transport`` is the charset the server named (``content_type_charset``)."""
    rest, bom = _strip_bom(data)
    if bom:
        return bom
    guessed = _wide_without_bom(rest)
    if guessed:
        return guessed
    try:
        rest.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    return _transport(rest, transport) or declared_charset(rest) or _detect(rest) or "cp1252"


def decode_bytes(data: bytes, origin: str, transport: str | None = None) -> str:
    """Decode a source's bytes to text or raise ``SourceError`` saying why not;
    ``transport`` is the charset the server named, if any.

    Raises:
        SourceError: ``empty`` for no content, ``binary`` for bytes that are
            not text in any encoding.
    """
    if not data.strip():
        raise SourceError("empty", f"{origin}: empty input, nothing to ingest")
    encoding = guess_encoding(data, transport)
    body, _ = _strip_bom(data)
    if not encoding.startswith(("utf-16", "utf-32")) and _binary_bytes(body):
        raise SourceError("binary", f"{origin}: binary data, not a feed or a page")
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text = body.decode(encoding if _known(encoding) else "cp1252", errors="replace")
    if not text.strip():
        raise SourceError("empty", f"{origin}: empty input, nothing to ingest")
    controls = len(CONTROL.findall(text[:100_000]))
    if controls > MIN_CONTROLS and controls > MAX_CONTROL_SHARE * min(len(text), 100_000):
        raise SourceError("binary", f"{origin}: binary data, not a feed or a page")
    return text


def _binary_bytes(data: bytes) -> bool:
    """Control bytes that no 8-bit or UTF-8 text uses, in more than a trace."""
    sample = data[:65_536]
    controls = sum(sample.count(b) for b in RAW_CONTROLS)
    return controls > MIN_CONTROLS and controls > MAX_CONTROL_SHARE * len(sample)


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True
