"""What every command shares: the archive location, output formats, error handling."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
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


FORMATS = ("table", "json", "jsonl", "csv")
ALIASES = {"json": "--json", "jsonl": "--nl", "csv": "--csv"}


def output_options(
    *formats: str, default: str = "table", to_file: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-f/--format`` (with the short aliases --json, --nl, --csv) and ``-o/--output``,
    declared once for every command that prints something a program may read.

    The command receives ``fmt`` (one of ``formats``) and, with ``to_file``,
    ``output`` ("-" for stdout).  Giving two different formats is refused.
    """
    formats = formats or FORMATS

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            named = [kwargs.pop("fmt")] if kwargs.get("fmt") else []
            named += [name for name in ALIASES if kwargs.pop(f"as_{name}", False)]
            if len(set(named)) > 1:
                raise click.UsageError(f"Use just one output format, not {' and '.join(named)}.")
            kwargs["fmt"] = named[0] if named else default
            return fn(*args, **kwargs)

        command: Callable[..., Any] = wrapper
        if to_file:
            command = click.option(
                "-o",
                "--output",
                type=click.Path(dir_okay=False, allow_dash=True),
                default="-",
                metavar="FILE",
                help="Write to FILE (whole, or not at all) instead of stdout.",
            )(command)
        for name in reversed([f for f in formats if f in ALIASES]):
            command = click.option(ALIASES[name], f"as_{name}", is_flag=True, help=f"Short for --format {name}.")(
                command
            )
        return click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(formats),
            help=f"Output format  [default: {default}].",
        )(command)

    return decorate


def deliver(ctx: click.Context, output: str, write: Callable[[Any], None]) -> None:
    """Run ``write(stream)`` into stdout, or into FILE atomically (a failed write leaves the old file)."""
    if output == "-":
        write(sys.stdout)
        return
    from .output import write_atomically

    with write_atomically(Path(output)) as stream:
        write(stream)


def write_json(value: Any, stream: Any) -> None:
    """One JSON document and a newline (safe on a terminal: see ``_write_chunks``)."""
    import json

    _write_chunks([json.dumps(value, ensure_ascii=False) + "\n"], stream)


def write_data(
    ctx: click.Context, fmt: str, output: str, document: Any, rows: Iterable[dict[str, Any]], columns: tuple[str, ...]
) -> bool:
    """Data for programs: ``document`` whole for json, ``rows`` for jsonl and csv, to
    stdout or FILE.  False for the table, which is the caller's to draw."""
    if fmt == "json":
        deliver(ctx, output, lambda stream: write_json(document, stream))
    elif fmt != "table":
        deliver(ctx, output, lambda stream: write_records(iter(rows), fmt, columns, stream))
    else:
        return False
    return True


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

    _write_chunks(archive.serialise(records, fmt, columns, raw_csv), stream or sys.stdout)


def _write_chunks(chunks: Iterable[str], stream: Any) -> None:
    """Write serialised data; on a terminal, nothing in it may drive the terminal (JSON
    escapes C0 controls, but neither CSV nor JSON touches C1 controls or a
    right-to-left override)."""
    if hasattr(stream, "isatty") and stream.isatty():
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


RANK = re.compile(r"[1-9][0-9]{0,2}")  # an id prefix has 4+ characters, so 1-3 digits are a rank


def _last_search_file(ctx: click.Context) -> Path:
    """Where this terminal's last search of this archive is remembered (the user's cache, not the archive)."""
    import hashlib

    from platformdirs import user_cache_dir

    try:
        terminal = os.ttyname(sys.stdin.fileno())
    except (OSError, ValueError):
        terminal = "no-terminal"
    key = hashlib.sha256(f"{archive_dir(ctx).resolve()}\0{terminal}".encode()).hexdigest()[:16]
    return Path(os.environ.get("NEWSARCHIVE_CACHE") or user_cache_dir("newsarchive", appauthor=False)) / (
        f"last-search-{key}.json"
    )


def remember_hits(ctx: click.Context, query: str, hits: list[Any]) -> None:
    """Keep the ranks and ids a search showed, so that ``show 3`` opens its third hit.

    Best effort: a cache that cannot be written (a read-only home) only
    means that ``show N`` will not know the ranks.
    """
    import json

    path = _last_search_file(ctx)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + f".{os.getpid()}.partial")
        partial.write_text(json.dumps({"query": query, "ids": {str(h.rank): h.id for h in hits}}))
        partial.replace(path)
    except OSError:
        pass


def recall_rank(ctx: click.Context, ref: str) -> str:
    """An article reference as given, or, for 1-3 digits, the id of that hit of the last search here."""
    import json

    if not RANK.fullmatch(ref):
        return ref
    try:
        last = json.loads(_last_search_file(ctx).read_text())
        return str(last["ids"][ref])
    except (OSError, ValueError, KeyError, TypeError):
        raise NotFound(
            f"{ref!r} is not an article id: a number means a hit of the last search in this terminal, "
            f"and there is no hit {ref} (search first, or give the id shown after the URL)"
        ) from None
