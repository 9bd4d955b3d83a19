"""Records to JSON, JSON Lines or CSV, as generators of text chunks.

Every writer streams: it holds one record at a time, so exporting an archive
of any size takes constant memory.  CSV cells holding lists or objects carry
them JSON-encoded, so nothing is lost on the way to a spreadsheet.

CSV is made for spreadsheets unless asked for raw: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a ``'`` in front
(OWASP's advice: a feed's title ``=HYPERLINK(...)`` must not become a
formula), and a cell over Excel's 32,767 characters is cut, saying so (the
JSON exports hold every text whole).  ``raw_csv`` writes the values as they
are, for programs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMATS = ("json", "jsonl", "csv")


def json_array(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array, one record per line, written as the records arrive."""
    first = True
    yield "["
    for record in records:
        yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n" if not first else "]\n"


def json_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CELL_LIMIT = 32_767  # Excel's


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula, and does not refuse."""
    if cell.startswith(FORMULA_STARTS):
        cell = "'" + cell
    if len(cell) > CELL_LIMIT:
        note = f" … [cut at {CELL_LIMIT} of {len(cell)} characters: the JSON export holds it whole]"
        cell = cell[: CELL_LIMIT - len(note)] + note
    return cell


def csv_rows(records: Iterable[dict[str, Any]], columns: Sequence[str], raw: bool = False) -> Iterator[str]:
    """CSV with a header row; nested values JSON-encoded, None as an empty cell;
    spreadsheet-safe cells unless ``raw``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(columns)
    yield take()
    for record in records:
        cells = [_cell(record.get(c)) for c in columns]
        writer.writerow(cells if raw else [spreadsheet_safe(c) for c in cells])
        yield take()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write(records: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str], raw_csv: bool = False) -> Iterator[str]:
    """Chunks of ``records`` in ``fmt`` (one of ``FORMATS``); CSV spreadsheet-safe unless ``raw_csv``."""
    if fmt == "json":
        return json_array(records)
    if fmt == "jsonl":
        return json_lines(records)
    if fmt == "csv":
        return csv_rows(records, columns, raw_csv)
    raise ValueError(f"unknown format {fmt!r}")
