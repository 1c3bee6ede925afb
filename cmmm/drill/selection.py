"""Which certificates a scenario affects and by when each must be replaced — one selector per kind."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cmmm import mosca
from cmmm.crypto import INITIAL_WINDOW_BYTES, PUBLIC_CA_MARKERS, QUANTUM_VULNERABLE_FAMILIES, key_family
from cmmm.drill import pqc
from cmmm.drill.handshake import handshake
from cmmm.drill.scenario import PUBLIC_TLS_TARGETS, Basis, Kind, Scenario
from cmmm.graph.hierarchy import (
    CaKind,
    certificates_under,
    hierarchy,
    membership,
    node_depths,
    resolve_ca,
)
from cmmm.model import AUTOMATED, CRITICALITY_RANK, Inventory, KeyFamily, derived, remap
from cmmm.schedules import RENEW_AT_FRACTION, validity_cap_on

HOURS_PER_YEAR = 24 * 365.25


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """The affected certificates (a mask over inv.certificates) and what replacing them involves.

    `deadline_h`: per affected certificate (in mask order), hours from the drill start.
    `needs_new_ca`: the replacement must come from another CA than `exclude_cas` (distrust, outage).
    `needs_pqc_ca`: the replacement CA must issue post-quantum certificates.
    `ca_back_h`: the original CA is usable again after this many hours (outage end).
    `cap_days`, `renew_at_fraction`: validity_cap only (a renewal workload, not a replacement).
    `overdue`: per affected certificate, its deadline had already passed at the drill's start.
    `unknown`: inputs the verdict needs that are missing (each a sentence): the drill cannot pass.
    `cannot_tell`: live certificates the selection could not judge (no body, no issuer, no key…).
    `nothing_reason`: why nothing is in scope, when nothing is."""

    mask: np.ndarray
    deadline_h: np.ndarray
    action: str
    needs_issuance: bool = True
    needs_new_ca: bool = False
    needs_pqc_ca: bool = False
    exclude_cas: tuple[str, ...] = ()
    affected_ca_ids: tuple[str, ...] = ()  # the CA nodes in trouble: replacements may not chain to them
    ca_back_h: float | None = None
    cap_days: float | None = None
    renew_at_fraction: float = RENEW_AT_FRACTION
    notes: tuple[str, ...] = ()
    findings: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    overdue: np.ndarray | None = None
    unknown: tuple[str, ...] = ()
    cannot_tell: int = 0
    nothing_reason: str = "no live certificate of this inventory is in scope"

    @property
    def overdue_count(self) -> int:
        return int(self.overdue.sum()) if self.overdue is not None else 0


Selector = Callable[[Inventory, Scenario, datetime], Selection]


# ---------------------------------------------------------------- shared pieces
def _hours_until(when: datetime, now: datetime) -> float:
    return (when - now).total_seconds() / 3600


def _live(inv: Inventory, now: datetime) -> np.ndarray:
    na = inv.certificates["not_after"]
    return (na.isna() | (na > pd.Timestamp(now))).to_numpy(dtype=bool)


def _not_ca(inv: Inventory) -> np.ndarray:
    return ~inv.certificates["is_ca"].fillna(False).astype(bool).to_numpy()


def _hours_to_expiry(inv: Inventory, now: datetime, mask: np.ndarray) -> np.ndarray:
    na = inv.certificates["not_after"][mask]
    h = (na - pd.Timestamp(now)).dt.total_seconds() / 3600
    return h.fillna(HOURS_PER_YEAR).to_numpy(dtype=float)


@derived
def primary_ca(inv: Inventory, trust: str | None = None) -> pd.DataFrame:
    """The primary issuing CA: the intermediate (or unknown-kind) CA with the most certificates beneath
    it directly, optionally counting only public or private certificates. Empty when there is none.
    Once per inventory and trust (several drills of one assessment ask): read it, never change it."""
    h = hierarchy(inv)
    nodes = h.nodes[h.nodes["kind"].isin([CaKind.INTERMEDIATE.value, CaKind.UNKNOWN.value])]
    issuer = h.issuer
    if trust is not None:
        issuer = issuer[(inv.certificates["trust"] == trust).fillna(False).to_numpy()]
    counts = nodes["ca_id"].map(issuer.value_counts()).fillna(0)
    if not len(nodes) or counts.max() <= 0:
        return nodes.iloc[0:0]
    best = counts.sort_values(ascending=False, kind="stable").index[0]
    return nodes.loc[[best]]


# ACME certificate authorities (public), matched against issuer organization and name: an "ACME CA" target
# means the one of these that issued the most live certificates of the inventory.
ACME_CA_MARKERS = ("let's encrypt", "isrg", "zerossl", "google trust services", "buypass", "ssl.com")


def _acme_ca(inv: Inventory, now: datetime) -> pd.DataFrame:
    """The CA nodes of the organization's busiest ACME CA: the public ACME CAs by name or organization,
    and the issuers of certificates an ACME client renews — grouped by organization (else name), the group
    with the most live certificates beneath it."""
    h = hierarchy(inv)
    nodes = h.nodes
    label = (nodes["org"].fillna("") + " " + nodes["name"].fillna("")).str.lower()
    by_name = label.str.contains("|".join(re.escape(m) for m in ACME_CA_MARKERS), regex=True)
    acme_client = inv.certificate_facts()["automation"].eq("acme").fillna(False).to_numpy(dtype=bool)
    issuers = set(h.issuer[acme_client & _live(inv, now)].dropna())
    acme = nodes[by_name.to_numpy(dtype=bool) | nodes["ca_id"].isin(issuers).to_numpy(dtype=bool)]
    if not len(acme):
        return acme
    org = acme["org"].fillna(acme["name"]).fillna("").str.lower()
    live = pd.Series(_live(inv, now) & _not_ca(inv))
    counts = {
        o: int((certificates_under(inv, list(acme.loc[org == o, "ca_id"])) & live).sum()) for o in set(org)
    }
    best = max(sorted(counts), key=lambda o: counts[o])
    return acme[org == best] if counts[best] else acme.iloc[0:0]


def target_nodes(inv: Inventory, spec: Mapping[str, Any], now: datetime) -> pd.DataFrame:
    """The CA nodes a target names (primary, names, fingerprints, organizations, soonest root, ACME CA)."""
    frames: list[pd.DataFrame] = []
    if spec.get("primary"):
        frames.append(primary_ca(inv, spec.get("trust")))
    for q in (*spec.get("names", ()), *spec.get("fingerprints", ())):
        frames.append(resolve_ca(inv, q))
    nodes = hierarchy(inv).nodes
    for org in spec.get("organizations", ()):
        frames.append(nodes[nodes["org"].str.lower().str.contains(org.lower(), regex=False).fillna(False)])
    if spec.get("soonest_root"):
        frames.append(_soonest_root(inv, now))
    if spec.get("acme_ca"):
        frames.append(_acme_ca(inv, now))
    if _by_root_age(spec):
        frames.append(_roots_created(inv, spec))
    if not frames:
        return nodes.iloc[0:0]
    found = pd.concat(frames)
    return found[~found["ca_id"].duplicated()]


def _names_of(found: pd.DataFrame, spec: Mapping[str, Any]) -> tuple[str, ...]:
    """The CAs in trouble, by name, for reasons and for matching profile.yaml CAs outside the inventory.
    Their organization too when the target named organizations (a distrusted vendor): one compromised
    intermediate leaves its siblings usable."""
    named = [found["name"]] + ([found["org"]] if spec.get("organizations") or spec.get("acme_ca") else [])
    queries = (
        {str(q) for q in (*spec.get("names", ()), *spec.get("organizations", ()))} if len(found) else set()
    )
    return tuple(sorted({str(v) for v in pd.concat(named).dropna()} | queries))


def target_mask(inv: Inventory, spec: Mapping[str, Any], now: datetime) -> tuple[np.ndarray, tuple[str, ...]]:
    """Certificates selected by a target: CA nodes (target_nodes) → everything beneath them;
    `automation`/`trust` narrow the result. Returns (mask, CA names)."""
    n = len(inv.certificates)
    mask: np.ndarray = np.ones(n, dtype=bool)
    names: tuple[str, ...] = ()
    if any(spec.get(k) for k in _CA_KEYS) or _by_root_age(spec):
        found = target_nodes(inv, spec, now)
        ids = list(found["ca_id"])
        mask = np.array(certificates_under(inv, ids).to_numpy(dtype=bool)) if ids else np.zeros(n, dtype=bool)
        names = _names_of(found, spec)
    if "automation" in spec:
        auto = inv.certificate_facts()["automation"].isin(list(spec["automation"]))
        mask &= auto.fillna(False).to_numpy(dtype=bool)
    if "trust" in spec and not spec.get("primary"):
        mask &= (inv.certificates["trust"] == spec["trust"]).fillna(False).to_numpy(dtype=bool)
    return mask.copy(), names


_CA_KEYS = frozenset({"primary", "names", "fingerprints", "organizations", "soonest_root", "acme_ca"})


def _soonest_root(inv: Inventory, now: datetime) -> pd.DataFrame:
    h = hierarchy(inv)
    roots = h.nodes[h.nodes["kind"] == CaKind.ROOT.value]
    live = _live(inv, now) & _not_ca(inv)
    used = [i for i, r in roots.iterrows() if (certificates_under(inv, [r["ca_id"]]).to_numpy() & live).any()]
    roots = roots.loc[used]
    if not len(roots):
        return roots
    return roots.sort_values("not_after", kind="stable").iloc[:1]


def _by_root_age(spec: Mapping[str, Any]) -> bool:
    return "roots_created_from" in spec or "roots_created_before" in spec


def root_key_created(inv: Inventory) -> pd.Series:
    """Per CA node id: when its key first appears — the earliest notBefore of any certificate in the
    inventory that carries the key (a self-signed root, a re-issued root, a cross-certificate). Chrome's
    root term limit counts a key's age from its key generation report or the earliest certificate with the
    key (Chrome Root Program Policy v1.8 §1.3.1.2); an inventory holds only certificates, and perhaps not
    the first one, so a key may be older than this date."""
    h = hierarchy(inv)
    nb = inv.certificates["not_before"]
    known = h.cert_node.notna().to_numpy(dtype=bool)
    return nb[known].groupby(h.cert_node[known].to_numpy()).min()


def _roots_created(inv: Inventory, spec: Mapping[str, Any]) -> pd.DataFrame:
    """The root CA nodes whose key was created in [roots_created_from, roots_created_before) — with a
    `trust`, only roots with a certificate of that trust beneath them (a private root is in no browser's
    store, whatever its age)."""
    nodes = hierarchy(inv).nodes
    roots = nodes[nodes["kind"] == CaKind.ROOT.value]
    if not len(roots):
        return roots
    first = root_key_created(inv).reindex(roots["ca_id"].to_numpy())
    created = pd.Series(first.to_numpy(), index=roots.index)
    keep = created.notna()
    if "roots_created_from" in spec:
        keep &= created >= pd.Timestamp(spec["roots_created_from"])
    if "roots_created_before" in spec:
        keep &= created < pd.Timestamp(spec["roots_created_before"])
    roots = roots[keep.fillna(False).to_numpy(dtype=bool)]
    if "trust" in spec and len(roots):
        mem = membership(inv)
        of_trust = np.flatnonzero(
            (inv.certificates["trust"] == spec["trust"]).fillna(False).to_numpy(dtype=bool)
        )
        roots = roots[roots["ca_id"].isin(set(mem.loc[mem["pos"].isin(of_trust), "ca_id"]))]
    return roots


def _unanchored(inv: Inventory) -> np.ndarray:
    """Certificates whose issuer reaches no root certificate of the inventory (so the root, and its key's
    age, is unknown)."""
    issuer = hierarchy(inv).issuer
    anchored = issuer.map(node_depths(inv).set_index("ca_id")["anchored"]).astype("boolean")
    return (issuer.notna() & ~anchored.fillna(False)).to_numpy(dtype=bool)


# Spellings of the extended key usages a filter names (RFC 5280 §4.2.1.12): the short names the x509 reader
# writes, the Windows/OpenSSL display names spreadsheets carry, and the OIDs.
EKU_ALIASES: dict[str, tuple[str, ...]] = {
    "serverauth": (
        "serverauth",
        "id-kp-serverauth",
        "server authentication",
        "tls web server authentication",
        "1.3.6.1.5.5.7.3.1",
    ),
    "clientauth": (
        "clientauth",
        "id-kp-clientauth",
        "client authentication",
        "tls web client authentication",
        "1.3.6.1.5.5.7.3.2",
    ),
    "codesigning": ("codesigning", "id-kp-codesigning", "code signing", "1.3.6.1.5.5.7.3.3"),
    "emailprotection": (
        "emailprotection",
        "id-kp-emailprotection",
        "secure email",
        "e-mail protection",
        "1.3.6.1.5.5.7.3.4",
    ),
}


def _eku_mask(certs: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray:
    """Certificates whose extended key usage list (';', ',' or '|'-separated) names any of `names`."""
    groups = [next((g for g in EKU_ALIASES.values() if n.lower() in g), (n.lower(),)) for n in names]
    spellings = sorted({a for g in groups for a in g})
    alt = "|".join(re.escape(a) for a in spellings)
    pattern = rf"(?:^|[;,|])\s*(?:{alt})\s*(?:[;,|]|$)"
    eku = certs["ext_key_usage"].astype("string").str.lower()
    return eku.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


# Filter conditions that match a text column against a list of values (case-insensitive): the column and
# whether it is a certificate column or a fact from the observations.
_TEXT_CONDITIONS = {
    "key_algorithm": ("certificates", "key_algorithm"),
    "signature_hash": ("certificates", "signature_hash"),
    "automation": ("facts", "automation"),
    "environment": ("facts", "environment"),
    "criticality": ("facts", "criticality"),
}


def _issued_mask(certs: pd.DataFrame, spec: Mapping[str, Any], now: datetime) -> np.ndarray:
    """The issuance-date conditions of a filter (issued_from, issued_to, issued_within_days)."""
    nb = certs["not_before"]
    m: np.ndarray = np.ones(len(certs), dtype=bool)
    if "issued_from" in spec:
        m &= (nb >= pd.Timestamp(spec["issued_from"])).fillna(False).to_numpy(dtype=bool)
    if "issued_to" in spec:
        m &= (nb < pd.Timestamp(spec["issued_to"])).fillna(False).to_numpy(dtype=bool)
    if "issued_within_days" in spec:
        since = pd.Timestamp(now - timedelta(days=spec["issued_within_days"]))
        m &= (nb >= since).fillna(False).to_numpy(dtype=bool)
    return m


def filter_mask(inv: Inventory, spec: Mapping[str, Any], now: datetime) -> np.ndarray:
    """Certificates matching every condition of a filter (issuer, dates, algorithms, automation, tags…)."""
    certs = inv.certificates
    frames = {"certificates": certs, "facts": inv.certificate_facts()}
    m: np.ndarray = _issued_mask(certs, spec, now)
    for key, (frame, column) in _TEXT_CONDITIONS.items():
        if key in spec:
            low = {v.lower() for v in spec[key]}
            col = frames[frame][column].astype("string").str.lower()
            m &= col.isin(low).fillna(False).to_numpy(dtype=bool)
    if "issuer" in spec:
        m &= target_mask(inv, spec["issuer"], now)[0]
    if "trust" in spec:
        m &= (certs["trust"] == spec["trust"]).fillna(False).to_numpy(dtype=bool)
    if "max_key_size" in spec:
        m &= (certs["key_size"] <= spec["max_key_size"]).fillna(False).to_numpy(dtype=bool)
    if "quantum_vulnerable" in spec:
        qv = certs["quantum_vulnerable"].fillna(False).astype(bool).to_numpy()
        m &= qv if spec["quantum_vulnerable"] else ~qv
    if "eku_any" in spec:
        m &= _eku_mask(certs, spec["eku_any"])
    for name in spec.get("eku_all", ()):
        m &= _eku_mask(certs, (name,))
    if "tags_any" in spec:
        tags = inv.observations[["cert_id", "tags"]].dropna()
        pattern = "|".join(f"(?:^|;){re.escape(t.lower())}(?:;|$)" for t in spec["tags_any"])
        hit = set(tags.loc[tags["tags"].str.lower().str.contains(pattern, regex=True), "cert_id"])
        m &= certs["cert_id"].isin(hit).to_numpy(dtype=bool)
    return m


# The certificate columns a filter condition reads: a live row where that column is empty cannot be judged.
_FILTER_COLUMNS = {
    "trust": ("trust",),
    "issued_from": ("not_before",),
    "issued_to": ("not_before",),
    "issued_within_days": ("not_before",),
    "key_algorithm": ("key_algorithm",),
    "signature_hash": ("signature_hash",),
    "quantum_vulnerable": ("key_algorithm",),
}
# Key families whose keys have a size (an ML-DSA or Ed25519 key has none and is not "unknown" for it).
_SIZED_FAMILIES = ("rsa", "ec", "dsa")


def _blind(inv: Inventory, spec: Mapping[str, Any]) -> np.ndarray:
    """Rows a filter cannot judge: a column it reads is empty; a key size where the key has one and it is
    missing; no extended key usage on a row without a certificate body (a parsed certificate without the
    extension has none); no issuer at all for an issuer condition."""
    certs = inv.certificates
    blind: np.ndarray = np.zeros(len(certs), dtype=bool)
    for key, columns in _FILTER_COLUMNS.items():
        if key in spec:
            for col in columns:
                blind |= certs[col].isna().to_numpy(dtype=bool)
    if "max_key_size" in spec:
        alg = certs["key_algorithm"].astype("string").str.lower()
        sized = alg.isin(_SIZED_FAMILIES).fillna(False).to_numpy(dtype=bool)
        blind |= alg.isna().to_numpy(dtype=bool) | (sized & certs["key_size"].isna().to_numpy(dtype=bool))
    if "eku_any" in spec or "eku_all" in spec:
        body = certs["has_body"].fillna(False).to_numpy(dtype=bool)
        blind |= certs["ext_key_usage"].isna().to_numpy(dtype=bool) & ~body
    if "issuer" in spec:
        blind |= _issuer_unknown(inv)
    return blind


def _issuer_unknown(inv: Inventory) -> np.ndarray:
    """Rows that name no issuer at all (no body, no issuer name, organization or DN): the hierarchy cannot
    place them."""
    c = inv.certificates
    named = c["issuer_name"].notna() | c["issuer_org"].notna() | c["issuer_dn"].notna()
    return (~named & ~c["has_body"].fillna(False).astype(bool)).to_numpy(dtype=bool)


def _undecided(inv: Inventory, spec: Mapping[str, Any], now: datetime) -> tuple[np.ndarray, np.ndarray]:
    """(blind, ruled out): rows where some condition of the filter reads an empty column, and rows that a
    condition it can read already rules out."""
    blind_any: np.ndarray = np.zeros(len(inv.certificates), dtype=bool)
    excluded: np.ndarray = np.zeros(len(inv.certificates), dtype=bool)
    for key, value in spec.items():
        blind = _blind(inv, {key: value})
        blind_any |= blind
        excluded |= ~filter_mask(inv, {key: value}, now) & ~blind
    return blind_any, excluded


def cannot_tell(inv: Inventory, spec: Mapping[str, Any], live: np.ndarray, now: datetime) -> int:
    """Live end-entity certificates a filter cannot judge: a condition reads an empty column (or, for an
    issuer condition, the row names no issuer) and no condition it can read rules the row out — a
    spreadsheet row from another CA is decided by its issuer even without its extended key usage."""
    blind, excluded = _undecided(inv, spec, now)
    return int((blind & ~excluded & live & _not_ca(inv)).sum())


def _date_deadline(when: datetime, now: datetime, window_h: float) -> tuple[float, bool]:
    """Hours until a dated step, or the remediation window when the date has already passed."""
    h = _hours_until(when, now)
    return (h, False) if h > 0 else (window_h, True)


# ---------------------------------------------------------------- one selector per kind
def select_ca_distrust(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """CA distrust: everything beneath the target CA(s); with a cutoff, only the certificates whose
    earliest SCT (or notBefore) falls on the distrusted side — the others stay trusted until they expire.
    Replacements must come from another CA. With `effective`, the deadline is that date (overdue once it
    has passed); a target by root key age cannot judge certificates that reach no root of the inventory."""
    p = sc.parameters
    under, names = target_mask(inv, p["target"], now)
    ids = tuple(target_nodes(inv, p["target"], now)["ca_id"])
    live = _live(inv, now)
    leaf = _not_ca(inv)
    notes: list[str] = []
    if not names:
        notes.append(
            "no root of this inventory has a key created in the removal window: nothing to replace"
            if _by_root_age(p["target"])
            else "the target CA is not in this inventory: nothing to replace"
        )
    if p.get("clients"):
        notes.append(f"the distrust applies to {', '.join(p['clients'])}; other clients may keep trusting it")
    subs = int((under & live & ~leaf).sum())
    if subs:
        notes.append(f"{subs} subordinate CA certificates beneath the target are distrusted too")
    mask = under & live & leaf
    if p["basis"] != Basis.REMOVAL:
        mask = _distrusted_side(inv, p, mask, notes)
    n = int(mask.sum())
    deadline, overdue = np.full(n, sc.deadline_hours), None
    if "effective" in p:
        h, passed = _date_deadline(p["effective"], now, sc.deadline_hours)
        deadline, overdue = np.full(n, h), np.full(n, passed)
        if passed and n:
            notes.append(
                f"the distrust took effect on {p['effective']:%Y-%m-%d}: these certificates fail now"
            )
    unknown = _root_age_unknown(inv, p["target"], live & leaf)
    return Selection(
        mask=mask,
        deadline_h=deadline,
        action="reissue from another CA",
        needs_new_ca=True,
        exclude_cas=names,
        affected_ca_ids=ids,
        notes=tuple(notes),
        overdue=overdue,
        unknown=unknown,
        cannot_tell=int((_issuer_unknown(inv) & live & leaf).sum()),
        nothing_reason=_distrust_nothing(inv, p["target"], names, live & leaf),
    )


def _distrusted_side(inv: Inventory, p: Mapping[str, Any], mask: np.ndarray, notes: list[str]) -> np.ndarray:
    """The certificates on the distrusted side of the cutoff (earliest SCT, or notBefore)."""
    certs = inv.certificates
    when = certs["not_before"]
    if p["basis"] == Basis.EARLIEST_SCT:
        sct = certs["earliest_sct"]
        missing = int((sct.isna().to_numpy() & mask).sum())
        if missing:
            notes.append(f"{missing} certificates have no SCT: their notBefore stands in for it")
        when = sct.fillna(when)
    after = (when > pd.Timestamp(p["cutoff"])).fillna(False).to_numpy(dtype=bool)
    side = after if p.get("distrusted", "issued_after") == "issued_after" else ~after
    kept = int((mask & ~side).sum())
    if kept:
        notes.append(
            f"{kept} certificates on the trusted side of the {p['cutoff']:%Y-%m-%d} cutoff stay "
            "trusted until they expire: move them to another CA at their next renewal"
        )
    return mask & side


def _root_age_unknown(inv: Inventory, target: Mapping[str, Any], live_leaf: np.ndarray) -> tuple[str, ...]:
    """For a target by root key age: the live certificates (of the target's trust) that reach no root
    certificate of the inventory, whose root's age the drill therefore cannot know."""
    if not _by_root_age(target):
        return ()
    rows = _unanchored(inv) & live_leaf & ~_issuer_unknown(inv)  # a row naming no issuer is cannot_tell
    if "trust" in target:
        trust = inv.certificates["trust"]
        rows &= ((trust == target["trust"]) | trust.isna()).fillna(True).to_numpy(dtype=bool)
    n = int(rows.sum())
    if not n:
        return ()
    return (
        f"{n:,} live certificates chain to no root certificate in this inventory, so the age of their root's "
        "key (which decides the removal) is unknown: add the root certificates",
    )


def _distrust_nothing(
    inv: Inventory, target: Mapping[str, Any], names: tuple[str, ...], live_leaf: np.ndarray
) -> str:
    """Why a distrust selects nothing: no certificate chains to the target, or the target is not here."""
    bodiless = int((live_leaf & ~inv.certificates["has_body"].fillna(False).to_numpy(dtype=bool)).sum())
    by_name = (
        f" ({bodiless:,} live certificates are rows without a certificate body, placed by their issuer name only)"
        if bodiless
        else ""
    )
    if _by_root_age(target) and not names:
        return f"no root certificate of this inventory has a key created in the removal window{by_name}"
    if names:
        return f"no live certificate chains to {', '.join(names)}{by_name}"
    return f"the target CA is not in this inventory and no certificate names it as issuer{by_name}"


# How often an ARI client asks whether its renewal window moved: RFC 9773 has clients poll again after the
# server's Retry-After, which Let's Encrypt sets to 21,600 s (CertKit, 'ARI solves mass certificate
# revocation', 2026). Renewals inside the ARI window are exempt from Let's Encrypt's rate limits (Let's
# Encrypt, 'An Engineer's Guide to Integrating ARI into Existing ACME Clients', 2024-04-25), so they do not
# queue behind the drill's rate limit either. Overridable per scenario (`ari_check_hours`).
ARI_CHECK_HOURS = 6.0


def select_mass_revocation(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """Mass revocation: the filtered certificates must be replaced before the CA revokes them (24 h or
    5 days, BR §4.9.1); the most critical share of owners obtains an extension. With `ari_reacts`, the CA
    also shortens the ARI renewal window (RFC 9773): certificates whose automation honours it renew by
    themselves within one ARI poll and need no hands-on work; every other one does."""
    p = sc.parameters
    mask = filter_mask(inv, p["filter"], now) & _live(inv, now) & _not_ca(inv)
    notes: list[str] = []
    findings: dict[str, pd.DataFrame] = {}
    nothing = "no live certificate matches the revocation's filter"
    if p.get("ari_reacts"):
        mask, findings["ari"], ari_notes = _ari(inv, p, mask, sc.deadline_hours)
        notes += ari_notes
        if not mask.any() and len(findings["ari"]):
            nothing = (
                "every certificate in scope renews itself through ARI before the deadline: no hands-on work"
            )
    deadline = np.full(int(mask.sum()), sc.deadline_hours)
    share = p.get("extension_share", 0.0)
    if share > 0 and len(deadline):
        crit = remap(inv.certificate_facts()["criticality"][mask], CRITICALITY_RANK).fillna(0).to_numpy()
        k = round(share * len(deadline))
        order = np.argsort(-crit, kind="stable")[:k]
        deadline[order] = max(sc.deadline_hours, p.get("extension_hours", 120.0))
        notes.append(f"{k} certificates of the most critical services obtain an extension")
    return Selection(
        mask=mask,
        deadline_h=deadline,
        action="reissue from the same CA, then revoke",
        notes=tuple(notes),
        findings=findings,
        cannot_tell=cannot_tell(inv, p["filter"], _live(inv, now), now),
        nothing_reason=nothing,
    )


def _ari(
    inv: Inventory, p: Mapping[str, Any], mask: np.ndarray, deadline_hours: float
) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    """Split the revoked certificates by whether their automation reacts to the CA's ARI signal. Those
    that do (and poll at least once before the deadline) leave the hands-on work; automation without ARI
    renews only on its own schedule, so someone must force each renewal; manual ones are manual. Returns
    the remaining mask, a table per automation value and the notes."""
    reacts_to = set(p["ari_reacts"])
    check_h = float(p.get("ari_check_hours", ARI_CHECK_HOURS))
    auto = inv.certificate_facts()["automation"].astype("string").str.lower().fillna("unknown")
    in_time = check_h <= deadline_hours
    reacts = (
        (auto.isin(reacts_to).to_numpy(dtype=bool) & mask) if in_time else np.zeros(len(mask), dtype=bool)
    )
    automated = auto.isin([a.value for a in AUTOMATED]).to_numpy(dtype=bool)
    forced = mask & automated & ~reacts
    notes = []
    if reacts.any():
        notes.append(
            f"{int(reacts.sum()):,} certificates ({', '.join(sorted(reacts_to))}) renew themselves through ARI "
            f"within {check_h:g} h of the CA's signal: no hands-on work"
        )
    if not in_time:
        notes.append(
            f"ARI clients poll every {check_h:g} h, longer than the {deadline_hours:g}-hour deadline: "
            "they cannot be relied on, every certificate needs hands-on work"
        )
    if forced.any():
        notes.append(
            f"{int(forced.sum()):,} automated certificates whose client does not honour ARI renew only on their "
            "own schedule: someone must force each renewal (e.g. certbot renew --force-renewal, cmctl renew)"
        )
    rows = pd.DataFrame({"automation": auto[mask].to_numpy(), "reacts": reacts[mask], "forced": forced[mask]})
    table = (
        rows.groupby("automation", sort=True)
        .agg(
            certificates=("reacts", "size"), renew_by_ari=("reacts", "sum"), forced_renewal=("forced", "sum")
        )
        .reset_index()
    )
    table["hands_on"] = table["certificates"] - table["renew_by_ari"]
    return mask & ~reacts, table, notes


def select_algorithm_sunset(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """Algorithm sunset: certificates matching a rule must be re-keyed or re-issued by the rule's date
    (the earliest, when several apply); a date already past gives the remediation window. A rule
    `at_renewal` binds only certificates issued from its date: each one keeps working until it expires,
    so its deadline is its expiry (its next renewal), but not before the date."""
    live = _live(inv, now)
    n = len(inv.certificates)
    deadline = np.full(n, np.inf)
    overdue: np.ndarray = np.zeros(n, dtype=bool)
    notes: list[str] = []
    blind = 0
    for rule in sc.parameters["rules"]:
        m = filter_mask(inv, rule["filter"], now) & live
        blind = max(blind, cannot_tell(inv, rule["filter"], live, now))
        notes.extend(_outside_trust(inv, rule, m, live, now))
        if rule.get("at_renewal"):
            h = np.maximum(
                _hours_to_expiry(inv, now, np.ones(n, dtype=bool)), _hours_until(rule["date"], now)
            )
            deadline = np.where(m, np.minimum(deadline, h), deadline)
            continue
        h, passed = _date_deadline(rule["date"], now, sc.deadline_hours)
        if passed and m.any():
            overdue |= m
            notes.append(
                f"{int(m.sum())} certificates are already past the {rule['date']:%Y-%m-%d} sunset"
                f"{' (' + rule['title'] + ')' if 'title' in rule else ''}: overdue, to be replaced within "
                f"{sc.deadline_hours:,.0f} h"
            )
        deadline = np.where(m, np.minimum(deadline, h), deadline)
    mask = np.isfinite(deadline)
    return Selection(
        mask=mask,
        deadline_h=deadline[mask],
        action=sc.parameters.get("action", "re-key and reissue"),
        notes=tuple(notes),
        overdue=overdue[mask],
        cannot_tell=blind,
        nothing_reason="no live certificate matches the rules of this sunset",
    )


def _outside_trust(
    inv: Inventory, rule: Mapping[str, Any], m: np.ndarray, live: np.ndarray, now: datetime
) -> tuple[str, ...]:
    """A rule that binds one trust domain (SC-097 binds publicly trusted CAs): the live certificates of
    another recorded trust that match it otherwise are outside the sunset — a policy finding, said so."""
    spec = rule["filter"]
    if "trust" not in spec:
        return ()
    rest = {k: v for k, v in spec.items() if k != "trust"}
    trust = inv.certificates["trust"]
    other = filter_mask(inv, rest, now) & live & ~m & trust.notna().to_numpy(dtype=bool)
    if not other.any():
        return ()
    kinds = ", ".join(sorted(str(t) for t in trust[other].unique()))
    n = int(other.sum())
    return (
        f"{n} {kinds} certificate{'s also match' if n != 1 else ' also matches'} "
        f"{rule.get('title', rule.get('sunset', 'this rule'))} but {'are' if n != 1 else 'is'} outside it (it binds "
        f"{spec['trust']} certificates only): a finding against your own policy, not this deadline",
    )


def select_validity_cap(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """Validity cap: a renewal workload, not a replacement — every certificate in scope renews
    365 / (cap × renew_at_fraction) times a year once the cap applies."""
    p = sc.parameters
    scope = p.get("scope", {"trust": "public"})
    mask = filter_mask(inv, scope, now) & _live(inv, now) & _not_ca(inv)
    if "cap_days" in p:
        cap = float(p["cap_days"])
    else:
        cap = float(validity_cap_on(p["cap_effective"].date()).max_days)
    h = sc.deadline_hours
    if "cap_effective" in p:
        h, _ = _date_deadline(p["cap_effective"], now, sc.deadline_hours)
    return Selection(
        mask=mask,
        deadline_h=np.full(int(mask.sum()), h),
        action="renew",
        cap_days=cap,
        renew_at_fraction=p.get("renew_at_fraction", RENEW_AT_FRACTION),
        cannot_tell=cannot_tell(inv, scope, _live(inv, now), now),
        nothing_reason="no live certificate is in the cap's scope",
    )


def select_pqc_migration(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """PQC migration as three tracks (cmmm.drill.pqc). The replacement simulated is track (b): live
    quantum-vulnerable *private* certificates re-keyed to a post-quantum algorithm from a PQC-capable
    private CA, each by the earliest deadline of the scenario's regime rules or, earlier, its service's
    Mosca deadline (as-of + threat − secrecy − migration years; already past: overdue). Key exchange (a)
    and public WebPKI (c) are measured and judged here, as findings; public certificates are never
    planned."""
    p = sc.parameters
    h = mosca.horizon(inv.profile)
    live = _live(inv, now)
    certs = inv.certificates
    facts = inv.certificate_facts()
    qv = certs["quantum_vulnerable"].fillna(False).astype(bool).to_numpy()
    # Unknown trust from an issuer that is no public CA operator: planned with the private certificates
    # (they need the re-key whichever track they belong to; the note says how many were placed so).
    unsure = certs["trust"].isna().to_numpy(dtype=bool) & ~_public_or_unsure(inv)
    private = (certs["trust"] == "private").fillna(False).to_numpy(dtype=bool) | unsure
    regime_h, regime = _regime_deadlines(inv, p["deadlines"], now)
    # End-entity certificates only: CA certificates are not re-keyed one by one (a post-quantum hierarchy,
    # the replacement CA, replaces them), and a public intermediate read from a chain carries no SCT.
    leaf = _not_ca(inv)
    mask = live & qv & private & leaf
    secrecy = facts["secrecy_years"].astype("Float64")[mask]
    dl = pqc.signature_deadlines(regime_h[mask], secrecy, h, sc.deadline_hours)
    services = pqc.mosca_table(inv, live, h, now)
    kex = pqc.key_exchange(services, pqc.endpoints(inv, live), h, int(live.sum()))
    public = pqc.public_webpki(_public_frame(inv, live & qv & leaf, regime_h, regime, h), now)
    unknown_keys = int((live & private & leaf & certs["key_algorithm"].isna().to_numpy(dtype=bool)).sum())
    target = str(p.get("target_algorithm", "ML-DSA-65"))
    budget = float(p.get("handshake_budget_bytes", INITIAL_WINDOW_BYTES))
    pending = pqc.Pending(
        scope=f"{int(mask.sum()):,} private certificates",
        overdue_detail=pqc.overdue_detail(facts["service"][mask], dl.overdue, regime_h[mask] <= 0),
        assumption=pqc.signature_assumption(h, secrecy, dl),
    )
    return Selection(
        mask=mask,
        deadline_h=dl.hours,
        action="re-key to a post-quantum algorithm",
        needs_pqc_ca=True,
        notes=_pqc_notes(dl, sc.deadline_hours, int((mask & unsure).sum())),
        findings={
            "tracks": pqc.track_table(kex, pending, public),
            "mosca": services,
            "key_exchange": kex.table,
            "handshake": handshake(inv, live & private & leaf, qv, target, budget),
            "public_webpki": public.table,
        },
        overdue=dl.overdue,
        unknown=pqc.signature_unknowns(h, secrecy, facts["service"][mask], unknown_keys),
        nothing_reason="no live private certificate uses a quantum-vulnerable key",
    )


def _regime_deadlines(
    inv: Inventory, rules: tuple[Mapping[str, Any], ...], now: datetime
) -> tuple[np.ndarray, np.ndarray]:
    """Per certificate: hours until the earliest regime deadline whose `when` matches (inf: none), and
    that rule's label (authority, category, date)."""
    n = len(inv.certificates)
    hours = np.full(n, np.inf)
    label: np.ndarray = np.full(n, "", dtype=object)
    for rule in rules:
        h = _hours_until(rule["date"], now)
        better = filter_mask(inv, rule.get("when", {}), now) & (h < hours)
        hours[better] = h
        label[better] = f"{rule['date']:%Y-%m-%d} ({rule['authority']}, {rule['category']})"
    return hours, label


def _public_frame(
    inv: Inventory, scope: np.ndarray, regime_h: np.ndarray, regime: np.ndarray, h: mosca.Horizon
) -> pd.DataFrame:
    """Track (c)'s rows: the live quantum-vulnerable public leaves, their issuing CA, service, Mosca
    exposure and regime deadline."""
    m = scope & (inv.certificates["trust"] == "public").fillna(False).to_numpy(dtype=bool)
    facts = inv.certificate_facts()
    hier = hierarchy(inv)
    names = hier.nodes.set_index("ca_id")["name"]
    issuer = (
        hier.issuer[m].map(names).astype("string").fillna(inv.certificates["issuer_name"][m].astype("string"))
    )
    return pd.DataFrame(
        {
            "issuing_ca": issuer.fillna("(unknown issuer)").to_numpy(),
            "service": facts["service"][m].to_numpy(),
            "exposed": mosca.exposed(facts["secrecy_years"][m], h),
            "regime_h": regime_h[m],
            "regime": regime[m],
        }
    )


def _pqc_notes(dl: pqc.SignatureDeadlines, window_h: float, unsure: int) -> tuple[str, ...]:
    notes = []
    if unsure:
        notes.append(
            f"{unsure:,} certificates of unrecorded trust whose issuer is no known public CA are planned with "
            "the private ones"
        )
    late = int(dl.overdue.sum())
    if late:
        notes.append(
            f"{late} private certificates are overdue — a regime date already past, or their service's data is "
            f"exposed already (secrecy + migration years > threat years): re-key within {window_h:,.0f} h"
        )
    return tuple(notes)


def select_root_expiry(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """Root expiry: certificates beneath the root that outlive it break for clients that trust only that
    root; they need a chain to a current root before it expires (re-deploy, no new issuance)."""
    p = sc.parameters
    mask, names = target_mask(inv, p["target"], now)
    mask &= _live(inv, now) & _not_ca(inv)
    nodes = hierarchy(inv).nodes
    roots = nodes[nodes["name"].isin(names) & (nodes["kind"] == CaKind.ROOT.value)]
    notes: list[str] = []
    deadline = np.full(int(mask.sum()), sc.deadline_hours)
    if len(roots) and roots["not_after"].notna().any():
        root_end = roots["not_after"].min().to_pydatetime()
        outlive = (inv.certificates["not_after"] > pd.Timestamp(root_end)).fillna(True).to_numpy(dtype=bool)
        kept = int((mask & ~outlive).sum())
        if kept:
            notes.append(f"{kept} certificates expire before their root does and need nothing")
        mask &= outlive
        h, passed = _date_deadline(root_end, now, sc.deadline_hours)
        if passed:
            notes.append(f"the root expired on {root_end:%Y-%m-%d}: its certificates are broken now")
        deadline = np.full(int(mask.sum()), h)
        overdue = np.full(int(mask.sum()), passed)
    elif not names:
        notes.append("the target root is not in this inventory: nothing to re-chain")
    return Selection(
        mask=mask,
        deadline_h=deadline,
        action="re-deploy with a chain to a current root",
        needs_issuance=False,
        notes=tuple(notes),
        overdue=overdue if len(roots) and roots["not_after"].notna().any() else None,
        nothing_reason=(
            "no live certificate beneath the root outlives it"
            if names
            else "the target root is not in this inventory"
        ),
    )


def select_ca_outage(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """CA outage: the CA that is down — named, or the organization's busiest ACME CA (`acme_ca: true`) —
    issues nothing until it returns. Every certificate it issued (whatever automation talks to it) that
    expires before the outage ends must be renewed elsewhere (a backup CA that does not chain to it) by its
    own expiry; the others can wait for the CA to return."""
    p = sc.parameters
    outage_h = p["outage_days"] * 24
    found = target_nodes(inv, p["target"], now)
    mask, names = target_mask(inv, p["target"], now)
    live = _live(inv, now) & _not_ca(inv)
    mask &= live
    h = _hours_to_expiry(inv, now, np.ones(len(mask), dtype=bool))
    beneath = int(mask.sum())
    mask &= h < outage_h
    notes = [f"the CA that is down: {', '.join(names)}"] if names else []
    if beneath > int(mask.sum()):
        notes.append(
            f"{beneath - int(mask.sum()):,} of its certificates expire after the outage and can wait for it"
        )
    return Selection(
        mask=mask,
        deadline_h=h[mask],
        action="renew from a backup CA",
        needs_new_ca=True,
        exclude_cas=names,
        affected_ca_ids=tuple(found["ca_id"]),
        ca_back_h=outage_h,
        notes=tuple(notes),
        cannot_tell=int((_issuer_unknown(inv) & live).sum()),
        nothing_reason=(
            f"no live certificate of {', '.join(names)} expires during the {p['outage_days']:g}-day outage"
            if names
            else "the CA that is down issued no certificate of this inventory"
        ),
    )


def algorithm_names(certs: pd.DataFrame) -> pd.Series:
    """Each certificate's key as a cmmm.crypto.SIZES name: RSA-2048, EC-256, ML-DSA-65, Ed25519 …"""
    alg = certs["key_algorithm"].astype("string")
    size = certs["key_size"].astype("Int64").astype("string")
    sized = alg.str.lower().isin(_SIZED_FAMILIES).fillna(False)
    return alg.where(~sized, alg + "-" + size)


def _public_ca_named(certs: pd.DataFrame, name: str, org: str) -> np.ndarray:
    """Rows whose `name` or `org` column names an operator of publicly trusted CAs (cmmm.crypto)."""
    markers = "|".join(re.escape(m) for m in PUBLIC_CA_MARKERS)
    text = (
        certs[name].astype("string").fillna("") + " " + certs[org].astype("string").fillna("")
    ).str.lower()
    return text.str.contains(markers, regex=True).fillna(False).to_numpy(dtype=bool)


def _public_or_unsure(inv: Inventory) -> np.ndarray:
    """Certificates that are public, or whose trust is not recorded and whose issuer is a known public CA:
    the rows a swap to an algorithm public TLS forbids must never plan."""
    certs = inv.certificates
    trust = certs["trust"].astype("string")
    public = (trust == "public").fillna(False).to_numpy(dtype=bool)
    return public | (trust.isna().to_numpy() & _public_ca_named(certs, "issuer_name", "issuer_org"))


def _private_cas(inv: Inventory) -> np.ndarray:
    """CA certificates of a private hierarchy: no public certificate lies beneath them and their subject
    is no public CA operator. (A CA certificate carries no SCTs, so its own `trust` says little.)"""
    certs = inv.certificates
    leaf = _not_ca(inv)
    mem = membership(inv)
    public_leaves = np.flatnonzero(_public_or_unsure(inv) & leaf)
    public_nodes = set(mem.loc[mem["pos"].isin(public_leaves), "ca_id"])
    node = hierarchy(inv).cert_node
    under_public = node.isin(public_nodes).fillna(False).to_numpy(dtype=bool)
    return ~leaf & ~under_public & ~_public_ca_named(certs, "common_name", "subject_org")


def select_algorithm_swap(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """Algorithm swap: every live end-entity certificate matching `from` (and a private hierarchy's CA
    certificates with `include_cas`) is re-keyed to the `to` algorithm and reissued within deadline_hours —
    the level-5 "change the whole cryptographic standard in hours". Rows without a key algorithm cannot be
    judged. Public certificates are never planned onto an algorithm public TLS forbids (BR §6.1.5): they
    make the drill unknown instead."""
    p = sc.parameters
    to = str(p["to"])
    certs = inv.certificates
    spec = {**p["from"], **({"trust": p["scope"]} if "scope" in p else {})}
    live = _live(inv, now)
    leaf = _not_ca(inv)
    kinds = leaf | (_private_cas(inv) if p.get("include_cas") else np.zeros(len(leaf), dtype=bool))
    # A CA certificate's own `trust` is unreliable (it carries no SCTs): CA rows match without it.
    ca_spec = {k: v for k, v in spec.items() if k != "trust"}
    mask = (filter_mask(inv, spec, now) | (filter_mask(inv, ca_spec, now) & ~leaf)) & live & kinds
    notes: list[str] = []
    unknown: list[str] = []
    done = mask & (algorithm_names(certs) == to).fillna(False).to_numpy(dtype=bool)
    if done.any():
        notes.append(f"{int(done.sum()):,} matching certificates already use {to}")
    mask &= ~done
    if to not in PUBLIC_TLS_TARGETS:
        barred = mask & _public_or_unsure(inv)
        if barred.any():
            unknown.append(
                f"{int(barred.sum()):,} matching certificates are public (or of unknown trust from a public CA): "
                f"public TLS does not allow {to} (BR §6.1.5), so they cannot be swapped — scope the drill to "
                "private certificates"
            )
        mask &= ~barred
    cas = int((mask & ~leaf).sum())
    if cas:
        notes.append(
            f"{cas} private CA certificate{'s' if cas != 1 else ''} re-keyed too: their successors must reach every relying "
            "party's trust store before the certificates they issue are used"
        )
    blind, excluded = _undecided(inv, spec, now)
    blind = (blind | certs["key_algorithm"].isna().to_numpy(dtype=bool)) & ~excluded
    return Selection(
        mask=mask,
        deadline_h=np.full(int(mask.sum()), sc.deadline_hours),
        action=f"re-key to {to} and reissue",
        needs_pqc_ca=key_family(to) not in QUANTUM_VULNERABLE_FAMILIES | {KeyFamily.UNKNOWN},
        notes=tuple(notes),
        unknown=tuple(unknown),
        cannot_tell=int((blind & live & kinds).sum()),
        nothing_reason=f"no live certificate in the swap's scope uses the algorithm it replaces (or all use {to})",
    )


SELECTORS: dict[Kind, Selector] = {
    Kind.CA_DISTRUST: select_ca_distrust,
    Kind.MASS_REVOCATION: select_mass_revocation,
    Kind.ALGORITHM_SUNSET: select_algorithm_sunset,
    Kind.VALIDITY_CAP: select_validity_cap,
    Kind.PQC_MIGRATION: select_pqc_migration,
    Kind.ROOT_EXPIRY: select_root_expiry,
    Kind.CA_OUTAGE: select_ca_outage,
    Kind.ALGORITHM_SWAP: select_algorithm_swap,
}


def select(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """The certificates a scenario affects in this inventory."""
    return SELECTORS[sc.kind](inv, sc, now)
