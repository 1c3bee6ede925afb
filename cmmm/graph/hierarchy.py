"""The CA hierarchy as frames: which CA issued each certificate, CA parents, and what lies beneath a CA.

CA nodes are keyed by the CA's key, so a cross-signed intermediate (one subject and key, two issuer
certificates) is one node with two parents. A certificate's issuer is found by its AKI, else by issuer DN,
else by issuer name; an AKI naming another key refutes a DN/name match, and several same-name candidates
are settled by signature when both bodies are known. Issuers that are absent or stay ambiguous become
"unknown" CA nodes carrying the issuer name (`ca:name:<name>`), so spreadsheets without CA certificates still
form a hierarchy by name (a CA row of a spreadsheet, which cannot tell keys apart, gets that same id).
Vectorized, except for per-CA-node walks and the rare ambiguous link; cmmm.graph builds the networkx picture
and the queries on top of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from cmmm.errors import InputError
from cmmm.model import Inventory, derived, remap


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
    """The node id of each CA certificate: its key identifier, else (a table row, which cannot tell keys
    apart) its name — the same id an unknown issuer of that name gets — else its certificate id."""
    ski = certs["subject_key_id"].astype("string")
    kid = certs["key_id"].astype("string")
    body = certs["has_body"].fillna(False).astype(bool)
    name = certs["common_name"].astype("string").fillna(certs["subject_dn"].astype("string"))
    by_name = unknown_ca_id(name).where(~body & name.notna())
    return (
        ("ca:ski:" + ski)
        .fillna("ca:key:" + kid)
        .fillna(by_name)
        .fillna("ca:" + certs["cert_id"].astype("string"))
    )


def unknown_ca_id(names: pd.Series) -> pd.Series:
    return "ca:name:" + _norm(names).fillna("(unnamed issuer)").str.replace(r"\s+", " ", regex=True)


@derived
def hierarchy(inv: Inventory) -> Hierarchy:
    """The CA hierarchy of an inventory (computed once per inventory and cached)."""
    h = _build(inv.certificates, inv.bodies)
    return h


def _lookup(keys: pd.Series, table_keys: pd.Series, values: pd.Series) -> pd.Series:
    lut = pd.DataFrame({"k": table_keys.to_numpy(), "v": values.to_numpy()}).dropna().drop_duplicates("k")
    # astype: mapping through an empty table yields an Arrow-backed array that fillna rejects
    return remap(keys, pd.Series(lut["v"].to_numpy(), index=lut["k"].to_numpy())).astype("string")


def _signed_by(body: bytes, issuer_bodies: list[bytes]) -> list[bool]:
    """Which of the candidate issuer certificates verifies `body` (name and signature)."""

    cert = x509.load_der_x509_certificate(body)
    out = []
    for ib in issuer_bodies:
        try:
            cert.verify_directly_issued_by(x509.load_der_x509_certificate(ib))
            out.append(True)
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
            out.append(False)
    return out


def _by_name(
    certs: pd.DataFrame,
    bodies: Mapping[str, bytes],
    issuer: pd.Series,
    todo: pd.Series,
    left: pd.Series,
    right: pd.Series,
    nodes: pd.Series,
) -> tuple[pd.Series, pd.Series]:
    """Link certificates by issuer DN or name. A candidate whose key identifier contradicts the
    certificate's AKI is not its issuer. One candidate links; several are settled by signature when both
    bodies are known, else the certificate stays unlinked and is returned as ambiguous."""
    ambiguous = pd.Series(False, index=certs.index)
    todo = todo & left.notna()
    if not todo.any():
        return issuer, ambiguous
    table = pd.DataFrame({"k": right.to_numpy(), "node": nodes.to_numpy()}).dropna().drop_duplicates()
    pos = np.flatnonzero(todo.to_numpy())
    pairs = pd.DataFrame({"pos": pos, "k": left.to_numpy()[pos]}).merge(table, on="k")
    aki = certs["authority_key_id"].astype("string").reset_index(drop=True)[pairs["pos"].to_numpy()]
    node_ski = pairs["node"].where(pairs["node"].str.startswith("ca:ski:")).str.removeprefix("ca:ski:")
    a = aki.fillna("").to_numpy(dtype=object)
    k = node_ski.fillna("").to_numpy(dtype=object)
    contra = (a != "") & (k != "") & (a != k)
    pairs = pairs[~contra]
    n = pairs.groupby("pos")["node"].transform("size")
    single = pairs[n == 1]
    values = issuer.to_numpy(dtype=object)
    values[single["pos"].to_numpy()] = single["node"].to_numpy(dtype=object)
    multi = pairs[n > 1]
    if len(multi):
        ids = certs["cert_id"].to_numpy(dtype=object)
        node_body: dict[str, str] = {}
        for node, cid in zip(nodes, certs.loc[nodes.index, "cert_id"], strict=True):
            if cid in bodies:
                node_body.setdefault(node, cid)
        # Python over ambiguous certificates only: rare, because the AKI settles almost every link.
        for p, group in multi.groupby("pos"):
            cands = [c for c in group["node"] if c in node_body]
            body = bodies.get(ids[p])
            hits = _signed_by(body, [bodies[node_body[c]] for c in cands]) if body and cands else []
            if sum(hits) == 1:
                values[p] = cands[hits.index(True)]
            else:
                ambiguous.iloc[p] = True
    return pd.Series(values, index=issuer.index, dtype="string"), ambiguous


def _build(certs: pd.DataFrame, bodies: Mapping[str, bytes]) -> Hierarchy:
    is_ca = certs["is_ca"].fillna(False).astype(bool)
    cas = certs[is_ca]
    cert_node = pd.Series(pd.NA, index=certs.index, dtype="string")
    cert_node[is_ca] = ca_key(cas)
    issuer, root = _issuers(certs, bodies, is_ca, cert_node)
    nodes = _nodes(certs, cas, cert_node[is_ca], root[is_ca], issuer)
    parents = pd.DataFrame({"child": cert_node[is_ca].to_numpy(), "parent": issuer[is_ca].to_numpy()})
    parents = parents.dropna().drop_duplicates().reset_index(drop=True)
    parents = parents[parents["child"] != parents["parent"]]
    return Hierarchy(issuer=issuer, nodes=nodes.reset_index(drop=True), parents=parents, cert_node=cert_node)


def _issuers(
    certs: pd.DataFrame, bodies: Mapping[str, bytes], is_ca: pd.Series, cert_node: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """The issuing node of every certificate (NA for roots), and which certificates are roots."""
    self_signed = certs["is_self_signed"].fillna(False).astype(bool)
    cas = certs[is_ca]
    ca_nodes = cert_node[is_ca]
    # By the strongest evidence available: the AKI names the key; then the issuer DN, then the issuer
    # name (ambiguity and AKI contradictions handled in _by_name).
    issuer = pd.Series(pd.NA, index=certs.index, dtype="string")
    issuer = issuer.fillna(
        _lookup(certs["authority_key_id"].astype("string"), cas["subject_key_id"], ca_nodes)
    )
    dn = certs["issuer_dn"].astype("string")
    issuer, amb_dn = _by_name(
        certs, bodies, issuer, issuer.isna() & ~self_signed, dn, cas["subject_dn"].astype("string"), ca_nodes
    )
    name = _norm(certs["issuer_name"])
    issuer, _ = _by_name(
        certs,
        bodies,
        issuer,
        issuer.isna() & ~self_signed & ~amb_dn,
        name,
        _norm(cas["common_name"]),
        ca_nodes,
    )
    # An explicit link from an ingester, for certificates that name no issuer at all.
    explicit = (
        certs["issuer_cert_id"]
        .map(pd.Series(ca_nodes.to_numpy(), index=cas["cert_id"].to_numpy()))
        .astype("string")
    )
    issuer = issuer.fillna(explicit.where(dn.isna() & name.isna()))
    unknown = issuer.isna() & ~self_signed
    issuer[unknown] = unknown_ca_id(certs.loc[unknown, "issuer_name"])
    issuer[self_signed] = pd.NA
    # A CA certificate issued by its own key (a re-issued root, or a table row naming itself as issuer) is
    # a root too and has no parent.
    own = (issuer == cert_node).fillna(False).astype(bool)
    return issuer.mask(own), self_signed | own


def _nodes(
    certs: pd.DataFrame, cas: pd.DataFrame, ca_nodes: pd.Series, root: pd.Series, issuer: pd.Series
) -> pd.DataFrame:
    """The node table: known CAs (one per key) and unknown issuers (one per name), with the count of
    certificates each issued directly."""
    known = pd.DataFrame(
        {
            "ca_id": ca_nodes.to_numpy(),
            "name": cas["common_name"].astype("string").fillna(cas["subject_dn"].astype("string")).to_numpy(),
            "org": cas["subject_org"].astype("string").to_numpy(),
            "subject_dn": cas["subject_dn"].astype("string").to_numpy(),
            "root": root.to_numpy(),
            "not_after": cas["not_after"].to_numpy(),
            "cert_id": cas["cert_id"].to_numpy(),
        }
    )
    unk_mask = (issuer.str.startswith("ca:name:") & ~issuer.isin(set(known["ca_id"]))).fillna(False)
    unk = pd.DataFrame(
        {
            "ca_id": issuer[unk_mask].to_numpy(),
            "name": certs.loc[unk_mask, "issuer_name"].astype("string").fillna("(unnamed issuer)").to_numpy(),
            "org": certs.loc[unk_mask, "issuer_org"].astype("string").to_numpy(),
        }
    )
    unk_nodes = unk.groupby("ca_id", sort=True).first().reset_index()
    unk_nodes["kind"] = CaKind.UNKNOWN.value
    nodes = pd.concat([_known_nodes(known), unk_nodes], ignore_index=True)
    counts = issuer.value_counts()
    nodes["certificates"] = nodes["ca_id"].map(counts).fillna(0).astype("int64")
    return nodes.astype({"ca_id": "string", "name": "string", "org": "string", "kind": "string"})


def _known_nodes(known: pd.DataFrame) -> pd.DataFrame:
    """One node per CA key from its certificates: the first name, a root when any of them is."""
    if not len(known):
        return pd.DataFrame(columns=["ca_id", "name", "org", "subject_dn", "kind", "cert_ids", "not_after"])
    g = known.groupby("ca_id", sort=True)
    return pd.DataFrame(
        {
            "name": g["name"].first(),
            "org": g["org"].first(),
            "subject_dn": g["subject_dn"].first(),
            "kind": np.where(g["root"].any(), CaKind.ROOT.value, CaKind.INTERMEDIATE.value),
            "cert_ids": g["cert_id"].agg(lambda s: ";".join(sorted(s))),
            "not_after": g["not_after"].max(),
        }
    ).reset_index()


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
    ca_ids = set(ca_ids)
    below = descendants(h, ca_ids)
    mask = _in(inv, "issuer", h.issuer, below)
    # intermediate CA certificates whose node lies strictly below count as affected too
    strict = below - ca_ids
    if strict:
        mask |= _in(inv, "cert_node", h.cert_node, strict)
    return pd.Series(mask, index=inv.certificates.index, dtype=bool)


@derived
def _factorized(inv: Inventory, name: str) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of one hierarchy column ("issuer" or "cert_node"), for fast membership tests."""
    codes, uniques = pd.factorize(getattr(hierarchy(inv), name))
    return np.asarray(codes), pd.Index(uniques)


