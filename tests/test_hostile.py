"""Hostile input and crash safety: made-up bad inputs, mojibake, fuzzing, kill -9, full disks."""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import CORPUS, LETTER_DUMP, PAY_SCALES_DUMP, Runner, copy_corpus, make_runner, realworld, records
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.ingest.clean import fix_text, strip_control
from newsarchive.ingest.errors import SourceError
from newsarchive.ingest.readers import parse_payload
from newsarchive.ingest.sources.common import SourceContext

PYTHON = [sys.executable, "-m", "newsarchive"]
SEED_LINES = [line for f in sorted(CORPUS.glob("*.txt")) for line in f.read_text(encoding="utf-8").splitlines()]


def run_cli(archive: Path, *args: str, timeout: float = 600) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run the real command; return the result, seconds taken and peak memory in MiB."""
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(
        [*PYTHON, "--archive", str(archive), *args], capture_output=True, text=True, timeout=timeout
    )
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) // 1024
    return result, time.monotonic() - started, peak


def rss_feed(items: int, title: str = "Item") -> str:
    body = "".join(
        f"<item><title>{title} {i}</title><link>https://x.example/{i}/</link>"
        f"<description>Short text number {i} about social work.</description></item>"
        for i in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{body}</channel></rss>'


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1 if n > 2 else "") + ";") * 10}">' for n in range(2, 10))
    + ']><rss version="2.0"><channel><title>&lol9;</title><item><title>Laughs &lol9;</title>'
    "<link>https://x.example/l/</link><description>Some description text &lol9;</description></item>"
    "</channel></rss>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel>'
    "<title>X</title><item><title>Entity &xxe; here</title><link>https://x.example/e/</link>"
    "<description>Body &xxe; text for the item</description></item></channel></rss>"
)
DEEP = "<!DOCTYPE html><html><body>" + "<div>" * 100_000 + "<p>deep text</p>" + "</div>" * 100_000 + "</body></html>"
ESCAPES = (
    "Evil \x1b]0;owned\x07title \x1b[31mred\x1b[0m\n\nA body with \x1b[2J\x1b[H a clear-screen, a bell \x07 "
    "and \x00 a NUL, long enough to be an article about social work and councils in England.\n"
)

BAD_INPUTS = {
    # name: (bytes, what the run must say about it: a reason, or None when it is ingested cleanly)
    "empty.txt": (b"", "empty"),
    "junk.bin": (random.Random(1).randbytes(100_000), "binary"),
    "nul.txt": (PAY_SCALES_DUMP.read_bytes().replace(b". ", b".\x00 ", 3), None),
    "truncated.xml": (rss_feed(3).encode()[:-300], "truncated-feed"),
    "laughs.xml": (LAUGHS.encode(), None),
    "xxe.xml": (XXE.encode(), None),
    "utf16-no-bom.txt": (LETTER_DUMP.read_text(encoding="utf-8").encode("utf-16-le"), None),
    "deep.html": (DEEP.encode(), "no-article"),
    "escapes.txt": (ESCAPES.encode(), None),
    "long-title.xml": (rss_feed(1, title="word " * 200_000).encode(), None),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_made_up_bad_input_among_good_ones(tmp_path: Path, name: str) -> None:
    data, reason = BAD_INPUTS[name]
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(LETTER_DUMP, batch / "good.txt")
    (batch / name).write_bytes(data)
    archive = tmp_path / "archive"
    result, _, peak = run_cli(archive, "ingest", str(batch))  # its timeout is a hang guard, not a budget
    assert "Traceback" not in result.stderr
    assert peak < 1500, peak  # memory, not time: bench/ measures speed
    lines = result.stderr.strip().splitlines()
    if reason:
        assert result.returncode == 1
        assert [line for line in lines if line.startswith("newsarchive: skipped")] == [
            line for line in lines if name in line
        ]
        assert f"({reason}: 1)" in lines[-1]
    else:
        assert result.returncode == 0, result.stderr
    exported = json.loads(run_cli(archive, "export")[0].stdout)
    titles = [r["title"] for r in exported]
    assert "Response to Department for Education Children's Social Care Framework consultation" in titles
    text = json.dumps(exported, ensure_ascii=False)
    assert "root:x:0:0" not in text and "lollol" not in text  # no external entity, no expansion
    assert "\x1b" not in text and "\\u001b" not in text and "\\u0000" not in text
    assert all(len(t or "") <= 402 for t in titles)


def test_zero_bytes_on_stdin(run: Runner) -> None:
    result = run("ingest", "-", input=b"", expect=1)
    assert result.stderr.splitlines()[0] == "newsarchive: skipped -: empty input, nothing to ingest"


@pytest.mark.slow
def test_feed_of_100000_items(tmp_path: Path) -> None:
    feed = tmp_path / "big.xml"
    feed.write_text(rss_feed(100_000))
    # The timeout is a hang guard (a quiet 2-core machine takes about 100 s), not a budget.
    result, _, peak = run_cli(tmp_path / "archive", "ingest", str(feed), timeout=3600)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().startswith("added 100000,")
    assert peak < 2000, peak


@pytest.mark.slow
def test_page_of_50_megabytes(tmp_path: Path) -> None:
    paragraph = "<p>" + "Lorem ipsum dolor sit amet, social work in England. " * 40 + "</p>\n"
    page = tmp_path / "big.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>Big page</title></head><body><article>"
        + paragraph * (50 * 2**20 // len(paragraph))
        + "</article></body></html>"
    )
    result, _, peak = run_cli(tmp_path / "archive", "ingest", str(page), str(LETTER_DUMP), timeout=3600)  # hang guard
    assert result.returncode == 0, result.stderr
    assert peak < 2500, peak


# -- mojibake: ftfy's own cases through our text-repair stage ---------------------------

MOJIBAKE_FILES = ["in-the-wild.json", "language-names.json", "synthetic.json", "negative.json", "known-failures.json"]


def mojibake_cases() -> list:
    folder = Path(__file__).resolve().parent.parent.parent / "shared/realworld/mojibake/ftfy/tests/test-cases"
    if not folder.exists():
        return [pytest.param(None, id="absent", marks=pytest.mark.skip(reason=f"{folder} is absent"))]
    cases = []
    for name in MOJIBAKE_FILES:
        for i, case in enumerate(json.loads((folder / name).read_text(encoding="utf-8"))):
            # ftfy's own known failures; not strict, because repairing to a fixed point
            # (see clean.fix_text) mends one of them, which would make a strict xfail fail.
            known = pytest.mark.xfail(strict=False, reason="ftfy's known failure")
            marks = [known] if case["expect"] == "fail" else []
            cases.append(pytest.param(case, id=f"{name}:{i}", marks=marks))
    return cases


@pytest.mark.parametrize("case", mojibake_cases())
def test_mojibake_case(case: dict) -> None:
    """Fixed as ftfy's cases say, but for our two deliberate choices: we keep curly
    quotes (typography is the writer's) and drop control characters (terminal safety)."""
    from ftfy.fixes import uncurl_quotes

    got = uncurl_quotes(fix_text(case["original"]))
    assert got == uncurl_quotes(strip_control(case["fixed"]))


def test_mojibake_material_is_there() -> None:
    """The parametrised cases above really come from ftfy's files (a broken path
    would leave them silently empty): every file read, hundreds of cases."""
    folder = realworld("mojibake", "ftfy", "tests", "test-cases")
    cases = mojibake_cases()
    assert all((folder / name).exists() for name in MOJIBAKE_FILES)
    assert len(cases) > 100 and all(case.values[0]["original"] for case in cases)


# -- fuzzing: every parser, through the dispatcher --------------------------------------

CTX = SourceContext("fuzz", "2026-01-01T00:00:00+00:00", "0" * 64)
FRAGMENTS = SEED_LINES + [
    "]]>",
    "<rss>",
    "</rss>",
    "<item>",
    "<title>",
    "<![CDATA[",
    "<html><body><p>",
    "</p>",
    "Total Voters: 12",
    "  • A (10%, 3 Votes)",
    "3 Responses to X",
    "  1. Ann May 1, 2020 at 1:00 pm #",
    "Skip to main content",
    "Employer: X",
    "Salary: £1",
    "Photo: X",
    "",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=60),
    st.sampled_from(["", "<?xml version='1.0'?><rss><channel>", "<!DOCTYPE html><html>"]),
)
def test_parsers_never_raise_on_shuffled_seed_lines(lines: list[str], prefix: str) -> None:
    data = (prefix + "\n".join(lines)).encode("utf-8")
    try:
        parts = parse_payload(data, CTX)
    except SourceError:
        return
    for part in parts:
        assert fix_text(part.body) == part.body  # what was stored is already clean
        for comment in part.comments:
            assert comment.parent is None or comment.depth > 0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_parsers_never_raise_on_any_text(text: str) -> None:
    try:
        parse_payload(text.encode("utf-8", "surrogatepass"), CTX)
    except (SourceError, UnicodeEncodeError):
        pass


