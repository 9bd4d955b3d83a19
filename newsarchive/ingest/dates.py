"""Dates in the forms feeds and pages really use, as ISO 8601 with an offset.

A date with no zone is taken as the site's local time (Europe/London by
default, since the first sources are UK sites), except that RFC 5322's
``-0000`` means UTC (with the local offset unknown).  A date in the future
of the moment of ingest is refused, because it is a typo or a deadline, and
so is one before 1990 (the epoch itself, ``0001-01-01``): placeholders, not
publication dates; the caller then falls to its next source of a date.
RFC 822 dates with the month named in another language (``Seg, 24 Set
2018 19:42:40 -0300``, as Portuguese, Spanish, French, German, Italian,
Dutch, Scandinavian and Polish feeds write them) are read too.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from .models import DEFAULT_TZ  # noqa: F401 - named here for the readers

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
TIME = r"(?:,?\s*(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?"
DAY_MONTH_YEAR = re.compile(
    r"^(?:\w+day,?\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + MONTH + r",?\s+(?P<year>\d{4})" + TIME + r"$",
    re.IGNORECASE,
)
MONTH_DAY_YEAR = re.compile(
    r"^(?:\w+day,?\s+)?" + MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + TIME + r"$",
    re.IGNORECASE,
)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # before the web: a placeholder date
# Month names and abbreviations of the languages of the EU and Latin America
# that feeds write RFC 822 dates in, accents folded, lower-cased.
FOREIGN_MONTHS = {
    name: month
    for month, names in enumerate(
        [
            "jan ene gen janv janeiro enero gennaio januar janvier januari sty tammi",
            "feb fev fevr lut fevereiro febrero febbraio februar fevrier februari helmi",
            "mar mars mrt maa marco marzo marz maart maaliskuu",
            "abr avr apr kwi abril avril aprile huhti",
            "mai may mag mei maj maio mayo maggio touko",
            "jun juin giu cze junho junio giugno juni kesa",
            "jul juil lug lip julho julio luglio juli heina",
            "ago aug aou sie agosto aout augustus elo",
            "set sep sept wrz setembro septiembre settembre september septembre syys",
            "out oct okt ott paz outubro octubre ottobre oktober octobre loka",
            "nov lis novembro noviembre novembre november marras",
            "dez dic dec gru dezembro diciembre dicembre dezember decembre december joulu",
        ],
        start=1,
    )
    for name in names.split()
}
LOCAL_RFC822 = re.compile(
    r"^(?:[^\W\d]+\.?,?\s+)?(?P<day>\d{1,2})\.?\s+(?P<month>[^\W\d]+)\.?\s+(?P<year>\d{4})"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    r"\s*(?P<zone>[+-]\d{4}|GMT|UTC|UT|Z)?$"
)
URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d{2})/(?P<month>0[1-9]|1[0-2])/(?P<day>0[1-9]|[12]\d|3[01])/")


def _aware(value: datetime, tz: str) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))


def _from_words(text: str, tz: str) -> datetime | None:
    match = DAY_MONTH_YEAR.match(text) or MONTH_DAY_YEAR.match(text)
    if not match:
        return None
    hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    month = MONTHS[match["month"].lower()]
    try:
        return datetime(int(match["year"]), month, int(match["day"]), hour, minute, tzinfo=ZoneInfo(tz))
    except ValueError:
        return None


def parse_datetime(text: str | None, tz: str = DEFAULT_TZ) -> datetime | None:
    """Parse RFC 822, ISO 8601 or written-out dates; None when it is not a date."""
    if not text:
        return None
    text = " ".join(text.split())
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")), tz)
    except ValueError:
        pass
    try:
        value = parsedate_to_datetime(text)
        if value.tzinfo is None and re.search(r"-0000\s*$", text):  # RFC 5322: UTC, local offset unknown
            value = value.replace(tzinfo=UTC)
        return _aware(value, tz)
    except (TypeError, ValueError, IndexError):
        pass
    return _from_words(text, tz) or _foreign_rfc822(text, tz)


def _foreign_rfc822(text: str, tz: str) -> datetime | None:
    """An RFC 822 date whose month (and day) are named in another language."""
    match = LOCAL_RFC822.match(text)
    if not match:
        return None
    name = unicodedata.normalize("NFKD", match["month"].lower()).encode("ascii", "ignore").decode()
    month = FOREIGN_MONTHS.get(name) or FOREIGN_MONTHS.get(name[:4]) or FOREIGN_MONTHS.get(name[:3])
    if not month:
        return None
    zone = match["zone"]
    try:
        if zone and zone[0] in "+-":
            sign = -1 if zone[0] == "-" else 1
            offset = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])))
            when_tz: ZoneInfo | timezone = UTC if zone == "-0000" else offset
        else:
            when_tz = UTC if zone else ZoneInfo(tz)
        return datetime(
            int(match["year"]),
            month,
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
            tzinfo=when_tz,
        )
    except ValueError:
        return None


def to_iso(value: datetime | None, now: datetime | None = None) -> str | None:
    """ISO 8601 with offset; None for a missing date or one later than ``now``."""
    if value is None:
        return None
    now = now or datetime.now(UTC)
    if value > now + timedelta(days=1):
        return None
    if value.tzinfo is not None and value < EARLIEST:  # 1970-01-01, 0001-01-01: a placeholder
        return None
    return value.isoformat()


def iso_date(text: str | None, tz: str = DEFAULT_TZ) -> str | None:
    """``parse_datetime`` then ``to_iso``: the one call most parsers need."""
    return to_iso(parse_datetime(text, tz))


def date_from_url(url: str | None, tz: str = DEFAULT_TZ) -> str | None:
    """The /YYYY/MM/DD/ date in a URL path, at midnight site time."""
    match = URL_DATE.search(url or "")
    if not match:
        return None
    return to_iso(datetime(int(match["year"]), int(match["month"]), int(match["day"]), tzinfo=ZoneInfo(tz)))


def wall_clock(iso: str | None) -> datetime | None:
    """The date and time as the article states them, zone dropped: what the
    index filters, sorts and counts by, so that ``--since 2024-06-01`` agrees
    with the date a listing shows (half past midnight in British Summer Time
    is still the 1st, though in UTC it is the 31st).  Whoosh ignores zones."""
    if not iso:
        return None
    return datetime.fromisoformat(iso).replace(tzinfo=None)
