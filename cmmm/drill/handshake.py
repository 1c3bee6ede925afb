"""PQC drills: the TLS handshake bytes of each actual chain, today and re-keyed to a post-quantum algorithm.

A server sends its leaf and the intermediates above it (not the root), proves possession of the leaf key
(CertificateVerify) and, on a public certificate, the SCTs (DOMAIN §5). So a chain costs the public keys
of the leaf and of each intermediate sent, the signature on each certificate sent (made by its issuer's
key), the CertificateVerify signature (the leaf's key) and, only where the chain is public, the SCT
signatures — counted at the leaf's algorithm, as `cmmm.crypto.handshake_bytes` does. A private chain
carries no SCT (Certificate Transparency is a WebPKI requirement).

Where the PQC lab measured a chain of the same private hierarchy (`Inventory.lab`, cmmm pqc-lab), the
measured bytes replace the table: the Certificate and CertificateVerify messages a real server sent in a
loopback TLS 1.3 handshake — whole certificates with their names and extensions, so more than the keys and
signatures the table counts — and the clients that accepted or refused that chain (`bytes_source`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cmmm.crypto import HANDSHAKE_SCTS, SIZES
from cmmm.graph.hierarchy import CaKind, hierarchy, node_depths
from cmmm.model import Inventory

HANDSHAKE_COLUMNS = (
    "issuing_ca",
    "leaf_algorithm",
    "certificates",
    "to_migrate",
    "intermediates",
    "chain",
    "scts",
    "bytes_now",
    "target_algorithm",
    "bytes_pqc",
    "budget_bytes",
    "over_budget",
    "bytes_source",
    "clients",
)
_FALLBACK = "EC-256"  # a key whose algorithm or size is unknown is sized as the most common one


def size_name(alg: Any, size: Any) -> str:
    """The crypto.SIZES name of a key (EC-256, RSA-2048, ML-DSA-65 …); unknown keys count as EC-256."""
    if pd.isna(alg):
        return _FALLBACK
    if alg == "EC":
        return f"EC-{int(size)}" if pd.notna(size) and f"EC-{int(size)}" in SIZES else _FALLBACK
    if alg == "RSA":
        return f"RSA-{int(size)}" if pd.notna(size) and f"RSA-{int(size)}" in SIZES else "RSA-2048"
    return str(alg) if str(alg) in SIZES else _FALLBACK


@dataclass(frozen=True, slots=True, kw_only=True)
class Chain:
    """What one handshake carries: the leaf key, the keys of the intermediates sent (issuing CA first),
    the key that signed each certificate sent (leaf first), the anchor's key, and the SCTs."""

    leaf: str
    intermediates: tuple[str, ...]
    signers: tuple[str, ...]
    anchor: str
    scts: int

    @property
    def bytes(self) -> int:
        keys = sum(SIZES[k].public_key_bytes for k in (self.leaf, *self.intermediates))
        signatures = sum(SIZES[s].signature_bytes for s in self.signers)
        proof = (1 + self.scts) * SIZES[self.leaf].signature_bytes  # CertificateVerify and the SCTs
        return keys + signatures + proof

    @property
    def label(self) -> str:
        return " ← ".join((self.leaf, *self.intermediates, self.anchor))

    def rekeyed(self, algorithm: str) -> Chain:
        """The same chain with every key replaced by `algorithm` (the hierarchy keeps its shape)."""
        n = len(self.intermediates)
        return Chain(
            leaf=algorithm,
            intermediates=(algorithm,) * n,
            signers=(algorithm,) * len(self.signers),
            anchor=algorithm,
            scts=self.scts,
        )


def chain_of(leaf: str, path: Sequence[str], root_top: bool, algs: Mapping[str, str], scts: int) -> Chain:
    """The chain of a leaf whose issuing CA starts `path` (CA node ids up to a top node). The top is the
    trust anchor and is not sent — unless the issuing CA is itself the top and not a known root: then it is
    taken as the one intermediate, its own signer unknown (its key assumed). Unknown CA keys count as the
    leaf's algorithm."""
    if not path:  # a self-signed leaf
        return Chain(leaf=leaf, intermediates=(), signers=(leaf,), anchor=leaf, scts=scts)
    alg = [algs.get(n, leaf) for n in path]
    if len(path) == 1 and not root_top:
        return Chain(leaf=leaf, intermediates=(alg[0],), signers=(alg[0], alg[0]), anchor=alg[0], scts=scts)
    return Chain(leaf=leaf, intermediates=tuple(alg[:-1]), signers=tuple(alg), anchor=alg[-1], scts=scts)


def _path(node: str, parents: Mapping[str, list[str]], depth: Mapping[str, int]) -> list[str]:
    """From a CA node up to a top, by the parent closest to a top (cross-signing cycles stop the walk)."""
    path, seen = [node], {node}
    while True:
        options = [p for p in parents.get(path[-1], ()) if p not in seen]
        if not options:
            return path
        nxt = min(options, key=lambda p: (depth.get(p, 1 << 30), p))
        path.append(nxt)
        seen.add(nxt)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ladder:
    """The CA hierarchy as the chain walk needs it."""

    parents: dict[str, list[str]]
    depth: dict[str, int]
    algs: dict[str, str]
    kinds: dict[str, str]
    names: dict[str, str]


