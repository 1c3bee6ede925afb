"""The dependency graph: certificates → issuing CAs → roots, certificates → endpoints → services → teams.

The queries (blast radius, CA concentration, single points of failure, chain depth, orphans, issuers that
expire first) are computed vectorized with pandas over the CA hierarchy of cmmm.graph.hierarchy, so they stay
interactive at 250,000 certificates. `build_graph` gives the same picture as a networkx DiGraph for export
(GraphML, node-link JSON) and drawing (SVG/PNG, leaves aggregated per CA and service).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cmmm.errors import InputError, UsageError
from cmmm.graph.hierarchy import (
    CaKind,
    ancestors,
    certificates_under,
    closure_pairs,
    hierarchy,
    membership,
    node_depths,
    resolve_ca,
    verify_links,
)
from cmmm.model import CRITICALITY_RANK, Criticality, Inventory


class NodeType(StrEnum):
    ROOT = "root"
    INTERMEDIATE = "intermediate"
    UNKNOWN = "unknown"  # an issuer named by certificates but absent from the inventory ("unknown CA")
    LEAF = "leaf"
    ENDPOINT = "endpoint"
    SERVICE = "service"
    TEAM = "team"
    GROUP = "group"  # aggregated leaves of one issuing CA and one service (large inventories)


class EdgeType(StrEnum):
    ISSUED_BY = "issued_by"  # certificate/CA → issuing CA
    DEPLOYED_AT = "deployed_at"  # certificate → endpoint
    SERVES = "serves"  # endpoint (or certificate without endpoint) → service
    DEPENDS_ON = "depends_on"  # service → service it needs
    OWNED_BY = "owned_by"  # service (or certificate without service) → team


# Criticality weights for the blast-radius score: doubling per step, so one critical service outweighs
# several low ones. Unknown criticality counts as low.
CRITICALITY_WEIGHT: dict[str, int] = {
    Criticality.LOW.value: 1,
    Criticality.MEDIUM.value: 2,
    Criticality.HIGH.value: 4,
    Criticality.CRITICAL.value: 8,
}
CRITICAL_RANK = CRITICALITY_RANK[Criticality.HIGH]  # "critical services" below means high or critical


UNNAMED_ISSUER = "ca:name:(unnamed issuer)"


class AmbiguousCaError(InputError):
    """A CA query matched several CA nodes; `candidates` holds their rows (ca_id, name, kind, …)."""

    def __init__(self, query: str, candidates: pd.DataFrame) -> None:
        self.candidates = candidates
        listed = "; ".join(
            f"{n} [{k}] {i}" for i, n, k in candidates[["ca_id", "name", "kind"]].head(10).values
        )
        more = f" … and {len(candidates) - 10} more" if len(candidates) > 10 else ""
        super().__init__(
            "--blast-radius",
            f"{query!r} matches {len(candidates)} CAs; use an id or fingerprint: {listed}{more}",
        )


# --- services and their dependencies --------------------------------------------------------------


def service_table(inv: Inventory) -> pd.DataFrame:
    """Every service, from the catalog and from observations: service, criticality (catalog, else the
    highest seen on its certificates), weight, owner, team, depends_on. Cached."""
    cached = inv._cache.get("graph:services")
    if cached is not None:
        return cached
    cat = inv.services.drop_duplicates("service")[["service", "criticality", "owner", "team", "depends_on"]]
    obs = inv.observations.dropna(subset=["service"])
    seen = pd.DataFrame(
        {
            "service": obs["service"].astype("string"),
            "rank": obs["criticality"].map(CRITICALITY_RANK).astype("float64"),
            "owner": obs["owner"].astype("string"),
            "team": obs["team"].astype("string"),
        }
    )
    g = seen.groupby("service", sort=True)
    observed = pd.DataFrame(
        {"rank": g["rank"].max(), "owner": g["owner"].first(), "team": g["team"].first()}
    ).reset_index()
    names = pd.Index(sorted(set(cat["service"].dropna()) | set(observed["service"])), dtype="string")
    c = cat.set_index("service").reindex(names)
    o = observed.set_index("service").reindex(names)
    rank = c["criticality"].map(CRITICALITY_RANK).astype("float64").fillna(o["rank"])
    rank_to_name = {v: k.value for k, v in CRITICALITY_RANK.items()}
    crit = rank.map(rank_to_name).astype("string")
    out = pd.DataFrame(
        {
            "service": names,
            "criticality": crit.to_numpy(),
            "weight": crit.map(CRITICALITY_WEIGHT).fillna(1).astype("int64").to_numpy(),
            "owner": c["owner"].astype("string").fillna(o["owner"]).to_numpy(),
            "team": c["team"].astype("string").fillna(o["team"]).to_numpy(),
            "depends_on": c["depends_on"].astype("string").to_numpy(),
        }
    )
    inv._cache["graph:services"] = out
    return out


def _depends_edges(inv: Inventory) -> list[tuple[str, str]]:
    """(service, service it depends on) pairs from the catalog's depends_on cells."""
    needs = service_table(inv)[["service", "depends_on"]].dropna()
    edges = needs.assign(dep=needs["depends_on"].str.split(";")).explode("dep")
    dep = edges["dep"].astype("string").str.strip()
    keep = dep.fillna("") != ""
    return list(zip(edges.loc[keep, "service"], dep[keep], strict=True))


