"""The report as a JSON document with stable keys (the view's field names)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from cmmm._json import dumps
from cmmm.report.view import ReportView


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value


def render_json(view: ReportView) -> dict[str, Any]:
    """The view as JSON-ready data. Keys are the view's field names (schema "cmmm.report/1"): schema,
    generated_at, as_of, organization, summary, inventory, pqc, findings, maturity, ladder, dependency,
    drills, roadmap, roadmap_source, method_notes, sources. Absent stages are null or empty lists; `trend`
    (the store's snapshots, oldest first) is present only when the report was made from a store with two or
    more snapshots."""
    doc: dict[str, Any] = _plain(view)
    if doc["trend"] is None:
        del doc["trend"]
    doc["pqc"]["deadlines"] = [
        {"authority": a, "category": c, "exclusive_by": d} for a, c, d in doc["pqc"]["deadlines"]
    ]
    return doc


def render_json_text(view: ReportView) -> str:
    """The JSON document, indented, keys in view order."""
    return dumps(render_json(view), ensure_ascii=False)
