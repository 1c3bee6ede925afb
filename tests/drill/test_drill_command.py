"""`cmmm drill` and `cmmm scenarios`: JSON keys, the plan CSV (formula-safe), exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cmmm import drill
from cmmm.cli import app
from tests.conftest import NOW, write
from tests.drill.orgs import chaos_org


def test_cli_drill_json_plan_and_exit_codes(tmp_path: Path) -> None:
    org = chaos_org(tmp_path / "org")
    sheet_path = org / "inventory.csv"
    lines = sheet_path.read_text(encoding="utf-8").splitlines()
    lines[1:] = [ln.replace("it-lead@org.test", '"=HYPERLINK(""http://evil.test"")"') for ln in lines[1:]]
    sheet_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    plan = tmp_path / "plan.csv"
    res = runner.invoke(
        app,
        [
            "drill",
            str(org),
            "--scenario",
            "primary-intermediate-compromise-24h",
            "--runs",
            "40",
            "--as-of",
            NOW.isoformat(),
            "--format",
            "json",
            "--plan",
            str(plan),
            "--fail-on-miss",
        ],
    )
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    for key in (
        "scenario",
        "kind",
        "affected_certificates",
        "deadline_hours",
        "completion_hours",
        "on_time_probability",
        "verdict",
        "exposed_at_deadline",
        "plan_rows",
    ):
        assert key in doc
    assert set(doc["completion_hours"]) == {"p50", "p90"}
    assert set(doc["exposed_at_deadline"]) == {"certificates", "critical_services", "service_hours"}
    assert doc["verdict"] == "fail" and doc["plan_rows"] == doc["affected_certificates"]
    text = plan.read_text(encoding="utf-8")
    dates = {"planned_start", "planned_finish", "deadline", "revoke_by"}  # in UTC, the header says so
    assert text.splitlines()[0] == ",".join(f"{c}_utc" if c in dates else c for c in drill.PLAN_COLUMNS)
    assert "HYPERLINK" in text and "\n=" not in text and ',"=' not in text and ",=" not in text
    res = runner.invoke(
        app,
        [
            "drill",
            str(org),
            "--scenario",
            "primary-intermediate-compromise-24h",
            "--runs",
            "20",
            "--as-of",
            NOW.isoformat(),
        ],
    )
    assert res.exit_code == 0 and "FAIL" in res.stdout and "no pre-approved backup CA" in res.stdout
    bad = write(
        tmp_path / "bad.yaml",
        "kind: ca_distrust\ntitle: x\ndescription: y\ndeadline_hours: 1\nparameters: {}\n",
    )
    res = runner.invoke(app, ["drill", str(org), "--scenario", str(bad)])
    assert res.exit_code == 2 and "parameters.target: missing required field" in res.stderr
    res = runner.invoke(app, ["scenarios", "--format", "json"])
    listed = {s["name"] for s in json.loads(res.stdout)}
    assert res.exit_code == 0 and {"entrust-2024", "primary-intermediate-compromise-24h"} <= listed