# -- crash safety ----------------------------------------------------------------------------


def make_batch(folder: Path, articles: int = 60) -> Path:
    """Distinct articles in page-dump form, built from the corpus's own paragraphs."""
    rng = random.Random(7)
    paragraphs = [p for p in SEED_LINES if len(p.split()) > 12]
    copy_corpus(folder)
    for n in range(articles):
        body = "\n\n".join(rng.sample(paragraphs, 8))
        (folder / f"generated-{n:03d}.txt").write_text(
            f"Generated story number {n} on social work\n\nUnique sentence {n} opens this article.\n\n{body}\n"
        )
    return folder


@pytest.mark.slow
def test_kill_9_at_random_moments(tmp_path: Path) -> None:
    from test_archive import comparable

    batch = make_batch(tmp_path / "batch")
    reference = tmp_path / "reference"  # the same two runs, never interrupted
    assert run_cli(reference, "ingest", str(CORPUS))[0].returncode == 0
    started = time.monotonic()
    assert run_cli(reference, "ingest", str(batch))[0].returncode == 0
    duration = time.monotonic() - started
    expected = comparable(json.loads(run_cli(reference, "export")[0].stdout))
    archive = tmp_path / "archive"
    assert run_cli(archive, "ingest", str(CORPUS))[0].returncode == 0  # an archive with an index to crash into
    rng = random.Random(2026)
    for _ in range(20):
        process = subprocess.Popen(
            [*PYTHON, "--archive", str(archive), "ingest", str(batch)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, duration))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        from whoosh import index

        index.open_dir(str(archive / "index")).close()  # the index opens
        searched, _, _ = run_cli(archive, "search", "social work", "--json")
        assert searched.returncode == 0, searched.stderr
        assert "hits" in json.loads(searched.stdout)
    final, _, _ = run_cli(archive, "ingest", str(batch))
    assert final.returncode == 0, final.stderr
    assert comparable(json.loads(run_cli(archive, "export")[0].stdout)) == expected
    stats = json.loads(run_cli(archive, "stats", "--json")[0].stdout)
    assert stats["unindexed"] == 0 and stats["articles"] == len(expected)
    hits = json.loads(run_cli(archive, "search", "Generated story number", "--json", "--limit", "1000")[0].stdout)[
        "hits"
    ]
    assert len(hits) == 60  # every generated article searchable exactly once


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A small file system of our own at ``path``, unmounted afterwards."""
    path.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]
    if os.geteuid() != 0 or subprocess.run(mount, capture_output=True).returncode:
        pytest.skip("needs root and mount to make a small or read-only file system")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=False)


def test_full_disk_leaves_the_archive_as_it_was(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "3m") as disk:
        run = make_runner(disk / "archive")
        run("ingest", str(LETTER_DUMP))
        before = records(run)
        big = tmp_path / "big"
        make_batch(big, articles=300)
        result = run("ingest", str(big), expect=4)
        assert result.stderr.startswith("Error: cannot write the ")
        assert "No space left on device" in result.stderr or "full" in result.stderr
        assert "Traceback" not in result.output
        after = records(run)
        assert {r["id"] for r in before} <= {r["id"] for r in after}  # nothing lost
        for rec in after:  # and nothing half-written: every record is whole
            assert rec["body"] and rec["sources"]


def test_read_only_disk_is_a_clear_error(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "20m") as disk:
        run = make_runner(disk / "archive")
        run("ingest", str(LETTER_DUMP))
        before = records(run)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = run("ingest", str(PAY_SCALES_DUMP), expect=4)
        assert result.stderr.startswith("Error: ") and "Read-only file system" in result.stderr
        assert "Traceback" not in result.output
        assert records(run) == before
        assert len(json.loads(run("search", "dashboard", "--json").stdout)["hits"]) == 1  # still searchable