def dependents(inv: Inventory) -> pd.DataFrame:
    """Columns service, dependent: every service together with each service that needs it, directly or
    transitively through depends_on (a service is its own dependent). Cached."""
    cached = inv._cache.get("graph:dependents")
    if cached is not None:
        return cached
    svc = service_table(inv)
    users: dict[str, list[str]] = {}
    for user, dep in _depends_edges(inv):
        users.setdefault(dep, []).append(user)
    out = closure_pairs(sorted(set(svc["service"]) | set(users)), users, columns=("service", "dependent"))
    inv._cache["graph:dependents"] = out
    return out


def _obs_pos(inv: Inventory) -> np.ndarray:
    """The row position in inv.certificates of each observation's certificate (-1 when absent). Cached."""
    cached = inv._cache.get("graph:obs_pos")
    if cached is not None:
        return cached
    out = _positions(inv.certificates["cert_id"], inv.observations["cert_id"])
    inv._cache["graph:obs_pos"] = out
    return out


def _positions(table: pd.Series, keys: pd.Series) -> np.ndarray:
    """pd.Index(table).get_indexer(keys) by one factorize of both (hash indexes of a million Arrow
    strings are slow); the codes of unique, non-null table keys are their positions."""
    n = len(table)
    codes, _ = pd.factorize(pd.concat([table, keys], ignore_index=True).astype("string"))
    codes = np.asarray(codes, dtype=np.int64)
    if not np.array_equal(codes[:n], np.arange(n)):  # repeated or missing ids: the first row of each
        first = pd.Series(np.arange(n), index=table.to_numpy())
        first = first[~first.index.duplicated()]
        return keys.map(first).fillna(-1).to_numpy(dtype=np.int64)
    at = codes[n:]
    return np.where(at < n, at, -1)


def _cert_services(inv: Inventory) -> pd.DataFrame:
    """Unique (pos, service) pairs: the services each certificate serves (row position in certificates)."""
    cached = inv._cache.get("graph:cert_services")
    if cached is not None:
        return cached
    obs = inv.observations
    has = obs["service"].notna().to_numpy()
    pos = _obs_pos(inv)[has]
    service = obs.loc[has, "service"].astype("string").reset_index(drop=True)
    codes, uniques = pd.factorize(service)
    pair = pd.Series(pos * (len(uniques) + 1) + np.asarray(codes))
    keep = (~pair.duplicated()).to_numpy() & (pos >= 0)
    out = pd.DataFrame({"pos": pos[keep].astype("int64"), "service": service[keep].reset_index(drop=True)})
    inv._cache["graph:cert_services"] = out
    return out


def _deployed(obs: pd.DataFrame) -> np.ndarray:
    """Observations that name a place the certificate is deployed: a host, or a location other than the
    inventory file that listed it (a k8s secret, a cloud resource). A PEM file read from disk is the
    inventory, not an endpoint."""
    place = obs["location"].notna() & (obs["host"].notna() | (obs["location"] != obs["source"]).fillna(True))
    return place.to_numpy(dtype=bool)


def _cert_weight(inv: Inventory) -> np.ndarray:
    facts = inv.certificate_facts()
    return facts["criticality"].map(CRITICALITY_WEIGHT).fillna(1).astype("int64").to_numpy()


