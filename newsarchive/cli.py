"""The command line: parse flags, call ingest/search, format output, exit.

stdout carries data only (hits, records, exports); progress, warnings and the
summary line go to stderr.  Domain errors become one-line messages here and
nowhere else; exit codes are in ``exitcodes.ExitCode``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from . import __version__
from .exitcodes import ExitCode
from .ingest.errors import ArchiveError, NewsArchiveError, NotFound, QueryError
from .ingest.models import Article

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
HIT_COLUMNS = ("rank", "id", "url", "title", "published", "score", "snippet", "commenter")
RECORD_COLUMNS = tuple(f.name for f in fields(Article))  # CSV columns: the record's own keys


class Failure(click.ClickException):
    """A one-line error with its own exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.exit_code = int(code)


def default_archive() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("newsarchive", appauthor=False))


def archive_dir(ctx: click.Context) -> Path:
    return ctx.find_root().obj["archive"]


def errors_to_exit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain exceptions into one-line messages with documented exit codes."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except QueryError as exc:
            raise Failure(str(exc), ExitCode.QUERY_ERROR) from exc
        except NotFound as exc:
            raise Failure(str(exc), ExitCode.NOT_FOUND) from exc
        except ArchiveError as exc:
            raise Failure(str(exc), ExitCode.ARCHIVE_ERROR) from exc
        except NewsArchiveError as exc:
            raise Failure(str(exc), ExitCode.ARCHIVE_ERROR) from exc
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise Failure(f"{exc.filename or 'archive'}: {exc.strerror or exc}", ExitCode.ARCHIVE_ERROR) from exc

    return wrapper


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--json / --nl / --csv, declared once for every command that prints records."""
    fn = click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row.")(fn)
    fn = click.option("--nl", "as_nl", is_flag=True, help="JSON Lines: one object per line.")(fn)
    fn = click.option("--json", "as_json", is_flag=True, help="A JSON array.")(fn)
    return fn


def chosen_format(as_json: bool, as_nl: bool, as_csv: bool) -> str | None:
    if as_json + as_nl + as_csv > 1:
        raise click.UsageError("Use just one of --json, --nl or --csv.")
    return "json" if as_json else "jsonl" if as_nl else "csv" if as_csv else None


def date_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--until", metavar="DATE", help="Published on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).")(fn)
    fn = click.option("--since", metavar="DATE", help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")(fn)
    return fn


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="newsarchive")
@click.option(
    "--archive",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NEWSARCHIVE_HOME",
    help="Archive directory. Default: $NEWSARCHIVE_HOME, else your user data directory.",
)
@click.pass_context
def cli(ctx: click.Context, archive: Path | None) -> None:
    """Ingest news feeds and pages into a clean archive, then search and export it.

    \b
    Example:
        newsarchive ingest corpus/
        newsarchive search "early adopter"
    """
    ctx.obj = {"archive": archive or default_archive()}


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--spam-pattern",
    "spam_patterns",
    multiple=True,
    metavar="REGEX",
    help="Also strip this pattern from titles (repeatable).",
)
@click.option("--timezone", default="Europe/London", show_default=True, help="Time zone for dates that carry none.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.pass_context
@errors_to_exit
def ingest(
    ctx: click.Context,
    sources: tuple[str, ...],
    spam_patterns: tuple[str, ...],
    timezone: str,
    quiet: bool,
    as_json: bool,
) -> None:
    """Ingest feeds, pages and page dumps from files, directories or stdin (-).

    The kind of each input (RSS/Atom XML, a stripped feed dump, an HTML
    page, a page text dump) is detected from its content. Articles already in
    the archive are updated, never duplicated. A source that cannot be read
    is reported on stderr and skipped; the others are still ingested.

    \b
    Example:
        newsarchive ingest corpus/
        newsarchive ingest feed.xml page.html
        curl -s https://example.org/feed/ | newsarchive ingest -
    """
    import re
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .ingest.pipeline import IngestOptions, Ingestor, iter_payloads
    from .output import safe
    from .search.index import sync

    for pattern in spam_patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise click.BadParameter(
                f"{pattern!r} is not a regular expression ({exc})", param_hint="--spam-pattern"
            ) from exc
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise click.BadParameter(f"unknown time zone {timezone!r}", param_hint="--timezone") from exc
    archive = archive_dir(ctx)
    ingestor = Ingestor(archive, IngestOptions(list(spam_patterns), timezone))

    def report(message: str) -> None:
        click.echo(f"newsarchive: skipped {safe(message)}", err=True)

    try:
        with _progress(len(sources), quiet) as step:
            summary = ingestor.ingest(iter_payloads(sources), report=report, progress=step)
        sync(ingestor.store, archive)
    finally:
        ingestor.close()
    failed = sum(summary.failed.values())
    if as_json:
        click.echo(json.dumps(summary.to_dict()))
    if not quiet or failed:
        click.echo(summary.line(), err=True)
    if failed:
        ctx.exit(int(ExitCode.SOURCES_FAILED))


class _progress:
    """A progress display on stderr when it is a terminal; silence otherwise."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.count = 0

    def __enter__(self) -> Callable[[str], None]:
        return self.step

    def step(self, origin: str) -> None:
        self.count += 1
        if self.enabled:
            from .output import safe

            name = safe(os.path.basename(origin.rstrip("/")) or origin)[:50]
            click.echo(f"\r\x1b[K[{self.count}] {name}", err=True, nl=False)

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self.count:
            click.echo("\r\x1b[K", err=True, nl=False)


