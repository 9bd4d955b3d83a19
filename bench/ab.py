"""Bulk ingest of one generated archive by two commits, turn about.

    python bench/ab.py --base 4e25949 [--docs 5000] [--repeat 3]

The shared machine's speed drifts by tens of percent within an hour, so two
versions are only comparable when their runs alternate on the same inputs.
Runs go in pairs, base first and then the working tree first.  The base
commit is checked out in a temporary worktree, and each run imports
its own checkout's code: the editable install's finder is set aside, and the
parsing workers are forked, so they run the same code as their parent.
Prints the wall and CPU seconds (the process and its children) of every run,
then the medians and the change.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import write_archive_inputs  # noqa: E402

# Run the CLI from one checkout, whatever is installed.
RUN = """
import sys
root = sys.argv.pop(1)
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path.insert(0, root)
import newsarchive
assert newsarchive.__file__.startswith(root), newsarchive.__file__
from newsarchive.cli import main
sys.argv[0] = "newsarchive"
main()
"""


def ingest(checkout: Path, archive: Path, inputs: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one bulk ingest in a child process."""
    shutil.rmtree(archive, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-c", RUN, str(checkout), "--archive", str(archive), "ingest", "-q", str(inputs)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare the working tree with")
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsarchive-ab-") as tmp:
        work = Path(tmp)
        base = work / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), args.base], check=True)
        try:
            for checkout in (base, ROOT):  # both start from bytecode (PYTHONDONTWRITEBYTECODE may be set)
                subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "newsarchive")], check=True)
            inputs = work / "inputs"
            write_archive_inputs(inputs, args.docs)
            runs: dict[str, list[tuple[float, float]]] = {"base": [], "this": []}
            order = [("base", base), ("this", ROOT)]
            for n in range(args.repeat):
                # base first, then the working tree first: whatever a second run gains
                # (a warm page cache) falls on both
                for name, checkout in order if n % 2 == 0 else order[::-1]:
                    wall, cpu = ingest(checkout, work / f"archive-{name}", inputs)
                    runs[name].append((wall, cpu))
                    print(f"run {n + 1} {name:4}  wall {wall:6.1f} s  cpu {cpu:6.1f} s", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
    print(f"\n{args.docs} generated articles, {args.repeat} runs each, turn about:")
    for i, what in enumerate(("wall", "cpu")):
        old = statistics.median(r[i] for r in runs["base"])
        new = statistics.median(r[i] for r in runs["this"])
        # each run against the base run beside it: drift between pairs cancels
        pairs = sorted(t[i] / b[i] - 1 for b, t in zip(runs["base"], runs["this"], strict=True))
        print(
            f"  {what:4}  medians {args.base} {old:6.1f} s, working tree {new:6.1f} s;"
            f"  change by pair: median {statistics.median(pairs):+.1%} ({pairs[0]:+.1%} to {pairs[-1]:+.1%})"
        )


if __name__ == "__main__":
    main()
