"""The benchmarks run, at a tiny size: a smoke test, no timing asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_bench_run_smoke(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--docs", "30", "--repeat", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "| bulk ingest, docs/s" in result.stdout and "| `newsarchive search` cold |" in result.stdout
    figures = json.loads(out.read_text())
    assert figures["ingest"]["articles"] == 30
    assert figures["export"]["records"] == 80  # 30 in bulk, 50 in the nightly increment
    assert set(figures["latency"]) == {"word", "phrase", "boolean", "field+date", "entity", "facets", "sort-by-date"}
    assert figures["ratios"]["ingest_vs_bare_index_rate"] > 0
    assert figures["ingest"]["cpu_seconds"] > 0 and figures["bare_whoosh"]["index_cpu_seconds"] > 0
    assert len(figures["ratios"]["ingest_vs_bare_index_rate_by_round"]) == 1  # --repeat rounds, turn about
    assert "| bulk ingest, CPU seconds" in result.stdout
    assert set(figures["served"]["latency"]) == set(figures["latency"])  # the same mix through `serve`
    assert "| `newsarchive search` cold, `serve` running |" in result.stdout


def test_bench_stages_smoke(tmp_path: Path) -> None:
    out = tmp_path / "stages.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "stages.py"), "--docs", "30", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert figures["counts"]["articles"] == 30
    stages = figures["seconds"]
    assert {"entities", "match keys", "merge into the store", "parse: feed"} <= set(stages)
    assert all(seconds >= 0 for seconds in stages.values())
    assert "on top of the index sync" in result.stdout


def test_bench_corpus_extraction_and_threads_smoke() -> None:
    runs: tuple[tuple[str, list[str], str], ...] = (
        ("corpus.py", ["--repeat", "1"], "cold search / bare Whoosh"),
        ("extraction.py", [], "organisations"),
        ("threads.py", ["--depths", "5"], "| dl | 5 | 5 |"),
    )
    for script, args, expect in runs:
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), *args],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
        assert expect in result.stdout


def test_bench_ab_smoke() -> None:
    if not (ROOT / ".git").exists():
        import pytest

        pytest.skip("bench/ab.py compares commits: needs a git checkout")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "ab.py"), "--base", "HEAD", "--docs", "30", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "run 1 base" in result.stdout and "run 1 this" in result.stdout and "change by pair" in result.stdout
    listed = subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True).stdout
    assert "newsarchive-ab-" not in listed  # the temporary worktree is gone
