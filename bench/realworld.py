"""Figures for the third-party material in ../shared/realworld.

    python bench/realworld.py [--shared ../shared] [--cli "/other/venv/bin/newsarchive"] [--modes]

Prints, per folder, how many files were ingested and how many skipped by
reason, and for the 68 article pages with expectations: how often the title,
date and author agree, and the share of expected body snippets found
("with") and of boilerplate snippets kept out ("without").

Then, through the command line (``--cli``: another release's
``newsarchive`` gives the "before" column), each folder of feeds and pages
ingested into a fresh archive and exported: records per feed against the
items feedparser sees in it, records with a date and with a URL against the
items that carry one, mojibake left in any stored field, and councils found
in material that names none (feedparser's fixtures and WordPress's test
export are not about UK councils: every council there is a false positive).

``--modes`` adds body P/R/F1 with trafilatura's ``favor_recall`` on every
page, beside the default balance that ``html_page._extract`` uses.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from newsarchive.ingest.errors import SourceError
from newsarchive.ingest.readers import parse_payload
from newsarchive.ingest.sources.common import SourceContext


def parse(path: Path):
    data = path.read_bytes()
    ctx = SourceContext(str(path), "2026-01-01T00:00:00+00:00", hashlib.sha256(data).hexdigest())
    return parse_payload(data, ctx)


def folder_figures(folder: Path) -> None:
    outcomes: Counter[str] = Counter()
    items = 0
    start = time.perf_counter()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".xml", ".rss", ".atom", ".html"))
    for path in files:
        try:
            items += len(parse(path))
            outcomes["ingested"] += 1
        except SourceError as exc:
            outcomes[f"skipped:{exc.reason}"] += 1
    took = time.perf_counter() - start
    detail = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    print(f"{folder.name:<22} files {len(files):>4}  items {items:>4}  {detail}  ({took:.1f} s)")


def norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def article_figures(root: Path, quiet: bool = False) -> dict[str, float]:
    expected = json.loads((root / "expected_evaldata_subset.json").read_text())
    counts: Counter[str] = Counter()
    for spec in expected.values():
        path = next((p for p in (root / "tests").rglob(spec["file"]) if p.is_file()), None)
        if path is None:
            counts["missing"] += 1
            continue
        try:
            (part,) = parse(path)[:1]
        except SourceError:
            counts["skipped"] += 1
            continue
        counts["pages"] += 1
        body = norm(part.body)
        if spec.get("title"):
            counts["title_n"] += 1
            counts["title_ok"] += norm(part.title) == norm(spec["title"])
        if spec.get("date"):
            counts["date_n"] += 1
            counts["date_ok"] += (part.published or "")[:10] == spec["date"]
        if spec.get("author"):
            counts["author_n"] += 1
            counts["author_ok"] += norm("; ".join(part.authors)) == norm(spec["author"])
        for snippet in spec.get("with", []):
            counts["with_n"] += 1
            counts["with_ok"] += norm(snippet) in body
        for snippet in spec.get("without", []):
            counts["without_n"] += 1
            counts["without_ok"] += norm(snippet) not in body
        comments = norm(" ".join(c.text for c in part.comments))
        for snippet in spec.get("comments", []):
            counts["comments_n"] += 1
            counts["comments_ok"] += norm(snippet) in comments

    def share(key: str) -> str:
        n = counts[f"{key}_n"]
        return f"{counts[f'{key}_ok']}/{n} ({100 * counts[f'{key}_ok'] / n:.0f}%)" if n else "-"

    tp, fn = counts["with_ok"], counts["with_n"] - counts["with_ok"]
    fp = counts["without_n"] - counts["without_ok"]
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    figures = {
        key: counts[f"{key}_ok"] / max(counts[f"{key}_n"], 1)
        for key in ("title", "date", "author", "with", "without", "comments")
    }
    figures.update(pages=counts["pages"], precision=precision, recall=recall, f1=f1)
    if not quiet:
        print(f"article pages: {counts['pages']} parsed, {counts['skipped']} skipped, {counts['missing']} missing")
        for key in ("title", "date", "author", "with", "without", "comments"):
            print(f"  {key:<8} {share(key)}")
        print(f"  body snippets: precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    return figures


MOJIBAKE = re.compile(r"â€|Ã[©¨¡¢£¤¥¦§ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿]|Â[£©®°·»«]")


def feedparser_items(path: Path) -> tuple[int, int, int]:
    """Distinct items feedparser finds in a feed with some text (an article: a title and
    a summary or content), and how many of them carry a date and a link."""
    import feedparser

    seen: dict[str, Any] = {}
    for entry in feedparser.parse(path.read_bytes()).entries:
        if not (entry.get("title") and (entry.get("summary") or entry.get("content"))):
            continue
        key = entry.get("id") or entry.get("link") or (entry.get("title", "") + entry.get("summary", ""))
        if key:
            seen.setdefault(key, entry)
    dated = sum(1 for e in seen.values() if e.get("published_parsed") or e.get("updated_parsed"))
    linked = sum(1 for e in seen.values() if str(e.get("link", "")).startswith("http"))
    return len(seen), dated, linked


def ingest_figures(folder: Path, cli: list[str], feeds: bool) -> dict[str, Any]:
    """One folder ingested by ``cli`` into a fresh archive and exported: the figures above."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        subprocess.run([*cli, "--archive", str(archive), "ingest", "-q", str(folder)], capture_output=True, check=False)
        exported = subprocess.run(
            [*cli, "--archive", str(archive), "export", "--format", "jsonl"], capture_output=True, text=True
        ).stdout
    records = [json.loads(line) for line in exported.splitlines() if line.strip()]
    per_file: Counter[str] = Counter()
    for record in records:
        for origin in {s.get("origin") for s in record.get("sources", [])}:
            per_file[Path(str(origin)).name] += 1
    figures: dict[str, Any] = {
        "records": len(records),
        "dated": sum(1 for r in records if r.get("published")),
        "with_url": sum(1 for r in records if r.get("url")),
        "mojibake": sum(1 for r in records if MOJIBAKE.search(json.dumps(r, ensure_ascii=False))),
        "councils": sum(len((r.get("entities") or {}).get("councils") or []) for r in records),
    }
    if feeds:
        short = over = items = dated = linked = 0
        for path in sorted(folder.rglob("*.xml")):
            n, d, link = feedparser_items(path)
            items, dated, linked = items + n, dated + d, linked + link
            got = per_file[path.name]
            short += max(0, n - got)
            over += max(0, got - n)
        figures.update(items=items, items_dated=dated, items_linked=linked, feeds_short=short, feeds_over=over)
    return figures


