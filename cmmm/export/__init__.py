"""Write the normalized inventory: Parquet, CSV (formula-safe) or JSON, chosen by the file extension.

Every CSV cmmm writes (inventories, scan results, drill plans) goes through `write_csv`: cells
neutralized after every line break, CRLF row ends so that a cell holding CR or LF is quoted, and an
atomic replace of the target."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cmmm import sanitize
from cmmm._json import dumps
from cmmm.errors import UsageError
from cmmm.export.atomic import atomic_file, replacing, write_text_atomic
from cmmm.export.cbom import cbom_document
from cmmm.export.tables import PARQUET_KEY, TABLE_VERSION, inventory_table, quote_text
from cmmm.model import Inventory, SourceRecord


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (= + - @ tab CR at the start of the cell or
    after any line break inside it) get an apostrophe before each such line (`sanitize.spreadsheet`).
    Column names are cells too: a hostile header read from a spreadsheet is written back neutralized."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):  # object, "string" and pandas 3 "str"
            text = s.astype("string")
            risky = text.str.contains(sanitize.FORMULA_RISK.pattern, regex=True).fillna(False)
            if risky.any():
                fixed = text.astype(object)
                fixed[risky] = [sanitize.spreadsheet(v) for v in text[risky]]
                out[col] = fixed.astype("string")
    out.columns = [sanitize.spreadsheet(str(c)) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as formula-safe CSV text (RFC 4180: CRLF row ends, so a cell holding CR or LF is quoted)."""
    text: str = neutralize_formulas(frame).to_csv(index=False, lineterminator="\r\n")
    return text


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write the frame as formula-safe CSV, atomically (the previous file stays whole on any failure)."""
    safe = neutralize_formulas(frame)
    with replacing(path) as tmp:
        safe.to_csv(tmp, index=False, lineterminator="\r\n", encoding="utf-8")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: ISO 8601 dates, null for missing values, plain Python numbers."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].map(lambda v: v.isoformat() if pd.notna(v) else None)
    rows = out.astype(object).where(out.notna(), None).to_dict(orient="records")
    return [{k: _plain(v) for k, v in r.items()} for r in rows]


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, str):
        return sanitize.text(v)
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def inventory_document(inv: Inventory) -> dict[str, Any]:
    """The stable JSON shape: the `cmmm_inventory` marker (its layout version: `cmmm ingest` recognizes
    the file by it and reads it back as the same inventory), certificates, observations, services,
    algorithms, rejected, private_keys, sources (each with rows/merged for tables and defects), accounting
    (rows == kept + rejected + merged over the tabular sources), notes (what was kept but deserves a look:
    ignored cells, values outside a vocabulary, merged duplicates, encodings)."""
    return {
        "cmmm_inventory": 1,
        "certificates": records(inv.certificates),
        "observations": records(inv.observations),
        "services": records(inv.services),
        "algorithms": records(inv.algorithms),
        "rejected": [
            {
                "source": sanitize.text(r.source),
                "locator": sanitize.text(r.locator),
                "reason": sanitize.text(r.reason),
            }
            for r in inv.rejected
        ],
        "private_keys": [  # where key material was found and what it is: never the key itself
            {
                "path": k.path,
                "locator": k.locator,
                "key_type": k.key_type,
                "encrypted": k.encrypted,
                "key_id": k.key_id,
                "store": k.store,
                "ca": k.ca,
                "referenced": k.referenced,
            }
            for k in inv.private_keys
        ],
        "sources": [source_document(s) for s in inv.sources],
        "accounting": accounting(inv),
        "notes": [sanitize.text(n) for n in inv.notes],
    }


def source_document(s: SourceRecord) -> dict[str, Any]:
    """One source read, as the JSON document and the dataset manifest keep it."""
    return {
        "path": s.path,
        "ingester": s.ingester,
        "records": s.records,
        "rejected": s.rejected,
        "read_at": s.read_at.isoformat(),
        "rows": s.rows,
        "merged": s.merged,
        "defects": s.defects,
    }


def accounting(inv: Inventory) -> dict[str, int]:
    """Every row of the tabular sources accounted for: rows == kept + rejected + merged (kept are rows
    that became a certificate of their own, merged those that repeat an earlier row's certificate);
    `defects` counts files an unexpected exception rejected (bugs in cmmm)."""
    tables = [s for s in inv.sources if s.rows is not None]
    merged = sum(s.merged for s in tables)
    return {
        "rows": sum(s.rows or 0 for s in tables),
        "kept": sum(s.records for s in tables) - merged,
        "rejected": sum(s.rejected for s in tables),
        "merged": merged,
        "defects": sum(s.defects for s in inv.sources),
    }


def write_inventory(inv: Inventory, path: Path) -> str:
    """Write by extension, atomically (the previous file stays whole if the write fails); returns the format
    written. JSON, Parquet and CSV read back as the same certificates, observations and services
    (Parquet and CSV: the record table of cmmm.export.tables, certificate rows first)."""
    name = path.name.lower()
    if name.endswith((".cdx.json", ".cbom.json")):
        write_text_atomic(path, dumps(cbom_document(inv)))
        return "cyclonedx-cbom"
    if name.endswith(".json"):
        write_text_atomic(path, dumps(inventory_document(inv)))
        return "json"
    if name.endswith(".parquet"):
        table = pa.Table.from_pandas(inventory_table(inv), preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), PARQUET_KEY: TABLE_VERSION})
        with atomic_file(path) as fh:
            pq.write_table(table, fh)
        return "parquet"
    if name.endswith(".csv"):
        with atomic_file(path) as fh:
            # CRLF row ends: a cell holding CR or LF is quoted, so no line inside a cell starts a new row
            quote_text(inventory_table(inv)).to_csv(
                fh, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z", lineterminator="\r\n"
            )
        return "csv"
    raise UsageError(
        f"{path}: unknown output format; use .parquet, .csv, .json or .cdx.json (CycloneDX CBOM)"
    )
