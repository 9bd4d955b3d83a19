"""Parsing in worker processes: same archive, order kept, errors in turn, no lock left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import CORPUS, LETTER_DUMP, make_runner
from test_archive import comparable
from test_hostile import PYTHON, make_batch

from newsarchive.ingest import pipeline
from newsarchive.ingest.lock import ArchiveLock
from newsarchive.ingest.parallel import MIN_ITEMS, ordered_map
from newsarchive.ingest.pipeline import IngestOptions, Ingestor, Parsed, Payload, iter_payloads, parse_job


def square_or_fail(n: int) -> int:
    if n == 13:
        raise ValueError("thirteen")
    return n * n


def test_results_come_back_in_input_order() -> None:
    items = list(range(40))
    got = list(ordered_map(square_or_fail, [i for i in items if i != 13], local=lambda n: n % 10 == 0, workers=2))
    assert [i for i, _ in got] == [i for i in items if i != 13]
    assert all(r is None if i % 10 == 0 else r == i * i for i, r in got)  # local items are left to the caller


def test_a_worker_error_is_raised_when_its_turn_comes() -> None:
    seen = []
    with pytest.raises(ValueError, match="thirteen"):
        for item, _ in ordered_map(square_or_fail, range(30), workers=2):
            seen.append(item)
    assert seen == list(range(13))


def square_or_die(n: int) -> int:
    if n == 13:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
    return n * n


def test_an_item_that_kills_every_process_it_runs_in_is_given_up_alone() -> None:
    told = []
    got = list(
        ordered_map(square_or_die, range(40), workers=2, on_broken=lambda: told.append(True), on_killed=lambda n: -n)
    )
    assert [i for i, _ in got] == list(range(40))  # nothing lost, order kept
    # 13 died with its worker and again alone; the items in flight beside it
    # were run again alone, and the rest went to a new pool: all by workers
    assert [r for _, r in got] == [-13 if i == 13 else i * i for i in range(40)]
    assert told == [True]  # said once


def square_or_die_once(item: tuple[int, str]) -> int:
    n, marker = item
    if n == 13 and not os.path.exists(marker):
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)  # the system killed it, for reasons of its own
    return n * n


def test_an_item_whose_worker_was_killed_once_is_computed_alone(tmp_path: Path) -> None:
    told = []
    items = [(n, str(tmp_path / "died")) for n in range(40)]
    got = list(ordered_map(square_or_die_once, items, workers=2, on_broken=lambda: told.append(True)))
    assert [r for _, r in got] == [n * n for n in range(40)]
    assert told == [True] and (tmp_path / "died").exists()


def test_few_items_or_one_worker_are_left_to_the_caller() -> None:
    assert list(ordered_map(square_or_fail, range(MIN_ITEMS - 1), workers=2)) == [(i, None) for i in range(7)]
    assert all(r is None for _, r in ordered_map(square_or_fail, range(30), workers=1))


def test_workers_make_the_same_archive_as_one_process(tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "batch")
    for name in ("bad.xml", "empty.txt"):  # failures are counted in turn, the rest goes on
        (batch / name).write_bytes(b"<rss><channel><item>" if name == "bad.xml" else b"")
    exports = {}
    for jobs in ("1", "2"):
        run = make_runner(tmp_path / f"archive-{jobs}")
        for source in (CORPUS, batch):
            result = run("ingest", "--jobs", jobs, str(source), expect=None)
        assert result.exit_code == 1 and "failed 2" in result.stderr
        exports[jobs] = json.loads(run("export").stdout)
    assert len(exports["1"]) == 60 + 11  # the generated batch and the corpus's 11 articles
    assert comparable(exports["2"]) == comparable(exports["1"])


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_killed_ingest_leaves_no_workers_and_no_lock(tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "batch")
    archive = tmp_path / "archive"
    process = subprocess.Popen(
        [*PYTHON, "--archive", str(archive), "ingest", "--jobs", "2", str(batch)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(workers := _children(process.pid)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2, "the ingest finished before its workers were seen"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with ArchiveLock(archive):  # taken at once: no worker holds the dead run's lock
        pass
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if _state(pid) not in ("gone", "Z")]  # Z: exited, not yet reaped
    assert not alive, f"workers {alive} outlived the killed ingest"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_bytes_ingested_before_get_no_work_done_ahead(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    ingestor = Ingestor(archive)
    try:
        ingestor.ingest(iter_payloads([str(CORPUS)]))
        changed = tmp_path / "changed.txt"
        changed.write_bytes(LETTER_DUMP.read_bytes() + b"\nOne more paragraph, new tonight.\n")
        payloads = list(ingestor._marked(iter_payloads([str(CORPUS), str(changed)])))
    finally:
        ingestor.close()
    assert [p.seen for p in payloads] == [True] * 5 + [False]
    ahead = [parse_job(p, IngestOptions())[2] for p in payloads]  # type: ignore[index]
    # parts of re-read bytes will be unchanged: no work ahead
    assert [(a.entities, a.keys) for a in ahead[:5]] == [({}, {})] * 5
    assert ahead[5].entities and ahead[5].keys


def parse_or_die(payload: Payload, options: IngestOptions) -> Parsed:
    if payload.origin.endswith("generated-007.txt"):
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_job(payload, options)


def test_an_input_that_kills_its_worker_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = make_batch(tmp_path / "batch")
    assert (batch / "generated-007.txt").exists()
    monkeypatch.setattr(pipeline, "parse_job", parse_or_die)
    notices: list[str] = []
    reports: list[str] = []
    ingestor = Ingestor(tmp_path / "archive", IngestOptions(workers=2))
    try:
        summary = ingestor.ingest(iter_payloads([str(batch)]), report=reports.append, notice=notices.append)
        records = ingestor.store.count()
    finally:
        ingestor.close()
    # every other input was parsed by a worker and stored; the killer alone is skipped
    assert records == 60 + 11 - 1 and summary.sources == 60 + 5
    assert summary.failed == {"parser-killed": 1}
    assert len(reports) == 1 and reports[0].startswith(str(batch / "generated-007.txt"))
    assert len(notices) == 1 and "parsing worker stopped" in notices[0]


def test_the_operator_is_told_of_a_dead_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = make_batch(tmp_path / "batch")
    monkeypatch.setattr(pipeline, "parse_job", parse_or_die)
    result = make_runner(tmp_path / "archive")("ingest", "--jobs", "2", str(batch), expect=1)  # one source failed
    assert "newsarchive: a parsing worker stopped (killed by the system?)" in result.stderr
    killed = "generated-007.txt: parsing it stopped its process twice (killed by the system? out of memory?)\n"
    assert killed in result.stderr
    assert "added 70" in result.stderr and "failed 1 (parser-killed: 1)" in result.stderr
