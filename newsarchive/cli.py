"""The command line: parse flags, call ingest/search, format output, exit.

stdout carries data only (hits, records, exports); progress, warnings and the
summary line go to stderr.  Domain errors become one-line messages here and
nowhere else; exit codes are in ``exitcodes.ExitCode``.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .archive import Archive, record_columns
from .cli_common import (
    CONTEXT_SETTINGS,
    HIT_COLUMNS,
    Failure,
    archive_dir,
    date_options,
    default_archive,
    deliver,
    errors_to_exit,
    open_archive,
    output_options,
    query_text,
    recall_rank,
    remember_hits,
    warn_if_index_behind,
    write_data,
    write_json,
    write_records,
)
from .exitcodes import ExitCode


class Commands(click.Group):
    """The command group.  The commands that write (ingest, feeds, reindex)
    are imported only when one of them runs or help lists them: a search
    should not pay for their modules."""

    WRITERS = ("ingest", "feeds", "reindex")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.WRITERS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.WRITERS and name not in self.commands:
            from . import cli_ingest

            for writer in self.WRITERS:
                self.add_command(getattr(cli_ingest, writer))
        return super().get_command(ctx, name)


@click.group(cls=Commands, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="newsarchive")
@click.option(
    "--archive",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NEWSARCHIVE_HOME",
    help="Archive directory. Default: $NEWSARCHIVE_HOME, else your user data directory.",
)
@click.option(
    "--no-pager",
    is_flag=True,
    envvar="NEWSARCHIVE_NO_PAGER",
    help="Never page long output (it is paged only on a terminal, with $NEWSARCHIVE_PAGER or $PAGER).",
)
@click.option(
    "--no-server",
    is_flag=True,
    envvar="NEWSARCHIVE_NO_SERVER",
    help="Search the archive directly even when 'newsarchive serve' is running for it.",
)
@click.pass_context
def cli(ctx: click.Context, archive: Path | None, no_pager: bool, no_server: bool) -> None:
    """Ingest news feeds and pages into a clean archive, then search and export it.

    \b
    Example:
        newsarchive ingest corpus/
        newsarchive search "early adopter"
    """
    ctx.obj = {"archive": archive or default_archive(), "no_server": no_server, "no_pager": no_pager}


FACET_NAMES = ("year", "month", "author", "tag", "person", "org", "council")
QUERY_HELP = """
    QUERY quoted on the shell as plain words is a phrase: "early adopter"
    finds "early adopters" and "early-adopter" but not "adopted early". Words
    given unquoted are ANDed. Within one argument: "exact phrase", AND, OR,
    NOT, -word, (groups), prefix*, and the fields title:, standfirst:, body:,
    comments:, author:, tag:, site:, person:, org:, council:, has:poll,
    has:comments, has:image, date:2024, date:2024-01..2024-03, date:30d.
"""


OUTPUT_HELP = """
    Output: a table for people (paged on a terminal; --no-pager prints
    it), or --format json (alias --json), jsonl (--nl) or csv (--csv) for
    programs; -o FILE writes it to FILE instead of stdout.
"""


@cli.command(
    help="Search the archive and print the matching articles."
    + QUERY_HELP
    + """
    Dates for --since, --until and date: are YYYY, YYYY-MM, YYYY-MM-DD,
    relative (7d, 2w, 3m, 1y), or as people write them ("yesterday",
    "last week", "3 March"). --facet prints counts over all the hits.
"""
    + OUTPUT_HELP
    + """
    --format json is one object: query, total, offset, limit, hits (rank,
    id, url, title, published, score, snippet, commenter), facets,
    suggestion, suggestion_total.  jsonl and csv are the hits alone, one
    per line or row.

    \b
    Example:
        newsarchive search "early adopter"
        newsarchive search 'title:framework -wales' --since 2024 --format json
        newsarchive search 'council:"East Sussex" OR person:Trowler' --facet year
        newsarchive search 'has:poll' --sort newest --csv -o polls.csv
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
@output_options()
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
    fmt: str,
    output: str,
) -> None:
    from .archive import SearchOptions

    if facets and fmt in ("jsonl", "csv"):
        raise click.UsageError("--facet goes with the table or --format json, not jsonl or csv.")
    if page is not None:
        offset = (page - 1) * limit
    options = SearchOptions(limit, offset, sort, since, until, facets=facets, suggest=fmt == "table")
    result, lag = _search(ctx, query_text(query), options)
    warn_if_index_behind(lag)
    if write_data(ctx, fmt, output, result.to_dict(), (h.to_dict() for h in result.hits), HIT_COLUMNS):
        return
    from .output import format_facets, format_hit, safe, terminal_width

    colour = _colour(output)
    shown = f"{result.hits[0].rank}-{result.hits[-1].rank} of " if result.hits else ""
    click.echo(f"{shown}{result.total} hit{'s' if result.total != 1 else ''} for {safe(result.query)}", err=True)
    if not result.hits and result.total:
        click.echo(f"(no hits on this page: there are {result.total}; try a lower --page or --offset)", err=True)
    if result.suggestion:
        click.echo(f"Did you mean: {safe(result.suggestion)}  ({result.suggestion_total} hits)", err=True)
    remember_hits(ctx, result.query, result.hits)
    width = terminal_width()
    shown_hits = [format_hit(hit, colour, width) + "\n" for hit in result.hits]
    if result.facets:
        shown_hits.append(format_facets(result.facets, colour))
    show_text(ctx, output, "\n".join(shown_hits))


