"""HTML fragments (a feed's content:encoded) to text lines with their structure.

Block elements become their own lines with blank lines between paragraphs,
list items become bullets, and script/style/forms vanish, so the same
line-level cleaning applies to feed HTML as to page text dumps.
"""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from lxml import etree
from lxml import html as lxml_html

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
# What an element adds before and after its text.
OPENS = {"li": ("\n• ", "\n"), "td": ("", " "), "th": ("", " ")}
DROP = {"script", "style", "noscript", "form", "button", "svg", "iframe", "template", "select", "input"}


def html_to_lines(html: str) -> list[str]:
    """Text of an HTML fragment as lines; '' marks a paragraph break."""
    chunks: list[str] = []
    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, etree.ParserError):  # empty, or a declared encoding in a str
        root = None
    if root is not None:
        _walk_lxml(root, chunks)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            _walk(BeautifulSoup(html, "lxml"), chunks)
    text = "".join(chunks)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out


def _walk_lxml(root: etree._Element, chunks: list[str]) -> None:
    """``_walk`` over lxml's own tree, without BeautifulSoup's (several times
    slower) one; iterative, since markup can nest deeper than the stack."""
    stack: list[etree._Element | str] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            chunks.append(node)
            continue
        if node.tail and node is not root:
            stack.append(node.tail)
        name = node.tag
        if not isinstance(name, str) or name in DROP:  # comments, processing instructions
            continue
        before, after = ("\n", "") if name == "br" else OPENS.get(name, ("", ""))
        if after:
            stack.append(after)
        stack.extend(reversed(node))
        if node.text and name != "br":
            stack.append(node.text)
        if before:
            stack.append(before)


OPENS.update({name: ("\n\n", "\n\n") for name in BLOCKS})


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
