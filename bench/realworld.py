"""Figures for the third-party material in ../shared/realworld.

    python bench/realworld.py [--shared ../shared]

Prints, per folder, how many files were ingested and how many skipped by
reason, and for the 68 article pages with expectations: how often the title,
date and author agree, and the share of expected body snippets found
("with") and of boilerplate snippets kept out ("without").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from pathlib import Path

from newsarchive.ingest.detect import parse_payload
from newsarchive.ingest.errors import SourceError
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared")
    args = parser.parse_args()
    root = args.shared / "realworld"
    if not root.exists():
        raise SystemExit(f"{root} is absent: nothing to measure")
    for name in ("feeds-feedparser", "feeds-wordpress-wxr", "articles-trafilatura"):
        folder_figures(root / name)
    article_figures(root / "articles-trafilatura")


if __name__ == "__main__":
    main()
