"""Which CA can stand in for another: trust-domain fit, the hierarchy (a CA beneath one in trouble is in
trouble too), and per trust domain the CAs it cannot lose without a tested fallback.

The drills pick replacement CAs with these rules (cmmm.drill.capacity.replacement_ca); the maturity
assessment's agi.ca-fallback criterion measures, with the same rules, whether every trust domain has a
tested fallback for each CA it depends on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cmmm.crypto import key_families
from cmmm.graph.hierarchy import ancestors, hierarchy, membership
from cmmm.model import CaChoice, Inventory, KeyFamily, Profile, derived

# The CA types that may issue a certificate of each trust domain (profile.yaml approved_cas[].type): a
# public certificate needs a publicly trusted CA, a private one a private CA; a cloud CA (ACM, Key Vault,
# Certificate Manager) issues both.
CA_TYPES_FOR_TRUST = {
    "public": frozenset({"acme", "public", "cloud"}),
    "private": frozenset({"private", "cloud"}),
}
EXACT_TYPES = {"public": frozenset({"acme", "public"}), "private": frozenset({"private"})}


@dataclass(frozen=True, slots=True, kw_only=True)
class Trouble:
    """The CAs a scenario puts in trouble: their hierarchy node ids and their names (for profile.yaml CAs
    that are not in the inventory, which can only be matched by name)."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def nodes_named(inv: Inventory, name: str) -> list[str]:
    """CA nodes whose name or organization is exactly `name` (case and spacing aside) — never a substring:
    "Fabrikam Issuing CA 1" is not "Fabrikam Issuing CA 10"."""
    want = fold(name)
    return [
        ca_id for folded_name, folded_org, ca_id in _folded_nodes(inv) if want in (folded_name, folded_org)
    ]


@derived
def _folded_nodes(inv: Inventory) -> tuple[tuple[str, str, str], ...]:
    """Every CA node's name and organization, folded, with its id (once per inventory: the drills of one
    assessment ask for dozens of names)."""
    nodes = hierarchy(inv).nodes
    names = nodes["name"].fillna("").map(fold)
    orgs = nodes["org"].fillna("").map(fold)
    return tuple(zip(names.astype(str), orgs.astype(str), nodes["ca_id"].astype(str), strict=True))


POST_QUANTUM_FAMILIES = frozenset(
    {KeyFamily.ML_DSA.value, KeyFamily.SLH_DSA.value, KeyFamily.COMPOSITE.value}
)


def signs_post_quantum(inv: Inventory | None, ca: CaChoice) -> bool:
    """Whether `ca` issues post-quantum certificates: profile.yaml says so (`pqc: true`), or the inventory
    holds its CA certificate with a post-quantum key (the data speaks where profile.yaml is silent)."""
    if ca.pqc:
        return True
    return inv is not None and _nodes_sign_post_quantum(inv, tuple(nodes_named(inv, ca.name)))


@derived
def _nodes_sign_post_quantum(inv: Inventory, ca_ids: tuple[str, ...]) -> bool:
    """Whether any of these CA nodes holds a CA certificate with a post-quantum key."""
    nodes = hierarchy(inv).nodes
    joined = nodes.loc[nodes["ca_id"].isin(ca_ids), "cert_ids"].dropna()
    cert_ids = {c for j in joined for c in str(j).split(";") if c}
    if not cert_ids:
        return False
    certs = inv.certificates
    families = key_families(certs.loc[certs["cert_id"].isin(cert_ids), "key_algorithm"].dropna())
    return bool(families.isin(POST_QUANTUM_FAMILIES).any())


def unusable_reason(inv: Inventory | None, ca: CaChoice, trouble: Trouble) -> str | None:
    """Why `ca` cannot issue the replacements, or None. A CA is unusable when it, or any CA above it on any
    of its chains (cross-signs included), is in trouble; a CA the inventory does not hold is unusable when
    its name is the name of a CA in trouble."""
    ids = nodes_named(inv, ca.name) if inv is not None else []
    if inv is not None and ids and trouble.ids:
        anc = ancestors(inv)
        above = anc.loc[anc["ca_id"].isin(ids), "ancestor"]
        hit = sorted(set(above) & set(trouble.ids))
        if hit:
            names = hierarchy(inv).nodes.set_index("ca_id").loc[hit, "name"].dropna().astype(str)
            return f"{ca.name} chains to {', '.join(sorted(set(names))) or hit[0]}, which is affected"
        return None
    if fold(ca.name) in {fold(n) for n in trouble.names}:
        return f"{ca.name} is the CA in trouble"
    return None


def unfit_reason(ca: CaChoice, trust: str | None, pqc: bool) -> str | None:
    """Why `ca` does not fit the certificates' trust domain (or the post-quantum need), or None."""
    if pqc and not ca.pqc:
        return f"{ca.name} cannot issue post-quantum certificates (profile.yaml pqc: true)"
    if trust is None:
        return None
    if ca.type is None:
        return f"{ca.name} has no type in profile.yaml, so it cannot be shown to issue {trust} certificates"
    if ca.type not in CA_TYPES_FOR_TRUST[trust]:
        return f"{ca.name} is a {ca.type} CA and cannot issue {trust} certificates"
    return None


# A fallback CA counts as tested when it was exercised within this many days (profile.yaml backup_cas[].tested)
# or when the inventory shows it issuing unexpired certificates of the domain.
FALLBACK_TEST_VALID_DAYS = 365
# A CA is a single point of failure for a trust domain when at least this share of the domain's unexpired
# end-entity certificates lie beneath it.
SPOF_SHARE = 0.5

