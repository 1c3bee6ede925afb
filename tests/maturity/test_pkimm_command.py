"""`cmmm assess --model pkimm`: the category view as text, JSON (stable keys) and Markdown, beside the CMMM
level of the same evidence; the default stays the CMMM view."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cmmm.cli import app

runner = CliRunner()
ARGS = ["--as-of", "2026-11-28", "--no-drills"]
TOP_KEYS = [
    "model",
    "pkimm",
    "as_of",
    "organization",
    "certificates",
    "cmmm",
    "score",
    "score_ceiling",
    "floor",
    "floor_category",
    "assessed_weight",
    "total_weight",
    "modules",
    "categories",
    "unmapped",
]
CATEGORY_KEYS = [
    "id",
    "module",
    "name",
    "weight",
    "assessed",
    "level",
    "level_name",
    "ceiling",
    "evidence_levels",
    "met",
    "not_met",
    "unknown",
    "criteria",
    "related",
]


def test_json_has_stable_keys_and_agrees_with_the_cmmm_document(bundle: Path) -> None:
    res = runner.invoke(app, ["assess", str(bundle), *ARGS, "--model", "pkimm", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert list(doc) == TOP_KEYS
    assert doc["model"] == "pkimm" and doc["pkimm"]["version"] == "1.0.0"
    assert doc["pkimm"]["levels"] == ["Initial", "Basic", "Advanced", "Managed", "Optimized"]
    assert len(doc["categories"]) == 15 and doc["total_weight"] == 47
    assert all(list(c) == CATEGORY_KEYS for c in doc["categories"])
    assert [m["id"] for m in doc["modules"]] == ["G", "M", "O", "R"]
    cmmm_doc = json.loads(runner.invoke(app, ["assess", str(bundle), *ARGS, "--format", "json"]).stdout)
    assert doc["cmmm"] == {k: cmmm_doc[k] for k in ("level", "level_name", "score")}
    status = {c["id"]: c["status"] for c in cmmm_doc["criteria"]}
    scored = [m for c in doc["categories"] for m in c["criteria"]]
    assert sorted(m["id"] for m in scored) == sorted(status)  # every criterion once
    assert all(m["status"] == status[m["id"]] for m in scored)
    for c in doc["categories"]:
        assert c["met"] + c["not_met"] + c["unknown"] == len(c["criteria"])
        if not c["assessed"]:
            assert c["level"] is c["ceiling"] is c["level_name"] is None
    floor = next(c for c in doc["categories"] if c["id"] == doc["floor_category"])
    assert floor["level"] == doc["floor"] == min(c["level"] for c in doc["categories"] if c["assessed"])


def test_text_and_markdown(bundle: Path) -> None:
    res = runner.invoke(app, ["assess", str(bundle), *ARGS, "--model", "pkimm"])
    assert res.exit_code == 0, res.output
    assert "PKIMM 1.0.0: overall" in res.stdout and "the same evidence on CMMM: level" in res.stdout
    for text in ("Governance", "Resources", "M.6 Certificate", "R.15 Awareness", "not assessed", "up to"):
        assert text in res.stdout
    assert "Roadmap" not in res.stdout
    res = runner.invoke(app, ["assess", str(bundle), *ARGS, "--model", "pkimm", "--format", "markdown"])
    assert res.exit_code == 0 and res.stdout.startswith("# PKIMM 1.0.0 categories — Example")
    assert "| Management | M.6 Certificate management | 4 |" in res.stdout


def test_default_model_is_cmmm_and_a_bad_model_is_refused(bundle: Path) -> None:
    res = runner.invoke(app, ["assess", str(bundle), *ARGS])
    assert res.exit_code == 0 and "CMMM level" in res.stdout and "PKIMM" not in res.stdout
    res = runner.invoke(app, ["assess", str(bundle), *ARGS, "--model", "cmmi"])
    assert res.exit_code == 2
