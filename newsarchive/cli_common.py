"""What every command shares: the archive location, output formats, error handling."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from .archive import Archive
from .errors import ArchiveError, Locked, NewsArchiveError, NotFound, QueryError
from .exitcodes import ExitCode

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
HIT_COLUMNS = ("rank", "id", "url", "title", "published", "score", "snippet", "commenter")


class Failure(click.ClickException):
    """A one-line error with its own exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        # click types exit_code as a class variable, but reads it from the instance
        self.exit_code = int(code)  # type: ignore[misc]


def default_archive() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("newsarchive", appauthor=False))


def archive_dir(ctx: click.Context) -> Path:
    return ctx.find_root().obj["archive"]


def open_archive(ctx: click.Context, write: bool = False, wait: bool = False) -> Archive:
    """The command's archive, closed (and its lock let go) when the command ends."""
    return ctx.with_resource(Archive.open(archive_dir(ctx), write=write, wait=wait))


def query_text(args: tuple[str, ...] | list[str]) -> str:
    """The query as the shell split it, put back together (see ``search.query.query_from_args``)."""
    from . import archive

    return str(archive.query_from_args(args))


def errors_to_exit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain exceptions into one-line messages with documented exit codes."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Locked as exc:
            raise Failure(str(exc), ExitCode.LOCKED) from exc
        except QueryError as exc:
            raise Failure(str(exc), ExitCode.QUERY_ERROR) from exc
        except NotFound as exc:
            raise Failure(str(exc), ExitCode.NOT_FOUND) from exc
        except ArchiveError as exc:
            raise Failure(str(exc), ExitCode.ARCHIVE_ERROR) from exc
        except NewsArchiveError as exc:
            raise Failure(str(exc), ExitCode.ARCHIVE_ERROR) from exc
        except sqlite3.DatabaseError as exc:
            raise Failure(_database_problem(exc), ExitCode.ARCHIVE_ERROR) from exc
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise Failure(f"{exc.filename or 'archive'}: {exc.strerror or exc}", ExitCode.ARCHIVE_ERROR) from exc

    return wrapper


def _database_problem(exc: sqlite3.DatabaseError) -> str:
    """One line for an SQLite failure: what it is and what mends it (never the record it choked on)."""
    ctx = click.get_current_context(silent=True)
    where = archive_dir(ctx) / "archive.db" if ctx and ctx.find_root().obj else "the archive database"
    detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    if "not a database" in detail:  # nothing in it can be read, the list of snapshots included
        return (
            f"the archive database {where} is not an SQLite database ({detail}): restore it from a backup, "
            "or move it aside and ingest the sources again"
        )
    if any(word in detail for word in ("malformed", "corrupt")):
        return (
            f"the archive database {where} is damaged ({detail}): "
            "'newsarchive reindex --from-snapshots' rebuilds the records from the raw snapshots"
        )
    return f"cannot use the archive database {where} ({detail})"


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
    fn = click.option(
        "--until", metavar="DATE", help='Published on or before DATE (YYYY[-MM[-DD]], 7d, 3m, "today", "3 March").'
    )(fn)
    fn = click.option(
        "--since", metavar="DATE", help='Published on or after DATE (YYYY[-MM[-DD]], 7d, 3m, "yesterday", "last week").'
    )(fn)
    return fn


def write_records(
    records: Iterator[dict[str, Any]], fmt: str, columns: tuple[str, ...], stream: Any = None, raw_csv: bool = False
) -> None:
    from . import archive

    stream = stream or sys.stdout
    chunks = archive.serialise(records, fmt, columns, raw_csv)
    if hasattr(stream, "isatty") and stream.isatty():
        # Data meant for programs, shown on a terminal: nothing in it may drive
        # the terminal (JSON escapes C0 controls, but neither CSV nor JSON
        # touches C1 controls or a right-to-left override).
        from .output import safe

        chunks = ("\n".join(safe(line) for line in chunk.split("\n")) for chunk in chunks)
    for chunk in chunks:
        stream.write(chunk)
    stream.flush()


def warn_if_index_behind(lag: int) -> None:
    """Say on stderr when a search answers from an index that lags the records.

    An ingest that is running, or was killed before its index update, leaves
    records the index does not hold yet; results are then those of the last
    complete index, and the user must know, not take them as complete.
    """
    if lag:
        click.echo(
            f"newsarchive: warning: the search index is {lag} record{'s' if lag != 1 else ''} behind the archive "
            "(an ingest is running or was interrupted; the next 'newsarchive ingest' catches it up): "
            "results may miss them",
            err=True,
        )
