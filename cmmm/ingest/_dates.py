"""Parse the dates inventories really hold into timezone-aware UTC, vectorized.

Accepted: ISO 8601 / RFC 3339 (naive means UTC), epoch seconds or milliseconds (integers or floats),
OpenSSL's "Jan  5 12:00:00 2027 GMT", "5-Jan-2027", "January 5, 2027", and spreadsheet dates with
slashes, dots or dashes ("05/01/2027", "5.1.2027 14:00", "1/2/2024 3:04 PM"), and Excel serial day
numbers of five digits ("46387", the 1900 date system; .xlsx cells use the workbook's own system).

Ambiguity rule for slash dates (documented in the README): a column is read day-first when any of its
slash dates can only be day-first (first part > 12), month-first when any can only be month-first
(second part > 12), and day-first when nothing decides. Dotted dates are always day-first (the
European convention that uses them); year-first dates are always year-month-day.

Time-zone abbreviations (documented in the README): UTC, GMT, UT and Z are UTC; ZONE_OFFSETS lists the
common North American and European abbreviations with their fixed offsets (EST is always -05:00, even
in July). Any other alphabetic zone (IST is India, Israel or Ireland; CST also names China) makes the cell
not a date, so it is rejected or ignored with its value instead of being read as UTC.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
from dateutil import parser as du_parser

from cmmm.model import UTC_DT

_SLASH = re.compile(r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})\b")
_EPOCH = re.compile(r"^\s*-?\d{9,13}(\.\d+)?\s*$")
# Excel serial day numbers: 5 digits are 1927-05-18 (10000) to 2173-10-14 (99999); smaller numbers are
# more likely something else than a certificate date
_EXCEL_SERIAL = re.compile(r"^\s*\d{5}(\.\d+)?\s*$")
_EXCEL_1900 = datetime(1899, 12, 30, tzinfo=UTC)  # serial 61 = 1900-03-01 counting Lotus's 1900-02-29
_EXCEL_1904 = datetime(1904, 1, 1, tzinfo=UTC)


def excel_serial_date(serial: float, *, date1904: bool = False) -> datetime | None:
    """The date of an Excel serial day number (fractions are the time of day), None when it names none.

    The 1900 date system counts 1900-02-29, which never was (Lotus 1-2-3's leap-year bug, kept by Excel
    for compatibility): serial 60 is that day and is no date; serials 1–59 are one day later than a plain
    count from 1899-12-30 would make them. The 1904 system (old Mac workbooks) counts from 1904-01-01.
    """
    if date1904:
        base, days = _EXCEL_1904, serial
    elif serial >= 61:
        base, days = _EXCEL_1900, serial
    elif 1 <= serial < 60:
        base, days = _EXCEL_1900, serial + 1
    else:
        return None
    try:
        return base + timedelta(days=days)
    except OverflowError:
        return None


# Values a date cell holds when it has no date: empty, not wrong.
EMPTY_DATE_VALUES = ("", "EMPTY", "-", "N/A", "n/a", "none", "None", "null", "NaT")

# Zone abbreviation -> hours east of UTC. Unambiguous enough in inventories of North American and
# European organizations; anything else alphabetic is refused (see the module docstring).
ZONE_OFFSETS: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "UT": 0,
    "Z": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "WET": 0,
    "WEST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "BST": 1,  # British Summer Time
}
_ZONES = {k: timezone(timedelta(hours=v), k) for k, v in ZONE_OFFSETS.items()}


def _zone(name: str | None, offset: int | None) -> timezone | None:
    """dateutil's tzinfos hook: an explicit numeric offset wins, then ZONE_OFFSETS; any other zone name
    raises ValueError, so the cell is not a date. None (no zone at all) means UTC."""
    if offset is not None and (offset or not name):
        return timezone(timedelta(seconds=offset))
    if name is None:
        return None
    zone = _ZONES.get(name.upper())
    if zone is None:
        raise ValueError(f"unknown time zone {name!r}")
    return zone


def parse_dates(values: pd.Series) -> tuple[pd.Series, str | None]:
    """Return (UTC datetimes with NaT where unparseable or empty, a note on the ambiguity rule used)."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # a hostile JSON source put a list or an object where a date goes: not a date
        values = values.map(lambda v: None if isinstance(v, dict | list | set) else v)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) * 4 > len(values):
        return _parse_dates(values)
    # A date column repeats its days: parse each distinct value once. The ambiguity rule looks at the
    # set of values, which the distinct ones are.
    parsed, note = _parse_dates(pd.Series(uniques, dtype=values.dtype))
    out = pd.Series(parsed.array.take(np.asarray(codes), allow_fill=True), index=values.index, dtype=UTC_DT)
    return out, note


