"""newsarchive at archive scale, side by side with bare Whoosh and SQLite FTS5.

    python bench/run.py --docs 10000 [--repeat 5] [--json bench/results/last.json]

One run generates an archive of N articles (bench/generate.py), ingests it
with the real command, then measures, in the same run and on the same
documents and queries:

* bulk ingest end to end (docs/s, peak memory), and a nightly increment of
  50 new articles into the archive;
* a bare Whoosh script indexing exactly the documents we index, with our
  schema and writer settings (the floor for ingest: it and our bulk ingest
  run ``--repeat`` rounds turn about, and the ratio is the median of the
  rounds' ratios, since the shared machine's speed drifts by tens of
  percent over a run); a minimal one indexing
  title, standfirst and a stored body, with the same writer settings and so
  the same segments (the floor for queries, which need the stored body for
  highlights); and SQLite FTS5 (porter tokenizer, bm25, snippet());
* in-process query latency p50/p95 per query kind, with snippets;
* ``newsarchive search`` as a cold process against a bare Whoosh cold script;
* the same query mix through a running ``newsarchive serve`` (HTTP, warm),
  and a cold ``newsarchive search`` that asks it;
* ``export`` of all records (records/s, peak memory).

Figures are medians over the repeats with their spread (min-max).  The
machine is shared and noisy: compare the ratios of one run, not seconds
across runs.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import write_archive_inputs  # noqa: E402

CLI = [sys.executable, "-m", "newsarchive"]
QUERIES = {
    "word": ("council", "council"),
    "phrase": ('"early adopter"', '"early adopter"'),
    "boolean": ("pay AND (council OR trust) NOT wales", "pay AND (council OR trust) NOT wales"),
    "field+date": ("title:framework date:2010..2020", "title:framework published:[20100101 TO 20201231235959]"),
    "entity": ('council:"East Sussex"', '"East Sussex"'),
}
EXTRA_KINDS = ("facets", "sort-by-date")
BARE_INDEX = """
import json, sys, time
import newsarchive.search.whoosh_fixes  # the floor gets the Whoosh fixes we run with
from datetime import datetime
from whoosh import index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, TEXT, Schema
from newsarchive.search.index import BATCH, PARALLEL_FROM, merge_small
path, docs = sys.argv[1], sys.argv[2]
schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
                standfirst=TEXT(analyzer=StemmingAnalyzer()), body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
                published=DATETIME(stored=True, sortable=True))
ix = index.create_in(path, schema)
records = [json.loads(line) for line in open(docs, encoding="utf-8")]
start = time.perf_counter()
for i in range(0, len(records), BATCH):
    batch = records[i:i + BATCH]
    big = len(batch) >= PARALLEL_FROM
    writer = ix.writer(limitmb=128, procs=2 if big else 1, multisegment=big)
    for r in batch:
        published = datetime.fromisoformat(r["published"]).replace(tzinfo=None) if r["published"] else None
        doc = dict(id=r["id"], title=r["title"] or "", standfirst=r["standfirst"] or "", body=r["body"])
        if published:
            doc["published"] = published
        writer.add_document(**doc)
    writer.commit(mergetype=merge_small)
print(time.perf_counter() - start)
"""
# Whoosh alone on exactly the documents we hand it (our schema, written with
# our writer settings): the floor the issue measures our ingest against.
BARE_SAME = """
import pickle, resource, sys, time
import newsarchive.search.whoosh_fixes
from whoosh import index
from newsarchive.search.index import BATCH, PARALLEL_FROM, merge_small
from newsarchive.search.schema import build_schema
path, docs = sys.argv[1], sys.argv[2]
ix = index.create_in(path, build_schema())
with open(docs, "rb") as f:
    documents = pickle.load(f)
start, cpu = time.perf_counter(), time.process_time()
for i in range(0, len(documents), BATCH):
    batch = documents[i:i + BATCH]
    big = len(batch) >= PARALLEL_FROM
    writer = ix.writer(limitmb=128, procs=2 if big else 1, multisegment=big)
    for doc in batch:
        writer.add_document(**doc)  # an empty index, as ours is on a first load
    writer.commit(mergetype=merge_small)
