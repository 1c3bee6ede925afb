"""cmmm's own inventory files (`cmmm ingest … -o FILE.json|.parquet|.csv`), read back as they were written:
the same certificates, observations and services (and, from JSON, the rejections, private-key findings and
notes), recognized by content — the JSON marker, the Parquet key, the CSV header."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cmmm.errors import InputError
from cmmm.export.tables import PARQUET_KEY, RECORD, TABLE_COLUMNS, Record, split_table, unquote_text
from cmmm.ingest._base import Batch, ReadContext, text_of
from cmmm.model import (
    CERTIFICATE_COLUMNS,
    OBSERVATION_COLUMNS,
    SERVICE_COLUMNS,
    UTC_DT,
    PrivateKeyFinding,
    Rejected,
    conform,
)

_JSON_MARKER = b'"cmmm_inventory"'
_PARQUET_MAGIC = b"PAR1"
_CSV_HEADER = f"{RECORD},cert_id,".encode()
_BOOLEANS = {"True": True, "False": False, "true": True, "false": False}


def sniff(path: Path, head: bytes) -> int:
    """cmmm's JSON document (its marker among the first keys), a Parquet file (the key is checked when it
    is read: any Parquet file comes here, the only reader of Parquet), or cmmm's CSV header."""
    if head.startswith(_PARQUET_MAGIC):
        return 99
    if head.lstrip()[:1] == b"{" and _JSON_MARKER in head[:256]:
        return 99
    return 99 if head.lstrip(b"\xef\xbb\xbf").startswith(_CSV_HEADER) else 0


def read(path: Path, ctx: ReadContext) -> Batch:
    """Read whichever of the three forms the file is."""
    with path.open("rb") as fh:
        head = fh.read(256)
    if head.startswith(_PARQUET_MAGIC):
        return _read_parquet(path)
    return _read_json(path) if head.lstrip()[:1] == b"{" else _read_csv(path)


def _batch(table: pd.DataFrame) -> Batch:
    parts = split_table(table)
    return Batch(
        certificates=parts[Record.CERTIFICATE],
        observations=parts[Record.OBSERVATION],
        services=parts[Record.SERVICE],
    )


def _read_parquet(path: Path) -> Batch:
    try:
        pf = pq.ParquetFile(path)
        meta = pf.schema_arrow.metadata or {}
        if PARQUET_KEY not in meta:
            raise InputError(str(path), "a Parquet file, but not one cmmm wrote (no cmmm_inventory key)")
        table = pf.read()
    except (pa.ArrowException, OSError) as exc:
        raise InputError(str(path), f"unreadable Parquet: {exc}") from None
    missing = [c for c in TABLE_COLUMNS if c not in table.column_names]
    if RECORD in missing or "cert_id" in missing:
        raise InputError(str(path), f"cmmm inventory table without the {RECORD}/cert_id columns")
    frame = table.to_pandas(types_mapper=_ARROW_TYPES.get)
    return _batch(conform(frame, TABLE_COLUMNS))


_ARROW_TYPES: dict[pa.DataType, Any] = {
    pa.string(): pd.StringDtype(),
    pa.large_string(): pd.StringDtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    pa.float64(): pd.Float64Dtype(),
}


def _parse(col: pd.Series, dtype: str, path: Path) -> pd.Series:
    """One CSV column (text, empty for missing) in its model type; a cell that is not one is an error."""
    if dtype == "string":
        return unquote_text(col)
    text = col.astype("string").replace("", pd.NA)
    try:
        if dtype == UTC_DT:
            return pd.to_datetime(text, utc=True, format="ISO8601").astype(UTC_DT)
        if dtype == "boolean":
            bad = text.notna() & ~text.isin(list(_BOOLEANS)).fillna(False)
            if bad.any():
                raise ValueError(f"not true/false: {text[bad].iloc[0]!r}")
            return text.map(_BOOLEANS, na_action="ignore").astype("boolean")
        return pd.to_numeric(text).astype(dtype)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(str(path), f"column {col.name}: {exc}") from None


def _read_csv(path: Path) -> Batch:
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            quoting=csv.QUOTE_MINIMAL,
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(str(path), f"unreadable cmmm inventory CSV: {exc}") from None
    unknown = [c for c in frame.columns if c not in TABLE_COLUMNS]
    if unknown:
        raise InputError(str(path), f"not cmmm's inventory table: unknown column {unknown[0]!r}")
    parsed = pd.DataFrame({name: _parse(frame[name], TABLE_COLUMNS[name], path) for name in frame.columns})
    kinds = set(parsed[RECORD].dropna()) - {r.value for r in Record}
    if kinds:
        raise InputError(str(path), f"unknown record kind {sorted(kinds)[0]!r}")
    return _batch(conform(parsed, TABLE_COLUMNS))


def _frame(rows: Any, columns: dict[str, str], what: str, path: Path) -> pd.DataFrame:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError(str(path), f"{what}: not a list of objects")
    frame = (
        pd.DataFrame.from_records(rows, columns=list(columns))
        if rows
        else pd.DataFrame(columns=list(columns))
    )
    out: dict[str, pd.Series] = {}
    for name, dtype in columns.items():
        col = frame[name]
        try:
            if dtype == UTC_DT:
                out[name] = pd.to_datetime(col, utc=True, format="ISO8601").astype(UTC_DT)
            elif dtype == "string":
                out[name] = col.astype(object).where(col.notna(), None).astype("string")
            else:
                out[name] = pd.array(col.astype(object).where(col.notna(), None).tolist(), dtype=dtype)
        except (ValueError, TypeError, OverflowError) as exc:
            raise InputError(str(path), f"{what}.{name}: {exc}") from None
    return conform(pd.DataFrame(out), columns)


def _read_json(path: Path) -> Batch:
    try:
        doc = json.load(io.StringIO(text_of(path.read_bytes())))
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(doc, dict) or doc.get("cmmm_inventory") != 1:
        raise InputError(str(path), "not a cmmm inventory document (cmmm_inventory: 1)")
    try:
        rejected = [Rejected(**r) for r in doc.get("rejected", [])]
        keys = [PrivateKeyFinding(**k) for k in doc.get("private_keys", [])]
    except TypeError as exc:
        raise InputError(str(path), f"rejected/private_keys: {exc}") from None
    notes = [str(n) for n in doc.get("notes", [])]
    algorithms = doc.get("algorithms", [])
    if not isinstance(algorithms, list) or not all(isinstance(a, dict) for a in algorithms):
        raise InputError(str(path), "algorithms: not a list of objects")
    return Batch(
        certificates=_frame(doc.get("certificates", []), CERTIFICATE_COLUMNS, "certificates", path),
        observations=_frame(doc.get("observations", []), OBSERVATION_COLUMNS, "observations", path),
        services=_frame(doc.get("services", []), SERVICE_COLUMNS, "services", path),
        algorithms=algorithms,
        rejected=rejected,
        private_keys=keys,
        notes=notes,
    )