FACET_NAMES = ("year", "month", "author", "tag", "person", "org", "council")
QUERY_HELP = """
    QUERY quoted on the shell as plain words is a phrase: "early adopter"
    finds "early adopters" and "early-adopter" but not "adopted early". Words
    given unquoted are ANDed. Within one argument: "exact phrase", AND, OR,
    NOT, -word, (groups), prefix*, and the fields title:, standfirst:, body:,
    comments:, author:, tag:, site:, person:, org:, council:, has:poll,
    has:comments, has:image, date:2024, date:2024-01..2024-03, date:30d.
"""


@cli.command(
    help="Search the archive and print the matching articles."
    + QUERY_HELP
    + """
    Dates for --since, --until and date: are YYYY, YYYY-MM, YYYY-MM-DD, or
    relative: 7d, 2w, 3m, 1y. --facet prints counts over all the hits.

    \b
    Example:
        newsarchive search "early adopter"
        newsarchive search 'title:framework -wales' --since 2024 --json
        newsarchive search 'council:"East Sussex" OR person:Trowler' --facet year
        newsarchive search 'has:poll' --sort newest --csv > polls.csv
"""
)
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 10_000), help="Hits per page.")
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many hits first.")
@click.option("--page", type=click.IntRange(1), help="Show page N of --limit hits (instead of --offset).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option(
    "--facet", "facets", multiple=True, type=click.Choice(FACET_NAMES), help="Count all hits by this (repeatable)."
)
@date_options
@output_options
@click.pass_context
@errors_to_exit
def search(
    ctx: click.Context,
    query: tuple[str, ...],
    limit: int,
    offset: int,
    page: int | None,
    sort: str,
    facets: tuple[str, ...],
    since: str | None,
    until: str | None,
    as_json: bool,
    as_nl: bool,
    as_csv: bool,
) -> None:
    from .search.query import SearchOptions, query_from_args
    from .search.query import search as run_search

    fmt = chosen_format(as_json, as_nl, as_csv)
    if facets and fmt in ("jsonl", "csv"):
        raise click.UsageError("--facet goes with the human output or --json, not --nl or --csv.")
    if page is not None:
        offset = (page - 1) * limit
    options = SearchOptions(limit, offset, sort, since, until, facets=facets, suggest=fmt is None)
    result = run_search(archive_dir(ctx), query_from_args(query), options)
    if fmt == "json" and facets:
        payload = {
            "total": result.total,
            "hits": [h.to_dict() for h in result.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in counts] for name, counts in result.facets.items()},
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    if fmt:
        _write_records((h.to_dict() for h in result.hits), fmt, HIT_COLUMNS, sys.stdout)
        return
    from .output import format_facets, format_hit, safe, use_colour

    colour = use_colour(sys.stdout)
    shown = f"{result.hits[0].rank}-{result.hits[-1].rank} of " if result.hits else ""
    click.echo(f"{shown}{result.total} hit{'s' if result.total != 1 else ''} for {safe(result.query)}", err=True)
    if result.suggestion:
        click.echo(f"Did you mean: {safe(result.suggestion)}  ({result.suggestion_total} hits)", err=True)
    for hit in result.hits:
        click.echo(format_hit(hit, colour))
        click.echo("")
    if result.facets:
        click.echo(format_facets(result.facets, colour))


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--by", type=click.Choice(["month", "year"]), default="month", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Periods and counts as JSON.")
@date_options
@click.pass_context
@errors_to_exit
def timeline(
    ctx: click.Context, query: tuple[str, ...], by: str, as_json: bool, since: str | None, until: str | None
) -> None:
    """Hits per month (or year) as a bar chart: when did a topic peak?

    With no QUERY, every article counts. Months without hits show as gaps.

    \b
    Example:
        newsarchive timeline "early adopter"
        newsarchive timeline 'council:"East Sussex"' --by year --json
    """
    from .search.query import query_from_args
    from .search.timeline import timeline as run_timeline

    periods = run_timeline(archive_dir(ctx), query_from_args(query) if query else "", by, since, until)
    if as_json:
        click.echo(json.dumps([{"period": p, "hits": n} for p, n in periods]))
        return
    from .output import format_timeline

    click.echo(format_timeline(periods))


