"""newsarchive serve, as a real process on 127.0.0.1: the JSON API, the CLI's warm
path through it, a nightly ingest seen without a restart, tokens, and several
clients at once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, LETTER_DUMP, make_runner

PYTHON = [sys.executable, "-m", "newsarchive"]
HANG_GUARD = 60  # seconds: the server starts in one or two


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(archive: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    process = subprocess.Popen(
        [*PYTHON, "--archive", str(archive), "serve", "--port", str(port), "--workers", "2", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5):
                return process, url
        except urllib.error.HTTPError as exc:
            exc.close()
            return process, url  # answering (a token is required)
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.communicate()[1]) from None
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def _stop(process: subprocess.Popen[str]) -> str:
    os.killpg(process.pid, signal.SIGINT)
    return process.communicate(timeout=HANG_GUARD)[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=HANG_GUARD) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def _cli(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run(
        [*PYTHON, "--archive", str(archive), *args], capture_output=True, text=True, env=env, timeout=HANG_GUARD
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    archive = tmp_path / "archive"
    make_runner(archive)("ingest", "-q", str(CORPUS))
    process, url = _start(archive)
    yield archive, url
    assert "Traceback" not in _stop(process)
    assert not (archive / "server.json").exists()  # the record goes with the server


def test_the_api_answers_as_the_archive_does(served: tuple[Path, str]) -> None:
    from newsarchive import Archive, SearchOptions

    archive, url = served
    status, answer = _get(f"{url}/api/search?q=%22early+adopter%22&limit=3&facet=year")
    with Archive.open(archive) as direct:
        expected = direct.search('"early adopter"', SearchOptions(limit=3, facets=("year",))).to_dict()
    assert status == 200 and answer["index_lag"] == 0
    assert {k: v for k, v in answer.items() if k not in ("hits", "index_lag")} == {
        k: v for k, v in expected.items() if k != "hits"
    }
    assert [h["id"] for h in answer["hits"]] == [h["id"] for h in expected["hits"]]
    first = answer["hits"][0]["id"]
    assert _get(f"{url}/api/articles/{first}")[1]["id"] == first
    assert _get(f"{url}/api/similar/{first}?limit=2")[1]["hits"]
    periods = _get(f"{url}/api/timeline?q=framework&by=year")[1]["periods"]
    assert sum(p["hits"] for p in periods) == _get(f"{url}/api/search?q=framework")[1]["total"]
    assert _get(f"{url}/api/stats")[1]["articles"] == 11
    runs = _get(f"{url}/api/feeds")[1]["runs"]
    assert len(runs) == 1 and runs[0]["added"] == 11 and runs[0]["started"] <= runs[0]["finished"]
    with urllib.request.urlopen(f"{url}/api/export?format=jsonl", timeout=HANG_GUARD) as answer:
        assert len(answer.read().splitlines()) == 11
    status, error = _get(f"{url}/api/search?q=%22unbalanced")
    assert status == 400 and error["code"] == 5 and "unbalanced quote" in error["error"]
    assert _get(f"{url}/api/articles/no-such")[0] == 404
    request = urllib.request.Request(f"{url}/api/search?q=x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=HANG_GUARD)
    with refused.value:
        assert refused.value.code == 405
        assert "default-src 'none'" in refused.value.headers["Content-Security-Policy"]


def test_the_cli_searches_through_a_running_server_and_without_one(served: tuple[Path, str]) -> None:
    archive, _ = served
    warm = _cli(archive, "search", "early adopter")
    direct = _cli(archive, "--no-server", "search", "early adopter")
    assert warm.returncode == direct.returncode == 0
    assert warm.stdout == direct.stdout and warm.stderr == direct.stderr
    bad = _cli(archive, "search", 'title:"x')
    assert bad.returncode == 5 and len(bad.stderr.strip().splitlines()) == 1


def test_the_cli_shows_an_article_through_a_running_server(served: tuple[Path, str]) -> None:
    archive, _ = served
    first = json.loads(_cli(archive, "search", "early adopter", "--json").stdout)["hits"][0]
    for ref in (first["id"], first["id"][:8], first["url"]):
        for fmt in ([], ["--json"]):
            warm = _cli(archive, "show", ref, *fmt)
            direct = _cli(archive, "--no-server", "show", ref, *fmt)
            assert warm.returncode == direct.returncode == 0, warm.stderr
            assert warm.stdout == direct.stdout
    missing = _cli(archive, "show", "ffffffffff")
    assert missing.returncode == 3 and len(missing.stderr.strip().splitlines()) == 1, missing.stderr


def test_a_dead_server_record_is_passed_over(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    run = make_runner(archive)
    run("ingest", "-q", str(CORPUS))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (archive / "server.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": dead.pid}))
    assert "6 hits" in run("search", "early adopter").stderr


def test_a_nightly_ingest_is_seen_without_a_restart(served: tuple[Path, str], tmp_path: Path) -> None:
    archive, url = served
    for _ in range(4):  # every worker process opens its index
        assert _get(f"{url}/api/search?q=zanzibarite")[1]["total"] == 0
    page = tmp_path / "new.txt"
    page.write_text("Zanzibarite council story\n\n" + "A new story about zanzibarite and its council. " * 20)
    make_runner(archive)("ingest", "-q", str(page))
    for _ in range(6):  # every worker process, every thread: each must see it
        assert _get(f"{url}/api/search?q=zanzibarite")[1]["total"] == 1
    make_runner(archive)("reindex")  # a new index generation, the old one removed
    for _ in range(6):
        assert _get(f"{url}/api/search?q=zanzibarite")[1]["total"] == 1


def test_eight_clients_at_once(served: tuple[Path, str]) -> None:
    _, url = served
    queries = ["%22early+adopter%22", "framework", "council%3AKent", "social+-wales", "%22social+workers%22"]
    errors: list[str] = []
    answers: list[int] = []

    def client(n: int) -> None:
        for i in range(15):
            status, body = _get(f"{url}/api/search?q={queries[(n + i) % len(queries)]}")
            answers.append(status)
            if status != 200:
                errors.append(str(body))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_GUARD)
    assert not errors and len(answers) == 120


def test_beyond_loopback_a_token_is_required(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    make_runner(archive)("ingest", "-q", str(LETTER_DUMP))
    refused = _cli(archive, "serve", "--host", "0.0.0.0")
    assert refused.returncode == 2 and "--token" in refused.stderr
    process, url = _start(archive, "--token", "s3cret-token")
    try:
        assert _get(f"{url}/api/search?q=dashboard")[0] == 401
        assert _get(f"{url}/api/search?q=dashboard", {"Authorization": "Bearer wrong"})[0] == 401
        assert _get(f"{url}/api/search?q=dashboard", {"Authorization": "Bearer s3cret-token"})[0] == 200
        assert not (archive / "server.json").exists()  # a token server is not used by the CLI on its own
    finally:
        _stop(process)
