"""The shape of each private CA hierarchy of an inventory, as the lab rebuilds it: CAs, depth, representative leaves.

A hierarchy is a top CA node (a root, or an issuer whose own certificate the inventory lacks) with every CA
beneath it. It is private when none of its certificates is publicly trusted (`trust`). A public (WebPKI)
hierarchy is mirrored too, its leaves with two SCTs as CT requires, but for information only: no root program
admits ML-DSA (BR §6.1.5), so its post-quantum profiles are never a plan. The lab mirrors its CAs one for one (names, parent links, so the
same depth and number of intermediates) and, per issuing CA, a few representative leaves: one per SAN shape
(one name, several names, a wildcard, an IP address), the most common shapes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmmm.graph.hierarchy import CaKind, descendants, hierarchy
from cmmm.model import Inventory
from cmmm.policy import parse_policy

LEAVES_PER_CA = 3
DEFAULT_LEAF_DAYS = 90.0  # a leaf without dates gets the common private-PKI validity
DEFAULT_CA_DAYS = {CaKind.ROOT.value: 3650.0, "intermediate": 1825.0}
_EC_SIZES = (256, 384, 521)
_RSA_SIZES = (2048, 3072, 4096)


def key_kind(algorithm: object, size: object) -> str:
    """The lab's key name (cmmm.lab.pki.make_key) for an inventory key: EC-256/384/521, RSA-2048/3072/4096,
    Ed25519, ML-DSA-44/65/87; anything unknown is EC-256, the most common key today."""
    alg = "" if pd.isna(algorithm) else str(algorithm)
    n = int(size) if isinstance(size, (int, float, np.integer, np.floating)) and not pd.isna(size) else None
    if alg == "EC":
        return f"EC-{n}" if n in _EC_SIZES else "EC-256"
    if alg == "RSA":
        return f"RSA-{min(_RSA_SIZES, key=lambda s: abs(s - n))}" if n else "RSA-2048"
    if alg in ("Ed25519", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"):
        return alg
    return "EC-256"


@dataclass(frozen=True, slots=True, kw_only=True)
class CaShape:
    """One CA of a hierarchy: node id, name, parent node (None for the top), key and validity."""

    ca_id: str
    name: str
    parent: str | None
    key: str
    days: float
    in_inventory: bool  # its certificate is in the inventory (else only its name, as an issuer)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeafShape:
    """A representative leaf: issuing CA node, names, SAN shape, key, validity, how many it stands for."""

    issuer: str
    common_name: str
    sans: tuple[str, ...]
    shape: str
    key: str
    days: float
    represents: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HierarchyShape:
    """One private hierarchy as the lab rebuilds it (CAs top first)."""

    name: str
    top: str
    cas: tuple[CaShape, ...]
    leaves: tuple[LeafShape, ...]
    certificates: int  # leaves beneath it in the inventory
    public: bool = False  # a WebPKI hierarchy: measured for information only, its leaves carry SCTs

    @property
    def depth(self) -> int:
        """CA levels beneath the top (1: a root and one issuing CA)."""
        parents = {c.ca_id: c.parent for c in self.cas}

        def level(ca: str | None) -> int:
            n = 0
            while ca is not None and parents.get(ca) is not None:
                ca = parents[ca]
                n += 1
            return n

        return max((level(c.ca_id) for c in self.cas), default=0)

    @property
    def intermediates(self) -> int:
        return len(self.cas) - 1


def _sans(value: object, cn: object) -> tuple[str, ...]:
    text = "" if pd.isna(value) else str(value)
    names = tuple(s.strip() for s in text.split(";") if s.strip())
    if names:
        return names
    return (str(cn),) if not pd.isna(cn) and str(cn) else ("leaf.invalid",)


def san_shape(sans: Sequence[str]) -> str:
    """'1 DNS', '3 DNS', 'wildcard', '1 DNS + 1 IP' … (what changes the leaf's size and matching)."""
    ips = sum(1 for s in sans if s.replace(".", "").isdigit() or ":" in s)
    dns = len(sans) - ips
    wild = any(s.startswith("*.") for s in sans)
    parts = []
    if wild:
        parts.append("wildcard" if dns == 1 else f"wildcard + {dns - 1} DNS")
    elif dns:
        parts.append(f"{dns} DNS")
    if ips:
        parts.append(f"{ips} IP")
    return " + ".join(parts) or "no SAN"


@dataclass(frozen=True, slots=True, kw_only=True)
class Shapes:
    """The private hierarchies to rebuild, and one line for each one that cannot be (or is not private)."""

    hierarchies: tuple[HierarchyShape, ...]
    skipped: tuple[str, ...]


def shapes(inv: Inventory, names: Sequence[str] = (), *, leaves_per_ca: int = LEAVES_PER_CA) -> Shapes:
    """The private hierarchies of `inv` (or those whose top or any CA is named in `names`, by name or node
    id, case-insensitive). Leaf validity: the policy's `max_validity_days.private` when set, else the longest
    validity among the leaves represented."""
    h = hierarchy(inv)
    certs = inv.certificates
    policy_days = parse_policy(inv.policy).max_validity_private if inv.policy else None
    nodes = h.nodes.set_index("ca_id")
    parents = dict(zip(h.parents["child"].astype(str), h.parents["parent"].astype(str), strict=True))
    tops = sorted(str(n) for n in nodes.index if str(n) not in parents)
    wanted = {n.strip().lower() for n in names if n.strip()}
    found: list[HierarchyShape] = []
    skipped: list[str] = []
    matched: set[str] = set()
    is_ca = certs["is_ca"].fillna(False).astype(bool).to_numpy()
    issuer = h.issuer.astype("string")
    public = (certs["trust"] == "public").fillna(False).to_numpy(dtype=bool)
    for top in tops:
        below = descendants(h, [top])
        labels = {top.lower()} | {str(nodes.at[c, "name"]).lower() for c in below if c in nodes.index}
        labels |= {c.lower() for c in below}
        hits = wanted & labels
        if wanted and not hits:
            continue
        matched |= hits
        name = str(nodes.at[top, "name"])
        under = issuer.isin(below).fillna(False).to_numpy(dtype=bool)
        leaves = under & ~is_ca
        own = h.cert_node.isin(below).fillna(False).to_numpy(dtype=bool)
        is_public = bool((public & (leaves | own)).any())
        if is_public:
            skipped.append(
                f"{name}: no private CA (a public WebPKI hierarchy): measured for information only, "
                "no root program admits ML-DSA"
            )
        if not leaves.any():
            skipped.append(f"{name}: no end-entity certificate beneath it: nothing to mirror")
            continue
        found.append(_shape(inv, top, below, parents, leaves, policy_days, leaves_per_ca, is_public))
    for n in sorted(wanted - matched):
        skipped.append(f"{n}: no CA of that name or id in the inventory")
    found.sort(key=lambda s: (s.public, s.name))  # private hierarchies first, then by name
    return Shapes(hierarchies=tuple(found), skipped=tuple(skipped))


def _shape(
    inv: Inventory,
    top: str,
    below: set[str],
    parents: dict[str, str],
    leaves: np.ndarray,
    policy_days: int | None,
    leaves_per_ca: int,
    is_public: bool,
) -> HierarchyShape:
    hier = hierarchy(inv)
    certs = inv.certificates
    nodes = hier.nodes.set_index("ca_id")
    ca_rows = certs[hier.cert_node.isin(below).fillna(False).to_numpy(dtype=bool)]
    ca_rows = ca_rows.assign(node=hier.cert_node[ca_rows.index])
    first = ca_rows.sort_values("not_after", ascending=False).drop_duplicates("node").set_index("node")
    leaf_rows = certs[leaves].assign(issuer_node=hier.issuer[leaves].astype(str))
    cas: list[CaShape] = []
    # Top first, then breadth-first, so that every parent is built before its children.
    order, frontier = [top], [top]
    while frontier:
        frontier = sorted(c for c, p in parents.items() if p in frontier and c in below and c not in order)
        order.extend(frontier)
    for ca in order:
        row = first.loc[ca] if ca in first.index else None
        kind = str(nodes.at[ca, "kind"]) if ca in nodes.index else CaKind.UNKNOWN.value
        fallback_key = leaf_rows.loc[leaf_rows["issuer_node"] == ca, ["key_algorithm", "key_size"]]
        if row is not None:
            key = key_kind(row["key_algorithm"], row["key_size"])
            days = float(row["validity_days"]) if not pd.isna(row["validity_days"]) else np.nan
        else:
            key = key_kind(*fallback_key.iloc[0]) if len(fallback_key) else "EC-256"
            days = np.nan
        if np.isnan(days):
            days = DEFAULT_CA_DAYS.get(kind if ca == top else "intermediate", 1825.0)
        cas.append(
            CaShape(
                ca_id=ca,
                name=str(nodes.at[ca, "name"]) if ca in nodes.index else ca,
                parent=parents.get(ca) if ca != top else None,
                key=key,
                days=days,
                in_inventory=row is not None,
            )
        )
    return HierarchyShape(
        name=str(nodes.at[top, "name"]),
        top=top,
        cas=tuple(cas),
        leaves=_representatives(leaf_rows, None if is_public else policy_days, leaves_per_ca),
        certificates=len(leaf_rows),
        public=is_public,
    )


def _representatives(rows: pd.DataFrame, policy_days: int | None, per_ca: int) -> tuple[LeafShape, ...]:
    """Per issuing CA, one leaf per SAN shape (most common shapes first, then by name), at most `per_ca`."""
    frame = pd.DataFrame(
        {
            "issuer": rows["issuer_node"].to_numpy(),
            "cn": rows["common_name"].astype("string").fillna("").to_numpy(),
            "sans": [_sans(s, c) for s, c in zip(rows["sans"], rows["common_name"], strict=True)],
            "key": [key_kind(a, s) for a, s in zip(rows["key_algorithm"], rows["key_size"], strict=True)],
            "days": rows["validity_days"].astype("float64").to_numpy(),
        }
    )
    frame["shape"] = frame["sans"].map(san_shape)
    out: list[LeafShape] = []
    for issuer, grp in frame.groupby("issuer", sort=True):
        counts = grp["shape"].value_counts()
        ranked = sorted(counts.index, key=lambda s: (-counts[s], s))[:per_ca]
        for shape in ranked:
            same = grp[grp["shape"] == shape].sort_values("cn")
            pick = same.iloc[0]
            longest = same["days"].max()
            days = (
                float(policy_days)
                if policy_days
                else (longest if not np.isnan(longest) else DEFAULT_LEAF_DAYS)
            )
            out.append(
                LeafShape(
                    issuer=str(issuer),
                    common_name=str(pick["cn"]) or pick["sans"][0],
                    sans=tuple(pick["sans"]),
                    shape=str(shape),
                    key=str(same["key"].mode().iloc[0]),
                    days=days,
                    represents=len(same),
                )
            )
    return tuple(out)
