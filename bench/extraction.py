"""Extraction quality on the corpus against the hand-labelled gold file.

    python bench/extraction.py [--json]

Ingests corpus/ into a temporary archive, compares every record with
tests/gold/corpus.json and prints precision and recall for people,
organisations and councils, the share of stated roles found, and the
accuracy of dates, polls and comment threads.  tests/test_extraction.py
asserts floors on the same figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from click.testing import CliRunner

from newsarchive.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "corpus.json"


def norm(name: str | None) -> str:
    return " ".join((name or "").replace("’", "'").casefold().split())


def records(archive: Path) -> dict[str, dict]:
    runner = CliRunner()
    result = runner.invoke(cli, ["--archive", str(archive), "ingest", str(ROOT / "corpus")])
    assert result.exit_code == 0, result.output
    exported = json.loads(runner.invoke(cli, ["--archive", str(archive), "export"]).stdout)
    return {r["url"] or r["title"]: r for r in exported}


def _role_ok(found: str | None, gold: str | None) -> bool:
    if not gold:
        return True
    got, want = set(norm(found).replace(",", " ").split()), set(norm(gold).replace(",", " ").split())
    return bool(got) and len(got & want) / len(want) >= 0.5


def score(recs: dict[str, dict], gold: dict[str, dict]) -> dict[str, dict[str, float]]:
    tallies = {k: {"tp": 0, "fp": 0, "fn": 0} for k in ("people", "organisations", "councils")}
    roles = [0, 0]
    facts = {"published": [0, 0], "polls": [0, 0], "comments": [0, 0], "comment_count": [0, 0]}
    for key, want in gold.items():
        rec = recs[key]
        got = {
            "people": {norm(p["name"]): p for p in rec["entities"]["people"]},
            "organisations": {norm(o["name"]): o for o in rec["entities"]["organisations"]},
            "councils": {norm(c["name"]): c for c in rec["entities"]["councils"]},
        }
        expected = {
            "people": {norm(p["name"]): p for p in want["people"]},
            "organisations": {norm(o): o for o in want["organisations"]},
            "councils": {norm(c): c for c in want["councils"]},
        }
        for kind in tallies:
            tallies[kind]["tp"] += len(got[kind].keys() & expected[kind].keys())
            tallies[kind]["fp"] += len(got[kind].keys() - expected[kind].keys())
            tallies[kind]["fn"] += len(expected[kind].keys() - got[kind].keys())
        for name, person in expected["people"].items():
            if person["role"]:
                roles[1] += 1
                roles[0] += name in got["people"] and _role_ok(got["people"][name]["role"], person["role"])
        polls = [
            {
                "options": len(p["options"]),
                "total_voters": p["total_voters"],
                "results_available": p["results_available"],
            }
            for p in rec["polls"]
        ]
        checks = {
            "published": rec["published"] == want["published"],
            "polls": polls == want["polls"],
            "comments": len(rec["comments"]) == want["comments"],
            "comment_count": rec["comment_count"] == want["comment_count"],
        }
        for name, ok in checks.items():
            facts[name][0] += ok
            facts[name][1] += 1
    out: dict[str, dict[str, float]] = {}
    for kind, t in tallies.items():
        precision = t["tp"] / max(t["tp"] + t["fp"], 1)
        recall = t["tp"] / max(t["tp"] + t["fn"], 1)
        out[kind] = {"precision": round(precision, 3), "recall": round(recall, 3), **t}
    out["roles"] = {"found": roles[0], "stated": roles[1], "share": round(roles[0] / max(roles[1], 1), 3)}
    for name, (ok, n) in facts.items():
        out[name] = {"correct": ok, "of": n, "accuracy": round(ok / n, 3)}
    return out


def measure() -> dict[str, dict[str, float]]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["articles"]
    with tempfile.TemporaryDirectory() as tmp:
        return score(records(Path(tmp) / "archive"), gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = measure()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for kind in ("people", "organisations", "councils"):
        f = figures[kind]
        print(
            f"{kind:<14} precision {f['precision']:.3f}  recall {f['recall']:.3f}  "
            f"(tp {f['tp']}, fp {f['fp']}, fn {f['fn']})"
        )
    r = figures["roles"]
    print(f"{'roles':<14} {r['found']}/{r['stated']} stated roles found ({r['share']:.0%})")
    for name in ("published", "polls", "comments", "comment_count"):
        f = figures[name]
        print(f"{name:<14} {f['correct']}/{f['of']} correct")


if __name__ == "__main__":
    main()