@cli.command()
@click.argument("id_or_url")
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="Articles to show.")
@output_options
@click.pass_context
@errors_to_exit
def similar(ctx: click.Context, id_or_url: str, limit: int, as_json: bool, as_nl: bool, as_csv: bool) -> None:
    """The articles most like one article ("more like this").

    \b
    Example:
        newsarchive similar 4f86fb47
        newsarchive similar 4f86fb47 --json -n 10
    """
    from .search.lookup import resolve
    from .search.similar import similar as run_similar

    archive = archive_dir(ctx)
    fmt = chosen_format(as_json, as_nl, as_csv)
    hits = run_similar(archive, resolve(archive, id_or_url).id, limit)
    if fmt:
        _write_records((h.to_dict() for h in hits), fmt, HIT_COLUMNS, sys.stdout)
        return
    from .output import format_hit, use_colour

    for hit in hits:
        click.echo(format_hit(hit, use_colour(sys.stdout)))
        click.echo("")


def _write_records(records: Iterator[dict[str, Any]], fmt: str, columns: tuple[str, ...], stream: Any) -> None:
    from .search.export import write

    for chunk in write(records, fmt, columns):
        stream.write(chunk)
    stream.flush()


@cli.command()
@click.argument("id_or_url")
@click.option("--json", "as_json", is_flag=True, help="The full record as JSON.")
@click.pass_context
@errors_to_exit
def show(ctx: click.Context, id_or_url: str, as_json: bool) -> None:
    """Show one article in full, by its id (or a unique prefix of it) or its URL.

    \b
    Example:
        newsarchive show 3f2a9c1e
        newsarchive show https://www.communitycare.co.uk/2023/09/21/employers-chosen-to-design-and-test-social-work-early-career-framework/
        newsarchive show 4f86fb47 --json
    """
    from .search.lookup import resolve

    article = resolve(archive_dir(ctx), id_or_url)
    if as_json:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        return
    from .output import format_article, use_colour

    click.echo(format_article(article, use_colour(sys.stdout)))


@cli.command()
@click.argument("query", nargs=-1)
@click.option("-f", "--format", "fmt", type=click.Choice(["json", "jsonl", "csv"]), default="json", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Write to this file instead of stdout.",
)
@date_options
@click.pass_context
@errors_to_exit
def export(
    ctx: click.Context, query: tuple[str, ...], fmt: str, output: str, since: str | None, until: str | None
) -> None:
    """Export full records, all of them or those matching QUERY.

    Records stream out one at a time, so an export of any size runs in
    constant memory. CSV cells holding lists or objects are JSON-encoded.

    \b
    Example:
        newsarchive export > archive.json
        newsarchive export "early adopter" --format csv -o adopters.csv
        newsarchive export --since 2024 --format jsonl | jq .title
    """
    from .search.lookup import iter_matching
    from .search.query import query_from_args

    text = query_from_args(query) if query else None
    records = (a.to_dict() for a in iter_matching(archive_dir(ctx), text, since, until))
    if output == "-":
        _write_records(records, fmt, RECORD_COLUMNS, sys.stdout)
        return
    target = Path(output)
    partial = target.with_name(f".{target.name}.partial")
    with partial.open("w", encoding="utf-8", newline="") as stream:
        _write_records(records, fmt, RECORD_COLUMNS, stream)
    partial.replace(target)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="As a JSON object.")
@click.pass_context
@errors_to_exit
def stats(ctx: click.Context, as_json: bool) -> None:
    """Say where the archive is and what it holds.

    \b
    Example:
        newsarchive stats
        NEWSARCHIVE_HOME=/srv/news newsarchive stats --json
    """
    from .ingest.store import ArchiveStore

    archive = archive_dir(ctx)
    info: dict[str, Any] = {"archive": str(archive), "exists": (archive / "archive.db").exists()}
    if info["exists"]:
        store = ArchiveStore(archive, readonly=True)
        try:
            info.update(store.stats())
        finally:
            store.close()
        info["index_bytes"] = sum(p.stat().st_size for p in (archive / "index").glob("*") if p.is_file())
    if as_json:
        click.echo(json.dumps(info))
        return
    for key, value in info.items():
        click.echo(f"{key + ':':<12} {value}")


@cli.command()
@click.pass_context
@errors_to_exit
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from the archive's records.

    \b
    Example:
        newsarchive reindex
    """
    from .ingest.store import ArchiveStore
    from .search.index import rebuild

    archive = archive_dir(ctx)
    if not (archive / "archive.db").exists():
        raise ArchiveError(f"no archive at {archive}: run 'newsarchive ingest' first")
    store = ArchiveStore(archive)
    try:
        written = rebuild(store, archive)
    finally:
        store.close()
    click.echo(f"indexed {written} articles", err=True)


def main() -> None:
    """Console entry point: a reader that closes the pipe early (| head) is not an error."""
    try:
        cli(prog_name="newsarchive")
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(int(ExitCode.OK))
