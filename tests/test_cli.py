"""The command line as a whole: bad input or a bad output path is one `cmmm: error:` line with exit code 2 and
no traceback or terminal escape, whatever the command; `cmmm checks` lists the catalog."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cmmm.cli import app
from cmmm.maturity.catalog import load_catalog
from tests.conftest import write

runner = CliRunner()


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    write(tmp_path / "inv.csv", "cn,not_after\na.example,2027-01-01\n")
    write(tmp_path.parent / "prof.yaml", "teams: 5\n")
    cases = [
        [
            "drill",
            str(tmp_path),
            "--scenario",
            "primary-intermediate-compromise-24h",
            "--profile",
            str(tmp_path.parent / "prof.yaml"),
        ],
        ["ingest", str(tmp_path), "-o", str(tmp_path / "missing" / "x.json")],
        ["assess", str(tmp_path), "--as-of", "9999-12-31"],
        ["demo", "--samples", str(tmp_path / "inv.csv")],
    ]
    for args in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output and res.output.startswith("cmmm: error: "), res.output


def test_error_lines_neutralize_terminal_escapes(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b]8;;http://evil\x1b\\x.yaml"
    write(bad, "teams: 5\n")
    write(tmp_path / "d" / "inv.csv", "cn,not_after\na.example,2027-01-01\n")
    res = runner.invoke(
        app, ["drill", str(tmp_path / "d"), "--scenario", "sha1-end-2026", "--profile", str(bad)]
    )
    assert res.exit_code == 2 and "\x1b" not in res.output


def test_outputs_into_a_missing_folder_are_one_line_errors(tmp_path: Path) -> None:
    write(tmp_path / "in" / "inv.csv", "cn,not_after\na.example,2027-01-01\n")
    inv = str(tmp_path / "in")
    missing = tmp_path / "no" / "such"
    blocker = write(tmp_path / "file.txt", "x")
    cases = [
        ["report", inv, "-o", str(missing / "report.html")],
        ["ingest", inv, "-o", str(missing / "inv.json")],
        ["graph", inv, "--export", str(missing / "g.json")],
        ["drill", inv, "--scenario", "sha1-end-2026", "--plan", str(missing / "plan.csv")],
        ["scan", "127.0.0.1:9", "--timeout", "0.1", "-o", str(missing / "scan.json")],
    ]
    for args in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        name = Path(args[-1]).name
        assert res.output == f"cmmm: error: {missing}: output folder does not exist (for {name})\n", (
            res.output
        )
    assert not (tmp_path / "no").exists()
    res = runner.invoke(app, ["report", inv, "-o", str(blocker / "report.html")])
    assert res.exit_code == 2 and res.output.startswith(f"cmmm: error: {blocker}: output folder is not a")
    res = runner.invoke(app, ["report", inv, "-o", str(tmp_path / "report.md"), "--format", "markdown"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("#")


def test_cli_checks_lists_criteria_and_policy_codes() -> None:
    res = CliRunner().invoke(app, ["checks", "--format", "json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert len(doc["criteria"]) == len(load_catalog().criteria)
    assert any(p["code"] == "policy.validity_exceeds_cabf_cap" for p in doc["policy_checks"])
    assert CliRunner().invoke(app, ["checks"]).exit_code == 0