def _in(inv: Inventory, name: str, column: pd.Series, values: set[str]) -> np.ndarray:
    """column.isin(values) through cached integer codes: isin on 250,000 Arrow strings costs ~0.2 s."""
    codes, uniques = _factorized(inv, name)
    wanted = pd.Index(uniques).get_indexer(list(values))
    return np.isin(codes, wanted[wanted >= 0])


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


def closure_pairs(
    starts: Iterable[str], edges: Mapping[str, Iterable[str]], *, columns: tuple[str, str]
) -> pd.DataFrame:
    """(start, reached) for every node reachable from each start along `edges`, the start included.
    Python over nodes (CAs, services: tens to thousands), never over certificates; cycles terminate."""
    rows_start: list[str] = []
    rows_reached: list[str] = []
    for start in starts:
        seen = {start}
        frontier = [start]
        while frontier:
            nxt = [p for n in frontier for p in edges.get(n, ()) if p not in seen]
            seen.update(nxt)
            frontier = nxt
        rows_start += [start] * len(seen)
        rows_reached += sorted(seen)
    return pd.DataFrame({columns[0]: rows_start, columns[1]: rows_reached}, dtype="string")


@derived
def ancestors(inv: Inventory) -> pd.DataFrame:
    """Every CA node with every node at or above it: columns ca_id, ancestor (each node is its own
    ancestor). Cross-signed nodes reach the ancestors of both parents; cycles terminate. Cached."""
    h = hierarchy(inv)
    up: dict[str, list[str]] = {}
    for child, parent in zip(h.parents["child"], h.parents["parent"], strict=True):
        up.setdefault(child, []).append(parent)
    out = closure_pairs(h.nodes["ca_id"], up, columns=("ca_id", "ancestor"))
    return out


