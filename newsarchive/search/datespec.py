"""Date ranges as a reporter types them: 2024, 2024-03, 2024-03-07, 7d, 3m, 1y.

``--since``/``--until`` take one date; ``date:`` in a query takes a date or a
range (``date:2024-01..2024-03``, ``date:..2023``, ``date:2024-06..``) and
becomes a range on the ``published`` field, so it combines with AND, OR and
NOT like any other term.  Relative forms count back from now: ``7d`` is
seven days ago, ``2w`` two weeks, ``3m`` three months, ``1y`` a year.
``--since``/``--until`` also take dates as people type them ("yesterday",
"last week", "3 March", "March 2024", "today"), read by dateparser in
English, day before month, preferring the past; it is imported only when
the precise forms above do not match.
A date is compared with each article's own date, as it is shown (the index
stores the article's clock time, not UTC); "now" is this machine's clock,
the newsroom's, in the same terms.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..errors import QueryError

ABSOLUTE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
RELATIVE = re.compile(r"(\d+)\s*([dwmy])")
DATE_TERM = re.compile(r'(?<![\w:"])date:(?P<spec>[^\s()"]+)')
HELP = 'use YYYY, YYYY-MM, YYYY-MM-DD, 7d / 2w / 3m / 1y, or words such as "yesterday" or "3 March 2024"'


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _months_ago(now: datetime, months: int) -> datetime:
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    return now.replace(year=year, month=month + 1, day=min(now.day, 28))


def bound(text: str | None, end: bool) -> datetime | None:
    """The first (or, with ``end``, the last) moment ``text`` covers; None for no bound."""
    if not text:
        return None
    text = text.strip().lower()
    if match := RELATIVE.fullmatch(text):
        n, unit = int(match[1]), match[2]
        now = _now()
        try:
            if unit == "m":
                return _months_ago(now, n)
            return now - timedelta(days=n * {"d": 1, "w": 7, "y": 365}[unit])
        except (OverflowError, ValueError) as exc:
            raise QueryError(f"not a date: {text!r} reaches back before the year 1") from exc
    match = ABSOLUTE.fullmatch(text)
    if not match:
        return _spoken(text, end)
    year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    try:
        start = datetime(year, month or 1, day or 1)
        if not end:
            return start
        if day:
            following = start + timedelta(days=1)
        elif month:
            following = datetime(year + month // 12, month % 12 + 1, 1)
        else:
            following = datetime(year + 1, 1, 1)
        return following - timedelta(seconds=1)
    except ValueError as exc:
        raise QueryError(f"not a date: {text!r} ({exc})") from exc


def _spoken(text: str, end: bool) -> datetime:
    """A date in words ("yesterday", "last week", "3 March"): its first (or, with ``end``,
    last) moment; a ``QueryError`` when it cannot be read."""
    import dateparser  # here: slow to import, and needed only for dates in words

    settings = {
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "last" if end else "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "RELATIVE_BASE": _now(),
    }
    found = dateparser.parse(text, languages=["en"], settings=settings)
    if found is None:
        raise QueryError(f"not a date: {text!r} ({HELP})")
    day = found.replace(hour=0, minute=0, second=0, microsecond=0)  # whole days, as a reporter means them
    return day + timedelta(days=1, seconds=-1) if end else day


def date_range(spec: str) -> tuple[datetime | None, datetime | None]:
    """'2024-01..2024-03' -> (1 Jan 2024, 31 Mar 2024 23:59:59); '2024' -> that year."""
    if ".." in spec:
        start, _, end = spec.partition("..")
        return bound(start, False), bound(end, True)
    if RELATIVE.fullmatch(spec.strip().lower()):
        return bound(spec, False), None
    return bound(spec, False), bound(spec, True)


def _compact(value: datetime | None, default: str) -> str:
    return value.strftime("%Y%m%d%H%M%S") if value else default


def rewrite_date_terms(text: str) -> str:
    """Turn ``date:SPEC`` terms into Whoosh ranges on ``published``, outside quotes."""
    pieces = re.split(r'("[^"]*")', text)
    for i in range(0, len(pieces), 2):  # even pieces are outside quotes

        def replace(match: re.Match[str]) -> str:
            start, end = date_range(match["spec"])
            return f"published:[{_compact(start, '10000101')} TO {_compact(end, '99991231235959')}]"

        pieces[i] = DATE_TERM.sub(replace, pieces[i])
    return "".join(pieces)