writers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the writer processes, all joined
print(time.perf_counter() - start, time.process_time() - cpu + writers.ru_utime + writers.ru_stime)
"""
BARE_QUERY = """
import sys
import newsarchive.search.whoosh_fixes
from whoosh import index, highlight
from whoosh.qparser import MultifieldParser
ix = index.open_dir(sys.argv[1])
with ix.searcher() as s:
    q = MultifieldParser(["title", "standfirst", "body"], ix.schema).parse(sys.argv[2])
    r = s.search(q, limit=10)
    r.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=70)
    for hit in r:
        print(hit["title"], hit.highlights("body", top=3)[:80])
"""


def median_spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"median": statistics.median(values), "min": ordered[0], "max": ordered[-1], "p95": p95}


class Run(NamedTuple):
    wall: float  # seconds
    mem: int  # peak MiB of the largest process
    cpu: float  # seconds, the process and all its children
    proc: subprocess.CompletedProcess[str]


def child_run(command: list[str], **kwargs: Any) -> Run:
    """Wall seconds, peak memory and CPU seconds of a child process and its children."""
    script = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "m, c = u.ru_maxrss // 1024, u.ru_utime + u.ru_stime\n"
        "print(json.dumps({'wall': w, 'mem': m, 'cpu': c, 'rc': p.returncode, 'err': p.stderr[-2000:], "
        "'out': p.stdout[-200:]}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, *command], capture_output=True, text=True, **kwargs)
    data = json.loads(result.stdout)
    if data["rc"] not in (0,):
        raise SystemExit(f"{' '.join(command[:6])} failed: {data['err']}")
    proc = subprocess.CompletedProcess(command, data["rc"], data["out"], data["err"])
    return Run(data["wall"], data["mem"], data["cpu"], proc)


def fts5(records: list[dict], db_path: Path, queries: dict[str, str], repeat: int) -> dict[str, Any]:
    db = sqlite3.connect(db_path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, standfirst, body, tokenize='porter unicode61')")
    start = time.perf_counter()
    db.executemany(
        "INSERT INTO docs VALUES (?, ?, ?)", [(r["title"] or "", r["standfirst"] or "", r["body"]) for r in records]
    )
    db.commit()
    rate = len(records) / (time.perf_counter() - start)
    latencies = {}
    for kind, query in queries.items():
        fts_query = query.replace(" NOT ", " NOT ").replace("title:", "title : ")
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            try:
                db.execute(
                    "SELECT title, snippet(docs, 2, '**', '**', '…', 20) FROM docs WHERE docs MATCH ? "
                    "ORDER BY bm25(docs) LIMIT 10",
                    (fts_query,),
                ).fetchall()
            except sqlite3.OperationalError:
                break
            times.append(time.perf_counter() - t)
        if times:
            latencies[kind] = median_spread(times)
    db.close()
    return {"docs_per_s": rate, "latency": latencies}


def bare_latency(index_dir: Path, query: str, repeat: int) -> list[float]:
    from whoosh import highlight, index
    from whoosh.qparser import MultifieldParser

    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        ix = index.open_dir(str(index_dir))
        with ix.searcher() as s:
            q = MultifieldParser(["title", "standfirst", "body"], ix.schema).parse(query)
            r = s.search(q, limit=10)
            r.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=70)
            for hit in r:
                hit.highlights("body", top=3)
        ix.close()
        times.append(time.perf_counter() - t)
    return times


def our_latency(archive: Path, kind: str, query: str, repeat: int) -> list[float]:
    from newsarchive.search.query import SearchOptions, search

    options = SearchOptions(limit=10, suggest=False)
    if kind == "facets":
        options.facets = ("year", "council")
    if kind == "sort-by-date":
        options.sort = "newest"
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        search(archive, query, options)
        times.append(time.perf_counter() - t)
    return times


def served_latency(archive: Path, repeat: int) -> dict[str, Any]:
    """The query mix through a running ``newsarchive serve`` (HTTP, warm), and a cold
    ``newsarchive search`` process that finds the server and asks it."""
    import socket
    import urllib.parse
    import urllib.request

    with socket.socket() as probe:  # a free port on this machine
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*CLI, "--archive", str(archive), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60  # a hang guard: the server answers in about a second
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("newsarchive serve did not start") from None
                time.sleep(0.1)
        latency: dict[str, Any] = {}
        for kind, query in [*((k, v[0]) for k, v in QUERIES.items()), *((k, '"early adopter"') for k in EXTRA_KINDS)]:
            params = [("q", query), ("limit", "10")]
            params += [("facet", "year"), ("facet", "council")] if kind == "facets" else []
            params += [("sort", "newest")] if kind == "sort-by-date" else []
            address = f"{url}/api/search?{urllib.parse.urlencode(params)}"
            times = []
            for _ in range(repeat * 4):
                t = time.perf_counter()
                with urllib.request.urlopen(address, timeout=120) as answer:
                    answer.read()
                times.append(time.perf_counter() - t)
            latency[kind] = median_spread(times)
        cold = [child_run([*CLI, "--archive", str(archive), "search", "early adopter"]).wall for _ in range(repeat)]
        return {"latency": latency, "cold_search": median_spread(cold)}
    finally:
        server.terminate()
        server.wait(timeout=60)


def dump_documents(archive: Path, work: Path) -> tuple[Path, int]:
    """The documents ``archive``'s index holds, pickled for the bare floor,
    and how many there are."""
    from newsarchive.ingest.store import ArchiveStore
    from newsarchive.search.schema import to_document

    store = ArchiveStore(archive, readonly=True)
    documents = [to_document(article) for article in store.iter_articles()]
    store.close()
    dump = work / "documents.pickle"
    dump.write_bytes(pickle.dumps(documents))
    return dump, len(documents)


def bare_same_run(dump: Path, work: Path) -> tuple[float, float]:
    """Wall and CPU seconds (its writer processes included) of Whoosh alone
    indexing the dumped documents."""
    target = work / "bare-same-index"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    run = subprocess.run(
        [sys.executable, "-c", BARE_SAME, str(target), str(dump)], capture_output=True, text=True, check=True
    )
    shutil.rmtree(target)
    wall, cpu = map(float, run.stdout.split())
    return wall, cpu


def bulk_rounds(inputs: Path, archive: Path, work: Path, rounds: int) -> dict[str, Any]:
    """Our bulk ingest and the bare floor on the same documents, ``rounds``
    times, turn about (ours first, then the floor first), so that the
    machine's drift falls on both; the ratio is taken within each round."""
    ours: list[Run] = []
    bare: list[tuple[float, float]] = []
    dump: tuple[Path, int] | None = None

    def run_ours() -> None:
        shutil.rmtree(archive, ignore_errors=True)
        ours.append(child_run([*CLI, "--archive", str(archive), "ingest", "-q", str(inputs)]))

    for n in range(rounds):
        if n % 2 == 0:
            run_ours()
            dump = dump or dump_documents(archive, work)
            bare.append(bare_same_run(dump[0], work))
        else:
            assert dump is not None
            bare.append(bare_same_run(dump[0], work))
            run_ours()
    assert dump is not None
    return {"ours": ours, "bare": bare, "documents": dump[1]}


