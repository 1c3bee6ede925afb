"""The blast radius of a CA: its certificates, endpoints, owners and the services that depend on them,
transitively; a cross-signed intermediate under both roots; CAs named by name, fingerprint or id."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cmmm.errors import InputError
from cmmm.graph import AmbiguousCaError, blast_radius, build_graph
from cmmm.graph.hierarchy import resolve_ca
from cmmm.model import Inventory
from cmmm.report.documents import blast_document
from tests.graph.acme import Org


def names(frame: pd.DataFrame, col: str = "common_name") -> set[str]:
    return set(frame[col])


def test_blast_radius_of_an_intermediate_follows_depends_on(inv: Inventory) -> None:
    b = blast_radius(inv, "Acme Issuing A")
    assert names(b.certificates) == {f"a{i}.acme.test" for i in range(4)}
    assert b.direct_services == ["api", "web"]
    # checkout needs api and web; reports needs checkout: both go down, transitively
    assert b.dependent_services == ["checkout", "reports"]
    row = b.services.set_index("service")
    assert row.at["checkout", "via"] == "api;web" and row.at["reports", "via"] == "api;web"
    assert set(b.endpoints["location"]) == {f"a{i}.acme.test:443" for i in range(4)}
    # high 4 + critical 8 + critical 8 + low 1, plus the service-less a3 at unknown criticality (1)
    assert b.score == 4 + 8 + 8 + 1 + 1
    assert set(b.owners["team"]) >= {"payments", "platform", "analytics"}
    doc = blast_document(b)
    assert {"cas", "score", "certificates", "endpoints", "services", "owners"} <= doc.keys()
    json.dumps(doc)


def test_cross_signed_intermediate_is_under_both_roots(inv: Inventory, org: Org) -> None:
    b = blast_radius(inv, "Bridge Root")
    assert names(b.certificates) == {"Acme Issuing B", "b0.acme.test", "b1.acme.test"}
    assert len(b.certificates) == 4  # both certificates of the cross-signed intermediate
    assert b.direct_services == ["batch"] and b.dependent_services == []
    r1 = blast_radius(inv, org.root.cert_id.removeprefix("sha256:"))  # by fingerprint
    assert names(r1.certificates) == {
        "Acme Issuing A",
        "Acme Issuing B",
        *(f"a{i}.acme.test" for i in range(4)),
        "b0.acme.test",
        "b1.acme.test",
    }
    inter_b = resolve_ca(inv, "Acme Issuing B")
    assert len(inter_b) == 1
    g = build_graph(inv, aggregate=False)
    parents = {g.nodes[v]["name"] for _, v, d in g.out_edges(inter_b.iloc[0]["ca_id"], data=True)}
    assert parents == {"Acme Root R1", "Bridge Root"}


def test_ambiguous_and_missing_ca_queries(inv: Inventory) -> None:
    with pytest.raises(AmbiguousCaError) as exc:
        blast_radius(inv, "Acme Issuing")
    assert len(exc.value.candidates) == 2 and "Acme Issuing A" in str(exc.value)
    with pytest.raises(InputError, match="no CA matches"):
        blast_radius(inv, "Nobody CA")
