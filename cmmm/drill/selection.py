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
from cmmm.crypto import INITIAL_WINDOW_BYTES
from cmmm.drill import pqc
from cmmm.drill.handshake import handshake
from cmmm.drill.scenario import Basis, Kind, Scenario
from cmmm.graph.hierarchy import CaKind, certificates_under, hierarchy, resolve_ca
from cmmm.model import CRITICALITY_RANK, Inventory
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


def primary_ca(inv: Inventory, trust: str | None = None) -> pd.DataFrame:
    """The primary issuing CA: the intermediate (or unknown-kind) CA with the most certificates beneath
    it directly, optionally counting only public or private certificates. Empty when there is none."""
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
    if any(spec.get(k) for k in _CA_KEYS):
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


def filter_mask(inv: Inventory, spec: Mapping[str, Any], now: datetime) -> np.ndarray:
    """Certificates matching every condition of a filter (issuer, dates, algorithms, automation, tags…)."""
    certs = inv.certificates
    facts = inv.certificate_facts()
    m: np.ndarray = np.ones(len(certs), dtype=bool)

    def isin(col: pd.Series, values: tuple[str, ...]) -> np.ndarray:
        low = {v.lower() for v in values}
        return col.astype("string").str.lower().isin(low).fillna(False).to_numpy(dtype=bool)

    if "issuer" in spec:
        m &= target_mask(inv, spec["issuer"], now)[0]
    if "trust" in spec:
        m &= (certs["trust"] == spec["trust"]).fillna(False).to_numpy(dtype=bool)
    nb = certs["not_before"]
    if "issued_from" in spec:
        m &= (nb >= pd.Timestamp(spec["issued_from"])).fillna(False).to_numpy(dtype=bool)
    if "issued_to" in spec:
        m &= (nb < pd.Timestamp(spec["issued_to"])).fillna(False).to_numpy(dtype=bool)
    if "issued_within_days" in spec:
        since = pd.Timestamp(now - timedelta(days=spec["issued_within_days"]))
        m &= (nb >= since).fillna(False).to_numpy(dtype=bool)
    if "key_algorithm" in spec:
        m &= isin(certs["key_algorithm"], spec["key_algorithm"])
    if "max_key_size" in spec:
        m &= (certs["key_size"] <= spec["max_key_size"]).fillna(False).to_numpy(dtype=bool)
    if "signature_hash" in spec:
        m &= isin(certs["signature_hash"], spec["signature_hash"])
    if "quantum_vulnerable" in spec:
        qv = certs["quantum_vulnerable"].fillna(False).astype(bool).to_numpy()
        m &= qv if spec["quantum_vulnerable"] else ~qv
    if "automation" in spec:
        m &= isin(facts["automation"], spec["automation"])
    if "environment" in spec:
        m &= isin(facts["environment"], spec["environment"])
    if "criticality" in spec:
        m &= isin(facts["criticality"], spec["criticality"])
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
    "max_key_size": ("key_size",),
    "signature_hash": ("signature_hash",),
    "quantum_vulnerable": ("key_algorithm",),
}


def _issuer_unknown(inv: Inventory) -> np.ndarray:
    """Rows that name no issuer at all (no body, no issuer name, organization or DN): the hierarchy cannot
    place them."""
    c = inv.certificates
    named = c["issuer_name"].notna() | c["issuer_org"].notna() | c["issuer_dn"].notna()
    return (~named & ~c["has_body"].fillna(False).astype(bool)).to_numpy(dtype=bool)


def cannot_tell(inv: Inventory, spec: Mapping[str, Any], live: np.ndarray) -> int:
    """Live end-entity certificates a filter cannot judge: a column it reads is empty (or, for an issuer
    condition, the row names no issuer)."""
    certs = inv.certificates
    blind: np.ndarray = np.zeros(len(certs), dtype=bool)
    for key, columns in _FILTER_COLUMNS.items():
        if key in spec:
            for col in columns:
                blind |= certs[col].isna().to_numpy(dtype=bool)
    if "issuer" in spec:
        blind |= _issuer_unknown(inv)
    return int((blind & live & _not_ca(inv)).sum())


def _date_deadline(when: datetime, now: datetime, window_h: float) -> tuple[float, bool]:
    """Hours until a dated step, or the remediation window when the date has already passed."""
    h = _hours_until(when, now)
    return (h, False) if h > 0 else (window_h, True)