def _parse_dates(values: pd.Series) -> tuple[pd.Series, str | None]:
    s = values.astype("string").str.strip()
    s = s.mask(s.isin(EMPTY_DATE_VALUES))
    out = pd.Series(pd.NaT, index=s.index, dtype=UTC_DT)
    todo = s.notna()
    if not todo.any():
        return out, None
    # ISO 8601 begins with a four-digit year: the others are not tried as ISO (a failed parse costs)
    todo_iso = todo & s.str.match(r"^[0-9]{4}").fillna(False)
    if todo_iso.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            iso = pd.to_datetime(s[todo_iso], format="ISO8601", utc=True, errors="coerce")
        out[todo_iso] = iso.astype(UTC_DT)
    todo &= out.isna()
    todo, note = _numeric_dates(s, todo, out)
    if todo.any():
        rest = s[todo]
        parts = rest.str.extract(_SLASH)
        slash = parts[0].notna() & ~rest.str.contains(".", regex=False)
        dayfirst = True
        if slash.any():
            a = pd.to_numeric(parts.loc[slash, 0])
            b = pd.to_numeric(parts.loc[slash, 1])
            if (a > 12).any():
                dayfirst, note = True, "slash dates read day-first (a value's first part is above 12)"
            elif (b > 12).any():
                dayfirst, note = False, "slash dates read month-first (a value's second part is above 12)"
            else:
                note = "slash dates were ambiguous; read day-first by the documented default"
        fast = _by_formats(rest, dayfirst=dayfirst)
        done = fast.notna().to_numpy(dtype=bool)
        if done.any():
            out[rest.index[done]] = fast[done]
            rest = rest[~done]
        if len(rest):
            cache: dict[str, datetime | None] = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # dateutil's own warnings never reach the terminal
                for v in rest.unique():
                    cache[v] = _slow_parse(v, dayfirst=dayfirst)
            parsed = rest.map(cache)
            out[rest.index] = pd.to_datetime(parsed, utc=True, errors="coerce").astype(UTC_DT)
    return out, note


# The spellings spreadsheets use most, read column-wide before dateutil reads what is left one value at a
# time (250,000 distinct US timestamps: 27 s with dateutil alone). Each gives what dateutil gives for it: a
# four-digit year, the column's day/month order (dotted dates are always day-first), naive times as UTC.
_SLASH_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
_DOT_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")
_FOUR_DIGIT_YEAR = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{4}(?:[ T]|$)")


def _by_formats(values: pd.Series, *, dayfirst: bool) -> pd.Series:
    """The values that match one of the common spellings exactly, as UTC datetimes; NaT for the others."""
    out = pd.Series(pd.NaT, index=values.index, dtype=UTC_DT)
    text = (
        values.astype("string").str.replace(r"[ \t\r\n]+", " ", regex=True).str.strip()
    )  # (Arrow runs this class)
    eligible = text.str.contains(_FOUR_DIGIT_YEAR.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    slash = [f.replace("%m/%d", "%d/%m") for f in _SLASH_FORMATS] if dayfirst else list(_SLASH_FORMATS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in (*slash, *_DOT_FORMATS):
            left = eligible & out.isna().to_numpy(dtype=bool)
            if not left.any():
                break
            got = pd.to_datetime(text[left], format=fmt, errors="coerce")
            hit = got.notna().to_numpy(dtype=bool)
            if hit.any():
                out[values.index[left][hit]] = got[hit].dt.tz_localize(UTC).astype(UTC_DT)
    return out


def _numeric_dates(s: pd.Series, todo: pd.Series, out: pd.Series) -> tuple[pd.Series, str | None]:
    """Epoch seconds or milliseconds, then 5-digit Excel serial days, into `out`; what is left to do."""
    note: str | None = None
    if todo.any():
        rest = s[todo]
        epoch = rest.str.match(_EPOCH)
        if epoch.any():
            nums = pd.to_numeric(rest[epoch], errors="coerce").astype("float64")
            ms = nums.abs() > 1e11
            secs = np.where(ms, nums / 1000.0, nums)
            out[epoch[epoch].index] = pd.to_datetime(secs, unit="s", utc=True).astype(UTC_DT)
            todo &= out.isna()
    if todo.any():
        rest = s[todo]
        serial = rest.str.match(_EXCEL_SERIAL)
        if serial.any():
            days = pd.to_numeric(rest[serial], errors="coerce").astype("float64")
            out[serial[serial].index] = (_EXCEL_1900 + pd.to_timedelta(days, unit="D")).astype(UTC_DT)
            todo &= out.isna()
            note = "5-digit numbers read as Excel serial dates (1900 date system)"
    return todo, note


def _slow_parse(value: str, *, dayfirst: bool) -> datetime | None:
    v = re.sub(r"\s+", " ", value).strip()
    if re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}", v):
        dayfirst = True
    yearfirst = bool(re.match(r"^\d{4}", v))
    if yearfirst:  # year-month-day, never year-day-month: 2027-13-01 is not a date
        dayfirst = False
    try:
        dt = du_parser.parse(v, dayfirst=dayfirst, yearfirst=yearfirst, tzinfos=_zone)
    except (ValueError, OverflowError, TypeError):
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
