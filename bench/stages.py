"""Where a bulk ingest's CPU goes, stage by stage.

    python bench/stages.py [--docs 5000] [--json FILE]

On a two-core machine a bulk ingest keeps both cores busy from start to end
(bench/run.py prints its CPU seconds beside its wall time), so its speed
against bare Whoosh is the ratio of their CPU seconds, wherever the work
runs.  This script generates an archive's inputs (bench/generate.py) and
runs each stage over all of them in this one process, timing the CPU each
takes: parsing by kind (decoding and detection included), entity
extraction, the match keys, the merge into the store (SQLite, JSON,
snapshots), then the index sync (its writer processes included).  The stages are what a parsing
worker and the main process do in a real run, in the same order.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import write_archive_inputs  # noqa: E402

from newsarchive.ingest.entities import entity_text, extract_text  # noqa: E402
from newsarchive.ingest.identity import text_key, text_keys  # noqa: E402
from newsarchive.ingest.pipeline import (  # noqa: E402
    Ahead,
    IngestOptions,
    Ingestor,
    Parsed,
    Payload,
    Summary,
    iter_payloads,
    parse,
)
from newsarchive.search.index import sync  # noqa: E402


def cpu_now() -> float:
    """CPU seconds of this process and every child it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def stage(seconds: defaultdict[str, float], name: str) -> Iterator[None]:
    """Add the CPU seconds the block takes to ``seconds[name]``."""
    start = cpu_now()
    yield
    seconds[name] += cpu_now() - start


def measure(inputs: Path, archive: Path) -> tuple[dict[str, float], dict[str, int]]:
    seconds: defaultdict[str, float] = defaultdict(float)
    options = IngestOptions(workers=1)
    payloads = list(iter_payloads([str(inputs)]))
    jobs: list[tuple[Payload, Parsed]] = []
    kinds: Counter[str] = Counter()
    for payload in payloads:
        start = cpu_now()  # decoding, detecting the kind and parsing, as a worker does
        ctx, parts = parse(payload, options)
        kind = parts[0].kind
        seconds[f"parse: {kind}"] += cpu_now() - start
        kinds[kind] += 1
        texts = [entity_text(p.title, p.standfirst, p.body) for p in parts if p.body]
        with stage(seconds, "entities"):
            entities = {text_key(t): extract_text(t) for t in texts}
        bodies = {text_key(p.body): p.body for p in parts if p.body}
        with stage(seconds, "match keys"):
            keys = {k: text_keys(b, k) for k, b in bodies.items()}
        jobs.append((payload, (ctx, parts, Ahead(entities, keys))))
    ingestor = Ingestor(archive, options)
    summary = Summary()
    with stage(seconds, "merge into the store"):
        for payload, job in jobs:
            ingestor.ingest_one(payload, summary, job)
    with stage(seconds, "index sync (writer processes included)"):
        sync(ingestor.store, archive)
    articles = ingestor.store.count()
    ingestor.close()
    return seconds, {"inputs": len(payloads), "articles": articles, **{f"inputs: {k}": n for k, n in kinds.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsarchive-stages-") as tmp:
        write_archive_inputs(Path(tmp) / "inputs", args.docs)
        start = time.perf_counter()
        seconds, counts = measure(Path(tmp) / "inputs", Path(tmp) / "archive")
        wall = time.perf_counter() - start
    total = sum(seconds.values())
    sync_seconds = seconds["index sync (writer processes included)"]
    print(f"{args.docs} generated articles: {counts}")
    print("| stage | CPU s | ms per article | share |\n|---|---|---|---|")
    for name, value in seconds.items():
        print(f"| {name} | {value:.2f} | {1000 * value / counts['articles']:.2f} | {value / total:.0%} |")
    print(f"| all | {total:.2f} | {1000 * total / counts['articles']:.2f} | (wall {wall:.1f} s) |")
    print(f"\nparsing and merging cost {(total - sync_seconds) / sync_seconds:.0%} on top of the index sync")
    if args.json:
        args.json.write_text(json.dumps({"seconds": seconds, "counts": counts, "wall": wall}, indent=2))


if __name__ == "__main__":
    main()
