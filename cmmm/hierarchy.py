"""The CA hierarchy as frames: which CA issued each certificate, CA parents, and what lies beneath a CA.

CA nodes are keyed by the CA's key, so a cross-signed intermediate (one subject and key, two issuer
certificates) is one node with two parents. Issuers named by a table row but absent from the inventory
become "unknown" CA nodes carrying the issuer name, so spreadsheets without CA certificates still form a
hierarchy by name. Everything here is vectorized; cmmm.graph builds the networkx picture on top of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from cmmm.errors import InputError
from cmmm.model import Inventory


class CaKind(StrEnum):
    ROOT = "root"
    INTERMEDIATE = "intermediate"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Hierarchy:
    """`issuer`: the issuing CA node id of each certificate (aligned with inv.certificates; NA for
    self-signed certificates). `nodes`: ca_id, name, org, kind, cert_ids (';'-joined), subject_dn,
    not_after (latest of its certificates), certificates (count issued directly).
    `parents`: edges child ca_id → parent ca_id. `cert_node`: the CA node of each CA certificate."""

    issuer: pd.Series
    nodes: pd.DataFrame
    parents: pd.DataFrame
    cert_node: pd.Series


def _norm(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.lower()


def ca_key(certs: pd.DataFrame) -> pd.Series:
    """The node id of each CA certificate: its key identifier, else its certificate id."""
    ski = certs["subject_key_id"].astype("string")
    kid = certs["key_id"].astype("string")
    return ("ca:ski:" + ski).fillna("ca:key:" + kid).fillna("ca:" + certs["cert_id"].astype("string"))


def unknown_ca_id(names: pd.Series) -> pd.Series:
    return "ca:name:" + _norm(names).fillna("(unnamed issuer)").str.replace(r"\s+", " ", regex=True)


def hierarchy(inv: Inventory) -> Hierarchy:
    """The CA hierarchy of an inventory (computed once per inventory and cached)."""
    cached = inv._cache.get("hierarchy")
    if cached is not None:
        return cached
    h = _build(inv.certificates)
    inv._cache["hierarchy"] = h
    return h


def _lookup(keys: pd.Series, table_keys: pd.Series, values: pd.Series) -> pd.Series:
    lut = pd.DataFrame({"k": table_keys.to_numpy(), "v": values.to_numpy()}).dropna().drop_duplicates("k")
    return keys.map(pd.Series(lut["v"].to_numpy(), index=lut["k"].to_numpy()))


def _build(certs: pd.DataFrame) -> Hierarchy:
    is_ca = certs["is_ca"].fillna(False).astype(bool)
    self_signed = certs["is_self_signed"].fillna(False).astype(bool)
    cas = certs[is_ca]
    cert_node = pd.Series(pd.NA, index=certs.index, dtype="string")
    cert_node[is_ca] = ca_key(cas)

    # The issuing node of every certificate, by the strongest evidence available.
    issuer = pd.Series(pd.NA, index=certs.index, dtype="string")
    ski_nodes = cas["subject_key_id"].astype("string")
    issuer = issuer.fillna(_lookup(certs["authority_key_id"].astype("string"), ski_nodes, cert_node[is_ca]))
    issuer = issuer.fillna(
        certs["issuer_cert_id"].map(pd.Series(cert_node[is_ca].to_numpy(), index=cas["cert_id"].to_numpy()))
    )
    issuer = issuer.fillna(
        _lookup(certs["issuer_dn"].astype("string"), cas["subject_dn"].astype("string"), cert_node[is_ca])
    )
    issuer = issuer.fillna(_lookup(_norm(certs["issuer_name"]), _norm(cas["common_name"]), cert_node[is_ca]))
    unknown = issuer.isna() & ~self_signed
    issuer[unknown] = unknown_ca_id(certs.loc[unknown, "issuer_name"])
    issuer[self_signed] = pd.NA
    # A CA certificate issued by its own key (a re-issued root) has no parent either.
    issuer = issuer.mask((issuer == cert_node).fillna(False).astype(bool))

    # Nodes: known CAs (one per key) and unknown issuers (one per name).
    known = pd.DataFrame(
        {
            "ca_id": cert_node[is_ca].to_numpy(),
            "name": cas["common_name"].astype("string").fillna(cas["subject_dn"].astype("string")).to_numpy(),
            "org": cas["subject_org"].astype("string").to_numpy(),
            "subject_dn": cas["subject_dn"].astype("string").to_numpy(),
            "root": self_signed[is_ca].to_numpy(),
            "not_after": cas["not_after"].to_numpy(),
            "cert_id": cas["cert_id"].to_numpy(),
        }
    )
    if len(known):
        g = known.groupby("ca_id", sort=True)
        known_nodes = pd.DataFrame(
            {
                "name": g["name"].first(),
                "org": g["org"].first(),
                "subject_dn": g["subject_dn"].first(),
                "kind": np.where(g["root"].any(), CaKind.ROOT.value, CaKind.INTERMEDIATE.value),
                "cert_ids": g["cert_id"].agg(lambda s: ";".join(sorted(s))),
                "not_after": g["not_after"].max(),
            }
        ).reset_index()
    else:
        known_nodes = pd.DataFrame(
            columns=["ca_id", "name", "org", "subject_dn", "kind", "cert_ids", "not_after"]
        )
    unk_mask = issuer.str.startswith("ca:name:").fillna(False)
    unk = pd.DataFrame(
        {
            "ca_id": issuer[unk_mask].to_numpy(),
            "name": certs.loc[unk_mask, "issuer_name"].astype("string").fillna("(unnamed issuer)").to_numpy(),
            "org": certs.loc[unk_mask, "issuer_org"].astype("string").to_numpy(),
        }
    )
    unk_nodes = unk.groupby("ca_id", sort=True).first().reset_index()
    unk_nodes["kind"] = CaKind.UNKNOWN.value
    nodes = pd.concat([known_nodes, unk_nodes], ignore_index=True)
    counts = issuer.value_counts()
    nodes["certificates"] = nodes["ca_id"].map(counts).fillna(0).astype("int64")
    nodes = nodes.astype({"ca_id": "string", "name": "string", "org": "string", "kind": "string"})

    parents = pd.DataFrame({"child": cert_node[is_ca].to_numpy(), "parent": issuer[is_ca].to_numpy()})
    parents = parents.dropna().drop_duplicates().reset_index(drop=True)
    parents = parents[parents["child"] != parents["parent"]]
    return Hierarchy(issuer=issuer, nodes=nodes.reset_index(drop=True), parents=parents, cert_node=cert_node)


def descendants(h: Hierarchy, ca_ids: Iterable[str]) -> set[str]:
    """The CA nodes at or beneath `ca_ids`, transitively (cycles of cross-signing terminate)."""
    found = set(ca_ids)
    frontier = set(found)
    while frontier:
        children = set(h.parents.loc[h.parents["parent"].isin(frontier), "child"]) - found
        found |= children
        frontier = children
    return found


def certificates_under(inv: Inventory, ca_ids: Iterable[str]) -> pd.Series:
    """Boolean mask over inv.certificates: every certificate issued beneath the given CA nodes,
    transitively, including the certificates of the intermediate CAs beneath them."""
    h = hierarchy(inv)
    below = descendants(h, ca_ids)
    mask = h.issuer.isin(below).fillna(False)
    # intermediate CA certificates whose node lies strictly below count as affected too
    strict = below - set(ca_ids)
    if strict:
        mask |= h.cert_node.isin(strict).fillna(False)
    return mask.astype(bool)


def resolve_ca(inv: Inventory, query: str) -> pd.DataFrame:
    """CA nodes matching `query`: a node id, a certificate id or SHA-256/SHA-1 fingerprint of a CA
    certificate (hex, colons allowed), or a name (exact, case-insensitive; else substring of name or
    organization). Returns the matching rows of the node table (empty when nothing matches)."""
    h = hierarchy(inv)
    nodes = h.nodes
    q = query.strip()
    if not q:
        raise InputError("--ca", "empty CA query")
    hit = nodes[nodes["ca_id"] == q]
    if len(hit):
        return hit
    hexq = re.sub(r"[^0-9a-f]", "", q.lower())
    if len(hexq) in (40, 64) and re.fullmatch(r"[0-9a-fA-F:\s]+", q):
        col = "fingerprint_sha256" if len(hexq) == 64 else "fingerprint_sha1"
        certs = inv.certificates
        node = h.cert_node[(certs[col] == hexq).fillna(False)].dropna()
        return nodes[nodes["ca_id"].isin(set(node))]
    if q.startswith("sha256:"):
        node = h.cert_node[(inv.certificates["cert_id"] == q).fillna(False)].dropna()
        return nodes[nodes["ca_id"].isin(set(node))]
    lname = q.lower()
    exact = nodes[_norm(nodes["name"]) == lname]
    if len(exact):
        return exact
    sub = _norm(nodes["name"]).str.contains(lname, regex=False).fillna(False) | _norm(
        nodes["org"]
    ).str.contains(lname, regex=False).fillna(False)
    return nodes[sub]
