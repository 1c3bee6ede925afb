"""The report's view model: frozen dataclasses of plain values, aggregated from the inventory (never one row
per certificate), plus the adapter dataclasses that the maturity, graph and drill stages fill in.

Every string that came from a certificate or an input file passes through `clean_text` here: control and
bidirectional-override characters become U+FFFD and long values are cut, so that every renderer (HTML,
JSON, Markdown) starts from the same neutralized text. HTML escaping itself is the template's job
(autoescape), Markdown escaping the Markdown renderer's.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cmmm import crypto
from cmmm.model import (
    AUTOMATED,
    AUTOMATED_DISCOVERY,
    CRITICALITY_RANK,
    LEVEL_NAMES,
    Criticality,
    Inventory,
    KeyFamily,
)
from cmmm.schedules import PQC_DEADLINES, PUBLIC_TLS_VALIDITY_CAPS, next_validity_cap, validity_cap_on

SCHEMA = "cmmm.report/1"
LABEL_CHARS = 60  # chart labels and table cells from input data
TEXT_CHARS = 200  # longer free text from input data (rejection reasons)
TOP = 10

DIMENSIONS = (
    "Inventory & visibility",
    "Discovery",
    "Ownership & process",
    "Policy & compliance",
    "Automation",
    "Crypto-agility",
)
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
DEPRECATED_HASHES = frozenset({"md2", "md5", "sha1"})
# Mosca defaults when profile.yaml does not say (DOMAIN §4): a typical enterprise migration and a
# commonly used planning horizon for a cryptographically relevant quantum computer.
DEFAULT_MIGRATION_YEARS = 5.0
DEFAULT_QUANTUM_THREAT_YEARS = 15.0


def clean_text(value: object, limit: int = LABEL_CHARS) -> str:
    """Untrusted text made inert for display: control/format characters (incl. U+202E) → U+FFFD, cut."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = "".join(
        "\N{REPLACEMENT CHARACTER}" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
        for ch in str(value)[: limit + 1]
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------------
# Adapters: the sections other stages fill in. Plain values only; the integrator maps result objects.
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionRow:
    """One maturity criterion and its outcome. evidence: measured | simulated | attested.
    met: True/False, or None when there was no evidence (counts as not met)."""

    id: str
    level: int
    dimension: str
    title: str
    evidence: str
    met: bool | None
    value: str = ""  # what was measured/answered, formatted ("82 % of certificates have an owner")
    threshold: str = ""  # what is required ("≥ 95 %")
    detail: str = ""  # which certificates/teams fail, in a sentence


@dataclass(frozen=True, slots=True, kw_only=True)
class RoadmapRow:
    """One step of the roadmap: a criterion that blocks a level and what to do about it."""

    title: str
    action: str
    level: int | None = None
    dimension: str = ""
    criterion_id: str = ""
    concerned: str = ""  # "412 certificates; teams payments, edge"
    effect: str = ""  # "unblocks level 3" / "+0.4 Automation"


