"""HTML fragments (a feed's content:encoded) to text lines with their structure.

Block elements become their own lines with blank lines between paragraphs,
list items become bullets, and script/style/forms vanish, so the same
line-level cleaning applies to feed HTML as to page text dumps.
"""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag

BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "table",
    "tr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "main",
    "aside",
    "nav",
    "hr",
    "address",
}
DROP = {"script", "style", "noscript", "form", "button", "svg", "iframe", "template", "select", "input"}


def html_to_lines(html: str) -> list[str]:
    """Text of an HTML fragment as lines; '' marks a paragraph break."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    chunks: list[str] = []
    _walk(soup, chunks)
    text = "".join(chunks)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out


def _walk(node: Tag, chunks: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:  # skip comments, CDATA markers, doctypes
                chunks.append(str(child))
            continue
        if not isinstance(child, Tag) or child.name in DROP:
            continue
        if child.name == "br":
            chunks.append("\n")
        elif child.name == "li":
            chunks.append("\n• ")
            _walk(child, chunks)
            chunks.append("\n")
        elif child.name in ("td", "th"):
            _walk(child, chunks)
            chunks.append(" ")
        elif child.name in BLOCKS:
            chunks.append("\n\n")
            _walk(child, chunks)
            chunks.append("\n\n")
        else:
            _walk(child, chunks)
