"""HTML fragments (a feed's content:encoded) to text lines with their structure.

Block elements become their own lines with blank lines between paragraphs,
list items become bullets, and script/style/forms vanish, so the same
line-level cleaning applies to feed HTML as to page text dumps.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from ..clean import strip_c0

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
AROUND = {
    **{name: ("\n\n", "\n\n") for name in BLOCKS},
    "br": ("\n", ""),
    "li": ("\n• ", "\n"),
    "td": ("", " "),
    "th": ("", " "),
}
UTF8_PARSER = lxml_html.HTMLParser(encoding="utf-8")
DROP = {"script", "style", "noscript", "form", "button", "svg", "iframe", "template", "select", "input"}


def html_to_lines(html: str) -> list[str]:
    """Text of an HTML fragment as lines; '' marks a paragraph break."""
    html = strip_c0(html)
    try:
        root = lxml_html.document_fromstring(html)
    except ValueError:  # a str declaring an encoding: hand lxml the bytes
        root = lxml_html.document_fromstring(html.encode("utf-8"), parser=UTF8_PARSER)
    except etree.ParserError:  # nothing but blanks and comments
        return []
    chunks: list[str] = []
    _walk(root, chunks)
    lines = [" ".join(line.split()) for line in "".join(chunks).split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out


def _walk(root: etree._Element, chunks: list[str]) -> None:
    """Text and line breaks in document order; iterative, since markup can
    nest deeper than Python's stack."""
    stack: list[etree._Element | str] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            chunks.append(node)
            continue
        if node.tail and node is not root:
            stack.append(node.tail)
        if not isinstance(node.tag, str) or node.tag in DROP:  # comments, processing instructions
            continue
        before, after = AROUND.get(node.tag, ("", ""))
        stack.append(after)
        stack.extend(reversed(node))
        stack.append(node.text or "")
        stack.append(before)