# --- blast radius ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BlastRadius:
    """What goes down with a CA (or several).

    cas: the CA node rows (ca_id, name, org, kind, subject_dn, cert_ids, not_after, certificates).
    certificates: every certificate beneath them, transitively (certificate_facts columns plus
      issuing_ca, the ca_id of its direct issuer).
    endpoints: location, host, port, cert_id, service — where those certificates are deployed.
    services: service, criticality, weight, owner, team, relation ("direct": it uses an affected
      certificate; "dependency": it depends_on an affected service, transitively), via (';'-joined direct
      services it reaches), certificates (affected certificates it uses directly).
    owners: owner, team, certificates, services — who has work to do.
    score: Σ weight of every affected service + Σ weight of affected certificates not attached to any
      service (low 1, medium 2, high 4, critical 8; unknown 1).
    """

    cas: pd.DataFrame
    certificates: pd.DataFrame
    endpoints: pd.DataFrame
    services: pd.DataFrame
    owners: pd.DataFrame
    score: int

    @property
    def leaves(self) -> int:
        return int((~self.certificates["is_ca"].fillna(False).astype(bool)).sum())

    @property
    def direct_services(self) -> list[str]:
        return sorted(self.services.loc[self.services["relation"] == "direct", "service"])

    @property
    def dependent_services(self) -> list[str]:
        return sorted(self.services.loc[self.services["relation"] == "dependency", "service"])


def select_cas(inv: Inventory, ca: str | Iterable[str]) -> pd.DataFrame:
    """The CA node rows for a query (name, fingerprint, certificate id or node id) or for explicit node
    ids. Raises InputError when nothing matches and AmbiguousCaError when a query matches several."""
    nodes = hierarchy(inv).nodes
    if isinstance(ca, str):
        found = resolve_ca(inv, ca)
        if found.empty:
            raise InputError("--blast-radius", f"no CA matches {ca!r} (try a name, fingerprint or ca: id)")
        if len(found) > 1:
            raise AmbiguousCaError(ca, found)
        return found
    ids = list(ca)
    unknown = sorted(set(ids) - set(nodes["ca_id"]))
    if unknown:
        raise InputError("--blast-radius", f"not a CA node id: {unknown[0]!r}")
    return nodes[nodes["ca_id"].isin(ids)]


def blast_radius(inv: Inventory, ca: str | Iterable[str]) -> BlastRadius:
    """Every certificate, endpoint, service (directly or through depends_on) and owner beneath a CA."""
    cas = select_cas(inv, ca)
    mask = certificates_under(inv, cas["ca_id"]).to_numpy()
    h = hierarchy(inv)
    facts = inv.certificate_facts()
    certs = facts[mask].assign(issuing_ca=h.issuer[mask].to_numpy()).reset_index(drop=True)
    op = _obs_pos(inv)
    obs = inv.observations[(op >= 0) & mask[np.maximum(op, 0)]]
    endpoints = (
        obs[_deployed(obs)][["location", "host", "port", "cert_id", "service"]]
        .drop_duplicates()
        .sort_values(["location", "cert_id"])
        .reset_index(drop=True)
    )
    pos = np.flatnonzero(mask)
    cs = _cert_services(inv)
    used = cs[cs["pos"].isin(pos)]
    direct_counts = used.groupby("service").size()
    deps = dependents(inv)
    reach = deps[deps["service"].isin(direct_counts.index)]
    via = reach.groupby("dependent")["service"].agg(lambda s: ";".join(sorted(s)))
    table = service_table(inv).set_index("service")
    affected = pd.Index(sorted(set(reach["dependent"]) | set(direct_counts.index)), dtype="string")
    services = table.reindex(affected).reset_index().rename(columns={"index": "service"})
    services["relation"] = np.where(services["service"].isin(direct_counts.index), "direct", "dependency")
    services["via"] = (
        services["service"].map(via).astype("string").where(services["relation"] == "dependency")
    )
    services["certificates"] = services["service"].map(direct_counts).fillna(0).astype("int64")
    services["weight"] = services["weight"].fillna(1).astype("int64")
    services = services.sort_values(["relation", "weight", "service"], ascending=[False, False, True])
    services = services[
        ["service", "criticality", "weight", "owner", "team", "relation", "via", "certificates"]
    ].reset_index(drop=True)
    unattached = ~np.isin(pos, used["pos"].to_numpy())
    score = int(services["weight"].sum()) + int(_cert_weight(inv)[pos[unattached]].sum())
    who = certs[["owner", "team"]].fillna({"owner": "(no owner)", "team": "(no team)"})
    owners = who.value_counts(dropna=False).rename("certificates").reset_index()
    svc_who = services[["owner", "team"]].fillna({"owner": "(no owner)", "team": "(no team)"})
    svc_n = svc_who.value_counts().rename("services").reset_index()
    owners = owners.merge(svc_n, on=["owner", "team"], how="outer").fillna({"certificates": 0, "services": 0})
    owners = owners.astype({"certificates": "int64", "services": "int64"}).sort_values(
        ["certificates", "services", "owner"], ascending=[False, False, True]
    )
    return BlastRadius(
        cas=cas.reset_index(drop=True),
        certificates=certs,
        endpoints=endpoints,
        services=services,
        owners=owners.reset_index(drop=True),
        score=score,
    )