@cli.command(
    help="""Hits per month (or year) as a bar chart: when did a topic peak?

    With no QUERY, every article counts. Months without hits show as gaps.
"""
    + OUTPUT_HELP
    + """
    --format json is one object: by, periods ([{period, hits}]); jsonl and
    csv are the periods alone.

    \b
    Example:
        newsarchive timeline "early adopter"
        newsarchive timeline 'council:"East Sussex"' --by year --format csv -o by-year.csv
"""
)
@click.argument("query", nargs=-1)
@click.option("--by", type=click.Choice(["month", "year"]), default="month", show_default=True)
@date_options
@output_options()
@click.pass_context
@errors_to_exit
def timeline(
    ctx: click.Context,
    query: tuple[str, ...],
    by: str,
    since: str | None,
    until: str | None,
    fmt: str,
    output: str,
) -> None:
    archive = open_archive(ctx)
    periods = archive.timeline(query_text(query) if query else "", by, since, until)
    warn_if_index_behind(archive.index_lag())
    rows = [{"period": p, "hits": n} for p, n in periods]
    if not write_data(ctx, fmt, output, {"by": by, "periods": rows}, rows, ("period", "hits")):
        from .output import format_timeline

        show_text(ctx, output, format_timeline(periods))


@cli.command(
    help="""The articles most like one article ("more like this").
"""
    + OUTPUT_HELP
    + """
    --format json is one object: of (the article's id), hits (as search's);
    jsonl and csv are the hits alone.

    \b
    Example:
        newsarchive similar 4f86fb47
        newsarchive similar 4f86fb47 --json -n 10
"""
)
@click.argument("id_or_url")
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="Articles to show.")
@output_options()
@click.pass_context
@errors_to_exit
def similar(ctx: click.Context, id_or_url: str, limit: int, fmt: str, output: str) -> None:
    archive = open_archive(ctx)
    of = archive.resolve(recall_rank(ctx, id_or_url)).id
    hits = archive.similar(of, limit)
    rows = [h.to_dict() for h in hits]
    if write_data(ctx, fmt, output, {"of": of, "hits": rows}, rows, HIT_COLUMNS):
        return
    from .output import format_hit, terminal_width

    show_text(ctx, output, "\n".join(format_hit(hit, _colour(output), terminal_width()) + "\n" for hit in hits))


@cli.command()
@click.argument("id_or_url")
@output_options("table", "json")
@click.pass_context
@errors_to_exit
def show(ctx: click.Context, id_or_url: str, fmt: str, output: str) -> None:
    """Show one article in full, by its id (or a unique prefix of it), its URL,
    or its rank in the last search in this terminal ('show 3': the third hit).

    --format json (alias --json) gives the full record, every field, as
    'export' writes it; -o FILE writes to FILE.

    \b
    Example:
        newsarchive show 3f2a9c1e
        newsarchive search "early adopter" && newsarchive show 2
        newsarchive show https://www.communitycare.co.uk/2023/09/21/employers-chosen-to-design-and-test-social-work-early-career-framework/
        newsarchive show 4f86fb47 --json
    """
    article = _article(ctx, recall_rank(ctx, id_or_url))
    if write_data(ctx, fmt, output, article.to_dict(), (), ()):
        return
    from .output import format_article, terminal_width

    show_text(ctx, output, format_article(article, _colour(output), terminal_width()))


