"""The commands that write the archive: ingest, feeds, reindex.

Each takes the archive lock first, so two runs never write at once: the
second exits at once with exit code 6, or waits with ``--wait``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from types import TracebackType
from typing import Any

import click

from .archive import FEED_COLUMNS, Archive
from .cli_common import archive_dir, errors_to_exit, open_archive, output_options, write_json, write_records
from .errors import ArchiveError, FeedListError
from .exitcodes import ExitCode


def _check_patterns(patterns: tuple[str, ...]) -> None:
    from .archive import pattern_problem

    for pattern in patterns:
        if problem := pattern_problem(pattern):
            raise click.BadParameter(problem, param_hint="--spam-pattern")


def _check_timezone(timezone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise click.BadParameter(f"unknown time zone {timezone!r}", param_hint="--timezone") from exc


class Progress:
    """A progress bar on stderr when it is a terminal (tqdm: N of M, rate, time left,
    the source being read); nothing at all under cron or when stderr is not a terminal.
    Lines said meanwhile (a skipped source) are printed above the bar, not into it."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar: Any = None

    def __enter__(self) -> Progress:
        return self

    def plan(self, total: int) -> None:
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=" sources", file=sys.stderr, dynamic_ncols=True, leave=False)

    def step(self, origin: str) -> None:
        if self.bar is not None:
            from .output import safe_line

            self.bar.set_postfix_str(safe_line(os.path.basename(origin.rstrip("/")) or origin)[:40], refresh=False)
            if self.bar.n < (self.bar.total or 0):
                self.bar.update(1)

    def say(self, line: str) -> None:
        """A line on stderr, above the bar while there is one."""
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            click.echo(line, err=True)

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--feeds",
    "use_feeds",
    is_flag=True,
    help="Fetch every enabled feed of the feed list (the default when no SOURCES are given).",
)
@click.option("--backfill", metavar="URL", help="Walk a WordPress feed's older pages (?paged=2, 3, ...).")
@click.option(
    "--max-pages",
    default=50,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="With --backfill: stop after this many pages.",
)
@click.option(
    "--spam-pattern",
    "spam_patterns",
    multiple=True,
    metavar="REGEX",
    help="Also strip this pattern from titles (repeatable).",
)
@click.option("--timezone", default="Europe/London", show_default=True, help="Time zone for dates that carry none.")
@click.option(
    "--timeout", default=30.0, show_default=True, type=click.FloatRange(1, 600), help="HTTP read timeout in seconds."
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Processes parsing files side by side [default: one per core, at most 4; 1: parse in this one].",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="In directories, only files whose name or path matches (repeatable), e.g. '*.html'.",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="In directories, leave out matching files (repeatable).")
@click.option("--force", is_flag=True, help="Fetch feeds even while they are backed off after failures.")
@click.option("--wait", is_flag=True, help="If another ingest is running, wait for it instead of exiting.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@output_options("table", "json", to_file=False)
@click.pass_context
@errors_to_exit
def ingest(
    ctx: click.Context,
    sources: tuple[str, ...],
    use_feeds: bool,
    backfill: str | None,
    max_pages: int,
    spam_patterns: tuple[str, ...],
    timezone: str,
    timeout: float,
    jobs: int | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    force: bool,
    wait: bool,
    quiet: bool,
    fmt: str,
) -> None:
    """Ingest files, directories, stdin (-), feed URLs, or the feed list.

    The kind of each input (RSS/Atom XML, a WordPress export, a stripped
    feed dump, an HTML page, a page text dump) is detected from its content.
    Articles already in the archive are updated, never duplicated. A source
    that fails is reported on stderr and skipped; the others are still
    ingested, and the exit code is 1. With no SOURCES, every enabled feed of
    the feed list is fetched (see 'newsarchive feeds').

    \b
    Example:
        newsarchive ingest corpus/
        newsarchive ingest https://www.communitycare.co.uk/feed/ page.html
        newsarchive ingest -q                       # the feed list, for cron
        newsarchive ingest --jobs 1 old-pages/      # one core, on a busy machine
        newsarchive ingest dumps/ --include '*.html' --exclude 'drafts/*'
        newsarchive ingest --backfill https://www.communitycare.co.uk/tag/early-career-framework/feed/
        curl -s https://example.org/feed/ | newsarchive ingest -
    """
    from .output import safe_line

    _check_patterns(spam_patterns)
    _check_timezone(timezone)
    feed_list = use_feeds or not (sources or backfill)
    if not (sources or backfill) and not Archive(archive_dir(ctx)).feeds():
        raise click.UsageError(
            "Nothing to ingest: name files, directories or URLs, or add feeds with 'newsarchive feeds add URL'."
        )

    archive = open_archive(ctx, write=True, wait=wait)
    with Progress(quiet) as progress:

        def report(message: str) -> None:
            progress.say(f"newsarchive: skipped {safe_line(message)}")

        def notice(message: str) -> None:  # worth knowing, not a failure: silent under -q, as cron wants
            if not quiet:
                progress.say(f"newsarchive: {safe_line(message)}")

        summary = archive.ingest(
            sources,
            feed_list=feed_list,
            backfill=backfill,
            max_pages=max_pages,
            spam_patterns=spam_patterns,
            timezone=timezone,
            timeout=timeout,
            jobs=jobs,
            force=force,
            include=include,
            exclude=exclude,
            report=report,
            notice=notice,
            progress=progress.step,
            planned=progress.plan if progress.enabled else None,
        )
    failed = sum(summary.failed.values())
    if not quiet:
        for line in summary.warning_lines:
            click.echo(f"newsarchive: warning: {safe_line(line)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(summary.to_dict()))
    if not quiet or failed:
        click.echo(summary.line(), err=True)
    if failed:
        ctx.exit(int(ExitCode.SOURCES_FAILED))


@click.group()
def feeds() -> None:
    """Manage the feed list that a plain 'newsarchive ingest' fetches.

    The list lives in feeds.toml in the archive directory; edit it by hand
    or with these commands.

    \b
    Example:
        newsarchive feeds add https://www.communitycare.co.uk/feed/ --name "Community Care"
        newsarchive feeds list
        newsarchive feeds remove "Community Care"
    """


@feeds.command("add")
@click.argument("url")
@click.option("--name", help="A short name for the feed (default: its URL).")
@click.option(
    "--spam-pattern",
    "spam_patterns",
    multiple=True,
    metavar="REGEX",
    help="Strip this pattern from this feed's titles (repeatable).",
)
@click.option("--disabled", is_flag=True, help="Add it switched off.")
@click.option("--no-check", is_flag=True, help="Add it without fetching it once to check that it is a feed.")
@click.pass_context
@errors_to_exit
def feeds_add(
    ctx: click.Context, url: str, name: str | None, spam_patterns: tuple[str, ...], disabled: bool, no_check: bool
) -> None:
    """Add a feed to the list, after fetching it once to check that it is one.

    A URL that answers 404, or serves a web page instead of a feed, is
    refused (exit code 2), so that the mistake shows now rather than as a
    failure every night; --no-check adds it as it is (a feed whose server
    is down today, say).

    \b
    Example:
        newsarchive feeds add https://www.socialworkengland.org.uk/feed/ --name "Social Work England"
        newsarchive feeds add https://intranet.example/news.xml --no-check
    """
    from .errors import SourceError
    from .output import safe_line

    if not re.match(r"^https?://\S+$", url, re.I):
        raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URL")
    _check_patterns(spam_patterns)
    archive = open_archive(ctx)
    if any(url == f.url for f in archive.feeds()):
        raise FeedListError(f"{url} is already in the feed list")
    try:
        items = archive.add_feed(url, name, spam_patterns, enabled=not disabled, check=not no_check)
    except SourceError as exc:
        message = f"{safe_line(exc)}; not added (--no-check adds it anyway)"
        raise click.BadParameter(message, param_hint="URL") from exc
    if items is not None:
        click.echo(f"checked: a feed of {items} item{'s' if items != 1 else ''}", err=True)
    click.echo(f"added {safe_line(name or url)}", err=True)


@feeds.command("remove")
@click.argument("name_or_url")
@click.pass_context
@errors_to_exit
def feeds_remove(ctx: click.Context, name_or_url: str) -> None:
    """Remove a feed from the list (its articles stay in the archive).

    \b
    Example:
        newsarchive feeds remove "Community Care"
    """
    from .output import safe_line

    removed = open_archive(ctx).remove_feed(name_or_url)
    click.echo(f"removed {safe_line(removed.name)}", err=True)


@feeds.command("enable")
@click.argument("name_or_url")
@click.option("--off", is_flag=True, help="Disable it instead.")
@click.pass_context
@errors_to_exit
def feeds_enable(ctx: click.Context, name_or_url: str, off: bool) -> None:
    """Switch a feed on (or, with --off, off) without removing it.

    \b
    Example:
        newsarchive feeds enable "Community Care" --off
    """
    open_archive(ctx).enable_feed(name_or_url, enabled=not off)


@feeds.command("list")
@output_options(to_file=False)
@click.pass_context
@errors_to_exit
def feeds_list(ctx: click.Context, fmt: str) -> None:
    """List the feeds with their last success, last error and failures in a row.

    --format json (alias --json) is an array of feeds with their state;
    jsonl and csv give the same feeds one per line or row.

    \b
    Example:
        newsarchive feeds list
        newsarchive feeds list --json | jq '.[] | select(.failures > 0)'
    """
    from .output import safe_line as safe

    rows = open_archive(ctx).feed_status()
    if fmt == "json":
        write_json(rows, sys.stdout)
        return
    if fmt != "table":
        write_records(iter(rows), fmt, FEED_COLUMNS, sys.stdout)
        return
    for row in rows:
        status = "on " if row["enabled"] else "off"
        line = f"{status}  {safe(row['name'])}  {safe(row['url'])}"
        line += f"\n     last success: {row.get('last_success') or 'never'}"
        if row.get("failures"):
            line += f"; {row['failures']} failures in a row, next try after {row.get('next_try')}"
            line += f"\n     last error: {safe(row.get('last_error'))}"
        click.echo(line)
    if not rows:
        click.echo(
            f"no feeds yet: add one with 'newsarchive feeds add URL' ({archive_dir(ctx) / 'feeds.toml'})", err=True
        )


@click.command()
@click.option("--from-snapshots", is_flag=True, help="Rebuild the records too, from the raw snapshots alone.")
@click.option("--wait", is_flag=True, help="If an ingest is running, wait for it.")
@click.pass_context
@errors_to_exit
def reindex(ctx: click.Context, from_snapshots: bool, wait: bool) -> None:
    """Rebuild the search index from the records (or everything from the snapshots).

    --from-snapshots parses every raw payload the archive kept, in the order
    they came, into fresh records: run it after upgrading newsarchive to get
    what the new parsers make of the old inputs.

    \b
    Example:
        newsarchive reindex
        newsarchive reindex --from-snapshots
    """
    archive = Archive.open(archive_dir(ctx))
    if not archive.exists:
        raise ArchiveError(f"no archive at {archive.path}: run 'newsarchive ingest' first")
    rebuilt, written = open_archive(ctx, write=True, wait=wait).reindex(from_snapshots)
    if rebuilt is not None:
        click.echo(f"rebuilt {rebuilt} articles from snapshots", err=True)
    click.echo(f"indexed {written} articles", err=True)