def measure(docs: int, repeat: int, work: Path) -> dict[str, Any]:
    inputs, archive = work / "inputs", work / "archive"
    made = write_archive_inputs(inputs, docs)
    out: dict[str, Any] = {"docs": docs, "inputs": made}
    bulk = bulk_rounds(inputs, archive, work, repeat)  # the last round's archive stays
    stats = json.loads(
        subprocess.run(
            [*CLI, "--archive", str(archive), "stats", "--json"], capture_output=True, text=True, check=True
        ).stdout
    )
    rates = [stats["articles"] / r.wall for r in bulk["ours"]]
    bare_rates = [bulk["documents"] / wall for wall, _ in bulk["bare"]]
    wall = statistics.median(r.wall for r in bulk["ours"])
    out["ingest"] = {
        "seconds": wall,
        "peak_mib": max(r.mem for r in bulk["ours"]),
        "articles": stats["articles"],
        "docs_per_s": median_spread(rates),
        "cpu_seconds": statistics.median(r.cpu for r in bulk["ours"]),
    }
    round_ratios = [ours / floor for ours, floor in zip(rates, bare_rates, strict=True)]
    cpu_ratios = [cpu / r.cpu for r, (_, cpu) in zip(bulk["ours"], bulk["bare"], strict=True)]
    out["size"] = {
        "index_mib": stats["index_bytes"] / 2**20,
        "archive_db_mib": (archive / "archive.db").stat().st_size / 2**20,
        "snapshots_mib": sum(p.stat().st_size for p in (archive / "snapshots").rglob("*") if p.is_file()) / 2**20,
    }
    nightly = work / "nightly"
    write_archive_inputs(nightly, 50, start=docs)
    for folder in ("pages", "html"):
        shutil.rmtree(nightly / folder)
    wall_n = child_run([*CLI, "--archive", str(archive), "ingest", "-q", str(nightly)]).wall
    out["nightly_50"] = {"seconds": wall_n, "share_of_bulk": wall_n / wall}

    exported = work / "records.jsonl"
    wall_e, mem_e, _, _ = child_run(
        ["sh", "-c", f"{' '.join(CLI)} --archive {archive} export --format jsonl > {exported}"]
    )
    records = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
    out["export"] = {
        "records": len(records),
        "seconds": wall_e,
        "records_per_s": len(records) / wall_e,
        "peak_mib": mem_e,
    }

    bare_dir = work / "bare-index"
    bare_dir.mkdir()
    bare_walls = []
    for _ in range(max(1, min(repeat, 3))):
        shutil.rmtree(bare_dir)
        bare_dir.mkdir()
        run = subprocess.run(
            [sys.executable, "-c", BARE_INDEX, str(bare_dir), str(exported)], capture_output=True, text=True, check=True
        )
        bare_walls.append(float(run.stdout.strip()))
    bare_minimal_rate = len(records) / statistics.median(bare_walls)
    out["bare_whoosh"] = {
        "index_docs_per_s": median_spread(bare_rates),
        "index_cpu_seconds": statistics.median(cpu for _, cpu in bulk["bare"]),
        "minimal_index_docs_per_s": bare_minimal_rate,
        "index_mib": sum(p.stat().st_size for p in bare_dir.iterdir()) / 2**20,
    }
    out["fts5"] = fts5(records, work / "fts.db", {k: v[1] for k, v in QUERIES.items()}, repeat * 4)

    latency: dict[str, Any] = {}
    for kind, (ours, bare) in QUERIES.items():
        # turn about, so that a noisy moment on the shared machine falls on both
        samples = range(repeat * 4)
        pairs = [(our_latency(archive, kind, ours, 1)[0], bare_latency(bare_dir, bare, 1)[0]) for _ in samples]
        latency[kind] = {
            "ours": median_spread([o for o, _ in pairs]),
            "bare": median_spread([b for _, b in pairs]),
        }
    for kind in EXTRA_KINDS:
        latency[kind] = {"ours": median_spread(our_latency(archive, kind, '"early adopter"', repeat * 4))}
    out["latency"] = latency

    cold_ours, cold_bare = [], []
    for _ in range(repeat):
        cold_ours.append(child_run([*CLI, "--archive", str(archive), "search", "early adopter"]).wall)
        cold_bare.append(child_run([sys.executable, "-c", BARE_QUERY, str(bare_dir), '"early adopter"']).wall)
    out["cold_search"] = {"ours": median_spread(cold_ours), "bare": median_spread(cold_bare)}
    out["served"] = served_latency(archive, repeat)
    out["ratios"] = {
        "ingest_vs_bare_index_rate": statistics.median(round_ratios),
        "ingest_vs_bare_index_rate_by_round": round_ratios,
        "ingest_vs_bare_minimal_rate": statistics.median(rates) / bare_minimal_rate,
        "ingest_cpu_vs_bare_cpu": statistics.median(cpu_ratios),
        "nightly_share_of_bulk": out["nightly_50"]["share_of_bulk"],
        "cold_search_vs_bare": statistics.median(cold_ours) / statistics.median(cold_bare),
        **{f"p95_{k}_vs_bare": v["ours"]["p95"] / v["bare"]["p95"] for k, v in latency.items() if "bare" in v},
    }
    return out