# --- concentration and single points of failure ---------------------------------------------------


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
    cached = inv._cache.get("graph:concentration")
    if cached is not None:
        return cached
    h = hierarchy(inv)
    nodes = h.nodes.merge(node_depths(inv), on="ca_id", how="left")
    m = membership(inv)
    certs = inv.certificates
    is_leaf = ~certs["is_ca"].fillna(False).astype(bool).to_numpy()
    total_leaves = int(is_leaf.sum())
    codes, uniques = pd.factorize(m["ca_id"])
    pos = m["pos"].to_numpy()
    n_ca = len(uniques)
    all_count = np.bincount(codes, minlength=n_ca)
    leaf_count = np.bincount(codes, weights=is_leaf[pos], minlength=n_ca).astype("int64")

    svc = service_table(inv)
    svc_codes = pd.Index(svc["service"])
    weight = svc["weight"].to_numpy()
    critical = (svc["criticality"].map(CRITICALITY_RANK).fillna(0).to_numpy() >= CRITICAL_RANK).astype(
        "int64"
    )
    cs = _cert_services(inv)
    deps = dependents(inv)
    # (cert → service) then (service → every dependent) as integer codes: the unique (CA, service) pairs.
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
    ca_arr = ca_svc["ca"].to_numpy()
    d_arr = ca_svc["d"].to_numpy()
    n_services = np.bincount(ca_arr, minlength=n_ca)
    n_critical = np.bincount(ca_arr, weights=critical[d_arr], minlength=n_ca).astype("int64")
    svc_score = np.bincount(ca_arr, weights=weight[d_arr], minlength=n_ca).astype("int64")
    attached: np.ndarray = np.zeros(len(certs), dtype=bool)
    attached[cert_svc["pos"].to_numpy()] = True
    loose = ~attached[pos]
    loose_score = np.bincount(codes[loose], weights=_cert_weight(inv)[pos[loose]], minlength=n_ca)
    total_critical = int(critical.sum())
    stats = pd.DataFrame(
        {
            "ca_id": pd.array(uniques, dtype="string"),
            "certificates": all_count,
            "leaves": leaf_count,
            "services": n_services,
            "critical_services": n_critical,
            "score": svc_score + loose_score.astype("int64"),
        }
    )
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
    out = out[
        [
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
        ]
    ]
    out = out.sort_values(["score", "certificates", "ca_id"], ascending=[False, False, True])
    out = out.reset_index(drop=True)
    inv._cache["graph:concentration"] = out
    return out


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


# --- per-certificate chain facts ------------------------------------------------------------------


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


# --- summary --------------------------------------------------------------------------------------


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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    from cmmm.export import records

    return records(frame)


def summary_document(s: GraphSummary) -> dict[str, Any]:
    """Stable JSON keys for `cmmm graph --format json`."""
    return {
        "certificates": s.certificates,
        "leaves": s.leaves,
        "cas": s.cas,
        "services": s.services,
        "riskiest": _records(s.riskiest),
        "roots": _records(s.roots),
        "single_points_of_failure": _records(s.single_points_of_failure),
        "orphans": s.orphans,
        "issuer_expires_first": s.issuer_expires_first,
        "depth": {str(k): v for k, v in s.depth.items()},
        "signatures": {"verified": s.verified, "failed": s.unverified},
    }


_BLAST_CERT_COLUMNS = [
    "cert_id",
    "common_name",
    "serial",
    "not_after",
    "is_ca",
    "issuer_name",
    "issuing_ca",
    "service",
    "owner",
    "team",
    "criticality",
    "automation",
]


def blast_document(b: BlastRadius) -> dict[str, Any]:
    """Stable JSON keys for `cmmm graph --blast-radius … --format json`."""
    return {
        "cas": _records(b.cas[["ca_id", "name", "org", "kind", "certificates"]]),
        "score": b.score,
        "certificates": _records(b.certificates[_BLAST_CERT_COLUMNS]),
        "endpoints": _records(b.endpoints),
        "services": _records(b.services),
        "owners": _records(b.owners),
    }


