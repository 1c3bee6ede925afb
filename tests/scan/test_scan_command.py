"""`cmmm scan`: JSON that ingests, --merge against a spreadsheet, one-line usage errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cmmm.cli import app
from tests.conftest import write
from tests.scan.net import LOCAL, Net


def test_cli_scan_writes_ingestible_json_and_merges(net: Net, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "scan.json"
    p = net.ports
    targets = [f"{LOCAL}:{p['ecdsa']}", f"{LOCAL}:{p['plain']}", f"{LOCAL}:{p['closed']}"]
    res = runner.invoke(app, ["scan", *targets, "--timeout", "1", "-o", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [e["status"] for e in doc["endpoints"]] == ["ok", "not-tls", "refused"]
    assert doc["endpoints"][0]["chain_status"] == "untrusted" and len(doc["endpoints"][0]["chain"]) == 2
    assert out.exists()
    res = runner.invoke(app, ["ingest", str(out)])
    assert res.exit_code == 0 and "network-scan" in res.stdout
    sheet = write(
        tmp_path / "sheet.csv", f"Common Name,Expiration Date,Endpoints\nold.test,2027-01-01,{targets[2]}\n"
    )
    res = runner.invoke(app, ["scan", targets[0], targets[2], "--timeout", "1", "--merge", str(sheet)])
    assert res.exit_code == 0, res.output
    assert "1 shadow" in res.stdout and "1 stale" in res.stdout and "old.test" in res.stdout


def test_cli_bad_usage_is_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["scan", "10.0.0.0/8"])
    assert res.exit_code == 2 and "--yes" in res.stderr and "Traceback" not in res.output
    res = runner.invoke(app, ["scan"])
    assert res.exit_code == 2 and "no targets" in res.stderr
    res = runner.invoke(app, ["scan", "--targets-file", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and "cannot read targets file" in res.stderr.replace("\n", " ")
