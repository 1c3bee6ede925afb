"""The replacement plan and the drill document: formula-safe CSV, JSON with stable keys, a summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from cmmm.drill.result import DrillResult
from cmmm.errors import UsageError
from cmmm.export import neutralize_formulas, records


def plan_records(result: DrillResult) -> list[dict[str, Any]]:
    """Plan rows as JSON-ready dicts (keys: PLAN_COLUMNS; dates ISO 8601 UTC)."""
    return records(result.plan)


def drill_document(result: DrillResult, *, plan_rows: int | None = None) -> dict[str, Any]:
    """The stable JSON shape of a drill (README "Fire drills" documents the keys).
    `plan_rows` limits the rows embedded under `plan` (None: all); `plan_rows` itself is the count."""
    r = result
    plan = r.plan if plan_rows is None else r.plan.head(plan_rows)
    return {
        "scenario": r.scenario,
        "kind": r.kind.value,
        "title": r.title,
        "replays": (
            {
                "id": r.replays.id,
                "title": r.replays.title,
                "date": r.replays.date.isoformat(),
                "source": r.replays.source,
            }
            if r.replays
            else None
        ),
        "as_of": r.now.isoformat(),
        "runs": r.runs,
        "seed": r.seed,
        "affected_certificates": r.affected_certificates,
        "deadline_hours": r.deadline_hours,
        "completion_hours": {"p50": r.completion_hours.p50, "p90": r.completion_hours.p90},
        "on_time_probability": r.on_time_probability,
        "verdict": r.verdict.value,
        "verdict_reason": r.verdict_reason,
        "overdue_certificates": r.overdue_certificates,
        "expected_incidents_per_year": r.expected_incidents_per_year,
        "exposed_at_deadline": {
            "certificates": r.exposed_at_deadline.certificates,
            "critical_services": r.exposed_at_deadline.critical_services,
            "service_hours": r.exposed_at_deadline.service_hours,
        },
        "reasons": list(r.reasons),
        "replacement_ca": (
            {
                "name": r.replacement_ca.name,
                "pre_approved": r.replacement_ca.pre_approved,
                "backup": r.replacement_ca.backup,
                "ready_hours": r.replacement_ca.ready_hours,
            }
            if r.replacement_ca
            else None
        ),
        "plan_rows": len(r.plan),
        "team_workload": records(r.team_workload),
        "burndown": records(r.burndown),
        "findings": {k: records(v) for k, v in sorted(r.findings.items())},
        "plan": records(plan),
    }


def write_plan(result: DrillResult, path: Path) -> str:
    """Write the plan by extension: .csv (spreadsheet-formula-safe) or .json. Returns the format."""
    name = path.name.lower()
    if name.endswith(".csv"):
        neutralize_formulas(_text_dates(result.plan)).to_csv(path, index=False)
        return "csv"
    if name.endswith(".json"):
        doc = {"scenario": result.scenario, "as_of": result.now.isoformat(), "rows": plan_records(result)}
        path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        return "json"
    raise UsageError(f"{path}: unknown plan format; use .csv or .json")


def _text_dates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].map(lambda v: v.isoformat() if pd.notna(v) else "")
    return out
