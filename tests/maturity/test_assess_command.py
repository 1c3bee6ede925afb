"""`cmmm assess`: JSON, text and Markdown, --fail-below, profile and policy overrides, and an inventory the
criteria must not trip over."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cmmm.cli import app
from tests.conftest import write

runner = CliRunner()


def test_assess_an_all_rsa_inventory_without_curves(tmp_path: Path) -> None:
    write(
        tmp_path / "inv.csv", "common_name,not_after,key_algorithm,key_size\na.example,2027-01-01,RSA,2048\n"
    )
    res = runner.invoke(
        app, ["assess", str(tmp_path), "--no-drills", "--format", "json", "--as-of", "2026-11-28"]
    )
    assert res.exit_code == 0, res.output
    assert '"level": 1' in res.stdout


def test_cli_assess_json_and_fail_below(bundle: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["assess", str(bundle), "--as-of", "2026-11-28", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["level"] in (1, 2, 3, 4, 5) and doc["organization"] == "Example"
    res = runner.invoke(app, ["assess", str(bundle), "--as-of", "2026-11-28", "--fail-below", "5"])
    assert res.exit_code == 1
    assert "CMMM level" in res.stdout and "Top actions" in res.stdout and "--verbose" in res.stdout
    assert "is below --fail-below 5" in res.stderr
    full = runner.invoke(app, ["assess", str(bundle), "--as-of", "2026-11-28", "--verbose"])
    assert "Roadmap" in full.stdout and len(full.stdout.splitlines()) > 2 * len(res.stdout.splitlines())
    res = runner.invoke(app, ["assess", str(bundle), "--as-of", "2026-11-28", "--format", "markdown"])
    assert res.exit_code == 0 and res.stdout.startswith("# CMMM assessment")


def test_cli_profile_and_policy_override(bundle: Path, tmp_path: Path) -> None:
    prof = write(tmp_path / "p.yaml", "organization: Override\n")
    pol = write(tmp_path / "pol.yaml", "name: strict\nforbidden_signature_hashes: [sha256, sha1]\n")
    res = CliRunner().invoke(
        app,
        [
            "assess",
            str(bundle),
            "--as-of",
            "2026-11-28",
            "--format",
            "json",
            "--profile",
            str(prof),
            "--policy",
            str(pol),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["organization"] == "Override" and doc["policy"]["name"] == "strict"
    bad = write(tmp_path / "bad.yaml", "name: [unclosed\n")
    res = CliRunner().invoke(app, ["assess", str(bundle), "--policy", str(bad)])
    assert res.exit_code == 2 and "bad.yaml" in res.stderr