# --- networkx: build, export, draw ----------------------------------------------------------------


def _column(s: pd.Series) -> list[Any]:
    """A column as plain Python values (None for missing, ISO 8601 for dates), converted in one pass:
    iterating Arrow-backed strings or calling .item() per value is what makes 250,000 nodes slow."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return s.astype(object).where(s.notna(), None).tolist()


def _attrs(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Node/edge attribute dicts without missing values (GraphML has no null) and with ISO dates."""
    names = list(frame.columns)
    cols = [_column(frame[c]) for c in names]
    return [
        {k: v for k, v in zip(names, row, strict=True) if v is not None} for row in zip(*cols, strict=True)
    ]


def build_graph(inv: Inventory, *, aggregate: bool | None = None, leaves_per_ca: int = 16) -> nx.DiGraph:
    """The dependency graph as a networkx DiGraph.

    Node ids: `ca:…` (CA nodes of cmmm.graph.hierarchy: `ca:ski:<hex>`, `ca:name:<issuer name>` for unknown
    CAs), `cert:<cert_id>` (leaves; CA certificates are attributes of their CA node), `ep:<location>`,
    `svc:<service>`, `team:<team>`, and `group:<ca_id>|<service>` in aggregated graphs. Every node has
    `type` (NodeType) and `label`; every edge has `type` (EdgeType). issued_by edges carry `verified`
    (True/False; absent when not checked — see cmmm.graph.hierarchy.verify_links; a CA edge backed by several
    certificates is False when any of them fails). With `aggregate` (default: above 20,000
    certificates) leaves and endpoints are folded into one group node per issuing CA and service.
    """
    h = hierarchy(inv)
    facts = inv.certificate_facts()
    if aggregate is None:
        aggregate = len(facts) > 20_000
    g = nx.DiGraph()
    nodes = h.nodes.copy()
    g.add_nodes_from(
        (r.pop("ca_id"), {**r, "type": r["kind"], "label": r.get("name", "")}) for r in _attrs(nodes)
    )
    checked = verify_links(inv, leaves_per_ca=leaves_per_ca)
    verified = checked
    is_ca = facts["is_ca"].fillna(False).astype(bool)
    ca_edges = pd.DataFrame(
        {"u": h.cert_node, "v": h.issuer, "cert_id": facts["cert_id"], "verified": verified}
    )[is_ca].dropna(subset=["u", "v"])
    # A cross-signed CA has several certificates per parent edge: keep the verdicts of all of them.
    for u, v, cid, ver in ca_edges.itertuples(index=False, name=None):
        prev = g.get_edge_data(u, v)
        if prev is not None:
            prev["cert_id"] += ";" + cid
            seen = [x for x in (prev.get("verified"), None if pd.isna(ver) else bool(ver)) if x is not None]
            if seen:
                prev["verified"] = all(seen)
        else:
            g.add_edge(u, v, type=EdgeType.ISSUED_BY.value, cert_id=cid)
            if pd.notna(ver):
                g.edges[u, v]["verified"] = bool(ver)
    svc = service_table(inv)
    g.add_nodes_from((f"svc:{r.pop('service')}", {**r, "type": NodeType.SERVICE.value}) for r in _attrs(svc))
    for n in svc["service"]:
        g.nodes[f"svc:{n}"]["label"] = n
    for s, d in _depends_edges(inv):
        if f"svc:{d}" not in g:
            g.add_node(f"svc:{d}", type=NodeType.SERVICE.value, label=d)
        g.add_edge(f"svc:{s}", f"svc:{d}", type=EdgeType.DEPENDS_ON.value)
    teams = svc.dropna(subset=["team"])
    for s, t in zip(teams["service"], teams["team"], strict=True):
        g.add_node(f"team:{t}", type=NodeType.TEAM.value, label=t)
        g.add_edge(f"svc:{s}", f"team:{t}", type=EdgeType.OWNED_BY.value)
    leaves = ~is_ca & h.issuer.notna()
    if aggregate:
        _add_groups(g, inv)
    else:
        _add_leaves(g, inv, facts, leaves.to_numpy(), verified)
    return g


