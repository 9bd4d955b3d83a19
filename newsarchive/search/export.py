"""Records to JSON, JSON Lines or CSV, as generators of text chunks.

Every writer streams: it holds one record at a time, so exporting an archive
of any size takes constant memory.  CSV cells holding lists or objects carry
them JSON-encoded, so nothing is lost on the way to a spreadsheet.
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


def csv_rows(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    """CSV with a header row; nested values JSON-encoded, None as an empty cell."""
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
        writer.writerow([_cell(record.get(c)) for c in columns])
        yield take()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write(records: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str]) -> Iterator[str]:
    """Chunks of ``records`` in ``fmt`` (one of ``FORMATS``)."""
    if fmt == "json":
        return json_array(records)
    if fmt == "jsonl":
        return json_lines(records)
    if fmt == "csv":
        return csv_rows(records, columns)
    raise ValueError(f"unknown format {fmt!r}")
