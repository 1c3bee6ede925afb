"""Excel workbooks (.xlsx/.xlsm) as teams keep them: every sheet, the header row below any title rows.

Read with openpyxl (read-only, cached values): it streams rows, and it says which date system the workbook
uses (1900 or 1904), so a date typed as a plain number (46387) becomes the day Excel shows. Cells become
the text a CSV export would hold, and each sheet goes through the spreadsheet normalization of
cmmm.ingest.tabular (aliases, locale numbers, vocabularies, rejections with sheet and row).
"""

from __future__ import annotations

import zipfile
import zlib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext
from cmmm.ingest._columns import DATE_COLUMNS, map_headers
from cmmm.ingest._dates import excel_serial_date
from cmmm.ingest.tabular import from_frame

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy binary .xls (BIFF in an OLE container)
_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 30  # title rows, notes and blank lines above the header
MAX_ROWS = 2_000_000  # per sheet: more is a zip bomb or not an inventory
MAX_COLUMNS = 1_000  # per row: the columns past this are not read
# What openpyxl raises on a corrupt or hostile workbook: the ZIP, its XML, or the values in it (and its own
# InvalidFileException, added where openpyxl is imported: only when a workbook is read, 0.14 s otherwise
# paid by every ingest)
_BASE_WORKBOOK_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ElementTree.ParseError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    OSError,
    zlib.error,  # a deflate stream cut or altered
    NotImplementedError,  # a ZIP compression method Python does not have
)


def _short(exc: Exception) -> str:
    return (str(exc).splitlines()[0][:160] if str(exc) else "") or type(exc).__name__


def sniff(path: Path, head: bytes) -> int:
    """A ZIP holding xl/workbook.xml (or named .xlsx/.xlsm), or a legacy .xls."""
    if head.startswith(_ZIP) and (b"xl/" in head or path.suffix.lower() in _SUFFIXES):
        return 90
    if head.startswith(_OLE) and path.suffix.lower() == ".xls":
        return 60
    return 0


def _text(value: Any, *, date_column: bool, date1904: bool) -> str:
    """A cell as the text a CSV export holds: dates in ISO 8601, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if date_column:  # a date typed as a number, or a cell whose date format was lost
            day = excel_serial_date(float(value), date1904=date1904)
            return day.isoformat() if day is not None else str(value)
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value)


def _header_at(rows: list[tuple[Any, ...]]) -> int | None:
    """Index of the first row naming a name column and not_after (through the header aliases)."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        canon = set(map_headers([str(c) for c in row if c is not None]).values())
        if canon & {"common_name", "sans"} and "not_after" in canon:
            return i
    return None


def _sheet(ws: Any, name: str, path: Path, ctx: ReadContext, date1904: bool) -> Batch | None:
    rows: list[tuple[Any, ...]] = []
    for row in ws.iter_rows(values_only=True, max_col=MAX_COLUMNS):
        end = len(row)
        while end and (row[end - 1] is None or row[end - 1] == ""):  # max_col pads with empty cells
            end -= 1
        rows.append(row[:end])
        if len(rows) > MAX_ROWS:
            raise InputError(
                str(path), f"sheet {name!r} has more than {MAX_ROWS} rows", line=f"sheet {name!r}"
            )
    at = _header_at(rows)
    if at is None:
        return None
    header = [str(c).strip() if c is not None else "" for c in rows[at]]
    width = max(len(header), *(len(r) for r in rows[at + 1 :]), 1)
    named = [h or f"column {i + 1}" for i, h in enumerate(header)]
    dates = {i for i, canon in enumerate(map_headers(named).get(h) for h in named) if canon in DATE_COLUMNS}
    body = rows[at + 1 :]
    cells = [
        [
            _text(v, date_column=i in dates, date1904=date1904)
            for i, v in enumerate((*r, *([None] * width))[:width])
        ]
        for r in body
    ]
    frame = pd.DataFrame(cells, columns=pd.Index(named), dtype=object)
    if frame.columns.duplicated().any():  # two columns with one title: keep the first
        frame = frame.loc[:, ~frame.columns.duplicated()]
    locators = pd.Series([f"sheet {name!r} row {at + 2 + k}" for k in range(len(body))], dtype=object)
    batch = from_frame(frame, locators, path, ctx, note_unused=True)
    prefix = f"{path}: "
    batch.notes = [f"{prefix}sheet {name!r}: {n.removeprefix(prefix)}" for n in batch.notes]
    return batch


def read(path: Path, ctx: ReadContext) -> Batch:
    """Every sheet with a recognizable header row; sheets without one are noted, not rejected."""
    with path.open("rb") as fh:
        if fh.read(8).startswith(_OLE):
            raise InputError(str(path), "legacy binary Excel (.xls) is not read: save it as .xlsx or CSV")
    batches: list[Batch] = []
    skipped: list[str] = []
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    from openpyxl.utils.exceptions import InvalidFileException

    workbook_errors = (*_BASE_WORKBOOK_ERRORS, InvalidFileException)
    # a file object, not the path: openpyxl refuses names without an Excel extension
    with path.open("rb") as fh:
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except workbook_errors as exc:
            raise InputError(str(path), f"unreadable Excel workbook: {_short(exc)}") from None
        try:
            date1904 = wb.epoch == CALENDAR_MAC_1904
            for ws in wb.worksheets:
                name = str(ws.title)
                try:
                    got = _sheet(ws, name, path, ctx, date1904)
                except InputError as exc:
                    if "no recognizable certificate columns" not in exc.reason:
                        raise
                    got = None
                except workbook_errors as exc:  # read-only sheets are parsed as they are iterated
                    raise InputError(
                        str(path), f"unreadable Excel sheet: {_short(exc)}", line=f"sheet {name!r}"
                    ) from None
                if got is None:
                    skipped.append(name)
                else:
                    batches.append(got)
        finally:
            wb.close()
    if not batches:
        raise InputError(
            str(path),
            f"no sheet has a header row with recognizable columns in its first {HEADER_SEARCH_ROWS} rows "
            "(need common_name or sans, and not_after or an alias such as 'Expiration Date')",
        )
    out = Batch(
        certificates=pd.concat([b.certificates for b in batches], ignore_index=True),
        observations=pd.concat([b.observations for b in batches], ignore_index=True),
        rejected=[r for b in batches for r in b.rejected],
        notes=[n for b in batches for n in b.notes],
    )
    if date1904:
        out.notes.append(f"{path}: the workbook uses the 1904 date system")
    if skipped:
        out.notes.append(
            f"{path}: sheet(s) without certificate columns skipped: {', '.join(map(repr, skipped))}"
        )
    return out