@dataclass(frozen=True, slots=True, kw_only=True)
class MaturitySection:
    """What `maturity.assess` found. dimensions: the six radar axes → score 1.0–5.0."""

    level: int
    score: float
    floor: str  # the weakest dimension
    dimensions: dict[str, float]
    criteria: tuple[CriterionRow, ...] = ()
    blockers: tuple[str, ...] = ()  # one sentence per criterion that blocks the next level
    roadmap: tuple[RoadmapRow, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BurnPoint:
    """Certificates still to replace `hours` after the drill starts, across Monte Carlo runs."""

    hours: float
    p10: float
    p50: float
    p90: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRow:
    """One line of a drill's first replacement wave (a certificate or a group of them)."""

    target: str  # certificate name or group ("43 certificates of team edge")
    owner: str
    action: str
    method: str
    start_hours: float
    finish_hours: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DrillSection:
    """One drill's outcome. verdict: a short word ("pass", "fail", "at risk"); hours from drill start."""

    scenario: str
    title: str
    kind: str
    verdict: str
    deadline_hours: float
    affected_certificates: int
    completion_p50_hours: float | None
    completion_p90_hours: float | None
    on_time_probability: float
    exposed: dict[str, float] = field(default_factory=dict)  # e.g. certificates, services, service_hours
    burn_down: tuple[BurnPoint, ...] = ()
    first_wave: tuple[PlanRow, ...] = ()
    description: str = ""
    source: str = ""  # the real event it replays


@dataclass(frozen=True, slots=True, kw_only=True)
class CaRow:
    """A CA and everything under it (transitively): its blast radius."""

    name: str
    kind: str  # root | intermediate | unknown
    certificates: int
    services: int
    critical_services: int
    share: float  # of all leaf certificates


@dataclass(frozen=True, slots=True, kw_only=True)
class DependencySection:
    """From the dependency graph: the CAs with the largest blast radius, and hierarchy facts."""

    top_cas: tuple[CaRow, ...]
    roots: int = 0
    intermediates: int = 0
    unknown_issuers: int = 0
    single_points_of_failure: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------
# The view computed from the inventory
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    label: str
    count: int
    share: float  # of the section's total, 0–1


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A risk in plain language (severity: critical|high|medium|low) and the action that answers it."""

    code: str
    severity: str
    title: str
    detail: str
    count: int
    examples: tuple[str, ...]
    action: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    title: str
    detail: str
    source: str  # "assessment" | "inventory"


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    organization: str
    level: int | None
    level_name: str
    score: float | None
    floor: str
    certificates: int
    expired: int
    expiring_30: int
    automated_share: float
    owner_share: float
    quantum_vulnerable_share: float
    risks: tuple[Finding, ...]  # the three biggest
    actions: tuple[Action, ...]  # the top five


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekBucket:
    start: date
    automated: int
    manual: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidityBin:
    label: str
    low_days: float
    high_days: float
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CapRow:
    effective: date
    max_days: int
    over_cap: int  # public leaf certificates valid longer than this cap
    share: float
    in_force: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectedRow:
    source: str
    locator: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InventorySection:
    certificates: int
    leaves: int
    cas: int
    observations: int
    services: int
    sources: int
    public: int
    private: int
    expired: int
    expiring_30: int
    expiring_90: int
    expiry_weeks: tuple[WeekBucket, ...]
    issuers: tuple[Count, ...]
    distinct_issuers: int
    top_issuer_share: float
    key_algorithms: tuple[Count, ...]
    signature_algorithms: tuple[Count, ...]
    validity_bins: tuple[ValidityBin, ...]
    caps: tuple[CapRow, ...]
    over_current_cap: int
    automation: tuple[Count, ...]
    automated_share: float
    discovery: tuple[Count, ...]
    automated_discovery_share: float
    discovery_methods: int
    seen_by_multiple: int
    owner_share: float
    rejected: int
    rejected_reasons: tuple[Count, ...]
    rejected_rows: tuple[RejectedRow, ...]
    private_keys: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CriticalityRow:
    criticality: str
    certificates: int
    vulnerable: int
    unknown: int  # key algorithm not known: neither vulnerable nor post-quantum
    share: float  # vulnerable / certificates


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeRow:
    algorithm: str
    bytes: int
    fits_initial_window: bool
    current: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MoscaRow:
    service: str
    secrecy_years: float
    certificates: int
    margin_years: float  # secrecy + migration − threat; > 0 means already exposed


@dataclass(frozen=True, slots=True, kw_only=True)
class PqcSection:
    vulnerable: int
    vulnerable_share: float
    by_criticality: tuple[CriticalityRow, ...]
    migration_years: float
    quantum_threat_years: float
    mosca_exposed_certificates: int
    mosca_known: int  # certificates with a secrecy_years value
    mosca_services: tuple[MoscaRow, ...]
    pqc_certificates: tuple[Count, ...]
    hybrid_kex_endpoints: int
    pqc_capable_services: int
    handshake: tuple[HandshakeRow, ...]
    initial_window_bytes: int
    deadlines: tuple[tuple[str, str, date], ...]  # (authority, category, exclusive_by), soonest first


@dataclass(frozen=True, slots=True, kw_only=True)
class LadderStep:
    level: int
    name: str
    met: int
    total: int
    status: str  # achieved | blocking | ahead


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportView:
    schema: str
    generated_at: datetime
    as_of: datetime
    organization: str
    summary: Summary
    inventory: InventorySection
    pqc: PqcSection
    findings: tuple[Finding, ...]
    maturity: MaturitySection | None
    ladder: tuple[LadderStep, ...]
    dependency: DependencySection | None
    drills: tuple[DrillSection, ...]
    roadmap: tuple[RoadmapRow, ...]
    roadmap_source: str  # "assessment" | "inventory"
    method_notes: tuple[str, ...]
    sources: tuple[Count, ...]


# ---------------------------------------------------------------------------------------------------


def _share(n: float, total: float) -> float:
    return float(n) / float(total) if total else 0.0


def _counts(series: pd.Series, total: int | None = None, top: int | None = TOP) -> tuple[Count, ...]:
    """Value counts of `series` (missing values as "(unknown)"), largest first, ties by label."""
    vc = series.value_counts(dropna=False)
    vc.index = pd.Index(["(unknown)" if pd.isna(k) or k == "" else str(k) for k in vc.index])
    return _ranked(vc, total, top)


def _ranked(vc: pd.Series, total: int | None = None, top: int | None = TOP) -> tuple[Count, ...]:
    """label → count as Count rows, largest first, ties by label; beyond `top`, one "N others" row."""
    vc = vc.groupby(level=0, sort=False).sum()
    frame = pd.DataFrame({"label": vc.index.astype(str), "n": vc.to_numpy()}).sort_values(
        ["n", "label"], ascending=[False, True], kind="stable"
    )
    tot = total if total is not None else int(frame["n"].sum())
    rows = frame.head(top) if top else frame
    out = [
        Count(label=clean_text(label), count=int(k), share=_share(k, tot))
        for label, k in zip(rows["label"], rows["n"], strict=True)
    ]
    if top and len(frame) > top:
        rest = int(frame["n"].iloc[top:].sum())
        out.append(Count(label=f"{len(frame) - top} others", count=rest, share=_share(rest, tot)))
    return tuple(out)


def _examples(names: pd.Series, n: int = 3) -> tuple[str, ...]:
    return tuple(clean_text(v) for v in names.dropna().drop_duplicates().sort_values().head(n))


def _bool(s: pd.Series) -> pd.Series:
    return s.astype("boolean").fillna(False).astype(bool)


def _inventory_section(inv: Inventory, f: pd.DataFrame, now: datetime) -> InventorySection:
    n = len(f)
    is_ca = _bool(f["is_ca"])
    leaf = f[~is_ca]
    na = f["not_after"]
    ts_now = pd.Timestamp(now)
    expired = int((na < ts_now).sum())
    exp30 = int(((na >= ts_now) & (na < ts_now + timedelta(days=30))).sum())
    exp90 = int(((na >= ts_now) & (na < ts_now + timedelta(days=90))).sum())

    automated = f["automation"].isin([a.value for a in AUTOMATED]).to_numpy()
    days_left = (na - ts_now).dt.total_seconds().to_numpy() / 86400.0
    week = np.floor(days_left / 7.0)
    ok = (week >= 0) & (week < 52)
    auto_w = np.bincount(week[ok & automated].astype(int), minlength=52)
    man_w = np.bincount(week[ok & ~automated].astype(int), minlength=52)
    start = now.date()
    weeks = tuple(
        WeekBucket(start=start + timedelta(days=7 * i), automated=int(auto_w[i]), manual=int(man_w[i]))
        for i in range(52)
    )

    issuer = leaf["issuer_name"].fillna(leaf["issuer_org"])
    issuers = _counts(issuer, total=len(leaf))
    distinct_issuers = int(issuer.nunique())
    top_issuer_share = issuers[0].share if issuers else 0.0

    key_label = f["key_algorithm"].fillna("unknown") + f["key_size"].astype("string").radd("-").fillna("")
    key_label = key_label.where(~f["key_algorithm"].isin(["Ed25519", "Ed448"]), f["key_algorithm"])

    vd = leaf["validity_days"].astype("float64")
    edges = [0, 7, 47, 100, 200, 398, 825, np.inf]
    labels = ["≤ 7 d", "8–47 d", "48–100 d", "101–200 d", "201–398 d", "399–825 d", "> 825 d"]
    hist = pd.cut(vd, bins=edges, labels=labels, right=True, include_lowest=True).value_counts()
    bins = tuple(
        ValidityBin(
            label=lab, low_days=float(edges[i]), high_days=float(edges[i + 1]), count=int(hist.get(lab, 0))
        )
        for i, lab in enumerate(labels)
    )
    public_leaf = leaf[leaf["trust"].fillna("") == "public"]
    pvd = public_leaf["validity_days"].astype("float64")
    today = now.date()
    current = validity_cap_on(today)
    caps = tuple(
        CapRow(
            effective=c.effective,
            max_days=c.max_days,
            over_cap=int((pvd > c.max_days).sum()),
            share=_share(int((pvd > c.max_days).sum()), len(public_leaf)),
            in_force=c.effective <= today,
        )
        for c in PUBLIC_TLS_VALIDITY_CAPS
        if c.effective >= current.effective
    )
    # Over the cap in force on each certificate's own issuance date (BR §6.3.2 applies at issuance).
    eff = np.array([np.datetime64(c.effective) for c in PUBLIC_TLS_VALIDITY_CAPS], dtype="datetime64[D]")
    maxd = np.array([c.max_days for c in PUBLIC_TLS_VALIDITY_CAPS], dtype=float)
    nb = public_leaf["not_before"].dt.tz_localize(None).to_numpy().astype("datetime64[D]")
    idx = np.clip(np.searchsorted(eff, nb, side="right") - 1, 0, len(eff) - 1)
    known = ~np.isnat(nb) & ~np.isnan(pvd.to_numpy())  # no issuance date or validity: cannot judge
    over_current = int((known & (pvd.to_numpy() > maxd[idx])).sum())

    automation = f["automation"].where(f["automation"].notna(), "unknown")
    disc = f["discovered_by"].dropna()
    # Few distinct method combinations exist: split those, not every row.
    combos = disc.value_counts()
    pairs = pd.Series(combos.index.str.split(";").to_numpy(), dtype=object).explode()
    method_counts = (
        pd.Series(combos.to_numpy()[pairs.index.to_numpy()], index=pairs.to_numpy().astype(str))
        .groupby(level=0)
        .sum()
    )
    auto_methods = "|".join(sorted(re.escape(d.value) for d in AUTOMATED_DISCOVERY))
    seen_auto = disc.str.contains(rf"(?:^|;)(?:{auto_methods})(?:;|$)", regex=True)
    owner_known = f["owner"].notna() | f["team"].notna()

    reasons = pd.Series([r.reason.split(":")[0] for r in inv.rejected], dtype="string")
    rejected_rows = tuple(
        RejectedRow(
            source=clean_text(r.source.rsplit("/", 1)[-1]),
            locator=clean_text(r.locator),
            reason=clean_text(r.reason, TEXT_CHARS),
        )
        for r in inv.rejected[: TOP * 2]
    )
    trust = f["trust"].fillna("")
    return InventorySection(
        certificates=n,
        leaves=len(leaf),
        cas=int(is_ca.sum()),
        observations=len(inv.observations),
        services=len(inv.services),
        sources=len(inv.sources),
        public=int((trust == "public").sum()),
        private=int((trust == "private").sum()),
        expired=expired,
        expiring_30=exp30,
        expiring_90=exp90,
        expiry_weeks=weeks,
        issuers=issuers,
        distinct_issuers=distinct_issuers,
        top_issuer_share=top_issuer_share,
        key_algorithms=_counts(key_label, total=n),
        signature_algorithms=_counts(f["signature_algorithm"], total=n),
        validity_bins=bins,
        caps=caps,
        over_current_cap=over_current,
        automation=_counts(automation, total=n, top=None),
        automated_share=_share(int(automated.sum()), n),
        discovery=_ranked(method_counts, total=n, top=None) if len(method_counts) else (),
        automated_discovery_share=_share(int(seen_auto.sum()), n),
        discovery_methods=len(method_counts),
        seen_by_multiple=int(disc.str.contains(";", regex=False).sum()),
        owner_share=_share(int(owner_known.sum()), n),
        rejected=len(inv.rejected),
        rejected_reasons=_counts(reasons, total=len(inv.rejected)) if len(reasons) else (),
        rejected_rows=rejected_rows,
        private_keys=len(inv.private_keys),
    )


def _profile_years(value: float | None, default: float) -> float:
    return value if value is not None else default


def _pqc_section(inv: Inventory, f: pd.DataFrame, now: datetime) -> PqcSection:
    n = len(f)
    vuln = _bool(f["quantum_vulnerable"])
    crit = f["criticality"].fillna("unknown")
    order = [c.value for c in sorted(Criticality, key=lambda c: -CRITICALITY_RANK[c])] + ["unknown"]
    unknown_alg = f["quantum_vulnerable"].isna()
    g = (
        pd.DataFrame({"crit": crit, "v": vuln, "u": unknown_alg})
        .groupby("crit")
        .agg(size=("v", "size"), sum=("v", "sum"), unknown=("u", "sum"))
    )
    by_crit = tuple(
        CriticalityRow(
            criticality=c,
            certificates=int(g.loc[c, "size"]),
            vulnerable=int(g.loc[c, "sum"]),
            unknown=int(g.loc[c, "unknown"]),
            share=_share(int(g.loc[c, "sum"]), int(g.loc[c, "size"])),
        )
        for c in order
        if c in g.index
    )
    migration = _profile_years(inv.profile.migration_years, DEFAULT_MIGRATION_YEARS)
    threat = _profile_years(inv.profile.quantum_threat_years, DEFAULT_QUANTUM_THREAT_YEARS)
    secrecy = f["secrecy_years"].astype("float64")
    margin = secrecy + migration - threat
    exposed = vuln & (margin > 0).fillna(False).astype(bool)
    svc = f.loc[exposed, ["service", "secrecy_years"]].assign(
        service=lambda d: d["service"].fillna("(no service)")
    )
    mosca = (
        svc.groupby("service")
        .agg(secrecy_years=("secrecy_years", "max"), certificates=("secrecy_years", "size"))
        .reset_index()
        .sort_values(["secrecy_years", "certificates", "service"], ascending=[False, False, True])
        .head(TOP)
    )
    mosca_rows = tuple(
        MoscaRow(
            service=clean_text(r["service"]),
            secrecy_years=float(r["secrecy_years"]),
            certificates=int(r["certificates"]),
            margin_years=float(r["secrecy_years"]) + migration - threat,
        )
        for _, r in mosca.iterrows()
    )
    fam = f["key_algorithm"].dropna()
    fam_map = {k: crypto.key_family(str(k)) for k in fam.unique()}
    pqc_mask = fam.map(fam_map).isin([KeyFamily.ML_DSA, KeyFamily.SLH_DSA, KeyFamily.COMPOSITE])
    kex = inv.observations["kex_groups"].fillna("")
    hybrid = kex.str.contains("|".join(crypto.PQC_HYBRID_GROUPS), case=False, regex=True)
    hybrid_endpoints = int(inv.observations.loc[hybrid, "location"].nunique())
    pqc_capable = int(_bool(inv.services["pqc_capable"]).sum()) if len(inv.services) else 0

    leaf = f[~_bool(f["is_ca"])]
    label = leaf["key_algorithm"].fillna("") + "-" + leaf["key_size"].astype("string").fillna("")
    label = label.str.replace(r"^EC-", "EC-", regex=True)
    known = label[label.isin(list(crypto.SIZES))]
    current = str(known.value_counts().idxmax()) if len(known) else "EC-256"
    names = [current] + [
        a for a in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "ML-DSA-44+ECDSA-P256") if a != current
    ]
    handshake = []
    for a in names:
        s = crypto.SIZES[a]
        size = (
            crypto.HANDSHAKE_PUBLIC_KEYS * s.public_key_bytes
            + crypto.HANDSHAKE_SIGNATURES * s.signature_bytes
        )
        handshake.append(
            HandshakeRow(
                algorithm=a,
                bytes=size,
                fits_initial_window=size <= crypto.INITIAL_WINDOW_BYTES,
                current=a == current,
            )
        )
    deadlines = tuple(
        (d.authority, d.category, d.exclusive_by)
        for d in sorted(PQC_DEADLINES, key=lambda d: (d.exclusive_by, d.authority, d.category))
    )
    return PqcSection(
        vulnerable=int(vuln.sum()),
        vulnerable_share=_share(int(vuln.sum()), n),
        by_criticality=by_crit,
        migration_years=migration,
        quantum_threat_years=threat,
        mosca_exposed_certificates=int(exposed.sum()),
        mosca_known=int(secrecy.notna().sum()),
        mosca_services=mosca_rows,
        pqc_certificates=_counts(fam[pqc_mask], total=n) if pqc_mask.any() else (),
        hybrid_kex_endpoints=hybrid_endpoints,
        pqc_capable_services=pqc_capable,
        handshake=tuple(handshake),
        initial_window_bytes=crypto.INITIAL_WINDOW_BYTES,
        deadlines=deadlines,
    )


def _on_critical(total: int, critical: int) -> str:
    if total == 1:
        return (
            "It is on a high or critical service." if critical else "It is not on a high or critical service."
        )
    if critical == 0:
        return "None of them is on a high or critical service."
    return f"{critical:,} of them on high or critical services."


def _findings(
    inv: Inventory, f: pd.DataFrame, now: datetime, section: InventorySection
) -> tuple[Finding, ...]:
    """Risks the inventory alone can show, each with its answer, biggest first."""
    ts = pd.Timestamp(now)
    leaf = ~_bool(f["is_ca"])
    automated = f["automation"].isin([a.value for a in AUTOMATED])
    name = f["common_name"].copy()
    no_cn = name.isna() & f["sans"].notna()
    if no_cn.any():
        name[no_cn] = f.loc[no_cn, "sans"].str.split(";").str[0]
    out: list[Finding] = []

    expired = f["not_after"] < ts
    deployed = expired & ((f["endpoints"] > 0) | (f["observations"] > 0)).fillna(False).astype(bool)
    crit_deployed = deployed & f["criticality"].isin(["critical", "high"])
    if deployed.any():
        k = int(deployed.sum())
        out.append(
            Finding(
                code="expired-deployed",
                severity="critical" if crit_deployed.any() else "high",
                title=f"{k:,} expired certificate{'s are' if k != 1 else ' is'} still deployed",
                detail=_on_critical(k, int(crit_deployed.sum()))
                + " Clients that check validity fail on these endpoints today.",
                count=k,
                examples=_examples(name[deployed]),
                action="Renew and redeploy the expired certificates, or remove them from the endpoints.",
            )
        )
    soon = (f["not_after"] >= ts) & (f["not_after"] < ts + timedelta(days=30)) & ~automated
    if soon.any():
        k = int(soon.sum())
        out.append(
            Finding(
                code="expiring-manual",
                severity="high",
                title=f"{k:,} certificate{'s expire' if k != 1 else ' expires'} within 30 days with no automated renewal",
                detail="Each needs a person to request, install and verify a replacement before it lapses.",
                count=k,
                examples=_examples(name[soon]),
                action="Schedule the manual renewals now and move these services to ACME or cert-manager.",
            )
        )
    hash_bad = f["signature_hash"].fillna("").str.lower().isin(DEPRECATED_HASHES) & ~_bool(
        f["is_self_signed"]
    )
    fam = f["key_algorithm"].fillna("")
    size = f["key_size"].astype("float64")
    weak_key = ((fam == "RSA") & (size < 2048)) | (fam == "DSA") | ((fam == "EC") & (size < 256))
    deprecated = (hash_bad | weak_key.fillna(False).astype(bool)) & (f["not_after"] >= ts)
    if deprecated.any():
        k = int(deprecated.sum())
        out.append(
            Finding(
                code="deprecated-crypto",
                severity="high",
                title=f"{k:,} valid certificate{'s use' if k != 1 else ' uses'} deprecated cryptography",
                detail=f"SHA-1/MD5 signatures: {int((hash_bad & deprecated).sum()):,}; RSA < 2048, DSA or small "
                "curves: "
                f"{int((weak_key.fillna(False).astype(bool) & deprecated).sum()):,}. SHA-1 in certificates ended "
                "2026-09-15 (ballot SC-097).",
                count=k,
                examples=_examples(name[deprecated]),
                action="Reissue with SHA-256 and RSA ≥ 2048 or ECDSA P-256, and block weak requests at issuance.",
            )
        )
    no_owner = f["owner"].isna() & f["team"].isna() & leaf
    if no_owner.any():
        k = int(no_owner.sum())
        sev = "high" if _share(k, int(leaf.sum())) > 0.25 else "medium"
        out.append(
            Finding(
                code="owner-missing",
                severity=sev,
                title=f"{k:,} certificate{'s have' if k != 1 else ' has'} no known owner",
                detail=f"{_share(k, int(leaf.sum())):.0%} of end-entity certificates. In an incident, finding who "
                "can replace them costs the first hours.",
                count=k,
                examples=_examples(name[no_owner]),
                action="Assign an owning team to every certificate, starting with production and critical services.",
            )
        )
    public_manual = leaf & (f["trust"].fillna("") == "public") & ~automated & (f["not_after"] >= ts)
    if public_manual.any():
        k = int(public_manual.sum())
        nxt = next_validity_cap(now.date())
        cap47 = PUBLIC_TLS_VALIDITY_CAPS[-1]
        when = nxt if nxt is not None else cap47
        per_year = 365.0 / when.max_days
        out.append(
            Finding(
                code="manual-public-renewals",
                severity="high"
                if _share(k, int((leaf & (f["trust"] == "public")).sum())) > 0.3
                else "medium",
                title=f"{k:,} public certificate{'s are' if k != 1 else ' is'} renewed by hand",
                detail=f"From {when.effective.isoformat()} public certificates last at most {when.max_days} days: "
                f"about {k * per_year:,.0f} manual renewals a year, and {k * 365.0 / cap47.max_days:,.0f} a year "
                f"once the {cap47.max_days}-day cap applies on {cap47.effective.isoformat()}.",
                count=k,
                examples=_examples(name[public_manual]),
                action=f"Automate public certificate renewal (ACME) before {when.effective.isoformat()}.",
            )
        )
    vuln = _bool(f["quantum_vulnerable"])
    crit_vuln = vuln & f["criticality"].isin(["critical"])
    if crit_vuln.any() and section.certificates:
        k = int(crit_vuln.sum())
        out.append(
            Finding(
                code="quantum-critical",
                severity="medium",
                title=f"{k:,} certificate{'s' if k != 1 else ''} on critical services rely on quantum-vulnerable keys",
                detail="RSA and elliptic-curve keys are broken by a cryptographically relevant quantum computer; "
                "critical services should be first in the PQC migration plan.",
                count=k,
                examples=_examples(name[crit_vuln]),
                action="Inventory the critical services' cryptography and pilot ML-DSA on a private PKI.",
            )
        )
    if section.top_issuer_share > 0.6 and section.leaves >= 10:
        top = section.issuers[0]
        out.append(
            Finding(
                code="ca-concentration",
                severity="medium",
                title=f"{top.share:.0%} of certificates come from one CA",
                detail="If that CA is distrusted or down, most certificates must move at once.",
                count=top.count,
                examples=(top.label,),
                action="Pre-approve a backup CA (contract, ACME account, CAA records) and rehearse the switch.",
            )
        )
    if inv.private_keys:
        unenc = sum(1 for k in inv.private_keys if not k.encrypted)
        out.append(
            Finding(
                code="private-keys-exposed",
                severity="high" if unenc else "medium",
                title=f"{len(inv.private_keys):,} private key file{'s' if len(inv.private_keys) != 1 else ''} "
                "found among the inputs",
                detail=f"{unenc:,} unencrypted. Key material next to certificates is exposed to anyone who can read "
                "the share.",
                count=len(inv.private_keys),
                examples=tuple(clean_text(k.path.rsplit("/", 1)[-1]) for k in inv.private_keys[:3]),
                action="Move private keys into a secrets manager or HSM and rotate the exposed ones.",
            )
        )
    return tuple(sorted(out, key=lambda x: (-SEVERITY_RANK[x.severity], -x.count, x.code)))


def _ladder(m: MaturitySection | None) -> tuple[LadderStep, ...]:
    if m is None:
        return ()
    steps = []
    for lvl, name in LEVEL_NAMES.items():
        rows = [c for c in m.criteria if c.level == lvl]
        met = sum(1 for c in rows if c.met)
        if lvl <= m.level:
            status = "achieved"
        elif lvl == m.level + 1:
            status = "blocking"
        else:
            status = "ahead"
        steps.append(LadderStep(level=lvl, name=name, met=met, total=len(rows), status=status))
    return tuple(steps)


METHOD_NOTES = (
    "Every number is computed from the inventory read for this report; nothing is sampled.",
    "Expired / expiring: notAfter against the report date; the timeline counts certificates by the week they "
    "expire in, split by whether an automated renewal method (ACME, cert-manager, cloud, EST, SCEP, Vault) "
    "was recorded.",
    "Validity caps: the CA/Browser Forum schedule of ballot SC-081 (BR §6.3.2): 200 days from 2026-03-15, "
    "100 days from 2027-03-15, 47 days from 2029-03-15; applied to public end-entity certificates.",
    "Deprecated cryptography: SHA-1/MD5 signatures (SHA-1 ended 2026-09-15, ballot SC-097), RSA below 2048 "
    "bits, DSA, elliptic curves below 256 bits.",
    "Quantum-vulnerable: RSA, ECDSA, EdDSA and DSA keys (NIST IR 8547 ipd). Mosca exposure: secrecy_years + "
    "migration_years > quantum_threat_years (profile.yaml, defaults 5 and 15 years).",
    "Handshake size: about two public keys and five signatures per TLS handshake, against the ≈ 14.6 KB an "
    "initial congestion window of ten segments carries (RFC 6928).",
    "Attested answers (profile.yaml) are reported as attested, never as measured; a missing answer counts as "
    "not met.",
    "Strings taken from certificates and input files are shown as text only; control and direction-override "
    "characters are replaced by U+FFFD and long values are shortened.",
)


def _neutralized(value: Any) -> Any:
    """A copy of an adapter value with every string passed through clean_text (adapters carry certificate
    names, owners and CA names in their details; they get the same treatment as the inventory's strings)."""
    if isinstance(value, str):
        return clean_text(value, TEXT_CHARS)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _neutralized(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    if isinstance(value, dict):
        return {_neutralized(k): _neutralized(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return tuple(_neutralized(v) for v in value)
    return value


def build_view(
    inv: Inventory,
    *,
    now: datetime,
    generated_at: datetime,
    assessment: MaturitySection | None = None,
    graph_summary: DependencySection | None = None,
    drills: tuple[DrillSection, ...] | list[DrillSection] = (),
) -> ReportView:
    """Aggregate the inventory (and whatever other stages produced) into the report's view model."""
    assessment = _neutralized(assessment)
    graph_summary = _neutralized(graph_summary)
    drills = tuple(_neutralized(d) for d in drills)
    f = inv.certificate_facts()
    section = _inventory_section(inv, f, now)
    pqc = _pqc_section(inv, f, now)
    findings = _findings(inv, f, now, section)
    org = clean_text(inv.profile.organization or "", LABEL_CHARS)
    actions: list[Action] = []
    if assessment is not None:
        actions += [
            Action(
                title=r.action,
                detail=r.title,
                source="assessment",
            )
            for r in assessment.roadmap
        ]
    actions += [Action(title=x.action, detail=x.title, source="inventory") for x in findings]
    summary = Summary(
        organization=org,
        level=assessment.level if assessment else None,
        level_name=LEVEL_NAMES.get(assessment.level, "") if assessment else "not assessed",
        score=assessment.score if assessment else None,
        floor=assessment.floor if assessment else "",
        certificates=section.certificates,
        expired=section.expired,
        expiring_30=section.expiring_30,
        automated_share=section.automated_share,
        owner_share=section.owner_share,
        quantum_vulnerable_share=pqc.vulnerable_share,
        risks=findings[:3],
        actions=tuple(actions[:5]),
    )
    if assessment is not None and assessment.roadmap:
        roadmap, roadmap_source = assessment.roadmap, "assessment"
    else:
        roadmap = tuple(
            RoadmapRow(title=x.title, action=x.action, concerned=", ".join(x.examples), criterion_id=x.code)
            for x in findings
        )
        roadmap_source = "inventory"
    by_ingester: dict[str, int] = {}
    for s in inv.sources:
        by_ingester[s.ingester] = by_ingester.get(s.ingester, 0) + s.records
    total_records = sum(by_ingester.values())
    sources = tuple(
        Count(label=clean_text(k), count=v, share=_share(v, total_records))
        for k, v in sorted(by_ingester.items())
    )
    return ReportView(
        schema=SCHEMA,
        generated_at=generated_at,
        as_of=now,
        organization=org,
        summary=summary,
        inventory=section,
        pqc=pqc,
        findings=findings,
        maturity=assessment,
        ladder=_ladder(assessment),
        dependency=graph_summary,
        drills=tuple(drills),
        roadmap=tuple(roadmap),
        roadmap_source=roadmap_source,
        method_notes=METHOD_NOTES,
        sources=sources,
    )


__all__ = [
    "Action",
    "BurnPoint",
    "CaRow",
    "CriterionRow",
    "DependencySection",
    "DrillSection",
    "MaturitySection",
    "PlanRow",
    "ReportView",
    "RoadmapRow",
    "build_view",
    "clean_text",
]
