"""PQC drills: the handshake bytes of each issuing CA's chain today and with a post-quantum algorithm."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cmmm.crypto import (
    HANDSHAKE_PUBLIC_KEYS,
    HANDSHAKE_SIGNATURES,
    INITIAL_WINDOW_BYTES,
    SIZES,
    PqcSize,
)
from cmmm.drill.scenario import Scenario
from cmmm.graph.hierarchy import hierarchy
from cmmm.model import Inventory


# ---------------------------------------------------------------- PQC: handshake size per chain
def _size_name(alg: Any, size: Any) -> str:
    if alg == "EC":
        return f"EC-{int(size)}" if pd.notna(size) and f"EC-{int(size)}" in SIZES else "EC-256"
    if alg == "RSA":
        return f"RSA-{int(size)}" if pd.notna(size) and f"RSA-{int(size)}" in SIZES else "RSA-2048"
    return str(alg) if str(alg) in SIZES else "EC-256"


def _handshake(inv: Inventory, aff: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per issuing CA: handshake bytes now and with the target PQC algorithm, against the budget.
    A TLS handshake carries about 2 public keys and 5 signatures (DOMAIN §5); every intermediate beyond
    the first adds one more key and signature."""
    target = str(scenario.parameters.get("target_algorithm", "ML-DSA-65"))
    budget = float(scenario.parameters.get("handshake_budget_bytes", INITIAL_WINDOW_BYTES))
    pq = SIZES.get(target, SIZES["ML-DSA-65"])
    h = hierarchy(inv)
    leaf = aff[~aff["is_ca"].fillna(False).astype(bool)]
    # h.issuer is aligned with inv.certificates: map through cert_id
    by_id = pd.Series(h.issuer.to_numpy(), index=inv.certificates["cert_id"].to_numpy())
    issuer = leaf["cert_id"].map(by_id)
    depth = _chain_depths(
        issuer.dropna().unique(), h.parents.drop_duplicates("child").set_index("child")["parent"]
    )
    frame = pd.DataFrame(
        {
            "issuer": issuer.fillna("(self-signed)").to_numpy(),
            "size_name": [
                _size_name(a, s) for a, s in zip(leaf["key_algorithm"], leaf["key_size"], strict=True)
            ],
        }
    )
    if not len(frame):
        return pd.DataFrame(
            columns=[
                "issuing_ca",
                "certificates",
                "intermediates",
                "bytes_now",
                "bytes_pqc",
                "budget_bytes",
                "over_budget",
            ]
        )
    names = h.nodes.set_index("ca_id")["name"]
    rows = []
    for ca, grp in frame.groupby("issuer", sort=True):
        extra = max(depth.get(str(ca), 1) - 1, 0)
        now_b = _handshake_bytes(SIZES[grp["size_name"].mode().iloc[0]], extra)
        pq_b = _handshake_bytes(pq, extra)
        rows.append(
            {
                "issuing_ca": str(names.get(ca, ca)),
                "certificates": len(grp),
                "intermediates": max(depth.get(str(ca), 1), 1),
                "bytes_now": now_b,
                "bytes_pqc": pq_b,
                "budget_bytes": budget,
                "over_budget": pq_b > budget,
            }
        )
    return pd.DataFrame(rows)


def _chain_depths(issuers: Any, parent: pd.Series) -> dict[str, int]:
    """Per issuing CA: the intermediates between a leaf it issued and the root (0: a root or unknown CA
    issued it). Cross-signing cycles stop the walk."""
    depth: dict[str, int] = {}
    for ca in issuers:
        d, cur, seen = 0, ca, set()
        while cur in parent.index and cur not in seen:
            seen.add(cur)
            cur = parent[cur]
            d += 1
        depth[str(ca)] = d
    return depth


def _handshake_bytes(size: PqcSize, extra: int) -> int:
    """Public keys and signatures a handshake carries, with `extra` intermediates beyond the first."""
    return (HANDSHAKE_PUBLIC_KEYS + extra) * size.public_key_bytes + (
        HANDSHAKE_SIGNATURES + extra
    ) * size.signature_bytes