def table(r: dict[str, Any]) -> str:
    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    spread = lambda v: f"{v['median']:.1f} ({v['min']:.1f}–{v['max']:.1f})"  # noqa: E731
    ingest, pairs = r["ingest"]["docs_per_s"], r["ratios"]["ingest_vs_bare_index_rate_by_round"]
    lines = [
        f"newsarchive benchmark: {r['docs']} generated articles ({r['inputs']})",
        "",
        "| measure | newsarchive | bare Whoosh | SQLite FTS5 | target |",
        "|---|---|---|---|---|",
        f"| bulk ingest, docs/s (end to end vs indexing only; {len(pairs)} rounds turn about) | "
        f"{spread(ingest)} ({r['ingest']['seconds']:.1f} s, peak {r['ingest']['peak_mib']} MiB) | "
        f"{spread(r['bare_whoosh']['index_docs_per_s'])} | {r['fts5']['docs_per_s']:.0f} | "
        f"≥ 0.7× bare: **{r['ratios']['ingest_vs_bare_index_rate']:.2f}×** "
        f"(rounds: {', '.join(f'{p:.2f}' for p in pairs)}) |",
        f"| bulk ingest, CPU seconds (every process; bare: the indexing alone) | {r['ingest']['cpu_seconds']:.1f} | "
        f"{r['bare_whoosh']['index_cpu_seconds']:.1f} | | bare ÷ ours: {r['ratios']['ingest_cpu_vs_bare_cpu']:.2f} |",
        f"| bulk ingest vs Whoosh indexing only title, standfirst and a stored body | | "
        f"{r['bare_whoosh']['minimal_index_docs_per_s']:.1f} | | "
        f"{r['ratios']['ingest_vs_bare_minimal_rate']:.2f}× |",
        f"| nightly +50 articles | {r['nightly_50']['seconds']:.1f} s | | | ≤ 2% of bulk: "
        f"**{100 * r['nightly_50']['share_of_bulk']:.1f}%** |",
        f"| index size | {r['size']['index_mib']:.1f} MiB (+ archive.db {r['size']['archive_db_mib']:.1f} MiB, "
        f"snapshots {r['size']['snapshots_mib']:.1f} MiB) | {r['bare_whoosh']['index_mib']:.1f} MiB | | |",
    ]
    for kind, v in r["latency"].items():
        ours = v["ours"]
        bare = v.get("bare")
        fts = r["fts5"]["latency"].get(kind)
        ratio = f"≤ 1.5× bare p95: **{ours['p95'] / bare['p95']:.2f}×**" if bare else ""
        lines.append(
            f"| query {kind}, p50 / p95 | {ms(ours['median'])} / {ms(ours['p95'])} | "
            + (f"{ms(bare['median'])} / {ms(bare['p95'])}" if bare else "")
            + " | "
            + (f"{ms(fts['median'])} / {ms(fts['p95'])}" if fts else "")
            + f" | {ratio} |"
        )
    c = r["cold_search"]
    lines.append(
        f"| `newsarchive search` cold | {ms(c['ours']['median'])} ({ms(c['ours']['min'])}–"
        f"{ms(c['ours']['max'])}) | {ms(c['bare']['median'])} | | ≤ 1.3× bare: "
        f"**{r['ratios']['cold_search_vs_bare']:.2f}×** |"
    )
    served = r["served"]
    for kind, v in served["latency"].items():
        lines.append(
            f"| query {kind} through `serve` (HTTP, warm), p50 / p95 | {ms(v['median'])} / {ms(v['p95'])} | | | "
            "p50 ≤ 50 ms, p95 ≤ 250 ms |"
        )
    lines.append(
        f"| `newsarchive search` cold, `serve` running | {ms(served['cold_search']['median'])} | | | ≤ 0.25 s |"
    )
    e = r["export"]
    lines.append(
        f"| export {e['records']} records (JSON Lines) | {e['records_per_s']:.0f} records/s, peak "
        f"{e['peak_mib']} MiB | | | memory flat in N |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = measure(args.docs, args.repeat, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
