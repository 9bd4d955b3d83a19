"""Parsing a page whose comment thread is nested deep: time against depth.

    python bench/threads.py [--depths 300 1000 3000]

A hostile (or broken) page can nest replies thousands deep.  Comment
extraction must cost time in proportion to the page, not to the square of
its depth, or one such page stalls a nightly run for minutes.  Prints the
wall time of parsing one page per depth, for WordPress ``li`` threads and
Thesis-style ``dl`` threads.
"""

from __future__ import annotations

import argparse
import hashlib
import time

from newsarchive.ingest.readers import parse_payload
from newsarchive.ingest.sources.common import SourceContext

PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the article, long enough to be text and not a caption.</p>" for i in range(6)
)


def thread(kind: str, depth: int) -> str:
    """A ``div#comments`` of ``depth`` comments, each the reply to the one before:
    comment i by "A{i}" saying "Reply {i}." (the ``li`` kind also has a reply link)."""
    if kind == "li":
        one = '<li class="comment"><cite class="fn">A{i}</cite><p>Reply {i}.</p><p class="reply">Reply</p>'
        body = '<ol class="commentlist">' + "".join(one.format(i=i) + '<ol class="children">' for i in range(depth))
        body += "</ol></li>" * depth + "</ol>"
    else:
        one = '<dt class="comment"><span class="comment_author">A{i}</span></dt><dd><p>Reply {i}.</p>'
        body = '<dl id="comment_list">' + "".join(one.format(i=i) + "<dl>" for i in range(depth))
        body += "</dl></dd>" * depth + "</dl>"
    return f'<div id="comments">{body}</div>'


def page(kind: str, depth: int) -> bytes:
    html = f"<!DOCTYPE html><html><head><title>T</title></head><body><article><h1>A headline here</h1>{PARAGRAPHS}"
    return (html + f"</article>{thread(kind, depth)}</body></html>").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[300, 1000, 3000])
    args = parser.parse_args()
    print("| thread | depth | comments | seconds |")
    print("|---|---|---|---|")
    for kind in ("li", "dl"):
        for depth in args.depths:
            data = page(kind, depth)
            ctx = SourceContext("bench", "2026-01-01T00:00:00+00:00", hashlib.sha256(data).hexdigest())
            start = time.perf_counter()
            (part,) = parse_payload(data, ctx)
            took = time.perf_counter() - start
            print(f"| {kind} | {depth} | {len(part.comments)} | {took:.2f} |")


if __name__ == "__main__":
    main()
