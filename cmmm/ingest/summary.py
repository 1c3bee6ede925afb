"""What an inventory holds, counted once: the summary `cmmm ingest` prints and the report's inventory facts.

Only descriptions live here (how many of what, from where, expiring when). Judgements — which of these
are risks, which criteria they meet — are the analysis's (cmmm.maturity), from the same facts.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from cmmm.ingest.ctlog import shadow_certificates
from cmmm.model import AUTOMATED, Inventory
from cmmm.schedules import PUBLIC_TLS_VALIDITY_CAPS, VALIDITY_BIN_EDGES_DAYS, validity_cap_on

TOP = 10
WEEKS = 52
REJECTED_ROWS = 20


@dataclass(frozen=True, slots=True)
class Count:
    """A label and how many; `of` is the total the share is taken of."""

    label: str
    count: int
    of: int

    @property
    def share(self) -> float | None:
        return self.count / self.of if self.of else None


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekBucket:
    start: date
    automated: int
    manual: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidityBin:
    label: str
    low_days: float
    high_days: float | None  # None: the last bin has no upper bound (strict JSON has no Infinity)
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CapRow:
    """A public TLS validity cap (SC-081) and the public end-entity certificates valid longer than it."""

    effective: date
    max_days: int
    over_cap: int
    of: int
    in_force: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectedRow:
    source: str
    locator: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InventorySummary:
    certificates: int
    end_entity: int
    cas: int
    observations: int
    files: int
    services: int
    public: int
    private: int
    by_ingester: dict[str, int]
    by_discovery: dict[str, int]
    top_issuers: list[tuple[str, int]]
    key_algorithms: dict[str, int]
    expired: int
    expiring_30: int
    expiring_90: int
    quantum_vulnerable: int
    rejected: int
    rejected_reasons: list[tuple[str, int]]
    rejected_rows: tuple[RejectedRow, ...]
    private_keys: int
    notes: list[str]
    shadow_it: int  # CT-log-only certificates for the organization's domains (cmmm.ingest.ctlog)
    # distributions the report draws
    expiry_weeks: tuple[WeekBucket, ...]  # 52 weeks from `now`, by automated / manual renewal
    issuers: tuple[Count, ...]  # end-entity certificates per issuing CA, of all end-entity certificates
    distinct_issuers: int
    key_labels: tuple[Count, ...]  # e.g. RSA-2048, EC-256, Ed25519, of all certificates
    signature_algorithms: tuple[Count, ...]
    validity_bins: tuple[ValidityBin, ...]  # end-entity lifetimes
    caps: tuple[CapRow, ...]  # the cap in force and the coming ones
    over_cap_at_issuance: int  # public end-entity certificates over the cap in force when they were issued
    automation: tuple[Count, ...]  # every certificate by renewal method ("unknown" when not recorded)
    discovery: tuple[Count, ...]  # certificates per discovery method (a certificate counts for each)
    seen_by_multiple: int
    sources: tuple[Count, ...]  # records per ingester
    # revocation: certificates an ingested CRL or the CA's export marks revoked, of those whose status is known
    revoked: int = 0
    revocation_known: int = 0


def _ranked(vc: pd.Series, total: int, top: int | None = TOP) -> tuple[Count, ...]:
    """label → count as Count rows, largest first, ties by label; beyond `top`, one "N others" row."""
    vc = vc.groupby(level=0, sort=False).sum()
    frame = pd.DataFrame({"label": vc.index.astype(str), "n": vc.to_numpy()}).sort_values(
        ["n", "label"], ascending=[False, True], kind="stable"
    )
    rows = frame.head(top) if top else frame
    out = [Count(str(label), int(k), total) for label, k in zip(rows["label"], rows["n"], strict=True)]
    if top and len(frame) > top:
        out.append(Count(f"{len(frame) - top} others", int(frame["n"].iloc[top:].sum()), total))
    return tuple(out)


def _counts(series: pd.Series, total: int, top: int | None = TOP) -> tuple[Count, ...]:
    """Value counts of `series` (missing values as "unknown"), largest first."""
    vc = series.astype("string").fillna("unknown").replace("", "unknown").value_counts()
    return _ranked(vc, total, top)


def _expiry_weeks(f: pd.DataFrame, automated: np.ndarray, now: datetime) -> tuple[WeekBucket, ...]:
    days_left = (f["not_after"] - pd.Timestamp(now)).dt.total_seconds().to_numpy() / 86400.0
    week = np.floor(days_left / 7.0)
    ok = (week >= 0) & (week < WEEKS)
    auto_w = np.bincount(week[ok & automated].astype(int), minlength=WEEKS)
    man_w = np.bincount(week[ok & ~automated].astype(int), minlength=WEEKS)
    start = now.date()
    return tuple(
        WeekBucket(start=start + timedelta(days=7 * i), automated=int(auto_w[i]), manual=int(man_w[i]))
        for i in range(WEEKS)
    )


def _validity_bins(days: pd.Series) -> tuple[ValidityBin, ...]:
    edges = [float(e) for e in VALIDITY_BIN_EDGES_DAYS] + [float("inf")]
    labels = [
        f"≤ {edges[1]:g} d",
        *(f"{lo + 1:g}–{hi:g} d" for lo, hi in itertools.pairwise(edges[1:-1])),
        f"> {edges[-2]:g} d",
    ]
    hist = pd.cut(days, bins=edges, labels=labels, right=True, include_lowest=True).value_counts()
    return tuple(
        ValidityBin(
            label=lab,
            low_days=edges[i],
            high_days=edges[i + 1] if i + 2 < len(edges) else None,
            count=int(hist.get(lab, 0)),
        )
        for i, lab in enumerate(labels)
    )


def _caps(public_leaf: pd.DataFrame, now: datetime) -> tuple[tuple[CapRow, ...], int]:
    days = public_leaf["validity_days"].astype("float64")
    today = now.date()
    current = validity_cap_on(today)
    rows = tuple(
        CapRow(
            effective=c.effective,
            max_days=c.max_days,
            over_cap=int((days > c.max_days).sum()),
            of=len(public_leaf),
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
    known = ~np.isnat(nb) & ~np.isnan(days.to_numpy())  # no issuance date or validity: cannot judge
    return rows, int((known & (days.to_numpy() > maxd[idx])).sum())


def _discovery(f: pd.DataFrame, total: int) -> tuple[tuple[Count, ...], int]:
    disc = f["discovered_by"].dropna()
    combos = disc.value_counts()  # few distinct combinations exist: split those, not every row
    pairs = pd.Series(combos.index.str.split(";").to_numpy(), dtype=object).explode()
    per_method = (
        pd.Series(combos.to_numpy()[pairs.index.to_numpy()], index=pairs.to_numpy().astype(str))
        .groupby(level=0)
        .sum()
    )
    ranked = _ranked(per_method, total, top=None) if len(per_method) else ()
    return ranked, int(disc.str.contains(";", regex=False).sum())


def summarize(inv: Inventory, *, now: datetime, top: int = TOP) -> InventorySummary:
    """Count what `inv` holds at `now`."""
    f = inv.certificate_facts()
    n = len(f)
    is_ca = f["is_ca"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    leaf = f[~is_ca]
    by_ingester: Counter[str] = Counter()
    for s in inv.sources:
        by_ingester[s.ingester] += s.records
    automated = f["automation"].isin([a.value for a in AUTOMATED]).to_numpy(dtype=bool)
    key_label = f["key_algorithm"].fillna("unknown") + f["key_size"].astype("string").radd("-").fillna("")
    key_label = key_label.where(~f["key_algorithm"].isin(["Ed25519", "Ed448"]), f["key_algorithm"])
    issuer = leaf["issuer_name"].fillna(leaf["issuer_org"])
    trust = f["trust"].fillna("")
    public_leaf = leaf[leaf["trust"].fillna("") == "public"]
    caps, over_at_issuance = _caps(public_leaf, now)
    discovery, multiple = _discovery(f, n)
    reasons = Counter(r.reason.split(":")[0] for r in inv.rejected)
    na = f["not_after"]
    ts = pd.Timestamp(now)
    issuers = _counts(issuer, len(leaf), top)
    return InventorySummary(
        certificates=n,
        end_entity=len(leaf),
        cas=int(is_ca.sum()),
        observations=len(inv.observations),
        files=len(inv.sources),
        services=len(inv.services),
        public=int((trust == "public").sum()),
        private=int((trust == "private").sum()),
        by_ingester=dict(sorted(by_ingester.items())),
        by_discovery={c.label: c.count for c in discovery},
        top_issuers=[(c.label, c.count) for c in issuers],
        key_algorithms={c.label: c.count for c in _counts(key_label, n, top=None)},
        expired=int((na < ts).sum()),
        expiring_30=int(((na >= ts) & (na < ts + timedelta(days=30))).sum()),
        expiring_90=int(((na >= ts) & (na < ts + timedelta(days=90))).sum()),
        quantum_vulnerable=int(f["quantum_vulnerable"].fillna(False).sum()),
        revoked=int(inv.certificates["revoked"].fillna(False).astype(bool).sum()),
        revocation_known=int(inv.certificates["revoked"].notna().sum()),
        rejected=len(inv.rejected),
        rejected_reasons=reasons.most_common(top),
        rejected_rows=tuple(
            RejectedRow(source=r.source, locator=r.locator, reason=r.reason)
            for r in inv.rejected[:REJECTED_ROWS]
        ),
        private_keys=len(inv.private_keys),
        notes=list(inv.notes),
        shadow_it=len(shadow_certificates(inv)) if any(c.label == "ct-log" for c in discovery) else 0,
        expiry_weeks=_expiry_weeks(f, automated, now),
        issuers=issuers,
        distinct_issuers=int(issuer.nunique()),
        key_labels=_counts(key_label, n, top),
        signature_algorithms=_counts(f["signature_algorithm"], n, top),
        validity_bins=_validity_bins(leaf["validity_days"].astype("float64")),
        caps=caps,
        over_cap_at_issuance=over_at_issuance,
        automation=_counts(f["automation"], n, top=None),
        discovery=discovery,
        seen_by_multiple=multiple,
        sources=tuple(Count(k, v, sum(by_ingester.values())) for k, v in sorted(by_ingester.items())),
    )
