"""The dependency graph as a networkx DiGraph: node and edge types, aggregation of leaves, GraphML that
stays readable."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

import cmmm
from cmmm.graph import build_graph
from cmmm.model import Inventory
from tests.conftest import NOW, write


def test_graph_types_and_aggregation(inv: Inventory) -> None:
    g = build_graph(inv, aggregate=False)
    types = {d["type"] for _, d in g.nodes(data=True)}
    assert types == {"root", "intermediate", "unknown", "leaf", "endpoint", "service", "team"}
    edges = {d["type"] for _, _, d in g.edges(data=True)}
    assert edges == {"issued_by", "deployed_at", "serves", "depends_on", "owned_by"}
    assert g.has_edge("svc:checkout", "svc:api")
    leaf = (
        "cert:" + inv.certificates.loc[inv.certificates["common_name"] == "a0.acme.test", "cert_id"].iloc[0]
    )
    assert g.has_edge(leaf, "ep:a0.acme.test:443") and g.has_edge("ep:a0.acme.test:443", "svc:web")
    agg = build_graph(inv, aggregate=True)
    groups = {n: d for n, d in agg.nodes(data=True) if d["type"] == "group"}
    assert sum(d["certificates"] for d in groups.values()) == 7
    assert not any(d["type"] == "leaf" for _, d in agg.nodes(data=True))


def test_graphml_stays_readable_with_control_characters(tmp_path: Path) -> None:

    from cmmm.graph import export_graph

    write(
        tmp_path / "in" / "inv.csv",
        "cn,not_after,issuer,service\nevil\x1b[31m.example,2027-01-01,Bad\x07 CA,web\n",
    )
    inv = cmmm.load([tmp_path / "in"], now=NOW)
    out = tmp_path / "g.graphml"
    export_graph(inv, out, aggregate=False)
    g = nx.read_graphml(out)
    assert any("Bad" in str(d.get("name", "")) for _, d in g.nodes(data=True))