def _add_leaves(
    g: nx.DiGraph, inv: Inventory, facts: pd.DataFrame, leaves: np.ndarray, verified: pd.Series
) -> None:
    h = hierarchy(inv)
    cols = ["cert_id", "common_name", "serial", "not_after", "criticality", "owner", "team", "service"]
    lf = facts.loc[leaves, cols]
    ids = _column("cert:" + lf["cert_id"])
    leaf_type = NodeType.LEAF.value
    g.add_nodes_from(
        (i, {**r, "type": leaf_type, "label": r.get("common_name", "")})
        for i, r in zip(ids, _attrs(lf), strict=True)
    )
    issued = EdgeType.ISSUED_BY.value
    g.add_edges_from(
        (u, v, {"type": issued} if ver is None else {"type": issued, "verified": ver})
        for u, v, ver in zip(ids, _column(h.issuer[leaves]), _column(verified[leaves]), strict=True)
    )
    obs = inv.observations[inv.observations["cert_id"].isin(set(lf["cert_id"]))]
    deployed = _deployed(obs)
    ep = obs[deployed][["cert_id", "location", "service"]].drop_duplicates()
    ep_ids = _column("ep:" + ep["location"])
    endpoint = NodeType.ENDPOINT.value
    g.add_nodes_from((f"ep:{loc}", {"type": endpoint, "label": loc}) for loc in _column(ep["location"]))
    at = {"type": EdgeType.DEPLOYED_AT.value}  # networkx copies edge attribute dicts
    g.add_edges_from((c, e, at) for c, e in zip(_column("cert:" + ep["cert_id"]), ep_ids, strict=True))
    serves = {"type": EdgeType.SERVES.value}
    served = ep.dropna(subset=["service"])[["location", "service"]].drop_duplicates()
    g.add_edges_from(
        (e, s, serves)
        for e, s in zip(_column("ep:" + served["location"]), _column("svc:" + served["service"]), strict=True)
    )
    direct = obs[~deployed].dropna(subset=["service"])[["cert_id", "service"]].drop_duplicates()
    g.add_edges_from(
        (c, s, serves)
        for c, s in zip(
            _column("cert:" + direct["cert_id"]), _column("svc:" + direct["service"]), strict=True
        )
    )
    no_svc = lf[lf["service"].isna() & lf["team"].notna()]
    for t in no_svc["team"].unique():
        g.add_node(f"team:{t}", type=NodeType.TEAM.value, label=t)
    owned = {"type": EdgeType.OWNED_BY.value}
    g.add_edges_from(
        (c, t, owned)
        for c, t in zip(_column("cert:" + no_svc["cert_id"]), _column("team:" + no_svc["team"]), strict=True)
    )


def leaf_groups(inv: Inventory) -> pd.DataFrame:
    """Leaves aggregated per issuing CA and service (service "-" when none): group_id, ca_id, service,
    certificates, endpoints, weight (Σ criticality weight). The unit of large-inventory pictures."""
    h = hierarchy(inv)
    facts = inv.certificate_facts()
    leaves = (~facts["is_ca"].fillna(False).astype(bool) & h.issuer.notna()).to_numpy()
    frame = pd.DataFrame(
        {
            "ca_id": h.issuer[leaves].to_numpy(),
            "service": facts.loc[leaves, "service"].fillna("-").to_numpy(),
            "endpoints": facts.loc[leaves, "endpoints"].fillna(0).astype("int64").to_numpy(),
            "weight": _cert_weight(inv)[leaves],
        }
    )
    g = frame.groupby(["ca_id", "service"], sort=True)
    out = g.agg(
        certificates=("weight", "size"), endpoints=("endpoints", "sum"), weight=("weight", "sum")
    ).reset_index()
    out.insert(0, "group_id", "group:" + out["ca_id"] + "|" + out["service"])
    return out


def _add_groups(g: nx.DiGraph, inv: Inventory) -> None:
    groups = leaf_groups(inv)
    for r in groups.itertuples(index=False):
        label = f"{r.certificates} certs" + (f" · {r.service}" if r.service != "-" else "")
        g.add_node(
            r.group_id,
            type=NodeType.GROUP.value,
            label=label,
            certificates=int(r.certificates),
            endpoints=int(r.endpoints),
        )
        g.add_edge(r.group_id, r.ca_id, type=EdgeType.ISSUED_BY.value, certificates=int(r.certificates))
        if r.service != "-":
            g.add_edge(r.group_id, f"svc:{r.service}", type=EdgeType.SERVES.value)


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    JSON = "json"
    SVG = "svg"
    PNG = "png"


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(g: nx.DiGraph) -> nx.DiGraph:
    """A copy whose string attributes hold no characters XML 1.0 forbids (certificate names are attacker-
    chosen; a control character would make the GraphML unreadable)."""

    def clean(attrs: dict[str, Any]) -> dict[str, Any]:
        return {k: _XML_ILLEGAL.sub("\ufffd", v) if isinstance(v, str) else v for k, v in attrs.items()}

    h = nx.DiGraph()
    h.add_nodes_from((_XML_ILLEGAL.sub("\ufffd", str(n)), clean(d)) for n, d in g.nodes(data=True))
    h.add_edges_from(
        (_XML_ILLEGAL.sub("\ufffd", str(u)), _XML_ILLEGAL.sub("\ufffd", str(v)), clean(d))
        for u, v, d in g.edges(data=True)
    )
    return h


