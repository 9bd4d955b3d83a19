"""Human output on a real pseudo-terminal: fitted to its width, with ids to act on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CORPUS, make_runner
from ptyrun import run_in_pty

ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("terminal") / "archive"
    make_runner(path)("ingest", "-q", str(CORPUS))
    return path


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_hits_fit_the_terminal_and_show_a_short_id(archive: Path, columns: int) -> None:
    code, screen = run_in_pty(archive, "--no-server", "search", "early career", "-n", "5", columns=columns)
    assert code == 0, screen
    lines = [ESCAPES.sub("", line) for line in screen.splitlines()]
    prose = [line for line in lines if line.strip() and not line.strip().startswith("http")]
    assert prose and max(len(line) for line in prose) <= columns, max(prose, key=len)
    ids = re.findall(r"· ([0-9a-f]{8})$", screen, re.M)
    assert len(ids) == 5
    code, shown = run_in_pty(archive, "show", ids[0], columns=columns)  # a hit's short id is enough to act on
    first = json.loads(make_runner(archive)("search", "early career", "--json", "-n", "1").stdout)["hits"][0]
    assert code == 0 and first["id"].startswith(ids[0]) and ESCAPES.sub("", shown).startswith(first["title"][:30])


def test_columns_given_by_the_environment_win(archive: Path) -> None:
    code, screen = run_in_pty(archive, "--no-server", "search", "early career", columns=200, env={"COLUMNS": "50"})
    prose = [ESCAPES.sub("", line) for line in screen.splitlines() if line.strip() and "http" not in line]
    assert code == 0 and max(len(line) for line in prose) <= 50


def test_ingest_shows_a_progress_bar_on_a_terminal_and_nothing_elsewhere(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    for source in sorted(CORPUS.glob("*.txt")):
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "data.csv").write_text("a,b\n1,2\n")
    code, screen = run_in_pty(tmp_path / "archive", "ingest", str(folder), columns=100)
    assert code == 1, screen
    assert "6/6" in screen and "sources/s" in screen  # N of M, and a rate
    lines = screen.replace("\r", "\n").splitlines()
    skipped = [line for line in lines if "skipped" in line]
    assert skipped and all("%|" not in line for line in skipped)  # messages above the bar, not in it
    piped = subprocess.run(
        [sys.executable, "-m", "newsarchive", "--archive", str(tmp_path / "other"), "ingest", str(folder)],
        capture_output=True,
        text=True,
    )
    assert "%|" not in piped.stderr and "sources/s" not in piped.stderr  # under cron: no bar
    quiet = run_in_pty(tmp_path / "third", "ingest", "-q", str(CORPUS), columns=100)
    assert quiet == (0, "")  # -q on a terminal: silence


def test_long_output_is_paged_on_a_terminal_only(archive: Path) -> None:
    import subprocess
    import sys

    marker = {"NEWSARCHIVE_PAGER": "sed s/^/PAGED:/"}  # a pager that shows it was used
    code, screen = run_in_pty(archive, "--no-server", "search", "early career", env=marker)
    assert code == 0 and "PAGED:  1." in screen
    code, screen = run_in_pty(archive, "--no-server", "--no-pager", "search", "early career", env=marker)
    assert code == 0 and "PAGED:" not in screen and "  1." in screen
    piped = subprocess.run(
        [sys.executable, "-m", "newsarchive", "--archive", str(archive), "--no-server", "search", "early career"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **marker},
    )
    assert "PAGED:" not in piped.stdout and "  1." in piped.stdout  # never when stdout is not a terminal
