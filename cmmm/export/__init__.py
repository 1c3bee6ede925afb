"""Write the normalized inventory: Parquet, CSV (formula-safe) or JSON, chosen by the file extension."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cmmm._json import dumps
from cmmm.errors import UsageError
from cmmm.export.atomic import atomic_file, write_text_atomic
from cmmm.export.cbom import cbom_document
from cmmm.export.tables import PARQUET_KEY, TABLE_VERSION, inventory_table, quote_text
from cmmm.model import Inventory

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (= + - @ tab CR) with an apostrophe."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):  # object, "string" and pandas 3 "str"
            text = s.astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False)
            if risky.any():
                out[col] = text.where(~risky, "'" + text)
    return out


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
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def inventory_document(inv: Inventory) -> dict[str, Any]:
    """The stable JSON shape: the `cmmm_inventory` marker (its layout version: `cmmm ingest` recognizes
    the file by it and reads it back as the same inventory), certificates, observations, services,
    algorithms, rejected, private_keys, sources, notes (what was kept but deserves a look: ignored cells,
    values outside a vocabulary)."""
    return {
        "cmmm_inventory": 1,
        "certificates": records(inv.certificates),
        "observations": records(inv.observations),
        "services": records(inv.services),
        "algorithms": records(inv.algorithms),
        "rejected": [{"source": r.source, "locator": r.locator, "reason": r.reason} for r in inv.rejected],
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
        "sources": [
            {
                "path": s.path,
                "ingester": s.ingester,
                "records": s.records,
                "rejected": s.rejected,
                "read_at": s.read_at.isoformat(),
            }
            for s in inv.sources
        ],
        "notes": list(inv.notes),
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
            quote_text(inventory_table(inv)).to_csv(fh, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z")
        return "csv"
    raise UsageError(
        f"{path}: unknown output format; use .parquet, .csv, .json or .cdx.json (CycloneDX CBOM)"
    )
