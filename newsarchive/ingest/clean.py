"""Text repair and boilerplate removal, one line-level stage at a time.

Pages reach us as text in which a site's chrome, widget debris and captions
sit between the paragraphs.  Each rule here names a *kind* of debris that
recurs across WordPress and news sites (skip links, CDATA ends, tag-list
commas, photo credits, job-advert blocks), never a string from one site.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import ftfy

# C0/C1 controls except tab and newline: a feed must not drive the terminal,
# and ANSI escape sequences lose their ESC here and their tail below.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ANSI_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")  # not ZWJ/ZWNJ: emoji and Persian need them
FIX_ROUNDS = 4
# Lines ftfy would leave as they are: printable ASCII without "&" (no entity
# to unescape), plus the curly quotes, dashes and ellipsis of ordinary news
# text, and a no-break space, "£" or "•" between ASCII characters.  Mojibake
# is a lead character followed by continuation characters, none of them
# ASCII: the quotes, dashes and ellipsis are lead bytes of UTF-8 read as Mac
# Roman and never its continuation bytes, nor anything in the other
# encodings ftfy undoes, and the other three are only ever continuations.
# Skipping ftfy for such lines keeps it for the lines that need it.
NEEDS_FTFY = re.compile(
    "[^\t\x20-\x25\x27-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026\xa0\xa3\u2022]"
    "|[^\x00-\x7f][\xa0\xa3\u2022]|[\xa0\xa3\u2022][^\x00-\x7f]"
)
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\]\]>$",  # CDATA ends left behind when a feed's tags were stripped
        r"^(?:loading\s*(?:\.{3}|…)\s*)+$",  # WP-Polls spinner text
        r"^(?=.*,)[,\s]+$",  # an emptied tag list: ", , ,"
        r"^comments are closed\.?$",
        r"^skip to (?:the )?(?:main )?(?:content|navigation|menu|search|footer)\.?$",
        r"^(?:back|return) to top\.?$",
        r"^sorry, there are no polls available\.?$",
        r"^advertisement$",
        r"^(?:share|share this(?: article| story)?|print(?: this)?)\s*:?$",
        r"^the post .{1,400} appeared first on .{1,200}$",  # Yoast SEO's line under every feed item
        # a call to sign up, short and on its own line: "Never miss the latest
        # news by signing up to our newsletter today!", "Get the Daily Edition
        # by email … Free Sign Up"; a sentence of the story that mentions a
        # newsletter does not start with the call
        r"^(?:never miss|don[’']t miss|get|sign up|subscribe|receive|stay (?:informed|up to date))\b"
        r"(?=.{0,180}$)(?=.*\b(?:newsletters?|by e-?mail|(?:your )?inbox)\b).*$",
        # a site's invitation to write in, under every article
        r"^(?:we want to hear what you think|submit (?:a|your) letter)\b(?=.{0,180}$).*$",
    )
]
# The patterns above as one: a line is tried once, not once per pattern.
ANY_BOILERPLATE = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE), re.IGNORECASE)
POLL_PLACEHOLDER = re.compile(r"^note: there is a poll embedded within this post\b", re.I)
CREDIT_LINE = re.compile(
    r"^(?P<open>\()?(?:(?:main |top |lead )?(?:photo(?:graph)?s?|images?|pictures?|pic|illustration|credit)"
    r"(?: posed by models?)?)\s*[:;]\s*(?P<credit>\S.{0,150}?)(?(open)\))$",
    re.IGNORECASE,
)
CAPTION_CREDIT = re.compile(
    r"^(?P<caption>.{2,200}?)\s*\((?:photo|credit|image|picture|pic)s?\s*[:;]\s*"
    r"(?P<credit>[^()]{1,150})\)$",
    re.IGNORECASE,
)
JOB_FIELD = re.compile(r"^(?:employer|salary|location|closing date|contract|hours)\s*:", re.I)
JOB_HEADING = re.compile(r"\b(?:jobs?|vacanc(?:y|ies)|careers?)\b", re.I)
SENTENCE_END = re.compile(r"[.!?…:\"”’)]$")


@dataclass
class Cleaned:
    """Lines kept as text, and what was taken out of them."""

    lines: list[str]
    removed: list[str] = field(default_factory=list)
    credits: list[tuple[str | None, str]] = field(default_factory=list)
    poll_placeholder: bool = False


C0_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def strip_c0(text: str) -> str:
    """Escape sequences and C0 controls out, C1 kept: for text about to be
    parsed as HTML (lxml turns a control into U+FFFD) and repaired after
    (mojibake read as cp1252 holds C1 controls that ftfy needs)."""
    return C0_CONTROLS.sub("", ANSI_SEQUENCE.sub("", text))


def strip_control(text: str) -> str:
    """Remove escape sequences and control characters, keeping tabs and newlines."""
    return CONTROL_CHARS.sub("", ANSI_SEQUENCE.sub("", text))


def fix_text(text: str, entities: bool = True) -> str:
    """Repair mojibake and normalise Unicode; idempotent.

    ``entities=False`` for text an HTML parser already unescaped: "&amp;amp;"
    shown as "&amp;" must stay so.
    """
    # Escape sequences go before ftfy, which would leave an OSC's payload behind;
    # lone controls after it, since mojibake read as sloppy cp1252 holds C1
    # controls that ftfy needs to undo it.
    if "\x1b" in text or "\r" in text:  # most text has neither: skip the passes over it
        text = ANSI_SEQUENCE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not NEEDS_FTFY.search(text):
        return text
    # ftfy works a line at a time too; it stops unescaping HTML entities once it
    # has seen a "<", and so do we, for the whole text (escaped markup stays text).
    unescape = entities and "<" not in text
    return "\n".join(_fix_line(line, unescape) if NEEDS_FTFY.search(line) else line for line in text.split("\n"))


# "â€" where the third byte of a UTF-8 punctuation mark was lost: 0x9D, the last
# byte of ” (U+201D), has no character in Windows-1252, so text read as 1252 drops
# it, and "â€" is left before a space or punctuation.  ftfy reads "â€ " as a
# dagger (the space taken for a no-break space); after an opening quote it is ”.
LOST_CLOSING_QUOTE = re.compile(r"â€(?=[\s.,;:!)\]]|$)")  # (not before "?": a lossy decoder's stand-in)
OPENING_QUOTE = re.compile(r"“|â€œ")
# Typographic punctuation of UTF-8 read as Windows-1252 ("authoritiesâ€™") that
# ftfy left because the same line also holds it correctly encoded ("children’s"):
# good and broken forms side by side.  Then the broken words are undone one by
# one.  Only then: a line of "Ã¥" with nothing correct beside it is one ftfy's
# own cases say to leave alone (a name may really be spelt so).
RESIDUE = re.compile(r"â€[\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]?")
GOOD_PUNCTUATION = re.compile(r"[‘’“”–—…]")


def _lost_closing_quotes(text: str) -> str:
    def close(match: re.Match[str]) -> str:
        before = text[: match.start()]
        opened = len(OPENING_QUOTE.findall(before))
        closed = before.count("”") + before.count("â€\x9d")
        return "”" if opened > closed else match.group(0)

    return LOST_CLOSING_QUOTE.sub(close, text)


def _fix_words(text: str, unescape: bool) -> str:
    """ftfy on each word that still holds mojibake, the rest left as they are."""
    return " ".join(
        ftfy.fix_text(word, uncurl_quotes=False, unescape_html=unescape) if RESIDUE.search(word) else word
        for word in text.split(" ")
    )


def _fix_line(text: str, unescape: bool) -> str:
    if "â€" in text:
        text = _lost_closing_quotes(text)
    text = _fix_line_whole(text, unescape)
    if RESIDUE.search(text) and GOOD_PUNCTUATION.search(RESIDUE.sub("", text)):  # mixed: ftfy left it
        text = _fix_line_whole(_fix_words(text, unescape), unescape)
    return text


def _fix_line_whole(text: str, unescape: bool) -> str:
    # ftfy undoes one layer of mojibake at a time; repeat to a fixed point so
    # that cleaning twice is cleaning once (bounded: a few layers at most).
    for _ in range(FIX_ROUNDS):
        fixed = ftfy.fix_text(text, uncurl_quotes=False, unescape_html=unescape)
        fixed = unicodedata.normalize("NFC", INVISIBLE.sub("", strip_control(fixed)))
        if fixed == text:
            break
        text = fixed
    return text


def fix_line(text: str) -> str:
    """``fix_text`` plus whitespace folded to single spaces: for one-line fields."""
    return SPACES.sub(" ", fix_text(text).replace("\n", " ")).strip()


BULLETS = "•·▪◦‣∙*-"
LEADING_BULLET = re.compile(rf"^[{BULLETS}]\s+")


def normalise_line(line: str) -> str:
    """Fold runs of spaces; a leading bullet becomes '• '.  An ASCII line
    with no tab and no two spaces running has nothing to fold: most lines
    skip the regex (1.5% of parsing the bench's feeds)."""
    if not line.isascii() or "  " in line or "\t" in line:
        line = SPACES.sub(" ", line)
    line = line.strip()
    return LEADING_BULLET.sub("• ", line) if line[:1] in BULLETS else line


def word_count(line: str) -> int:
    return len(line.split())


def is_heading_like(line: str) -> bool:
    """Short and unpunctuated: a crosshead, a caption, a name."""
    return 0 < word_count(line) <= 14 and not SENTENCE_END.search(line)


def credit_match(line: str) -> re.Match[str] | None:
    """A photo credit line, or a caption with its credit in brackets: the
    bracket pattern is tried only on a line that ends with a bracket (it
    tries up to 200 places in every line)."""
    found = CREDIT_LINE.match(line)
    if found is None and line.endswith((")", ")\n")):
        found = CAPTION_CREDIT.match(line)
    return found


def is_boilerplate(line: str) -> bool:
    return ANY_BOILERPLATE.match(line) is not None


# What a feed appends to an excerpt: "… Continue reading <title>" after the
# ellipsis that ends it (a theme's "read more" link), and Yoast SEO's "The
# post <title> appeared first on <site>."  Only after an ellipsis, or at the
# very end: a sentence that merely says "read more" is the author's.
READ_MORE = re.compile(
    r"\s*(?:\[(?:…|\.\.\.)\]|…|\.\.\.)\s*(?:continue reading|read more|keep reading|read the (?:full|rest of the) "
    r"(?:story|article|post))\b.{0,300}$|\s*\((?:more|read more)\s*(?:…|\.\.\.)?\)$",
    re.IGNORECASE,
)
YOAST_TAIL = re.compile(r"(?:^|(?<=[.!?…\]”\"’)])\s+)the post .{1,400}? appeared first on .{1,120}$", re.IGNORECASE)
ELLIPSIS = re.compile(r"\s*(?:\[(?:…|\.\.\.)\]|…|\.\.\.)")


def trim_teaser(text: str) -> tuple[str, list[str]]:
    """``text`` without a feed's "continue reading" link and Yoast footer at
    its end (an ellipsis stays: the text is cut), and what was trimmed."""
    removed = []
    for pattern in (YOAST_TAIL, READ_MORE):
        if match := pattern.search(text):
            removed.append(match.group().strip())
            text = text[: match.start()].rstrip()
            if ELLIPSIS.match(match.group()):
                text += " …"
    return text, removed


def remove_boilerplate(lines: list[str]) -> Cleaned:
    """Drop chrome, widget debris, photo credits and job adverts from ``lines``.

    ``lines`` are already normalised, blank lines included (they carry the
    paragraph structure).  Credits are returned with the caption (alt text)
    that preceded them, so the lead image keeps its credit.
    """
    out = Cleaned(lines=[])
    kept: list[str] = out.lines
    for line in lines:
        if not line:
            kept.append(line)
        elif POLL_PLACEHOLDER.match(line):
            out.poll_placeholder = True
            out.removed.append(line)
        elif is_boilerplate(line):
            out.removed.append(line)
        elif match := credit_match(line):
            caption = match.groupdict().get("caption")
            if caption:
                _drop_repeated_alt_text(kept, caption, out.removed)
            else:
                caption = _take_alt_text(kept, out.removed)
            out.credits.append((caption, match.group("credit").strip()))
            out.removed.append(line)
        else:
            kept.append(line)
    last = _previous(kept, len(kept))
    if last is not None:
        kept[last], trimmed = trim_teaser(kept[last])
        out.removed += trimmed
        if not kept[last]:
            kept.pop(last)
    out.lines = _remove_job_adverts(kept, out.removed)
    return out


def _previous(lines: list[str], before: int) -> int | None:
    for i in range(before - 1, -1, -1):
        if lines[i]:
            return i
    return None


def _drop_repeated_alt_text(kept: list[str], caption: str, removed: list[str]) -> None:
    """An image's alt text printed just above its own caption is the same words twice."""
    j = _previous(kept, len(kept))
    if j is not None and kept[j].casefold() == caption.strip().casefold():
        removed.append(kept.pop(j))


def _take_alt_text(kept: list[str], removed: list[str]) -> str | None:
    """Pop the image's alt text from ``kept`` when the line before a credit is one.

    A short line right before a credit is alt text when it opens the text or
    follows a crosshead; after a paragraph it is the crosshead itself, kept.
    """
    j = _previous(kept, len(kept))
    if j is None or word_count(kept[j]) > 16:
        return None
    before = _previous(kept, j)
    if before is None or is_heading_like(kept[before]):
        alt = kept.pop(j)
        removed.append(alt)
        return alt
    return None


def _remove_job_adverts(lines: list[str], removed: list[str]) -> list[str]:
    """Drop "title / Employer: / Salary:" blocks and the headings that lead into them."""
    drop: set[int] = set()
    for i, line in enumerate(lines):
        if not line.lower().startswith("employer:"):
            continue
        title = _previous(lines, i)
        block = {i} | ({title} if title is not None else set())
        k = i + 1
        while k < len(lines) and JOB_FIELD.match(lines[k]):
            block.add(k)
            k += 1
        drop |= block
        heading = _previous(lines, min(block))
        if heading is not None and heading not in drop and JOB_HEADING.search(lines[heading]):
            if is_heading_like(lines[heading]):
                drop.add(heading)
    for i, line in enumerate(lines):
        if line.endswith(":") and JOB_HEADING.search(line) and re.search(r"vacanc|jobs\b", line, re.I):
            drop |= _job_link_list(lines, i)
    removed.extend(lines[i] for i in sorted(drop))
    return [line for i, line in enumerate(lines) if i not in drop]


def _job_link_list(lines: list[str], start: int) -> set[int]:
    """An "interested in jobs? see:" line and the employer links listed under it."""
    block = {start}
    for k in range(start + 1, len(lines)):
        if not lines[k]:
            continue
        if not is_heading_like(lines[k]) or word_count(lines[k]) > 8:
            break
        block.add(k)
    return block


def to_body(lines: list[str]) -> str:
    """Join lines into paragraphs separated by blank lines.

    Text with blank-line paragraph breaks keeps them, and a line wrapped
    inside a paragraph is rejoined; text without any (one paragraph a line)
    gets one paragraph per line.  List items stay one per paragraph.
    """
    has_blank_breaks = sum(1 for line in lines if not line) >= 2
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for line in lines:
        if not line:
            flush()
        elif not has_blank_breaks or line.startswith("• ") or (current and current[0].startswith("• ")):
            flush()
            current.append(line)
        else:
            current.append(line)
    flush()
    return "\n\n".join(paragraphs)


def text_lines(text: str) -> list[str]:
    """Repaired text split into normalised lines (blank lines kept as '')."""
    return [normalise_line(line) for line in fix_text(text).split("\n")]