def export_graph(inv: Inventory, path: Path, *, aggregate: bool | None = None) -> ExportFormat:
    """Write the graph by file extension: .graphml, .json (networkx node-link), .svg or .png (a drawn
    picture, leaves aggregated per CA and service). Returns the format written."""
    ext = path.suffix.lower().lstrip(".")
    try:
        fmt = ExportFormat(ext)
    except ValueError:
        raise UsageError(f"{path}: unknown graph format; use .graphml, .json, .svg or .png") from None
    if fmt in (ExportFormat.SVG, ExportFormat.PNG):
        draw_graph(inv, path)
        return fmt
    g = build_graph(inv, aggregate=aggregate)
    if fmt is ExportFormat.GRAPHML:
        nx.write_graphml(_xml_safe(g), path)
    else:
        doc = nx.node_link_data(g, edges="edges")
        path.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")
    return fmt


_COLORS = {
    NodeType.ROOT: "#1f4e79",
    NodeType.INTERMEDIATE: "#2e75b6",
    NodeType.UNKNOWN: "#c00000",
    NodeType.GROUP: "#a9a9a9",
    NodeType.SERVICE: "#548235",
}


def _label(text: str, limit: int = 32) -> str:
    # matplotlib reads $…$ as math: escape it so a certificate's name is drawn literally.
    t = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    t = t if len(t) <= limit else t[: limit - 1] + "…"
    return t.replace("$", r"\$")