def cli_figures(root: Path, cli: list[str]) -> None:
    print(f"\nthrough {' '.join(cli)}:")
    for name, feeds in (("feeds-feedparser", True), ("feeds-wordpress-wxr", False), ("articles-trafilatura", False)):
        f = ingest_figures(root / name, cli, feeds)
        line = (
            f"  {name:<22} records {f['records']:>4}  dated {f['dated']:>4}  with URL {f['with_url']:>4}"
            f"  mojibake {f['mojibake']}" + ("" if name.startswith("articles") else f"  councils {f['councils']}")
        )
        if feeds:
            line += (
                f"\n  {'':<22} feedparser: items {f['items']}, dated {f['items_dated']}, linked {f['items_linked']};"
                f" items missing from records {f['feeds_short']}, records beyond items {f['feeds_over']}"
            )
        print(line)


def mode_figures(root: Path) -> None:
    """Body P/R/F1 with favor_recall on every page, beside what html_page does."""
    from newsarchive.ingest.sources import html_page

    ours = article_figures(root, quiet=True)
    original = html_page._bare_extraction
    html_page._bare_extraction = lambda html, favor_recall: original(html, True)
    try:
        recall = article_figures(root, quiet=True)
    finally:
        html_page._bare_extraction = original
    for label, f in (("as ingested", ours), ("favor_recall always", recall)):
        print(f"  body {label:<20} P {f['precision']:.3f}  R {f['recall']:.3f}  F1 {f['f1']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared")
    parser.add_argument(
        "--cli", default=f"{sys.executable} -m newsarchive", help="the command to ingest and export with (quoted)"
    )
    parser.add_argument("--modes", action="store_true", help="also P/R/F1 with favor_recall on every page")
    args = parser.parse_args()
    root = args.shared / "realworld"
    if not root.exists():
        raise SystemExit(f"{root} is absent: nothing to measure")
    for name in ("feeds-feedparser", "feeds-wordpress-wxr", "articles-trafilatura"):
        folder_figures(root / name)
    article_figures(root / "articles-trafilatura")
    if args.modes:
        mode_figures(root / "articles-trafilatura")
    cli_figures(root, shlex.split(args.cli))


if __name__ == "__main__":
    main()
