"""`cmmm report` and `cmmm demo`: each format written where asked, profile overrides, one-line errors, one
report per sample organization."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cmmm.cli import app

runner = CliRunner()


@pytest.mark.slow  # the whole pipeline, drills included, once per format
def test_cli_report_formats(bundle: Path, tmp_path: Path) -> None:
    for fmt, check in (
        ("html", "<!DOCTYPE html>"),
        ("json", '"schema": "cmmm.report/1"'),
        ("markdown", "# CMMM report"),
    ):
        out = tmp_path / f"r.{fmt}"
        res = runner.invoke(
            app, ["report", str(bundle), "-o", str(out), "--format", fmt, "--as-of", "2026-11-28"]
        )
        assert res.exit_code == 0, res.output
        assert check in out.read_text(encoding="utf-8")
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["as_of"].startswith("2026-11-28") and doc["inventory"]["certificates"] == 27


def test_cli_report_profile_override_and_bad_input(bundle: Path, tmp_path: Path) -> None:
    prof = tmp_path / "other.yaml"
    prof.write_text("organization: Other Org\n", encoding="utf-8")
    out = tmp_path / "r.json"
    res = runner.invoke(
        app, ["report", str(bundle), "--profile", str(prof), "-o", str(out), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text(encoding="utf-8"))["organization"] == "Other Org"
    res = runner.invoke(app, ["report", str(tmp_path / "missing"), "-o", str(out)])
    assert res.exit_code == 2 and "no such file" in " ".join(res.output.split())


def test_cli_demo_writes_one_report_per_org(bundle: Path, tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "contoso").symlink_to(bundle, target_is_directory=True)
    reports = tmp_path / "reports"
    res = runner.invoke(
        app, ["demo", "--samples", str(samples), "--reports", str(reports), "--as-of", "2026-11-28"]
    )
    assert res.exit_code == 0, res.output
    assert (reports / "contoso.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "contoso.html" in res.output