def _ladder(inv: Inventory) -> _Ladder:
    h = hierarchy(inv)
    parents: dict[str, list[str]] = {}
    for child, parent in zip(h.parents["child"], h.parents["parent"], strict=True):
        parents.setdefault(str(child), []).append(str(parent))
    d = node_depths(inv)
    depth = {str(k): int(v) for k, v in zip(d["ca_id"], d["depth"], strict=True) if pd.notna(v)}
    certs = inv.certificates
    ca = h.cert_node.notna().to_numpy(dtype=bool)
    algs: dict[str, str] = {}
    for node, a, s in zip(h.cert_node[ca], certs["key_algorithm"][ca], certs["key_size"][ca], strict=True):
        if pd.notna(a):
            algs.setdefault(str(node), size_name(a, s))
    return _Ladder(
        parents=parents,
        depth=depth,
        algs=algs,
        kinds=dict(zip(h.nodes["ca_id"].astype(str), h.nodes["kind"].astype(str), strict=True)),
        names=dict(zip(h.nodes["ca_id"].astype(str), h.nodes["name"].astype(str), strict=True)),
    )


def _size_names(algorithm: pd.Series, size: pd.Series) -> np.ndarray:
    """size_name per certificate, computed once per distinct (algorithm, size) pair (a handful at any scale)."""
    key = algorithm.astype("string").fillna("\0") + "|" + size.astype("string").fillna("\0")
    codes, _ = pd.factorize(key.to_numpy())
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    names = np.array([size_name(algorithm.iloc[i], size.iloc[i]) for i in first], dtype=object)
    return names[codes] if len(codes) else np.array([], dtype=object)


def handshake(
    inv: Inventory, leaves: np.ndarray, vulnerable: np.ndarray, target: str, budget: float
) -> pd.DataFrame:
    """Per actual chain (issuing CA and leaf algorithm) of the `leaves` mask: handshake bytes today and
    re-keyed to `target` (chains without a quantum-vulnerable leaf keep theirs), against `budget`."""
    if not leaves.any():
        return pd.DataFrame(columns=list(HANDSHAKE_COLUMNS))
    certs = inv.certificates
    frame = pd.DataFrame(
        {
            "issuer": hierarchy(inv).issuer[leaves].astype(object).to_numpy(),
            "leaf": _size_names(certs["key_algorithm"][leaves], certs["key_size"][leaves]),
            "public": (certs["trust"][leaves] == "public").fillna(False).to_numpy(dtype=bool),
            "vulnerable": vulnerable[leaves],
        }
    )
    frame["issuer"] = frame["issuer"].where(frame["issuer"].notna(), "")
    ladder = _ladder(inv)
    lab = _measured(inv.lab)
    rows = [
        _row(ladder, str(issuer), str(leaf), bool(public), grp, target, budget, lab)
        for (issuer, leaf, public), grp in frame.groupby(["issuer", "leaf", "public"], sort=True)
    ]
    return pd.DataFrame(rows, columns=list(HANDSHAKE_COLUMNS))


def _measured(lab: pd.DataFrame) -> dict[tuple[str, str, str], Any]:
    """The lab's rows by (CA name lower-cased, profile, leaf key); a re-keyed profile's leaf key is the
    profile's algorithm."""
    if not len(lab):
        return {}
    names = lab["ca_name"].astype("string").str.strip().str.lower()
    return {
        (str(n), str(r.profile), str(r.leaf_key)): r for n, r in zip(names, lab.itertuples(), strict=True)
    }


def _row(
    ladder: _Ladder,
    issuer: str,
    leaf: str,
    public: bool,
    grp: pd.DataFrame,
    target: str,
    budget: float,
    lab: Mapping[tuple[str, str, str], Any],
) -> dict[str, Any]:
    path = _path(issuer, ladder.parents, ladder.depth) if issuer else []
    top_is_root = bool(path) and ladder.kinds.get(path[-1]) == CaKind.ROOT.value
    chain = chain_of(leaf, path, top_is_root, ladder.algs, HANDSHAKE_SCTS if public else 0)
    to_migrate = int(grp["vulnerable"].sum())
    after = chain.rekeyed(target) if to_migrate else chain
    name = ladder.names.get(issuer, "").strip().lower() if issuer else ""
    # Public chains are measured for information only: their migration waits on the root programs.
    now_lab = lab.get((name, "baseline", leaf)) if not public else None
    pqc_lab = (lab.get((name, target, target)) if to_migrate else now_lab) if not public else None
    bytes_now = int(now_lab.bytes) if now_lab is not None else chain.bytes
    bytes_pqc = int(pqc_lab.bytes) if pqc_lab is not None else after.bytes
    # Measured, the whole server flight is what the initial window must carry.
    over = int(pqc_lab.server_flight_bytes) > budget if pqc_lab is not None else after.bytes > budget
    measured = (now_lab is not None) + (pqc_lab is not None)
    source = {2: "lab", 1: "lab (partly)"}.get(measured, "table")
    return {
        "issuing_ca": ladder.names.get(issuer, "(self-signed)") if issuer else "(self-signed)",
        "leaf_algorithm": leaf,
        "certificates": len(grp),
        "to_migrate": to_migrate,
        "intermediates": len(chain.intermediates),
        "chain": chain.label,
        "scts": chain.scts,
        "bytes_now": bytes_now,
        "target_algorithm": target if to_migrate else leaf,
        "bytes_pqc": bytes_pqc,
        "budget_bytes": int(budget),
        "over_budget": over,
        "bytes_source": source,
        "clients": _clients(pqc_lab),
    }


def _clients(row: Any) -> str:
    """Which clients the lab saw accept and refuse the re-keyed chain ('' without a lab result)."""
    if row is None:
        return ""
    parts = []
    if isinstance(row.accepted_by, str) and row.accepted_by:
        parts.append(f"accepted by {row.accepted_by}")
    if isinstance(row.rejected_by, str) and row.rejected_by:
        parts.append(f"refused by {row.rejected_by}")
    return "; ".join(parts)
