"""CA concentration, riskiest CAs, single points of failure and the graph summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cmmm
from cmmm.graph import blast_radius, concentration, orphans, single_points_of_failure, summarize_graph
from cmmm.graph.hierarchy import certificates_under
from cmmm.model import Inventory
from cmmm.report.documents import summary_document
from tests.conftest import NOW, write


def test_concentration_matches_blast_radius(inv: Inventory) -> None:
    conc = concentration(inv).set_index("name")
    for ca in ("Acme Root R1", "Bridge Root", "Acme Issuing A", "Acme Issuing B", "Outside CA"):
        ca_id = conc.at[ca, "ca_id"]
        assert conc.at[ca, "certificates"] == int(certificates_under(inv, [ca_id]).sum())
        b = blast_radius(inv, [ca_id])
        assert conc.at[ca, "score"] == b.score
        assert conc.at[ca, "services"] == len(b.services)
    assert conc.at["Acme Root R1", "leaves"] == 6
    assert conc.at["Acme Root R1", "leaf_share"] == pytest.approx(6 / 7)
    # high/critical services: web, api, checkout — all beneath Issuing A
    assert conc.at["Acme Issuing A", "critical_services"] == 3
    assert conc.at["Acme Issuing A", "critical_share"] == pytest.approx(1.0)
    assert concentration(inv).iloc[0]["name"] == "Acme Root R1"  # riskiest first
    spof = single_points_of_failure(inv).set_index("name")
    assert spof.at["Acme Issuing A", "sole_ca_for"] == "api;web"
    assert "Acme Root R1" in spof.index and "Bridge Root" not in spof.index


def test_summary_document(inv: Inventory) -> None:
    s = summarize_graph(inv, top=3)
    assert s.cas == {"root": 2, "intermediate": 2, "unknown": 1}
    assert s.orphans == 1 and len(s.riskiest) == 3
    doc = summary_document(s)
    json.dumps(doc)
    assert doc["signatures"]["failed"] == 0


def test_certificates_naming_no_issuer_are_not_a_single_point_of_failure(tmp_path: Path) -> None:
    write(tmp_path / "i.csv", "common_name,not_after\nx.test,2027-01-01\ny.test,2027-02-01\n")
    inv = cmmm.load([tmp_path], now=NOW)
    assert concentration(inv).iloc[0]["name"] == "(unnamed issuer)"
    assert single_points_of_failure(inv).empty and len(orphans(inv)) == 2