@cli.command()
@click.argument("query", nargs=-1)
@output_options("json", "jsonl", "csv", default="json")
@click.option(
    "--columns",
    metavar="NAMES",
    help="CSV: these record fields only, comma-separated (e.g. id,published,title,url).",
)
@click.option("--raw-csv", is_flag=True, help="CSV: the values as they are, for programs (not spreadsheet-safe).")
@date_options
@click.pass_context
@errors_to_exit
def export(
    ctx: click.Context,
    query: tuple[str, ...],
    fmt: str,
    output: str,
    columns: str | None,
    raw_csv: bool,
    since: str | None,
    until: str | None,
) -> None:
    """Export full records, all of them or those matching QUERY.

    --format json (the default) is one array of records; jsonl is one
    record per line, csv one per row (cells holding lists or objects are
    JSON-encoded).  Records stream out one at a time, so an export of any
    size runs in constant memory; -o FILE replaces FILE only when the export
    is complete.  CSV opens safely in a spreadsheet: a cell starting with =,
    +, -, @ gets a ' in front, and one over 32,767 characters is cut, saying
    so (--raw-csv writes values as they are, for programs).

    \b
    Example:
        newsarchive export > archive.json
        newsarchive export "early adopter" --csv -o adopters.csv
        newsarchive export --since 2024 --format jsonl | jq .title
        newsarchive export has:poll --csv --columns id,published,title,url -o polls.csv
    """
    archive = open_archive(ctx)
    text = query_text(query) if query else None
    if text or since or until:  # answered by the index
        warn_if_index_behind(archive.index_lag())
    chosen = record_columns()
    if columns:
        chosen = tuple(c.strip() for c in columns.split(",") if c.strip())
        unknown = [c for c in chosen if c not in record_columns()]
        if unknown:
            raise click.BadParameter(
                f"no field {unknown[0]!r} (fields: {', '.join(record_columns())})", param_hint="--columns"
            )
    records = archive.export(text, since, until)  # opens the archive: an error comes before any output
    deliver(ctx, output, lambda stream: write_records(records, fmt, chosen, stream, raw_csv))


@cli.command()
@output_options("table", "json", to_file=False)
@click.pass_context
@errors_to_exit
def stats(ctx: click.Context, fmt: str) -> None:
    """Say where the archive is and what it holds (--json: as one object).

    \b
    Example:
        newsarchive stats
        NEWSARCHIVE_HOME=/srv/news newsarchive stats --json
    """
    info = open_archive(ctx).stats()
    if fmt == "json":
        write_json(info, sys.stdout)
        return
    for key, value in info.items():
        click.echo(f"{key + ':':<12} {value}")


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived.  Not a ``KeyboardInterrupt``: click would turn
    that into "Aborted!" and exit 1, the code for "some sources failed"."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def _colour(output: str) -> bool:
    """Colours for the table: only on a terminal, never into a file."""
    from .output import use_colour

    return output == "-" and use_colour(sys.stdout)


def show_text(ctx: click.Context, output: str, text: str) -> None:
    """Human output to FILE (plain, whole or not at all), else to the terminal through ``show_paged``."""
    if output == "-":
        show_paged(ctx, text)
        return
    deliver(ctx, output, lambda stream: stream.write(text + "\n"))


def show_paged(ctx: click.Context, text: str) -> None:
    """Human output: through a pager when stdout is a terminal, as git does it, else printed.

    The pager is $NEWSARCHIVE_PAGER, else $PAGER, else less; less is given
    LESS=FRX unless set (one screen is printed, not paged; colours pass),
    and --no-pager prints straight out.
    """
    if ctx.find_root().obj.get("no_pager") or not sys.stdout.isatty():
        click.echo(text)
        return
    pager = os.environ.get("NEWSARCHIVE_PAGER") or os.environ.get("PAGER")
    saved = {name: os.environ.get(name) for name in ("PAGER", "LESS")}
    try:
        if pager is not None:
            os.environ["PAGER"] = pager
        os.environ.setdefault("LESS", "FRX")
        click.echo_via_pager(text + "\n")
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _from_server(ctx: click.Context, path: str, **params: Any) -> Any:
    """A running server's answer (warm: the index and the database already open), or None
    when there is none to ask (or --no-server); its errors keep their exit codes."""
    if ctx.find_root().obj.get("no_server"):
        return None
    from .client import ServerClient, ServerError, Unavailable

    try:
        return ServerClient.find(archive_dir(ctx)).get(path, **params)
    except Unavailable:
        return None  # no server, or not answering: the direct path
    except ServerError as exc:
        raise Failure(str(exc), ExitCode(exc.code)) from exc