FALLBACK_COLUMNS = ("domain", "ca_id", "name", "leaves", "share", "fallback", "tested", "reason")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Domain:
    trust: str
    leaves: np.ndarray  # positions in inv.certificates of the domain's unexpired end-entity certificates
    classical: bool  # some of them carry classical keys: their relying parties verify classical chains


def _tested(ca: CaChoice, inv: Inventory, domain: _Domain, today: date) -> str | None:
    """How `ca` was shown to work for the domain, or None."""
    if ca.tested is not None and 0 <= (today - ca.tested).days <= FALLBACK_TEST_VALID_DAYS:
        return f"tested {ca.tested}"
    ids = set(nodes_named(inv, ca.name))
    if ids:
        m = membership(inv)
        live = m.loc[m["ca_id"].isin(ids) & m["pos"].isin(domain.leaves), "pos"]
        if len(live):
            return f"issuing {len(set(live)):,} unexpired {domain.trust} certificates"
    return None


def _live_issuers(inv: Inventory, domain: _Domain) -> pd.Series:
    """The CAs that directly issued the domain's unexpired end-entity certificates: ca_id → how many."""
    issuer = hierarchy(inv).issuer.iloc[domain.leaves].dropna()
    return issuer.value_counts()


def _inventory_fallback(inv: Inventory, spof: pd.Series, domain: _Domain) -> str | None:
    """Another CA already issuing in the domain, not beneath the one it would replace: a live fallback."""
    anc = ancestors(inv)
    nodes = hierarchy(inv).nodes.set_index("ca_id")
    names, orgs = nodes["name"], nodes["org"]
    # a root program distrusts an organization's CAs together; a private PKI's hierarchies share its owner
    same_org = fold(str(spof["org"])) if domain.trust == "public" and pd.notna(spof["org"]) else None
    for ca_id, n in _live_issuers(inv, domain).items():
        if domain.classical and _nodes_sign_post_quantum(inv, (str(ca_id),)):
            continue  # a post-quantum pilot CA: classical relying parties cannot verify its chain
        above = set(anc.loc[anc["ca_id"] == ca_id, "ancestor"])
        org = orgs.get(ca_id)
        # beneath the CA it would replace, or the same public CA operator (a distrust takes both)
        if spof["ca_id"] in above or (same_org and pd.notna(org) and fold(str(org)) == same_org):
            continue
        return f"{names.get(ca_id) or ca_id} (issuing {int(n):,} unexpired {domain.trust} certificates)"
    return None


def _fallback_for(
    inv: Inventory, profile: Profile, spof: pd.Series, domain: _Domain, today: date
) -> tuple[str | None, str | None, str]:
    """(fallback name, how it was tested, reason) for one CA the domain depends on: a profile.yaml CA that
    fits and was tested, else another CA already issuing in the domain."""
    trouble = Trouble(
        ids=(str(spof["ca_id"]),), names=tuple(str(x) for x in (spof["name"], spof["org"]) if pd.notna(x))
    )
    untested: list[str] = []
    rejected: list[str] = []
    for ca in (*profile.approved_cas, *profile.backup_cas):
        why = unfit_reason(ca, domain.trust, False) or unusable_reason(inv, ca, trouble)
        if not why and domain.classical and signs_post_quantum(inv, ca):
            why = f"{ca.name} signs post-quantum: relying parties of classical certificates cannot verify it yet"
        if why:
            rejected.append(why)
            continue
        how = _tested(ca, inv, domain, today)
        if how:
            return ca.name, how, f"fallback {ca.name} ({how})"
        untested.append(ca.name)
    live = _inventory_fallback(inv, spof, domain)
    if live:
        return live, "in use", f"fallback {live}"
    if untested:
        return (
            None,
            None,
            f"{', '.join(untested)} {'fits but was' if len(untested) == 1 else 'fit but were'} never tested "
            "(profile.yaml backup_cas[].tested)",
        )
    if rejected:
        return None, None, "; ".join(rejected[:3])
    return None, None, "no approved or backup CA in profile.yaml, and no other CA issues in this domain"


def domain_fallbacks(
    inv: Inventory, profile: Profile, *, unexpired_leaf: np.ndarray, today: date
) -> pd.DataFrame:
    """Per trust domain (public, private), the CAs beneath which lie at least SPOF_SHARE of the domain's
    unexpired end-entity certificates, each with its tested fallback or why there is none.
    `unexpired_leaf` is a bool mask aligned with inv.certificates."""
    trust = inv.certificates["trust"].astype("string")
    m = membership(inv)
    names = hierarchy(inv).nodes.set_index("ca_id")[["name", "org"]]
    rows: list[dict[str, object]] = []
    for t in ("public", "private"):
        pos = np.flatnonzero(unexpired_leaf & trust.eq(t).fillna(False).to_numpy(dtype=bool))
        if not len(pos):
            continue
        families = key_families(inv.certificates["key_algorithm"].iloc[pos].dropna())
        domain = _Domain(
            trust=t, leaves=pos, classical=families.empty or not families.isin(POST_QUANTUM_FAMILIES).all()
        )
        counts = m.loc[m["pos"].isin(pos)].groupby("ca_id")["pos"].nunique()
        for ca_id, n in counts[counts >= SPOF_SHARE * len(pos)].items():
            spof = pd.Series(
                {"ca_id": ca_id, "name": names["name"].get(ca_id), "org": names["org"].get(ca_id)}
            )
            fb, how, why = _fallback_for(inv, profile, spof, domain, today)
            rows.append(
                {
                    "domain": t,
                    "ca_id": ca_id,
                    "name": spof["name"],
                    "leaves": int(n),
                    "share": n / len(pos),
                    "fallback": fb,
                    "tested": how,
                    "reason": why,
                }
            )
    return pd.DataFrame(rows, columns=list(FALLBACK_COLUMNS))
