"""Speed on the bundled corpus: ingest, re-ingest, search in process and cold.

    python bench/corpus.py [--repeat 5]

All figures are medians over the repeats, taken in one run; the machine is
shared and noisy, so compare the ratios, not the seconds, across runs.  The
"bare Whoosh" row opens the same index and runs the same phrase query with
nothing of ours around it: it is the floor a cold `newsarchive search` can
reach.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BARE = """
import sys
from whoosh import index
from whoosh.qparser import QueryParser
ix = index.open_dir(sys.argv[1])
with ix.searcher() as s:
    q = QueryParser("body", ix.schema).parse('"early adopter"')
    print(len(s.search(q, limit=10)))
"""


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def run_cli(archive: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "newsarchive", "--archive", str(archive), *args], check=True, capture_output=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archives = iter(Path(tmp) / f"a{i}" for i in range(1000))
        ingest = timed(lambda: run_cli(next(archives), "ingest", str(CORPUS)), args.repeat)
        archive = Path(tmp) / "main"
        run_cli(archive, "ingest", str(CORPUS))
        again = timed(lambda: run_cli(archive, "ingest", str(CORPUS)), args.repeat)

        from newsarchive.search.query import search

        search(archive, '"early adopter"')
        in_process = timed(lambda: search(archive, '"early adopter"'), args.repeat * 20)
        cold = timed(lambda: run_cli(archive, "search", "early adopter"), args.repeat)
        bare = timed(
            lambda: subprocess.run(
                [sys.executable, "-c", BARE, str(archive / "index")], check=True, capture_output=True
            ),
            args.repeat,
        )
    rows = [
        ("ingest corpus/ (5 files, 11 articles), cold process", ingest),
        ("ingest corpus/ again (all unchanged), cold process", again),
        ('search "early adopter" in process, with snippets', in_process),
        ('newsarchive search "early adopter", cold process', cold),
        ("bare Whoosh phrase query, cold process", bare),
    ]
    print(f"{'what':<55} {'median':>9} {'min':>9} {'max':>9}")
    for name, values in rows:
        print(
            f"{name:<55} {statistics.median(values) * 1000:>7.1f}ms {min(values) * 1000:>7.1f}ms "
            f"{max(values) * 1000:>7.1f}ms"
        )
    ratio = statistics.median(cold) / statistics.median(bare)
    print(f"cold search / bare Whoosh: {ratio:.2f}x")


if __name__ == "__main__":
    main()