def _search(ctx: click.Context, text: str, options: Any) -> tuple[Any, int]:
    """The search and the index's lag: from a running server when there is one (warm), else directly."""
    payload = _from_server(
        ctx,
        "/api/search",
        q=text,
        limit=options.limit,
        offset=options.offset,
        sort=options.sort,
        since=options.since,
        until=options.until,
        facet=list(options.facets),
    )
    if payload is not None:
        return _result_from(payload), int(payload.get("index_lag", 0))
    archive = open_archive(ctx)
    return archive.search(text, options), archive.index_lag()


def _article(ctx: click.Context, ref: str) -> Any:
    """One article by id, prefix or URL: from a running server when there is one, else directly."""
    from urllib.parse import quote

    payload = _from_server(ctx, f"/api/articles/{quote(ref, safe='')}")
    if payload is not None:
        from .archive import Article

        return Article.from_dict(payload)
    return open_archive(ctx).resolve(ref)


def _result_from(payload: dict[str, Any]) -> Any:
    """A server's search answer as the ``SearchResult`` the direct path gives."""
    from .archive import Hit, SearchResult

    hits = [
        Hit(h["rank"], h["id"], h["url"], h["title"], h["published"], h["score"], h["marked"], h["commenter"])
        for h in payload["hits"]
    ]
    facets = {name: [(f["value"], f["count"]) for f in counts] for name, counts in payload["facets"].items()}
    return SearchResult(
        payload["query"],
        payload["total"],
        hits,
        facets,
        payload["suggestion"],
        payload["suggestion_total"],
        payload.get("offset", 0),
        payload.get("limit", len(hits)),
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes answering side by side [default: one per core, at most 4].",
)
@click.option(
    "--token",
    envvar="NEWSARCHIVE_TOKEN",
    help="Require this token (Authorization: Bearer TOKEN); needed to listen beyond 127.0.0.1.",
)
@click.pass_context
@errors_to_exit
def serve(ctx: click.Context, host: str, port: int, workers: int | None, token: str | None) -> None:
    """Keep the archive open and answer searches over HTTP (a JSON API).

    Searches through it are warm: the index stays open. 'newsarchive
    search' uses a server running for the same archive by itself (see
    --no-server). It only reads, so the nightly ingest runs beside it, and
    it answers from what that ingest wrote without a restart. It listens on
    127.0.0.1; to listen on another address give --token (or put it behind
    a reverse proxy that authenticates, and keep it on 127.0.0.1).

    \b
    Example:
        newsarchive serve
        curl 'http://127.0.0.1:8765/api/search?q="early+adopter"&limit=5'
        newsarchive serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
    """
    import ipaddress

    from .server import ENV_ARCHIVE, ENV_TOKEN, record_listening

    archive = archive_dir(ctx)
    if not Archive.open(archive).exists:
        raise Failure(f"no archive at {archive}: run 'newsarchive ingest' first", ExitCode.ARCHIVE_ERROR)
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not token:
        raise click.UsageError(
            f"listening on {host} lets others read the archive: give --token (or keep 127.0.0.1 behind a proxy)"
        )
    import uvicorn

    os.environ[ENV_ARCHIVE] = str(archive)
    if token:
        os.environ[ENV_TOKEN] = token
    count = workers or min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    where = " (token required)" if token else ""
    click.echo(f"newsarchive: serving {archive} at {url}/ with {count} processes{where}; Ctrl-C stops", err=True)
    recorded = record_listening(archive, url) if loopback and not token else None
    try:
        uvicorn.run(
            "newsarchive.server:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=count,
            log_level="warning",
            access_log=False,
            server_header=False,
        )
    finally:
        if recorded is not None:
            recorded.unlink(missing_ok=True)


def main() -> None:
    """Console entry point: a reader that closes the pipe early (| head) is not an error.

    Ctrl-C (or a TERM from cron's or systemd's stop) unwinds the command:
    an open transaction rolls back, worker processes are stopped, and the
    archive is left as after its last committed source.  One line says so,
    and the exit code is the shell's 128 + the signal (130 for Ctrl-C).
    """
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        cli(prog_name="newsarchive")
    except Interrupted as stop:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not interrupt the goodbye
        name = "interrupted" if stop.signum == signal.SIGINT else "stopped by SIGTERM"
        click.echo(f"newsarchive: {name}; the archive holds everything committed before it", err=True)
        sys.exit(128 + stop.signum)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(int(ExitCode.OK))
    except Exception as exc:  # a bug, not the user's doing: one line, and a way to see more
        if os.environ.get("NEWSARCHIVE_DEBUG"):
            raise
        message = f"newsarchive: internal error: {type(exc).__name__}: {exc}"
        click.echo(message + " (please report it; NEWSARCHIVE_DEBUG=1 shows the traceback)", err=True)
        sys.exit(int(ExitCode.INTERNAL))
