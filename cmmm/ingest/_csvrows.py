"""A CSV file as rows of text cells, every input row accounted for.

Rows end only at LF or CR LF (RFC 4180 and what spreadsheets write): a bare CR, NEL (U+0085, also what a
cp1252 "…" becomes when read as Latin-1), U+2028 and the other separators inside a row are data. A row the
csv module cannot use is rejected with its line and the reason. A quote that opens a cell and never closes
properly would swallow every row after it into one cell: such a row — a record spanning several lines
with the wrong number of fields, lines inside it that look like rows of their own, more than
MAX_RECORD_LINES lines, or the end of the file — is rejected with the quote's column named, and the lines
after it are read again as rows of their own. Empty rows are skipped and counted.

Limits (each reported as a rejection naming it): MAX_COLUMNS columns in the header, MAX_RECORD_LINES lines
in one record. Cells longer than MAX_CELL_CHARS are rejected by the normalization (cmmm.ingest.tabular).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cmmm.errors import InputError
from cmmm.ingest._encoding import decode
from cmmm.model import Rejected

MAX_COLUMNS = 1_000  # more header columns than any inventory has: a hostile or corrupt file
MAX_RECORD_LINES = 256  # a quoted cell may span this many lines (a PEM chain of a few certificates)
HEADER_SEARCH_LINES = 20
_PLACEHOLDERS = [chr(c) for c in range(0xFDD0, 0xFDF0)]  # noncharacters: never meaningful in a cell


@dataclass(slots=True, kw_only=True)
class CsvTable:
    """The data rows as text cells under the header's names, the first physical line of each (1-based),
    the rows rejected while reading, how many non-empty rows were read (kept + rejected), the empty rows
    skipped, the header's line, and notes (encoding)."""

    frame: pd.DataFrame
    lines: pd.Series
    rejected: list[Rejected] = field(default_factory=list)
    rows: int = 0
    blank: int = 0
    header_line: int = 1
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)


def read_table(
    data: bytes, source: str, *, header_at: Callable[[str], str | None], sep: str | None = None
) -> CsvTable:
    """Rows of a CSV file. `header_at(line)` returns the delimiter when `line` is the header row (the first
    of the first HEADER_SEARCH_LINES lines it accepts), else None; `sep` forces the delimiter.

    Well-formed UTF-8 without bare CRs takes Arrow's parser; anything else the row-by-row reader."""
    if b"\0" * 512 in data:  # holes of a sparse file, or a binary: parsing it would take gigabytes
        raise InputError(source, "holds a run of NUL bytes: a sparse or binary file, not a table")
    decoded = None
    try:
        text_head = data[:65_536].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text_head = data[: exc.start].decode("utf-8-sig") if exc.start > 1024 else ""
        if not text_head:
            decoded = decode(data, source)
            text_head = decoded.text[:65_536]
    start, delim = _find_header(text_head, header_at, source)
    delim = sep or delim
    head_lines = _physical_lines(text_head)
    header = next(csv.reader([head_lines[start]], delimiter=delim))
    if len(header) > MAX_COLUMNS:
        cut = start == len(head_lines) - 1 and len(data) > len(text_head)  # the header runs past the head
        raise InputError(
            source,
            f"header has {'at least ' if cut else ''}{len(header)} columns, over the {MAX_COLUMNS}-column limit",
            line=start + 1,
        )
    bare_cr = b"\r" in data and data.count(b"\r") != data.count(b"\r\n")
    if decoded is None and not bare_cr:
        fast = _read_arrow(data, delim, start, len(header))
        if fast is not None:
            return fast
    decoded = decoded or decode(data, source)
    table = _read_rows(decoded.text, delim, start, source)
    table.notes.extend(decoded.notes)
    return table


def _physical_lines(text: str) -> list[str]:
    """Lines ended by LF (a CR before it belongs to the line end); nothing else ends a line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the end of the last line, not an empty line after it
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def _find_header(head: str, header_at: Callable[[str], str | None], source: str) -> tuple[int, str]:
    lines = _physical_lines(head)
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        delim = header_at(line)
        if delim is not None:
            return i, delim
    raise InputError(
        source,
        "no header row with recognizable columns (need common_name or sans, "
        "and not_after or an alias such as 'Expiration Date')",
        line=1,
    )


def _read_arrow(data: bytes, delim: str, start: int, width: int) -> CsvTable | None:
    """Arrow's multithreaded parser, or None when the file needs the row-by-row reader (a row of the wrong
    width, invalid UTF-8, a quoted cell hiding lines that look like rows)."""
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=delim,
            dtype=str,
            keep_default_na=False,
            engine="pyarrow",
            skiprows=start,
            encoding="utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8",
        )
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError):
        return None
    if len(frame.columns) != width:
        return None
    # Lines inside quoted cells shift the line numbers of the rows after them; a cell hiding a line with
    # a full row's worth of delimiters is a quote that swallowed rows: let the row reader look at it.
    extra: np.ndarray = np.zeros(len(frame), dtype=np.int64)
    quoted = b'"' in data  # a line break inside a cell needs quotes: without any, no cell holds one
    for col in frame.columns if quoted else ():
        s = frame[col]
        if s.str.contains("\n", regex=False).any():
            counts = s.str.count("\n").to_numpy(dtype=np.int64)
            inner = s[counts > 0]
            if counts.max() >= MAX_RECORD_LINES or any(_looks_like_rows(v, delim, width) for v in inner):
                return None
            extra += counts
    lines = start + 2 + np.arange(len(frame)) + np.concatenate(([0], np.cumsum(extra)[:-1]))
    empty = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(False, index=frame.index)
    blank = int(empty.sum())
    if blank:
        frame, lines = frame[~empty].reset_index(drop=True), lines[~empty.to_numpy()]
    return CsvTable(
        frame=frame,
        lines=pd.Series(lines, index=frame.index, dtype="int64"),
        rows=len(frame),
        blank=blank,
        header_line=start + 1,
        delimiter=delim,
    )


def _looks_like_rows(cell: str, delim: str, width: int) -> bool:
    """A multi-line cell whose inner lines hold a row's worth of delimiters: rows swallowed by a quote."""
    return width > 2 and any(line.count(delim) >= width - 1 for line in cell.split("\n")[1:])


