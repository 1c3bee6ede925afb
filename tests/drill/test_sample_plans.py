"""On every sample organization, the plans of the distrust drills never take a replacement from a CA beneath
the one in trouble, a replacement always fits the certificate's trust domain, and no drill plans a public
certificate for ML-DSA."""

from __future__ import annotations

import pandas as pd
import pytest

from cmmm import drill
from cmmm.drill.selection import target_nodes
from cmmm.graph.hierarchy import ancestors, descendants, hierarchy
from cmmm.model import Inventory
from tests.conftest import NOW, SAMPLE_ORGS, sample

pytestmark = pytest.mark.slow

DISTRUST = (
    "primary-intermediate-compromise-24h",
    "primary-root-removed-72h",
    "trustcor-2022",
    "entrust-2024",
)
PUBLIC_TYPES = {"acme", "public", "cloud"}
PRIVATE_TYPES = {"private", "cloud"}


@pytest.mark.parametrize("org", SAMPLE_ORGS)
@pytest.mark.parametrize("name", DISTRUST)
def test_no_replacement_from_beneath_the_target_and_every_one_fits(org: str, name: str) -> None:
    inv = sample(org)
    sc = _root_of_primary(inv) if name == "primary-root-removed-72h" else drill.load_scenario(name)
    r = drill.run(inv, sc, now=NOW, runs=20)
    if not len(r.plan):
        return
    h = hierarchy(inv)
    targets = set(target_nodes(inv, sc.parameters["target"], NOW)["ca_id"])
    below = targets | descendants(h, targets)
    names = set(h.nodes.loc[h.nodes["ca_id"].isin(below), "name"].dropna().str.lower())
    used = r.plan["replacement_ca"].dropna().astype(str)
    assert not ({u.lower() for u in used} & names), (org, name, sorted(set(used) & names))
    kinds = {c.name.lower(): c.type for c in (*inv.profile.approved_cas, *inv.profile.backup_cas)}
    trust = inv.certificates.set_index("cert_id")["trust"]
    for cert_id, ca in zip(r.plan["cert_id"], r.plan["replacement_ca"], strict=True):
        if pd.isna(ca) or str(ca).lower() not in kinds:
            continue  # reissued from its own CA, or no CA could be found (the reasons say so)
        fits = PUBLIC_TYPES if trust.get(cert_id) == "public" else PRIVATE_TYPES
        assert kinds[str(ca).lower()] in fits, (org, name, cert_id, ca, trust.get(cert_id))


def _root_of_primary(inv: Inventory) -> drill.Scenario:
    """The root above the most-used issuing CA, removed within 72 hours: every CA beneath it is out."""
    primary = set(drill.primary_ca(inv)["ca_id"])
    up = ancestors(inv)
    tops = set(up.loc[up["ca_id"].isin(primary), "ancestor"]) - primary
    h = hierarchy(inv)
    roots = h.nodes.loc[h.nodes["ca_id"].isin(tops) & (h.nodes["kind"] == "root"), "name"].dropna()
    target = {"names": sorted(set(roots))} if len(roots) else {"primary": True}
    doc = {
        "kind": "ca_distrust",
        "title": "root removed",
        "description": "the root above the most-used issuing CA is removed",
        "deadline_hours": 72,
        "parameters": {"target": target, "basis": "removal"},
    }
    return drill.parse_scenario(doc, name="primary-root-removed-72h", source="test")


@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_no_drill_plans_a_public_certificate_for_ml_dsa(org: str) -> None:
    inv = sample(org)
    public = set(inv.certificates.loc[(inv.certificates["trust"] == "public").fillna(False), "cert_id"])
    for sc in drill.catalog():
        to = str(sc.parameters.get("to", sc.parameters.get("target_algorithm", "")))
        if sc.kind not in (drill.Kind.PQC_MIGRATION, drill.Kind.ALGORITHM_SWAP) or "ML-DSA" not in to.upper():
            continue
        r = drill.run(inv, sc, now=NOW, runs=10)
        assert not (set(r.plan["cert_id"]) & public), (org, sc.name)
