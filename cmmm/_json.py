"""Strict JSON: every document cmmm prints or writes parses in any JSON parser — no NaN, no Infinity.

Python's `json` writes `NaN` and `Infinity` by default, which `JSON.parse`, `jq` and most typed decoders
refuse (RFC 8259 §6 has no such numbers). An unknown or unbounded value is None in the result object that
holds it, with a reason beside it where it matters; this module never patches one into a string: a NaN that
reaches it is a bug and raises ValueError with its traceback.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from importlib.resources import files
from pathlib import PurePath
from typing import Any

_MISSING_TYPES = frozenset({"NAType", "NaTType"})  # pandas' NA and NaT, named without importing pandas


def _default(value: Any) -> Any:
    """What the json module cannot encode on its own: dates, enums, paths and numpy scalars."""
    if type(value).__name__ in _MISSING_TYPES:
        raise ValueError(f"a missing value ({value!r}) reached a JSON document: it must be None upstream")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    item = getattr(value, "item", None)  # numpy scalars (int64, float64, bool_)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(doc: Any, *, indent: int | None = 1, ensure_ascii: bool = True) -> str:
    """The document as strict JSON text ending in a newline."""
    return json.dumps(doc, indent=indent, allow_nan=False, default=_default, ensure_ascii=ensure_ascii) + "\n"


# Every JSON document cmmm writes has a JSON Schema (draft 2020-12) shipped in the package, cmmm/schemas/:
# document name → the commands that write it. docs/schemas.md lists them; tests validate every output.
SCHEMAS: dict[str, str] = {
    "inventory": "cmmm ingest --format json, cmmm ingest -o inventory.json",
    "assessment": "cmmm assess --format json",
    "pkimm": "cmmm assess --model pkimm --format json",
    "graph": "cmmm graph --format json",
    "blast-radius": "cmmm graph --blast-radius CA --format json",
    "drill": "cmmm drill --format json",
    "plan": "cmmm drill --plan plan.json",
    "report": "cmmm report -o report.json",
    "scan": "cmmm scan --format json, cmmm scan -o scan.json",
    "checks": "cmmm checks --format json",
    "scenarios": "cmmm scenarios --format json",
    "census": "cmmm census DATASET --format json",
}


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema of a document cmmm writes (a key of SCHEMAS)."""
    if name not in SCHEMAS:
        raise KeyError(f"no schema named {name!r}; known: {', '.join(SCHEMAS)}")
    text = files("cmmm").joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc
