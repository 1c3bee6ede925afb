"""The dependency graph as a networkx DiGraph, and its GraphML / node-link JSON export."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cmmm._json import dumps
from cmmm.errors import UsageError
from cmmm.export.atomic import replacing, write_text_atomic
from cmmm.graph.hierarchy import (
    hierarchy,
    verify_links,
)
from cmmm.graph.services import _cert_weight, _depends_edges, _deployed, service_table
from cmmm.model import Inventory
from cmmm.sanitize import xml

if TYPE_CHECKING:
    import networkx as nx
# networkx is imported by the functions that build a graph: the assessment and the drills never do, and
# importing it costs more than a small assessment (0.14 s).


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


UNNAMED_ISSUER = "ca:name:(unnamed issuer)"


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
    import networkx as nx

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


def _xml_safe(g: nx.DiGraph) -> nx.DiGraph:
    """A copy whose string attributes hold no characters XML 1.0 forbids (certificate names are attacker-
    chosen; a control character would make the GraphML unreadable)."""

    def clean(attrs: dict[str, Any]) -> dict[str, Any]:
        return {k: xml(v) if isinstance(v, str) else v for k, v in attrs.items()}

    import networkx as nx

    h = nx.DiGraph()
    h.add_nodes_from((xml(n), clean(d)) for n, d in g.nodes(data=True))
    h.add_edges_from((xml(u), xml(v), clean(d)) for u, v, d in g.edges(data=True))
    return h


def export_graph(inv: Inventory, path: Path, *, aggregate: bool | None = None) -> ExportFormat:
    """Write the graph by file extension: .graphml or .json (networkx node-link). Returns the format written.
    (Pictures, .svg and .png, are drawn by cmmm.report.picture.)"""
    ext = path.suffix.lower().lstrip(".")
    try:
        fmt = ExportFormat(ext)
    except ValueError:
        raise UsageError(f"{path}: unknown graph format; use .graphml or .json") from None
    import networkx as nx

    g = build_graph(inv, aggregate=aggregate)
    if fmt is ExportFormat.GRAPHML:
        with replacing(path) as tmp:
            nx.write_graphml(_xml_safe(g), tmp)
    else:
        doc = nx.node_link_data(g, edges="edges")
        write_text_atomic(path, dumps(doc))
    return fmt
