"""The command line: help, show, export round trips, stats, exit codes, terminal safety."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click
import pytest
from conftest import LETTER_DUMP, PAY_SCALES_URL, Runner

from newsarchive.cli import cli

CONTEXT = click.Context(cli)
COMMANDS = cli.list_commands(CONTEXT)  # the writing commands load when asked for: ask for all
SUBCOMMANDS = sorted(
    (name, sub) for name in COMMANDS for sub in getattr(cli.get_command(CONTEXT, name), "commands", {})
)


def test_every_command_is_listed() -> None:
    assert COMMANDS == [
        "export",
        "feeds",
        "ingest",
        "reindex",
        "search",
        "serve",
        "show",
        "similar",
        "stats",
        "timeline",
    ]
    assert len(SUBCOMMANDS) >= 4  # feeds add, list, remove, ...


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_an_example(run: Runner, command: str | None) -> None:
    result = run(*([command] if command else []), "--help")
    assert "Example:" in result.stdout
    assert "newsarchive " in result.stdout.split("Example:")[1]


@pytest.mark.parametrize(("group", "command"), SUBCOMMANDS)
def test_subcommand_help_has_an_example(run: Runner, group: str, command: str) -> None:
    result = run(group, command, "--help")
    assert "Example:" in result.stdout and f"newsarchive {group} {command}" in result.stdout


def test_version(run: Runner) -> None:
    assert run("--version").stdout.startswith("newsarchive, version ")


def test_show_by_id_prefix_and_url(corpus_run: Runner) -> None:
    by_url = json.loads(corpus_run("show", PAY_SCALES_URL, "--json").stdout)
    assert by_url["url"] == PAY_SCALES_URL
    variant = PAY_SCALES_URL.replace("https://www.", "http://").rstrip("/") + "#comments"
    assert json.loads(corpus_run("show", variant, "--json").stdout) == by_url
    assert json.loads(corpus_run("show", by_url["id"], "--json").stdout) == by_url
    assert json.loads(corpus_run("show", by_url["id"][:8], "--json").stdout) == by_url


def test_show_human(corpus_run: Runner) -> None:
    out = corpus_run("show", PAY_SCALES_URL).stdout
    assert out.startswith("DfE backs early career framework but rejects national pay scales")
    assert "Poll: The proposed five-year early career framework" in out
    assert "  - Make little difference to current levels of support and stress: 49% (73 votes)" in out
    assert "Comments (10 captured, 10 reported)" in out
    assert "      J — 2023-02-15T23:07:00+00:00" in out  # a reply two levels down


def test_show_unknown(corpus_run: Runner) -> None:
    result = corpus_run("show", "zzzzzzzz", expect=3)
    assert result.stderr == "Error: no article with id 'zzzzzzzz' (ids are shown by 'search --json')\n"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_export_round_trips_to_show(corpus_run: Runner, fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{fmt}"
    corpus_run("export", "early adopter", "--format", fmt, "-o", str(target))
    text = target.read_text(encoding="utf-8")
    if fmt == "json":
        exported = json.loads(text)
    elif fmt == "jsonl":
        exported = [json.loads(line) for line in text.splitlines()]
    else:
        exported = []
        for row in csv.DictReader(io.StringIO(text)):
            record = json.loads(corpus_run("show", row["id"], "--json").stdout)
            rebuilt = {k: _from_cell(row[k], record[k]) for k in record}
            exported.append(rebuilt)
    assert len(exported) == 6
    for record in exported:
        assert record == json.loads(corpus_run("show", record["id"], "--json").stdout)


def _from_cell(cell: str, original: object) -> object:
    """Read a CSV cell back the way the README says it was written."""
    if isinstance(original, list | dict):
        return json.loads(cell)
    if original is None:
        assert cell == ""
        return None
    convert: Any = type(original)
    return convert(cell)


def test_export_all_newest_first(corpus_run: Runner) -> None:
    records = json.loads(corpus_run("export").stdout)
    assert len(records) == 11
    dates = [r["published"] for r in records]
    assert dates == sorted(dates, reverse=True)


def test_stats(corpus_run: Runner, corpus_archive: Path) -> None:
    info = json.loads(corpus_run("stats", "--json").stdout)
    assert info["archive"] == str(corpus_archive)
    assert info["articles"] == 11 and info["parts"] == 14 and info["unindexed"] == 0
    human = corpus_run("stats").stdout
    assert f"archive:     {corpus_archive}" in human


def test_stats_on_a_new_archive(run: Runner, archive: Path) -> None:
    info = json.loads(run("stats", "--json").stdout)
    assert info == {"archive": str(archive), "exists": False}


def test_archive_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path / "env-archive"))
    result = CliRunner().invoke(cli, ["ingest", str(LETTER_DUMP)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env-archive" / "archive.db").exists()


def test_reindex_gives_the_same_search(corpus_run: Runner, run: Runner, tmp_path: Path) -> None:
    run("ingest", str(LETTER_DUMP))
    before = json.loads(run("search", "dashboard", "--json").stdout)["hits"]
    assert run("reindex").stderr == "indexed 1 articles\n"
    assert json.loads(run("search", "dashboard", "--json").stdout)["hits"] == before


def test_ingest_json_summary(run: Runner) -> None:
    summary = json.loads(run("ingest", str(LETTER_DUMP), "--json").stdout)
    assert summary == {
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "not-modified": 0,
        "deferred": 0,
        "failed": 0,
        "failed_by_reason": {},
        "warnings": 0,
        "warnings_by_reason": {},
        "sources": 1,
    }


def test_quiet_ingest_is_silent(run: Runner) -> None:
    result = run("ingest", "-q", str(LETTER_DUMP))
    assert result.output == ""


def test_bad_spam_pattern_is_a_usage_error(run: Runner) -> None:
    result = run("ingest", "--spam-pattern", "(", str(LETTER_DUMP), expect=2)
    assert "is not a regular expression" in result.stderr


def test_terminal_escapes_from_sources_never_reach_the_terminal(run: Runner, tmp_path: Path) -> None:
    evil = tmp_path / "evil.txt"
    body = LETTER_DUMP.read_text(encoding="utf-8").split("Back to top")[0].split("11 May 2023")[1]
    title = "Evil \x1b]0;owned\x07title \x1b[31mred\x1b[0m here"
    evil.write_text(title + "\n\n" + body.replace("Dear Sir", "Dear \x1b[2J\x1b[HSir"), encoding="utf-8")
    run("ingest", str(evil))
    for args in (("search", "dashboard"), ("show", json.loads(run("export").stdout)[0]["id"])):
        out = run(*args).output
        assert "\x1b" not in out and "\x07" not in out
    record = json.loads(run("export").stdout)[0]
    assert record["title"] == "Evil title red here"


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from newsarchive.output import format_hit, use_colour
    from newsarchive.search.query import MARK_END, MARK_START, Hit

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(Terminal()) and not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Terminal())
    hit = Hit(1, "x", "https://a.example/", "Title \x1b[31mred", "2024-01-01", 1.0, f"a {MARK_START}word{MARK_END} b")
    coloured = format_hit(hit, colour=True)
    assert "\x1b[1m\x1b[33mword\x1b[0m" in coloured and "\x1b[31m" not in coloured
    assert "**word**" in format_hit(hit, colour=False)


def test_csv_is_spreadsheet_safe_unless_raw(run: Runner, tmp_path: Path) -> None:
    import csv
    import io

    body = "A council story about formulas. " * 1500  # 48,000 characters: over Excel's cell limit
    feed = tmp_path / "formula.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><link>https://f.example/</link>'
        '<item><title>=HYPERLINK("http://evil.example/","Click")</title><link>https://f.example/a/</link>'
        f"<description>{body}</description></item></channel></rss>"
    )
    run("ingest", str(feed))
    safe = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert safe[0]["title"] == '\'=HYPERLINK("http://evil.example/","Click")'
    assert len(safe[0]["body"]) <= 32_767 and "the JSON export holds it whole" in safe[0]["body"]
    csv.field_size_limit(1 << 24)
    raw = list(csv.DictReader(io.StringIO(run("export", "--format", "csv", "--raw-csv").stdout)))
    assert raw[0]["title"].startswith("=HYPERLINK") and len(raw[0]["body"]) > 40_000
    picked = run("export", "--format", "csv", "--columns", "id,title,url").stdout.splitlines()
    assert picked[0] == "id,title,url" and len(picked) == 2
    assert "no field 'nope'" in run("export", "--format", "csv", "--columns", "id,nope", expect=2).stderr
