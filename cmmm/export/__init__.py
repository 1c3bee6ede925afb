"""Write the normalized inventory: Parquet, CSV (formula-safe) or JSON, chosen by the file extension.

Every CSV cmmm writes (inventories, scan results, drill plans) goes through `write_csv`: cells
neutralized after every line break, CRLF row ends so that a cell holding CR or LF is quoted, and an
atomic replace of the target."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from cmmm import sanitize
from cmmm.errors import UsageError
from cmmm.export.atomic import replacing, write_text_atomic
from cmmm.export.cbom import cbom_document
from cmmm.model import Inventory


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
    """The stable JSON shape: certificates, observations, services, algorithms, rejected, private_keys,
    sources (each with rows/merged for tables and defects), accounting (rows == kept + rejected + merged
    over the tabular sources), notes (what was kept but deserves a look: ignored cells, values outside a
    vocabulary, merged duplicates, encodings)."""
    return {
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
        "private_keys": [
            {"path": k.path, "locator": k.locator, "key_type": k.key_type, "encrypted": k.encrypted}
            for k in inv.private_keys
        ],
        "sources": [
            {
                "path": s.path,
                "ingester": s.ingester,
                "records": s.records,
                "rejected": s.rejected,
                "read_at": s.read_at.isoformat(),
                "rows": s.rows,
                "merged": s.merged,
                "defects": s.defects,
            }
            for s in inv.sources
        ],
        "accounting": accounting(inv),
        "notes": [sanitize.text(n) for n in inv.notes],
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
    """Write by extension; returns the format written. The tabular forms are the certificate facts table,
    which `cmmm ingest` reads back (cert_id and every column keep their names)."""
    name = path.name.lower()
    if name.endswith((".cdx.json", ".cbom.json")):
        write_text_atomic(path, json.dumps(cbom_document(inv), indent=1) + "\n")
        return "cyclonedx-cbom"
    if name.endswith(".json"):
        write_text_atomic(path, json.dumps(inventory_document(inv), indent=1, default=str) + "\n")
        return "json"
    facts = inv.certificate_facts()
    if name.endswith(".parquet"):
        with replacing(path) as tmp:
            facts.to_parquet(tmp, index=False)
        return "parquet"
    if name.endswith(".csv"):
        write_csv(facts, path)
        return "csv"
    raise UsageError(
        f"{path}: unknown output format; use .parquet, .csv, .json or .cdx.json (CycloneDX CBOM)"
    )
