"""Shared fixtures: the real corpus, real archives in temp dirs, the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarchive.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
REALWORLD = SHARED / "realworld"

FEED_DUMP = CORPUS / "002-feed-dump-communitycare-early-career-framework-tag.txt"
UNTITLED_DUMP = CORPUS / "000-page-dump-untitled-dfe-update-on-early-career-support.txt"
COUNCILS_DUMP = CORPUS / "001-page-dump-councils-urged-to-test-early-career-framework.txt"
PAY_SCALES_DUMP = CORPUS / "003-page-dump-dfe-backs-early-career-framework-poll-comments.txt"
LETTER_DUMP = CORPUS / "004-page-dump-social-work-england-framework-consultation-letter.txt"
CORPUS_FILES = [UNTITLED_DUMP, COUNCILS_DUMP, FEED_DUMP, PAY_SCALES_DUMP, LETTER_DUMP]

PAY_SCALES_URL = (
    "https://www.communitycare.co.uk/2023/02/08/"
    "dfe-backs-early-career-framework-but-rejects-national-pay-scales-for-childrens-social-workers/"
)


def realworld(*parts: str) -> Path:
    """A path under ../shared/realworld, or skip the test saying why."""
    path = REALWORLD.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared real-world test material is not beside this checkout")
    return path


Runner = Callable[..., Result]


def make_runner(archive: Path) -> Runner:
    def run(*args: str, input: bytes | str | None = None, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(cli, ["--archive", str(archive), *args], input=input, catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, result.output + result.stderr
        return result

    return run


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests' "last search" (for 'show N') goes to a temp dir, not the user's cache;
    set in the environment so that subprocesses inherit it."""
    import os

    os.environ["NEWSARCHIVE_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def run(archive: Path) -> Runner:
    return make_runner(archive)


@pytest.fixture(scope="session")
def corpus_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus ingested once; tests that only read share it."""
    archive = tmp_path_factory.mktemp("corpus") / "archive"
    make_runner(archive)("ingest", str(CORPUS))
    return archive


@pytest.fixture
def corpus_run(corpus_archive: Path) -> Runner:
    return make_runner(corpus_archive)


def records(run: Runner) -> list[dict]:
    """Every record of an archive, via the CLI's own export."""
    return json.loads(run("export", "--format", "json").stdout)


def copy_corpus(dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(f, dest / f.name)) for f in CORPUS_FILES]
