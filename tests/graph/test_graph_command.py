"""`cmmm graph`: the summary, a blast radius as text and JSON, an ambiguous CA, an export."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
from typer.testing import CliRunner

from cmmm.cli import app
from tests.graph.acme import Org

runner = CliRunner()


def test_cli_graph(org: Org, tmp_path: Path) -> None:
    res = runner.invoke(app, ["graph", str(org.path), "--as-of", "2026-11-28"])
    assert res.exit_code == 0, res.output
    assert "Acme Root R1" in res.output and "orphan" in res.output
    res = runner.invoke(app, ["graph", str(org.path), "--blast-radius", "Acme Issuing A", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert {s["service"] for s in doc["services"]} == {"web", "api", "checkout", "reports"}
    res = runner.invoke(app, ["graph", str(org.path), "--blast-radius", "Acme Issuing A"])
    assert res.exit_code == 0 and "checkout" in res.output and "a0.acme.test:443" in res.output
    res = runner.invoke(app, ["graph", str(org.path), "--blast-radius", "Acme Issuing"])
    assert res.exit_code == 2 and "matches 2 CAs" in res.output and "ca:ski:" in res.output
    out = tmp_path / "g.graphml"
    res = runner.invoke(app, ["graph", str(org.path), "--export", str(out)])
    assert res.exit_code == 0 and nx.read_graphml(out).number_of_nodes() > 0