# ---------------------------------------------------------------- one selector per kind
def select_ca_distrust(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """CA distrust: everything beneath the target CA(s); with a cutoff, only the certificates whose
    earliest SCT (or notBefore) falls on the distrusted side — the others stay trusted until they expire.
    Replacements must come from another CA."""
    p = sc.parameters
    under, names = target_mask(inv, p["target"], now)
    ids = tuple(target_nodes(inv, p["target"], now)["ca_id"])
    live = _live(inv, now)
    leaf = _not_ca(inv)
    notes: list[str] = []
    if not names:
        notes.append("the target CA is not in this inventory: nothing to replace")
    if p.get("clients"):
        notes.append(f"the distrust applies to {', '.join(p['clients'])}; other clients may keep trusting it")
    subs = int((under & live & ~leaf).sum())
    if subs:
        notes.append(f"{subs} subordinate CA certificates beneath the target are distrusted too")
    mask = under & live & leaf
    if p["basis"] != Basis.REMOVAL:
        certs = inv.certificates
        when = certs["not_before"]
        if p["basis"] == Basis.EARLIEST_SCT:
            sct = certs["earliest_sct"]
            missing = int((sct.isna().to_numpy() & mask).sum())
            if missing:
                notes.append(f"{missing} certificates have no SCT: their notBefore stands in for it")
            when = sct.fillna(when)
        cutoff = pd.Timestamp(p["cutoff"])
        after = (when > cutoff).fillna(False).to_numpy(dtype=bool)
        side = after if p.get("distrusted", "issued_after") == "issued_after" else ~after
        kept = int((mask & ~side).sum())
        if kept:
            notes.append(
                f"{kept} certificates on the trusted side of the {p['cutoff']:%Y-%m-%d} cutoff stay "
                "trusted until they expire: move them to another CA at their next renewal"
            )
        mask &= side
    n = int(mask.sum())
    target = ", ".join(names) if names else "the target CA"
    bodiless = int((live & leaf & ~inv.certificates["has_body"].fillna(False).to_numpy(dtype=bool)).sum())
    by_name = (
        f" ({bodiless:,} live certificates are rows without a certificate body, placed by their issuer name only)"
        if bodiless
        else ""
    )
    return Selection(
        mask=mask,
        deadline_h=np.full(n, sc.deadline_hours),
        action="reissue from another CA",
        needs_new_ca=True,
        exclude_cas=names,
        affected_ca_ids=ids,
        notes=tuple(notes),
        cannot_tell=int((_issuer_unknown(inv) & live & leaf).sum()),
        nothing_reason=(
            f"no live certificate chains to {target}{by_name}"
            if names
            else f"the target CA is not in this inventory and no certificate names it as issuer{by_name}"
        ),
    )


def select_mass_revocation(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """Mass revocation: the filtered certificates must be replaced before the CA revokes them (24 h or
    5 days, BR §4.9.1); the most critical share of owners obtains an extension."""
    p = sc.parameters
    mask = filter_mask(inv, p["filter"], now) & _live(inv, now) & _not_ca(inv)
    deadline = np.full(int(mask.sum()), sc.deadline_hours)
    share = p.get("extension_share", 0.0)
    notes = []
    if share > 0 and len(deadline):
        crit = inv.certificate_facts()["criticality"][mask].map(CRITICALITY_RANK).fillna(0).to_numpy()
        k = round(share * len(deadline))
        order = np.argsort(-crit, kind="stable")[:k]
        deadline[order] = max(sc.deadline_hours, p.get("extension_hours", 120.0))
        notes.append(f"{k} certificates of the most critical services obtain an extension")
    return Selection(
        mask=mask,
        deadline_h=deadline,
        action="reissue from the same CA, then revoke",
        notes=tuple(notes),
        cannot_tell=cannot_tell(inv, p["filter"], _live(inv, now)),
        nothing_reason="no live certificate matches the revocation's filter",
    )


def select_algorithm_sunset(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """Algorithm sunset: certificates matching a rule must be re-keyed or re-issued by the rule's date
    (the earliest, when several apply); a date already past gives the remediation window."""
    live = _live(inv, now)
    n = len(inv.certificates)
    deadline = np.full(n, np.inf)
    overdue: np.ndarray = np.zeros(n, dtype=bool)
    notes = []
    blind = 0
    for rule in sc.parameters["rules"]:
        m = filter_mask(inv, rule["filter"], now) & live
        blind = max(blind, cannot_tell(inv, rule["filter"], live))
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
        action="re-key and reissue",
        notes=tuple(notes),
        overdue=overdue[mask],
        cannot_tell=blind,
        nothing_reason="no live certificate uses the algorithms this sunset retires",
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
        cannot_tell=cannot_tell(inv, scope, _live(inv, now)),
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
    private = (certs["trust"] == "private").fillna(False).to_numpy(dtype=bool)
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
        notes=_pqc_notes(dl, sc.deadline_hours),
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


def _pqc_notes(dl: pqc.SignatureDeadlines, window_h: float) -> tuple[str, ...]:
    late = int(dl.overdue.sum())
    if not late:
        return ()
    return (
        f"{late} private certificates are overdue — a regime date already past, or their service's data is "
        f"exposed already (secrecy + migration years > threat years): re-key within {window_h:,.0f} h",
    )


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


SELECTORS: dict[Kind, Selector] = {
    Kind.CA_DISTRUST: select_ca_distrust,
    Kind.MASS_REVOCATION: select_mass_revocation,
    Kind.ALGORITHM_SUNSET: select_algorithm_sunset,
    Kind.VALIDITY_CAP: select_validity_cap,
    Kind.PQC_MIGRATION: select_pqc_migration,
    Kind.ROOT_EXPIRY: select_root_expiry,
    Kind.CA_OUTAGE: select_ca_outage,
}


def select(inv: Inventory, sc: Scenario, now: datetime) -> Selection:
    """The certificates a scenario affects in this inventory."""
    return SELECTORS[sc.kind](inv, sc, now)