@derived
def node_depths(inv: Inventory) -> pd.DataFrame:
    """Per CA node: depth (0 for a node without parents: a root or an unknown CA; else the shortest
    distance up to one), tops (';'-joined top nodes it reaches) and anchored (a root among its tops)."""
    h = hierarchy(inv)
    anc = ancestors(inv)
    nodes = h.nodes[["ca_id", "kind"]]
    has_parent = set(h.parents["child"])
    top_ids = nodes.loc[~nodes["ca_id"].isin(has_parent), ["ca_id", "kind"]]
    tops = anc.merge(top_ids.rename(columns={"ca_id": "ancestor", "kind": "top_kind"}), on="ancestor")
    g = tops.sort_values(["ca_id", "ancestor"]).groupby("ca_id", sort=False)
    depth = pd.Series(pd.NA, index=nodes["ca_id"].to_numpy(), dtype="Int64")
    frontier = set(top_ids["ca_id"])
    level = 0
    children = h.parents.groupby("parent")["child"].agg(list).to_dict() if len(h.parents) else {}
    while frontier:
        fresh = [n for n in frontier if pd.isna(depth.get(n))]
        depth[fresh] = level
        frontier = {c for n in fresh for c in children.get(n, ()) if pd.isna(depth.get(c))}
        level += 1
    out = pd.DataFrame(
        {
            "ca_id": nodes["ca_id"].to_numpy(),
            "depth": depth.to_numpy(),
            "tops": nodes["ca_id"].map(g["ancestor"].agg(";".join)).astype("string").to_numpy(),
            "anchored": nodes["ca_id"]
            .map(g["top_kind"].agg(lambda k: bool((k == CaKind.ROOT.value).any())))
            .fillna(False)
            .astype(bool)
            .to_numpy(),
        }
    )
    out["ca_id"] = out["ca_id"].astype("string")
    return out