def draw_graph(inv: Inventory, path: Path, *, max_groups: int = 60, max_cas: int = 40) -> None:
    """Draw the hierarchy left to right: roots, intermediates, leaf groups (per issuing CA and service,
    the `max_groups` largest, the rest folded per CA), then the services they serve and the services
    depending on those. Stays readable for any inventory size: the picture has at most
    ~max_cas + max_groups + services nodes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    conc = concentration(inv)
    nd = conc.set_index("ca_id")
    keep_ca = set(conc.sort_values("certificates", ascending=False)["ca_id"].head(max_cas))
    h = hierarchy(inv)
    anc = ancestors(inv)
    keep_ca |= set(anc.loc[anc["ca_id"].isin(keep_ca), "ancestor"])  # whole chains up to the roots
    groups = leaf_groups(inv)
    groups = groups[groups["ca_id"].isin(keep_ca)].sort_values("certificates", ascending=False)
    big = groups.head(max_groups)
    rest = groups.iloc[max_groups:].groupby("ca_id")["certificates"].sum()
    col_of: dict[str, float] = {}
    label: dict[str, str] = {}
    kind: dict[str, NodeType] = {}
    size: dict[str, float] = {}
    edges: list[tuple[str, str]] = []
    max_depth = int(nd["depth"].fillna(0).max()) if len(nd) else 0
    for ca in keep_ca:
        col_of[ca] = float(nd.at[ca, "depth"]) if pd.notna(nd.at[ca, "depth"]) else 0.0
        label[ca] = f"{nd.at[ca, 'name']} ({nd.at[ca, 'certificates']})"
        kind[ca] = NodeType(nd.at[ca, "kind"])
        size[ca] = float(nd.at[ca, "certificates"])
    for child, parent in zip(h.parents["child"], h.parents["parent"], strict=True):
        if child in keep_ca and parent in keep_ca:
            edges.append((parent, child))
    gcol, scol = max_depth + 1.0, max_depth + 2.0
    for r in big.itertuples(index=False):
        col_of[r.group_id] = gcol
        label[r.group_id] = f"{r.certificates} cert{'s' if r.certificates != 1 else ''}"
        kind[r.group_id] = NodeType.GROUP
        size[r.group_id] = float(r.certificates)
        edges.append((r.ca_id, r.group_id))
        if r.service != "-":
            s = f"svc:{r.service}"
            col_of[s], label[s], kind[s], size[s] = scol, str(r.service), NodeType.SERVICE, 1.0
            edges.append((r.group_id, s))
    for ca, n in rest.items():
        gid = f"group:{ca}|(other)"
        col_of[gid], label[gid], kind[gid], size[gid] = gcol, f"{n} certs (other)", NodeType.GROUP, float(n)
        edges.append((str(ca), gid))
    direct = {n.removeprefix("svc:") for n, c in col_of.items() if c == scol}
    deps = dependents(inv)
    further_all = deps.loc[deps["service"].isin(direct) & ~deps["dependent"].isin(direct), "dependent"]
    weights = service_table(inv).set_index("service")["weight"]
    ranked = sorted(set(further_all), key=lambda n: (-int(weights.get(n, 1)), n))
    further = set(ranked[:max_groups])  # the most critical dependents; the picture stays bounded
    needs = [(s, n) for s, n in _depends_edges(inv) if s in further and (n in direct or n in further)]
    level = dict.fromkeys(further, 1)
    for _ in range(len(further)):  # longest path from the directly affected services; cycles stop here
        changed = False
        for s, n in needs:
            want = level.get(n, 0) + 1
            if want > level[s]:
                level[s], changed = want, True
        if not changed:
            break
    for d in sorted(further):
        n = f"svc:{d}"
        col_of[n], label[n], kind[n], size[n] = scol + level[d], d, NodeType.SERVICE, 1.0
    for s, needed in _depends_edges(inv):
        if f"svc:{s}" in col_of and f"svc:{needed}" in col_of:
            edges.append((f"svc:{needed}", f"svc:{s}"))
    # y positions: columns left to right, each node near the mean y of the nodes feeding it.
    y: dict[str, float] = {}
    incoming: dict[str, list[str]] = {}
    for u, v in edges:
        incoming.setdefault(v, []).append(u)
    for c in sorted(set(col_of.values())):
        members = [n for n, cc in col_of.items() if cc == c]
        key = {
            n: (
                np.mean([y[u] for u in incoming.get(n, []) if u in y])
                if any(u in y for u in incoming.get(n, []))
                else 0.0,
                label[n],
            )
            for n in members
        }
        for i, n in enumerate(sorted(members, key=lambda n: key[n])):
            y[n] = float(i) - (len(members) - 1) / 2.0
    tallest = max((sum(1 for cc in col_of.values() if cc == c) for c in set(col_of.values())), default=1)
    cols = len(set(col_of.values()))
    fig, ax = plt.subplots(figsize=(max(6.0, 3.2 * cols), max(3.0, 0.32 * tallest + 1)))
    for u, v in edges:
        if u in y and v in y:
            ax.plot([col_of[u], col_of[v]], [y[u], y[v]], color="#bbbbbb", linewidth=0.6, zorder=1)
    biggest = max([*size.values(), 1.0])
    for n, x in col_of.items():
        area = 30 + 370 * math.sqrt(size[n] / biggest) if kind[n] is not NodeType.SERVICE else 60
        ax.scatter([x], [y[n]], s=area, color=_COLORS.get(kind[n], "#7f7f7f"), zorder=2)
        ax.annotate(
            _label(label[n]),
            (x, y[n]),
            xytext=(6, 0),
            textcoords="offset points",
            fontsize=7,
            va="center",
        )
    ax.set_axis_off()
    ax.set_xlim(-0.3, max(col_of.values(), default=0.0) + 1.2)
    names = {NodeType.ROOT: "root", NodeType.INTERMEDIATE: "intermediate", NodeType.UNKNOWN: "unknown CA"}
    for k, name in (*names.items(), (NodeType.GROUP, "certificates"), (NodeType.SERVICE, "service")):
        ax.scatter([], [], color=_COLORS[k], label=name)
    ax.legend(loc="lower left", fontsize=7, frameon=False, ncols=5, bbox_to_anchor=(0, 1.0))
    # SVG text as <text> (XML-escaped by matplotlib), not glyph paths: smaller, searchable, embeddable.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cmmm"}):
        fmt = path.suffix.lower().lstrip(".")
        meta = {"Date": None} if fmt == "svg" else {}  # deterministic output: no timestamp
        fig.savefig(path, format=fmt, bbox_inches="tight", dpi=110, metadata=meta)
    plt.close(fig)