class _Lines:
    """The physical lines from `pos` as a csv module input, stopping MAX_RECORD_LINES lines into a record."""

    def __init__(self, lines: list[str], pos: int) -> None:
        self.lines = lines
        self.pos = pos
        self.limit = pos

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines) or self.pos >= self.limit:
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1] + "\n"


def _read_rows(text: str, delim: str, start: int, source: str) -> CsvTable:
    """The row-by-row reader (see the module docstring)."""
    placeholder = next((p for p in _PLACEHOLDERS if p not in text), None)
    lines = _physical_lines(text)
    if placeholder is not None and "\r" in text:
        lines = [ln.replace("\r", placeholder) for ln in lines]  # a bare CR is data, not a row end
    header = unique_names(next(csv.reader([lines[start]], delimiter=delim, skipinitialspace=True)))
    table = CsvTable(
        frame=pd.DataFrame(), lines=pd.Series(dtype="int64"), header_line=start + 1, delimiter=delim
    )
    rows, nums = _RowReader(lines, delim, len(header), source, table).read(start + 1)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    if placeholder is not None and len(frame):
        frame = frame.map(lambda v: v.replace(placeholder, "\r") if placeholder in v else v)
    table.frame = frame
    table.lines = pd.Series(nums, index=frame.index, dtype="int64")
    return table


class _RowReader:
    """One pass over the physical lines; a reader is restarted after every row it could not use."""

    def __init__(self, lines: list[str], delim: str, width: int, source: str, table: CsvTable) -> None:
        self.lines = lines
        self.delim = delim
        self.width = width
        self.source = source
        self.table = table
        self.src = _Lines(lines, 0)

    def _restart(self, pos: int) -> Iterator[list[str]]:
        self.src.pos = pos
        return csv.reader(self.src, delimiter=self.delim, skipinitialspace=True)

    def read(self, pos: int) -> tuple[list[list[str]], list[int]]:
        rows: list[list[str]] = []
        nums: list[int] = []
        src, table = self.src, self.table
        reader = self._restart(pos)
        while src.pos < len(self.lines):
            first = src.pos
            src.limit = first + MAX_RECORD_LINES
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                table.rows += 1
                table.rejected.append(_rejected(self.source, first, f"unreadable CSV row: {exc}"))
                reader = self._restart(first + 1)
                continue
            if not any(c.strip() for c in row):
                table.blank += 1
                continue
            table.rows += 1
            reason = self._problem(row, first)
            if reason is None:
                rows.append(row)
                nums.append(first + 1)
            else:
                table.rejected.append(_rejected(self.source, first, reason))
            if src.pos - first > 1 and reason is not None:
                reader = self._restart(first + 1)  # the lines a broken quote took are rows of their own
            elif src.pos >= src.limit:
                reader = self._restart(src.pos)
        return rows, nums

    def _problem(self, row: list[str], first: int) -> str | None:
        spanned = self.src.pos - first
        if spanned > 1 and (
            len(row) != self.width
            or self.src.pos >= self.src.limit
            or any(_looks_like_rows(c, self.delim, self.width) for c in row)
        ):
            column = _quote_column(self.lines[first], self.delim)
            return (
                f"a quote opened in column {column} does not close on this row: the row is rejected "
                f"and the {spanned - 1} line(s) after it are read as rows of their own"
            )
        if len(row) != self.width:
            return f"expected {self.width} fields, found {len(row)}"
        return None


def unique_names(header: list[str]) -> list[str]:
    """Header names made unique the way pandas does ("owner", "owner.1"): a repeated name is a column of
    its own, never a frame where a column is expected."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name}.{n}")
    return out


def _quote_column(line: str, delim: str) -> int:
    """The 1-based column of the cell whose quote opens the trouble (the last quote that opens a cell)."""
    column = 1
    quoted = False
    opened = 1
    for ch in line:
        if ch == '"':
            quoted = not quoted
            if quoted:
                opened = column
        elif ch == delim and not quoted:
            column += 1
    return opened


def _rejected(source: str, index: int, reason: str) -> Rejected:
    return Rejected(source=source, locator=f"line {index + 1}", reason=reason)
