"""CA concentration, single points of failure, chain depth, orphans, issuers that expire first, and the graph summary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmmm.graph.hierarchy import (
    CaKind,
    hierarchy,
    membership,
    node_depths,
    verify_links,
)
from cmmm.graph.network import UNNAMED_ISSUER
from cmmm.graph.services import CRITICAL_RANK, _cert_services, _cert_weight, dependents, service_table
from cmmm.model import CRITICALITY_RANK, Inventory, derived


@derived
def concentration(inv: Inventory) -> pd.DataFrame:
    """One row per CA node (issuing CAs, intermediates, roots and unknown CAs), riskiest first.

    Columns: ca_id, name, org, kind, depth (0 = top of its chain), anchored (reaches a known root),
    issued (certificates it signed directly), issuing (it signed at least one leaf directly: an issuing
    CA), certificates (all beneath it, transitively), leaves
    (end-entity certificates beneath it), leaf_share (of all leaves in the inventory), services (affected
    services incl. depends_on), critical_services (high or critical among them), critical_share (of all
    high/critical services), score (the blast-radius score), not_after.
    Per-issuing-CA figures are the rows with issuing == True, per-root figures those with kind == "root"; a certificate under a cross-signed intermediate
    counts for both roots, so root shares can add up to more than 1.
    """
    h = hierarchy(inv)
    nodes = h.nodes.merge(node_depths(inv), on="ca_id", how="left")
    is_leaf = ~inv.certificates["is_ca"].fillna(False).astype(bool).to_numpy()
    total_leaves = int(is_leaf.sum())
    stats, total_critical = _beneath(inv, is_leaf)
    out = nodes[["ca_id", "name", "org", "kind", "depth", "anchored", "certificates", "not_after"]].rename(
        columns={"certificates": "issued"}
    )
    out = out.merge(stats, on="ca_id", how="left")
    direct_leaves = h.issuer[is_leaf].value_counts()
    out["issuing"] = out["ca_id"].isin(direct_leaves.index).to_numpy(dtype=bool)
    for col in ("certificates", "leaves", "services", "critical_services", "score"):
        out[col] = out[col].fillna(0).astype("int64")
    out["leaf_share"] = out["leaves"] / total_leaves if total_leaves else 0.0
    out["critical_share"] = out["critical_services"] / total_critical if total_critical else 0.0
    out = out[list(_CONCENTRATION_COLUMNS)]
    out = out.sort_values(["score", "certificates", "ca_id"], ascending=[False, False, True])
    out = out.reset_index(drop=True)
    return out


_CONCENTRATION_COLUMNS = (
    "ca_id",
    "name",
    "org",
    "kind",
    "depth",
    "anchored",
    "issued",
    "issuing",
    "certificates",
    "leaves",
    "leaf_share",
    "services",
    "critical_services",
    "critical_share",
    "score",
    "not_after",
)


def _beneath(inv: Inventory, is_leaf: np.ndarray) -> tuple[pd.DataFrame, int]:
    """Per CA node with certificates beneath it: ca_id, certificates, leaves, services (reached, with their
    dependents), critical_services and score; and how many services are critical in all."""
    m = membership(inv)
    codes, uniques = pd.factorize(m["ca_id"])
    pos = m["pos"].to_numpy()
    n_ca = len(uniques)
    svc = service_table(inv)
    weight = svc["weight"].to_numpy()
    critical = (svc["criticality"].map(CRITICALITY_RANK).fillna(0).to_numpy() >= CRITICAL_RANK).astype(
        "int64"
    )
    ca_svc, attached_pos = _ca_services(inv, pd.Index(svc["service"]), codes, pos)
    ca_arr = ca_svc["ca"].to_numpy()
    d_arr = ca_svc["d"].to_numpy()
    svc_score = np.bincount(ca_arr, weights=weight[d_arr], minlength=n_ca).astype("int64")
    # certificates that serve no service count with their own weight
    attached: np.ndarray = np.zeros(len(inv.certificates), dtype=bool)
    attached[attached_pos] = True
    loose = ~attached[pos]
    loose_score = np.bincount(codes[loose], weights=_cert_weight(inv)[pos[loose]], minlength=n_ca)
    stats = pd.DataFrame(
        {
            "ca_id": pd.array(uniques, dtype="string"),
            "certificates": np.bincount(codes, minlength=n_ca),
            "leaves": np.bincount(codes, weights=is_leaf[pos], minlength=n_ca).astype("int64"),
            "services": np.bincount(ca_arr, minlength=n_ca),
            "critical_services": np.bincount(ca_arr, weights=critical[d_arr], minlength=n_ca).astype("int64"),
            "score": svc_score + loose_score.astype("int64"),
        }
    )
    return stats, int(critical.sum())


def _ca_services(
    inv: Inventory, svc_codes: pd.Index, codes: np.ndarray, pos: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """The unique (CA code `ca`, service code `d`) pairs, every service reached through a certificate beneath
    the CA and every service depending on it; and the positions of certificates serving any service."""
    cs = _cert_services(inv)
    deps = dependents(inv)
    # (cert → service) then (service → every dependent) as integer codes
    dep_pairs = pd.DataFrame(
        {"s": svc_codes.get_indexer(deps["service"]), "d": svc_codes.get_indexer(deps["dependent"])}
    )
    dep_pairs = dep_pairs[(dep_pairs["s"] >= 0) & (dep_pairs["d"] >= 0)]
    cert_svc = pd.DataFrame({"pos": cs["pos"].to_numpy(), "s": svc_codes.get_indexer(cs["service"])})
    cert_svc = cert_svc[cert_svc["s"] >= 0]
    ca_svc = (
        pd.DataFrame({"ca": codes, "pos": pos})
        .merge(cert_svc, on="pos")[["ca", "s"]]
        .drop_duplicates()
        .merge(dep_pairs, on="s")[["ca", "d"]]
        .drop_duplicates()
    )
    return ca_svc, cert_svc["pos"].to_numpy()


def single_points_of_failure(inv: Inventory, *, share: float = 0.5) -> pd.DataFrame:
    """CA nodes whose loss alone hurts most: those beneath which lies at least `share` of all leaves, and
    those that are the only path for a high or critical service (every certificate it uses lies beneath
    that CA). Columns: ca_id, name, kind, leaf_share, sole_ca_for (';'-joined services), reason."""
    conc = concentration(inv)
    m = membership(inv)
    cs = _cert_services(inv)
    svc = service_table(inv)
    crit = set(svc.loc[svc["criticality"].map(CRITICALITY_RANK).fillna(0) >= CRITICAL_RANK, "service"])
    cs = cs[cs["service"].isin(crit)]
    needed = cs.groupby("service").size()
    under = m.merge(cs, on="pos").groupby(["ca_id", "service"]).size().rename("n").reset_index()
    sole = under[under["n"].to_numpy() == under["service"].map(needed).to_numpy()]
    sole_for = sole.groupby("ca_id")["service"].agg(lambda s: ";".join(sorted(s)))
    out = conc[["ca_id", "name", "kind", "leaf_share"]].copy()
    out["sole_ca_for"] = out["ca_id"].map(sole_for).astype("string")
    big = out["leaf_share"] >= share
    out["reason"] = np.select(
        [big & out["sole_ca_for"].notna(), big, out["sole_ca_for"].notna()],
        [
            "holds a large share of leaves and is the only CA of critical services",
            "holds a large share of leaves",
            "the only CA of critical services",
        ],
        default="",
    )
    # Certificates that name no issuer at all share one "(unnamed issuer)" node: not knowing is not a CA.
    unnamed = out["ca_id"] == UNNAMED_ISSUER
    return out[(out["reason"] != "") & ~unnamed].reset_index(drop=True)


def chain_depth(inv: Inventory) -> pd.DataFrame:
    """Per certificate: cert_id, common_name, is_ca, issuing_ca, depth (CA levels above it along the
    shortest chain: 0 for a self-signed root, 1 under a root or an unknown CA, 2 under one
    intermediate, …) and anchored (its chain reaches a known root)."""
    h = hierarchy(inv)
    nd = node_depths(inv).set_index("ca_id")
    certs = inv.certificates
    depth = (h.issuer.map(nd["depth"]).astype("Float64") + 1).fillna(0).astype("int64")
    self_signed = h.issuer.isna()
    anchored = h.issuer.map(nd["anchored"]).astype("boolean").fillna(False) | self_signed
    return pd.DataFrame(
        {
            "cert_id": certs["cert_id"],
            "common_name": certs["common_name"],
            "is_ca": certs["is_ca"],
            "issuing_ca": h.issuer,
            "depth": depth,
            "anchored": anchored.astype(bool),
        }
    )


def orphans(inv: Inventory) -> pd.DataFrame:
    """Leaf certificates whose chain ends in an unknown CA (no root in the inventory): cert_id,
    common_name, issuer_name, issuing_ca, service, owner, team."""
    cd = chain_depth(inv)
    facts = inv.certificate_facts()
    mask = ~cd["anchored"] & ~facts["is_ca"].fillna(False).astype(bool)
    out = facts.loc[mask, ["cert_id", "common_name", "issuer_name", "service", "owner", "team"]]
    out.insert(3, "issuing_ca", cd.loc[mask, "issuing_ca"])
    return out.reset_index(drop=True)


def issuer_expires_first(inv: Inventory) -> pd.DataFrame:
    """Certificates that outlive their issuing CA (its latest certificate expires before they do):
    cert_id, common_name, is_ca, not_after, issuing_ca, issuer, issuer_not_after, days_beyond."""
    h = hierarchy(inv)
    nodes = h.nodes.set_index("ca_id")
    certs = inv.certificates
    inot = h.issuer.map(nodes["not_after"])
    inot = pd.to_datetime(inot, utc=True)
    mask = (certs["not_after"] > inot).fillna(False).to_numpy()
    out = pd.DataFrame(
        {
            "cert_id": certs.loc[mask, "cert_id"],
            "common_name": certs.loc[mask, "common_name"],
            "is_ca": certs.loc[mask, "is_ca"],
            "not_after": certs.loc[mask, "not_after"],
            "issuing_ca": h.issuer[mask],
            "issuer": h.issuer[mask].map(nodes["name"]),
            "issuer_not_after": inot[mask],
        }
    )
    out["days_beyond"] = (out["not_after"] - out["issuer_not_after"]).dt.total_seconds() / 86400.0
    return out.sort_values("days_beyond", ascending=False).reset_index(drop=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphSummary:
    """What `cmmm graph` prints without options. `riskiest`: the top issuing CAs of concentration();
    `roots`: the concentration rows of kind root; `depth`: certificates per chain depth;
    `verified`/`unverified`: issued-by links whose signature was checked and held / failed."""

    certificates: int
    leaves: int
    cas: dict[str, int]
    riskiest: pd.DataFrame
    roots: pd.DataFrame
    single_points_of_failure: pd.DataFrame
    orphans: int
    issuer_expires_first: int
    depth: dict[int, int]
    services: int
    verified: int
    unverified: int


def summarize_graph(inv: Inventory, *, top: int = 10) -> GraphSummary:
    conc = concentration(inv)
    check = verify_links(inv)
    cd = chain_depth(inv)
    return GraphSummary(
        certificates=len(inv.certificates),
        leaves=int((~inv.certificates["is_ca"].fillna(False).astype(bool)).sum()),
        cas={k.value: int((conc["kind"] == k.value).sum()) for k in CaKind},
        riskiest=conc[conc["issuing"]].head(top).reset_index(drop=True),
        roots=conc[conc["kind"] == CaKind.ROOT.value].reset_index(drop=True),
        single_points_of_failure=single_points_of_failure(inv),
        orphans=len(orphans(inv)),
        issuer_expires_first=len(issuer_expires_first(inv)),
        depth={int(k): int(v) for k, v in cd["depth"].value_counts().sort_index().items()},
        services=len(service_table(inv)),
        verified=int(check.fillna(False).sum()),
        unverified=int((~check.fillna(True)).sum()),
    )