def _positions(ids: pd.Index, values: pd.Series) -> np.ndarray:
    """ids.get_indexer(values) (-1 where absent or missing), looked up once per distinct value: a text index
    probed with every certificate's issuer costs 0.25 s at 250,000, the few distinct issuers nothing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = ids.get_indexer(pd.Index(uniques))
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1) if len(lookup) else np.full(len(codes), -1)


@derived
def membership(inv: Inventory) -> pd.DataFrame:
    """Which certificates lie beneath which CA node: columns pos (row position in inv.certificates) and
    ca_id. The vectorized form of `certificates_under` for every CA at once (same semantics: a certificate
    is beneath its issuer and every node above it; a CA certificate also beneath every node above its own
    node, so both parents of a cross-signed intermediate carry both of its certificates). Cached."""
    h = hierarchy(inv)
    anc = ancestors(inv)
    pos = np.arange(len(h.issuer))
    # joined on integer codes of the CA ids (string joins and de-duplication cost 3× more at 250,000)
    ids = pd.Index(pd.concat([anc["ca_id"], anc["ancestor"]], ignore_index=True).dropna().unique())
    code = {name: _positions(ids, values) for name, values in (("issuer", h.issuer), ("node", h.cert_node))}
    anc_codes = pd.DataFrame(
        {"ca": ids.get_indexer(anc["ca_id"]), "ancestor": ids.get_indexer(anc["ancestor"])}
    )
    by_issuer = pd.DataFrame({"pos": pos, "ca": code["issuer"]})
    by_issuer = by_issuer[by_issuer["ca"] >= 0].merge(anc_codes, on="ca")[["pos", "ancestor"]]
    own = pd.DataFrame({"pos": pos, "ca": code["node"]})
    own = own[own["ca"] >= 0].merge(anc_codes, on="ca")
    own = own[own["ca"] != own["ancestor"]][["pos", "ancestor"]]
    out = pd.concat([by_issuer, own], ignore_index=True).drop_duplicates().reset_index(drop=True)
    return pd.DataFrame(
        {
            "pos": out["pos"].astype("int64").to_numpy(),
            "ca_id": pd.array(ids.to_numpy()[out["ancestor"].to_numpy()], dtype=anc["ancestor"].dtype),
        }
    )


@derived
def verify_links(inv: Inventory, *, leaves_per_ca: int = 16) -> pd.Series:
    """Signature check of each certificate's issued-by link, aligned with inv.certificates: True when the
    issuing CA's key verifies it (cryptography's verify_directly_issued_by: issuer name and signature),
    False when it does not, NA when not checked (a body missing on either side, an unknown issuer, or a
    leaf beyond the sample). Every CA certificate is checked; leaves only up to `leaves_per_ca` per issuing
    CA (the first by cert_id), because a signature check costs ~0.1 ms and 250,000 of them would dominate.
    Cached per sample size."""

    h = hierarchy(inv)
    certs = inv.certificates
    result = pd.Series(pd.NA, index=certs.index, dtype="boolean")
    if not inv.bodies:
        return result
    has_body = certs["cert_id"].isin(inv.bodies.keys())
    ca_rows = pd.DataFrame({"ca_id": h.cert_node, "cert_id": certs["cert_id"]})[has_body].dropna()
    issuer_body = ca_rows.drop_duplicates("ca_id").set_index("ca_id")["cert_id"]
    cand = pd.DataFrame(
        {"issuer": h.issuer, "cert_id": certs["cert_id"], "is_ca": certs["is_ca"].fillna(False)}
    )[has_body & h.issuer.isin(issuer_body.index).fillna(False)]
    leaves = cand[~cand["is_ca"].astype(bool)].sort_values("cert_id")
    sample = pd.concat([cand[cand["is_ca"].astype(bool)], leaves.groupby("issuer").head(leaves_per_ca)])
    parsed: dict[str, x509.Certificate] = {}

    def load(cid: str) -> x509.Certificate:
        if cid not in parsed:
            parsed[cid] = x509.load_der_x509_certificate(inv.bodies[cid])
        return parsed[cid]

    for idx, issuer_node, cid in zip(sample.index, sample["issuer"], sample["cert_id"], strict=True):
        try:
            load(cid).verify_directly_issued_by(load(issuer_body[issuer_node]))
            result[idx] = True
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
            result[idx] = False
    return result
