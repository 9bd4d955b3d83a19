"""Unattended runs under real faults: what a search sees while the index is
rebuilt or behind the records, and what a second run finds after the first
was killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, Runner

sys.path.insert(0, str(ROOT / "bench"))
from generate import write_archive_inputs  # noqa: E402

PYTHON = [sys.executable, "-m", "newsarchive"]
HANG_GUARD = 600  # seconds: only a hung run takes this long


def _cli(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PYTHON, "--archive", str(archive), *args], capture_output=True, text=True, timeout=HANG_GUARD
    )


def _hit_ids(archive: Path, query: str) -> list[str]:
    result = _cli(archive, "search", query, "--json", "-n", "10000")
    assert result.returncode == 0, result.stderr
    assert "behind" not in result.stderr, result.stderr
    return [h["id"] for h in json.loads(result.stdout)["hits"]]


@pytest.mark.slow
def test_a_search_sees_the_whole_old_index_during_a_reindex_and_after_it_is_killed(tmp_path: Path) -> None:
    inputs, archive = tmp_path / "inputs", tmp_path / "archive"
    write_archive_inputs(inputs, 700)
    assert _cli(archive, "ingest", "-q", str(inputs)).returncode == 0
    before = _hit_ids(archive, "social")
    assert len(before) > 100
    current = (archive / "index").resolve()
    reindex = subprocess.Popen(
        [*PYTHON, "--archive", str(archive), "reindex"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + HANG_GUARD
    while reindex.poll() is None and time.monotonic() < deadline:
        if [p for p in archive.glob("index-*") if p.resolve() != current]:
            break
        time.sleep(0.02)
    assert reindex.poll() is None, "the reindex finished before its new index was seen"
    assert _hit_ids(archive, "social") == before  # while the new index is being written
    os.kill(reindex.pid, signal.SIGKILL)
    reindex.wait(timeout=HANG_GUARD)
    assert _hit_ids(archive, "social") == before  # after it died half way
    assert _cli(archive, "reindex").returncode == 0  # the next run proceeds, and clears the dead one's work
    # the same hits; among equal scores the order may differ (a rebuild numbers documents anew)
    assert sorted(_hit_ids(archive, "social")) == sorted(before)
    # the dead build's directory is gone; the generation just replaced stays a while for
    # searches that resolved it, beside the one in use
    assert len(list(archive.glob("index-*"))) == 2 and current in [p.resolve() for p in archive.glob("index-*")]


def test_search_says_when_the_index_is_behind_the_records(run: Runner, archive: Path) -> None:
    run("ingest", str(CORPUS))
    assert "behind" not in run("search", "early adopter").stderr
    # What an ingest killed between its merge and its index update leaves: records not yet indexed.
    with sqlite3.connect(archive / "archive.db") as db:
        db.execute("UPDATE articles SET indexed = 0 WHERE rowid IN (SELECT rowid FROM articles LIMIT 2)")
    for command in (("search", "early adopter"), ("search", "early adopter", "--json"), ("timeline", "framework")):
        result = run(*command)
        assert "the search index is 2 records behind the archive" in result.stderr, command
        assert "behind" not in result.stdout  # the data on stdout keeps its shape
    run("ingest", str(CORPUS))  # nothing new: the run still catches the index up
    assert "behind" not in run("search", "early adopter").stderr


def test_a_deleted_index_is_rebuilt_by_the_advised_command(run: Runner, archive: Path) -> None:
    import shutil

    run("ingest", str(CORPUS))
    hits = json.loads(run("search", "early adopter", "--json").stdout)["hits"]
    target = (archive / "index").resolve()
    shutil.rmtree(target)
    result = run("search", "early adopter", expect=4)
    assert "newsarchive reindex" in result.stderr and "Traceback" not in result.stderr
    run("reindex")
    assert json.loads(run("search", "early adopter", "--json").stdout)["hits"] == hits
    shutil.rmtree((archive / "index").resolve())
    run("ingest", str(CORPUS))  # the nightly run mends it too
    assert json.loads(run("search", "early adopter", "--json").stdout)["hits"] == hits


def test_devices_and_named_pipes_are_refused_with_their_reason(tmp_path: Path) -> None:
    from conftest import LETTER_DUMP

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "letter.txt").write_bytes(LETTER_DUMP.read_bytes())
    os.mkfifo(folder / "pipe-without-writer")
    os.mkfifo(tmp_path / "named-pipe")
    archive = tmp_path / "archive"
    # On the old code /dev/zero grew without limit and a FIFO blocked for ever: the hang guard catches both.
    result = _cli(archive, "ingest", str(folder), "/dev/zero", str(tmp_path / "named-pipe"))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert any("pipe-without-writer: not a regular file (a named pipe)" in line for line in lines), lines
    assert any("/dev/zero: not a regular file (a character device)" in line for line in lines), lines
    assert any("named-pipe: not a regular file (a named pipe)" in line for line in lines), lines
    assert "added 1" in lines[-1] and "(not-a-file: 3)" in lines[-1], lines[-1]


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_mid_ingest_stops_every_process_with_one_line(tmp_path: Path, signum: int) -> None:
    inputs, archive = tmp_path / "inputs", tmp_path / "archive"
    write_archive_inputs(inputs, 400)
    clean = tmp_path / "clean"
    assert _cli(clean, "ingest", "-q", str(inputs)).returncode == 0
    process = subprocess.Popen(
        [*PYTHON, "--archive", str(archive), "ingest", "--jobs", "2", str(inputs)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    deadline = time.monotonic() + HANG_GUARD
    while not (archive / "archive.db").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # workers are parsing by now
    os.killpg(process.pid, signum)  # what the terminal does: every process of the group
    _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith("newsarchive: "), stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    # Every process of the group is gone (the hang guard is generous; they stop within a second).
    deadline = time.monotonic() + 30
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _group_alive(process.pid)
    # The next run takes over and the archive ends as an uninterrupted run's.
    assert _cli(archive, "ingest", "-q", str(inputs)).returncode == 0
    from test_archive import comparable

    def records(path: Path) -> list[dict]:
        return json.loads(_cli(path, "export").stdout)

    assert comparable(records(archive)) == comparable(records(clean))


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _damage_pages(db_path: Path) -> None:
    """Overwrite part of every other page after the first few, as a bad disk or a stray write would."""
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db_path.read_bytes())
    for offset in range(4096 * 3, len(data), 4096 * 2):
        data[offset + 200 : offset + 600] = b"\x00garbage" * 50
    db_path.write_bytes(data)


@pytest.mark.parametrize(
    ("damage", "commands", "advice"),
    [
        ("index", [("search", "early"), ("export", "early"), ("timeline", "early")], "'newsarchive reindex'"),
        ("database", [("search", "early"), ("export",), ("stats",)], "'newsarchive reindex --from-snapshots'"),
        ("record", [("export",), ("show", "PAY")], "'newsarchive reindex --from-snapshots'"),
    ],
)
def test_a_damaged_archive_is_one_line_exit_4_naming_the_repair(
    run: Runner, archive: Path, damage: str, commands: list[tuple[str, ...]], advice: str
) -> None:
    from conftest import PAY_SCALES_URL

    run("ingest", str(CORPUS))
    if damage == "index":
        segment = next((archive / "index").resolve().glob("*.seg"))
        segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    elif damage == "database":
        _damage_pages(archive / "archive.db")
    else:
        with sqlite3.connect(archive / "archive.db") as db:
            db.execute("UPDATE articles SET data = substr(data, 1, 40) WHERE url = ?", (PAY_SCALES_URL,))
    for command in commands:  # in processes of their own, as a user runs them
        result = _cli(archive, *(PAY_SCALES_URL if part == "PAY" else part for part in command))
        assert result.returncode == 4, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert advice in result.stderr and "damaged" in result.stderr, result.stderr
        assert '{"' not in result.stderr  # no chunk of a record
    repair = ["reindex"] + (["--from-snapshots"] if "snapshots" in advice else [])
    assert _cli(archive, *repair).returncode == 0
    assert json.loads(run("search", "early adopter", "--json").stdout)["hits"]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("search", "x", "--since", "99999y"), 5, "not a date"),
        (("search", "x", "--until", "999999m"), 5, "not a date"),
        (("ingest",), 4, "'feed' must be a list"),
    ],
)
def test_bad_input_is_one_line_with_its_code(
    run: Runner, archive: Path, args: tuple[str, ...], code: int, words: str
) -> None:
    run("ingest", str(CORPUS))
    (archive / "feeds.toml").write_text("feed = 3\n")
    result = run(*args, expect=code)
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def _export_to(archive: Path, target: Path) -> subprocess.CompletedProcess[str]:
    return _cli(archive, "export", "--format", "jsonl", "-o", str(target))


def test_export_writes_through_symlinks_and_into_pipes_and_devices(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    assert _cli(archive, "ingest", "-q", str(CORPUS)).returncode == 0
    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    real.write_text("old\n")
    real.chmod(0o640)
    link.symlink_to(real.name)
    assert _export_to(archive, link).returncode == 0
    assert link.is_symlink() and len(real.read_text().splitlines()) == 11  # the link kept, its target replaced
    assert oct(real.stat().st_mode & 0o777) == "0o640"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    assert _export_to(archive, fifo).returncode == 0
    assert len(reader.communicate(timeout=HANG_GUARD)[0].splitlines()) == 11
    assert fifo.is_fifo()  # still a pipe, not replaced by a file
    if Path("/dev/full").is_char_device() and os.access("/dev", os.W_OK):  # root may replace /dev/full: must not
        result = _export_to(archive, Path("/dev/full"))
        assert result.returncode == 4 and "/dev/full: No space left on device" in result.stderr, result.stderr
        assert Path("/dev/full").is_char_device()
    assert not list(tmp_path.glob(".*.partial")) and not list(Path("/dev").glob(".full.partial"))


def test_a_failed_export_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    assert _cli(archive, "ingest", "-q", str(CORPUS)).returncode == 0
    with sqlite3.connect(archive / "archive.db") as db:  # the last record to be exported is damaged
        last = "SELECT id FROM articles ORDER BY published ASC, id DESC LIMIT 1"  # export: newest first
        db.execute(f"UPDATE articles SET data = '{{' WHERE id = ({last})")
    target = tmp_path / "out.jsonl"
    target.write_text("the last good export\n")
    result = _export_to(archive, target)
    assert result.returncode == 4, result.stderr
    assert target.read_text() == "the last good export\n"
    streamed = _cli(archive, "export", "--format", "jsonl")
    assert streamed.returncode == 4 and len(streamed.stdout.splitlines()) == 10  # it failed at the end
    assert not list(tmp_path.glob(".*.partial"))


def test_an_export_that_cannot_start_writes_nothing_to_stdout(tmp_path: Path) -> None:
    for args in (("export",), ("export", "early"), ("export", "--format", "csv")):
        result = _cli(tmp_path / "nothing-here", *args)
        assert result.returncode == 4 and result.stdout == "", (args, result.stdout)


def test_nothing_from_a_name_or_a_feed_drives_the_terminal(tmp_path: Path) -> None:
    from ptyrun import run_in_pty

    archive = tmp_path / "archive"
    code, screen = run_in_pty(
        archive,
        "feeds",
        "add",
        "http://127.0.0.1:9/feed/",
        "--no-check",
        "--name",
        "\x1b]0;pwned\x07Evil\x1b[2J\u202eName",
    )
    assert code == 0, screen
    assert "\x1b" not in screen and "\u202e" not in screen and "EvilName" in screen
    code, screen = run_in_pty(archive, "feeds", "list")
    assert "\x1b" not in screen and "\u202e" not in screen and "EvilName" in screen
    page = tmp_path / "page.txt"
    page.write_text("Council \u202eeulav\u202c \x85 budget story\n\n" + "A paragraph about the council budget. " * 20)
    assert _cli(archive, "ingest", "-q", str(page)).returncode == 0
    for fmt in ("--csv", "--json", "--nl"):
        code, screen = run_in_pty(archive, "search", "budget", fmt)
        assert code == 0 and "budget" in screen, screen
        assert "\u202e" not in screen and "\x85" not in screen, (fmt, screen)
    piped = _cli(archive, "search", "budget", "--csv")  # to a program, the data stays exact
    assert "\u202e" in piped.stdout


def test_a_filename_with_a_newline_stays_on_its_line(tmp_path: Path) -> None:
    from ptyrun import run_in_pty

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\nname.txt").write_bytes(bytes(range(32)) * 50)  # binary: skipped with a line naming it
    code, screen = run_in_pty(tmp_path / "archive", "ingest", str(folder))
    assert code == 1, screen
    skipped = [line for line in screen.splitlines() if "skipped" in line]
    assert len(skipped) == 1 and "bad name.txt" in skipped[0], screen


def test_a_spam_pattern_that_nests_repeats_is_refused_up_front(run: Runner) -> None:
    result = run("ingest", "--spam-pattern", "(a+)+$", str(CORPUS), expect=2)
    assert "'(a+)+$' repeats a repeated group" in result.stderr


def test_a_slow_spam_pattern_is_cut_off_naming_it(tmp_path: Path) -> None:
    page = tmp_path / "hostile.xml"
    body = "A paragraph about the council budget and its social workers. " * 20
    page.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>'
        f"<item><title>{'a' * 40}!</title><link>https://news.example/a/</link><description>{body}</description>"
        "</item></channel></rss>"
    )
    good = tmp_path / "good.txt"
    good.write_text("Council budget story\n\n" + "Another paragraph about a council budget. " * 20)
    # (a|aa)+$ escapes the up-front check; on this title it would backtrack for hours
    result = _cli(tmp_path / "archive", "ingest", "--spam-pattern", "(a|aa)+$", str(page), str(good))
    assert result.returncode == 1, result.stderr
    assert "spam pattern '(a|aa)+$' took over" in result.stderr and "hostile.xml" in result.stderr
    assert "added 1" in result.stderr and "(slow-spam-pattern: 1)" in result.stderr


def test_a_replaced_index_generation_goes_with_the_next_writer(
    run: Runner, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import LETTER_DUMP

    from newsarchive.search import index

    run("ingest", str(CORPUS))
    first = (archive / "index").resolve()
    run("reindex")
    assert first.exists() and (archive / "index").resolve() != first  # kept a while for searches in flight
    monkeypatch.setattr(index, "REPLACED_KEPT", 0.0)  # (ten minutes; here, at once)
    run("ingest", str(LETTER_DUMP))
    assert not first.exists() and [p.resolve() for p in archive.glob("index-*")] == [(archive / "index").resolve()]
