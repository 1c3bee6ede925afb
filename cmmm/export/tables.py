"""The inventory as one table that reads back losslessly: certificate, observation and service rows.

`cmmm ingest … -o FILE.parquet|.csv` writes this table, and `cmmm ingest`/`assess` recognize it by content
(a Parquet key or the CSV header) and read back the same certificates, observations and services.
The first column, `record`, says what a row is: `certificate` rows carry the certificate columns and the
per-certificate facts (owner, team, … — what a spreadsheet user filters on), `observation` rows the
columns of one place a certificate was seen, `service` rows the service catalog. A column a row's kind
does not have is empty.

CSV keeps every value exact: dates in ISO 8601 with microseconds, empty cells for missing values, and a
text cell that starts with an apostrophe, or with a character a spreadsheet runs as a formula (= + - @ tab
CR), or is the empty text, gets one apostrophe in front, which the reader takes off again.
"""

from __future__ import annotations

import re
from enum import StrEnum

import pandas as pd

from cmmm.model import (
    CERTIFICATE_COLUMNS,
    FACT_COLUMNS,
    OBSERVATION_COLUMNS,
    SERVICE_COLUMNS,
    Inventory,
    conform,
)
from cmmm.sanitize import LINE_BREAKS

PARQUET_KEY = b"cmmm_inventory"  # schema metadata key; its value is the table's layout version
TABLE_VERSION = b"1"
RECORD = "record"


class Record(StrEnum):
    CERTIFICATE = "certificate"
    OBSERVATION = "observation"
    SERVICE = "service"


def _union(*parts: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {RECORD: "string"}
    for part in parts:
        for name, dtype in part.items():
            if out.setdefault(name, dtype) != dtype:  # a shared name must mean the same type everywhere
                raise TypeError(f"column {name}: {out[name]} and {dtype}")
    return out


TABLE_COLUMNS: dict[str, str] = _union(
    CERTIFICATE_COLUMNS, FACT_COLUMNS, OBSERVATION_COLUMNS, SERVICE_COLUMNS
)
# what each kind of row carries
RECORD_COLUMNS: dict[Record, dict[str, str]] = {
    Record.CERTIFICATE: CERTIFICATE_COLUMNS,
    Record.OBSERVATION: OBSERVATION_COLUMNS,
    Record.SERVICE: SERVICE_COLUMNS,
}
# A line (the cell's start, or after any line break a spreadsheet honours) that a spreadsheet would run as a
# formula, or that starts with the escape itself: it gets one apostrophe in front, which reading removes.
_RISKY_LINE = re.compile(f"(^|[{LINE_BREAKS}])(?= *[=+\\-@\t\r'])")
_ESCAPED_LINE = re.compile(f"(^|[{LINE_BREAKS}])'(?= *[=+\\-@\t\r'])")


def inventory_table(inv: Inventory) -> pd.DataFrame:
    """Certificates (with their facts), then observations, then services, as TABLE_COLUMNS rows."""
    parts = [
        inv.certificate_facts().assign(record=Record.CERTIFICATE.value),
        inv.observations.assign(record=Record.OBSERVATION.value),
        inv.services.assign(record=Record.SERVICE.value),
    ]
    return conform(pd.concat([conform(p, TABLE_COLUMNS) for p in parts], ignore_index=True), TABLE_COLUMNS)


def split_table(table: pd.DataFrame) -> dict[Record, pd.DataFrame]:
    """The certificate, observation and service frames of an inventory table (TABLE_COLUMNS)."""
    kind = table[RECORD].astype("string")
    return {
        rec: conform(table[(kind == rec.value).fillna(False).to_numpy()], columns)
        for rec, columns in RECORD_COLUMNS.items()
    }


def quote_text(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells for CSV: an apostrophe before every line of a cell that starts like a formula (spaces
    allowed) or with an apostrophe, and the empty text as a lone apostrophe — reversible, and no line a
    spreadsheet opens runs as a formula."""
    out = table.copy()
    for name, dtype in TABLE_COLUMNS.items():
        if dtype != "string":
            continue
        text = out[name]
        risky = (
            text.str.contains(_RISKY_LINE.pattern.replace("(^|", "(?:^|", 1), regex=True)
            .fillna(False)
            .astype(bool)
        )
        if risky.any():
            text = text.where(~risky, text[risky].str.replace(_RISKY_LINE.pattern, "\\1'", regex=True))
        out[name] = text.where(~text.eq("").fillna(False).astype(bool), "'")
    return out


def unquote_text(col: pd.Series) -> pd.Series:
    """The reverse of quote_text for one text column read from CSV (empty cells are missing values)."""
    col = col.astype("string").replace("", pd.NA)
    col = col.where(~col.eq("'").fillna(False).astype(bool), "")
    escaped = (
        col.str.contains(_ESCAPED_LINE.pattern.replace("(^|", "(?:^|", 1), regex=True)
        .fillna(False)
        .astype(bool)
    )
    if escaped.any():
        col = col.where(~escaped, col[escaped].str.replace(_ESCAPED_LINE.pattern, "\\1", regex=True))
    return col
