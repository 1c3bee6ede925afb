"""Measured criteria: one vectorized function per criterion id, over the per-certificate facts.

Each function returns a Measurement: the value compared with the criterion's threshold, a sentence of
evidence with the numbers, and the certificates that fail it (a boolean mask aligned with the facts; the
caller keeps the top N for display). Thresholds and parameters come from criteria.yaml.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from cmmm import mosca
from cmmm.crypto import DEPRECATED_HASHES, MIN_EC_BITS, MIN_RSA_BITS, PQC_HYBRID_GROUPS
from cmmm.maturity.measures import MetricContext
from cmmm.model import AUTOMATED_DISCOVERY, Profile
from cmmm.policy import Severity
from cmmm.schedules import next_validity_cap, validity_cap_on


@dataclass(frozen=True, slots=True, kw_only=True)
class Measurement:
    """A measured criterion: value, evidence sentence, and which certificates fail it."""

    value: float | None
    evidence: str
    failing: np.ndarray | None = None  # bool mask over MetricContext.facts rows, True = fails
    # an extra requirement the metric checks beyond the threshold (explained in the evidence)
    condition: bool = True
    # value is None because there is nothing to measure, and that counts as met
    vacuous: bool = False


DEPRECATED_TEXT = (
    f"{'/'.join(sorted(h.upper() for h in DEPRECATED_HASHES))} signatures, RSA < {MIN_RSA_BITS}, "
    f"ECDSA < {MIN_EC_BITS} or DSA"
)

Metric = Callable[[MetricContext, Mapping[str, Any]], Measurement]


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _share(
    ctx: MetricContext, ok: pd.Series, population: pd.Series, what: str, *, vacuous: bool = False
) -> Measurement:
    n = int(population.sum())
    good = int((ok & population).sum())
    if n == 0:
        return Measurement(value=None, evidence=f"nothing to measure ({what}: none)", vacuous=vacuous)
    value = good / n
    return Measurement(
        value=value,
        evidence=f"{good} of {n} {what} ({_pct(value)})",
        failing=ctx.ids(population & ~ok),
    )


def _all(ctx: MetricContext) -> pd.Series:
    return ctx.everything


def inv_expiry_known(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates whose notAfter is known."""
    m = _share(ctx, ctx.facts["not_after"].notna(), _all(ctx), "certificates with a known expiry")
    return m


def inv_expired_deployed(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates that are expired yet still observed at a host/endpoint."""
    bad = ctx.expired & ctx.deployed
    n = len(ctx.facts)
    if n == 0:
        return Measurement(value=None, evidence="no certificates")
    k = int(bad.sum())
    return Measurement(
        value=k / n,
        evidence=f"{k} of {n} certificates expired but still deployed ({_pct(k / n)}); "
        f"{int(ctx.deployed.sum())} certificates seen at endpoints",
        failing=ctx.ids(bad),
    )


def own_responsible_recorded(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of end-entity certificates with an owner or a team."""
    return _share(ctx, ctx.owner_known, ctx.leaf, "end-entity certificates with an owner or team")


def disc_automated_source(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Number of automated discovery methods that saw at least one certificate."""
    found = ctx.methods_seen & {m.value for m in AUTOMATED_DISCOVERY}
    return Measurement(
        value=float(len(found)),
        evidence=f"automated discovery methods: {', '.join(sorted(found)) or 'none'}; "
        f"{int(ctx.auto_discovered.sum())} of {len(ctx.facts)} certificates seen by them",
        failing=ctx.ids(~ctx.auto_discovered),
    )


def _automated_share(
    ctx: MetricContext, population: pd.Series, what: str, *, vacuous: bool = False
) -> Measurement:
    m = _share(ctx, ctx.automated, population, what, vacuous=vacuous)
    if m.value is None:
        return m
    by_method = ctx.facts.loc[population.to_numpy(dtype=bool), "automation"].fillna("unknown").value_counts()
    mix = ", ".join(f"{k} {v}" for k, v in by_method.head(6).items())
    return Measurement(value=m.value, evidence=f"{m.evidence}; by method: {mix}", failing=m.failing)


def auto_renewal_started(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired end-entity certificates with automated renewal."""
    return _automated_share(ctx, ctx.active_leaf, "unexpired end-entity certificates renewed automatically")


def pol_no_weak_public(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired public end-entity certificates with deprecated hashes, RSA < 2048 or DSA."""
    bad = ctx.active_leaf & ctx.public & ctx.deprecated_crypto
    return _count(ctx, bad, f"unexpired public certificates with {DEPRECATED_TEXT}")


def _count(ctx: MetricContext, bad: pd.Series, what: str) -> Measurement:
    k = int(bad.sum())
    return Measurement(value=float(k), evidence=f"{k} {what}", failing=ctx.ids(bad))


def inv_internal_and_public(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """The smaller of the public and private shares of the inventory."""
    n = len(ctx.facts)
    if n == 0:
        return Measurement(value=None, evidence="no certificates")
    pub = int(ctx.public.sum())
    priv = int((ctx.facts["trust"] == "private").fillna(False).sum())
    value = min(pub, priv) / n
    return Measurement(
        value=value,
        evidence=f"{pub} public ({_pct(pub / n)}) and {priv} private ({_pct(priv / n)}) of {n} certificates",
    )


def inv_issuer_known(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates whose issuer is known."""
    f = ctx.facts
    ok = f["issuer_name"].notna() | f["issuer_org"].notna() | f["issuer_dn"].notna()
    return _share(ctx, ok, _all(ctx), "certificates with a known issuer")


def disc_methods(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Distinct automated discovery methods; `required` and one of `one_of` must be among them."""
    found = ctx.methods_seen & {m.value for m in AUTOMATED_DISCOVERY}
    required = set(params.get("required", ()))
    one_of = set(params.get("one_of", ()))
    missing = sorted(required - found)
    has_one = not one_of or bool(one_of & found)
    text = f"{len(found)} automated methods: {', '.join(sorted(found)) or 'none'}"
    if missing:
        text += f"; missing required {', '.join(missing)}"
    if not has_one:
        text += f"; none of {', '.join(sorted(one_of))}"
    return Measurement(
        value=float(len(found)),
        evidence=text,
        condition=not missing and has_one,
        failing=ctx.ids(~ctx.auto_discovered),
    )


def disc_automated_coverage(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates seen by an automated discovery method."""
    return _share(
        ctx, ctx.auto_discovered, _all(ctx), "certificates seen by automated discovery or an automated client"
    )


def own_owner_coverage(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of end-entity certificates with a named owner."""
    return _share(ctx, ctx.facts["owner"].notna(), ctx.leaf, "end-entity certificates with an owner")


def own_no_surprise_expiry(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired end-entity certificates expiring within `window_days` without automated renewal."""
    days = int(params.get("window_days", 14))
    # measured at the inventory's date: looking ahead, renewals are assumed to go on as they do today
    soon = (ctx.facts["not_after"] < ctx.observed_at + timedelta(days=days)).fillna(False).astype(bool)
    bad = ctx.active_leaf & soon & ~ctx.automated
    return _count(ctx, bad, f"certificates expire within {days} days without automated renewal")


def pol_compliance(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates without an error-level policy finding."""
    findings = ctx.policy.findings
    m = _share(ctx, ~ctx.policy_error, _all(ctx), "certificates compliant")
    if m.value is None:
        return m
    top = findings.loc[findings["severity"] == Severity.ERROR.value, "code"].value_counts().head(4)
    codes = ", ".join(f"{k} {v}" for k, v in top.items())
    # Warnings (owner missing, issuer unknown) do not make a certificate non-compliant, but the evidence
    # says so, so that "100 %" never hides a policy rule that is being broken.
    warn = findings.loc[findings["severity"] == Severity.WARNING.value, "code"].value_counts().head(3)
    warnings_text = ", ".join(f"{k} {v}" for k, v in warn.items())
    return Measurement(
        value=m.value,
        evidence=f"{m.evidence} (no error-level finding) with policy '{ctx.policy.policy_name}'"
        + (f"; errors: {codes}" if codes else "")
        + (f"; warnings, not counted: {warnings_text}" if warnings_text else ""),
        failing=m.failing,
    )


def auto_renewal_majority(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired end-entity certificates with automated renewal."""
    return auto_renewal_started(ctx, params)


def agi_deprecated_limited(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired certificates (CAs included) with deprecated cryptography."""
    active = ~ctx.expired
    bad = active & ctx.deprecated_crypto
    n, k = int(active.sum()), int(bad.sum())
    if n == 0:
        return Measurement(value=None, evidence="no unexpired certificates")
    return Measurement(
        value=k / n,
        evidence=f"{k} of {n} unexpired certificates with {DEPRECATED_TEXT} ({_pct(k / n)})",
        failing=ctx.ids(bad),
    )


def auto_renewal_most(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired end-entity certificates with automated renewal."""
    return auto_renewal_started(ctx, params)


def auto_public_all(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired public end-entity certificates with automated renewal."""
    return _automated_share(
        ctx, ctx.active_leaf & ctx.public, "unexpired public certificates renewed automatically", vacuous=True
    )


def disc_automated_complete(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates seen by an automated discovery method."""
    return disc_automated_coverage(ctx, params)


def pol_cap_ready(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired public end-entity certificates automated or within the next CA/B cap."""
    day = ctx.now.date()
    cap = next_validity_cap(day) or validity_cap_on(day)
    population = ctx.active_leaf & ctx.public
    validity = ctx.facts["validity_days"].astype("float64")
    fits = pd.Series(np.ceil(validity.to_numpy() - 1e-9) <= cap.max_days, index=ctx.facts.index)
    ok = ctx.automated | fits
    m = _share(ctx, ok, population, f"public certificates automated or ≤ {cap.max_days} days")
    if m.value is None:
        return Measurement(
            value=None, evidence=f"no unexpired public certificates (next cap {cap.max_days} days)"
        )
    return Measurement(
        value=m.value,
        evidence=f"{m.evidence}; next cap: {cap.max_days} days for certificates issued from {cap.effective}",
        failing=m.failing,
    )


def pol_compliance_enforced(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates without an error-level policy finding."""
    return pol_compliance(ctx, params)


def agi_algorithms_known(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates whose key algorithm is known."""
    ok = ctx.facts["key_algorithm"].notna() & (ctx.facts["key_algorithm"] != "unknown")
    return _share(ctx, ok.fillna(False).astype(bool), _all(ctx), "certificates with a known key algorithm")


def agi_no_deprecated_crypto(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired certificates (CAs included) with deprecated cryptography."""
    bad = ~ctx.expired & ctx.deprecated_crypto
    return _count(ctx, bad, f"unexpired certificates with {DEPRECATED_TEXT}")


def agi_algorithms_complete(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates whose key algorithm is known."""
    return agi_algorithms_known(ctx, params)


def agi_pqc_pilot(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Post-quantum assets: ML-DSA/SLH-DSA/composite certificates plus endpoints offering hybrid ML-KEM."""
    alg = ctx.facts["key_algorithm"].fillna("").astype(str).str.lower()
    pqc = alg.str.startswith(("ml-dsa", "slh-dsa")) | alg.str.contains("composite|\\+", regex=True)
    n_cert = int(pqc.sum())
    groups = "|".join(g.lower() for g in PQC_HYBRID_GROUPS)
    kex = ctx.observations["kex_groups"].fillna("").astype(str).str.lower()
    hybrid = ctx.observations.loc[kex.str.contains(groups, regex=True).to_numpy(dtype=bool), "location"]
    n_ep = int(hybrid.nunique())
    algs = ", ".join(sorted(ctx.facts.loc[pqc.to_numpy(dtype=bool), "key_algorithm"].dropna().unique()))
    return Measurement(
        value=float(n_cert + n_ep),
        evidence=f"{n_cert} PQC certificates{f' ({algs})' if algs else ''}; "
        f"{n_ep} endpoints offering hybrid ML-KEM key exchange",
    )


def auto_complete(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired end-entity certificates with automated renewal."""
    return auto_renewal_started(ctx, params)


Context = Callable[[MetricContext, Profile], str]


def _quantum_vulnerable(ctx: MetricContext) -> pd.Series:
    # the merge derives quantum_vulnerable; inventories built directly as frames may not have it
    return ctx.quantum_vulnerable & ctx.unexpired


def mosca_context(ctx: MetricContext, profile: Profile) -> str:
    """Quantum-vulnerable certificates, how many have secrecy_years, and how many Mosca says are exposed."""
    qv = _quantum_vulnerable(ctx)
    secrecy = ctx.facts["secrecy_years"].astype("float64")
    known = qv & secrecy.notna()
    text = f"{int(qv.sum())} unexpired quantum-vulnerable certificates, secrecy_years known for {int(known.sum())}"
    h = mosca.horizon(profile)
    if h.quantum_threat_years is not None:
        # Mosca's inequality (DOMAIN §4), shared with the PQC drill: secrecy + migration > threat
        exposed = known & mosca.exposed(secrecy, h)
        assumed = " (assumed: not in profile.yaml)" if h.migration_assumed else ""
        text += (
            f"; {int(exposed.sum())} exposed (secrecy + {h.migration_years:g} migration years{assumed} > "
            f"{h.quantum_threat_years:g} years)"
        )
    else:
        text += "; quantum_threat_years not in profile.yaml: exposure unknown"
    return text


def pqc_plan_context(ctx: MetricContext, profile: Profile) -> str:
    """The size of the migration: quantum-vulnerable certificates by key family."""
    qv = _quantum_vulnerable(ctx)
    fam = ctx.facts.loc[qv.to_numpy(dtype=bool), "key_algorithm"].fillna("unknown").value_counts()
    mix = ", ".join(f"{k} {v}" for k, v in fam.head(4).items())
    return f"{int(qv.sum())} unexpired quantum-vulnerable certificates to migrate" + (
        f" ({mix})" if mix else ""
    )


def backup_ca_context(ctx: MetricContext, profile: Profile) -> str:
    """CA concentration: the most-used issuing CA and its share of unexpired end-entity certificates."""
    leaf = ctx.facts.loc[ctx.active_leaf.to_numpy(dtype=bool)]
    issuer = leaf["issuer_name"].fillna(leaf["issuer_org"]).dropna()
    if issuer.empty:
        return "most-used issuing CA unknown"
    top = issuer.value_counts()
    return f"most-used issuing CA: {top.index[0]} with {int(top.iloc[0])} of {len(leaf)} unexpired end-entity certificates ({_pct(int(top.iloc[0]) / len(leaf))})"


# Measured context shown next to an attested answer: the data cannot answer the question, but it can
# show its size. Keys are attested criterion ids (a contract test checks it).
CONTEXT: dict[str, Context] = {
    "agi.mosca-assessed": mosca_context,
    "agi.pqc-plan": pqc_plan_context,
    "agi.backup-ca": backup_ca_context,
}


# The registry: criterion id → implementation. A contract test keeps it equal to the measured criteria
# of criteria.yaml, and requires a docstring on each.
METRICS: dict[str, Metric] = {
    "inv.expiry-known": inv_expiry_known,
    "inv.expired-deployed": inv_expired_deployed,
    "own.responsible-recorded": own_responsible_recorded,
    "disc.automated-source": disc_automated_source,
    "auto.renewal-started": auto_renewal_started,
    "pol.no-weak-public": pol_no_weak_public,
    "inv.internal-and-public": inv_internal_and_public,
    "inv.issuer-known": inv_issuer_known,
    "disc.methods": disc_methods,
    "disc.automated-coverage": disc_automated_coverage,
    "own.owner-coverage": own_owner_coverage,
    "own.no-surprise-expiry": own_no_surprise_expiry,
    "pol.compliance": pol_compliance,
    "auto.renewal-majority": auto_renewal_majority,
    "agi.deprecated-limited": agi_deprecated_limited,
    "auto.renewal-most": auto_renewal_most,
    "auto.public-all": auto_public_all,
    "disc.automated-complete": disc_automated_complete,
    "pol.cap-ready": pol_cap_ready,
    "pol.compliance-enforced": pol_compliance_enforced,
    "agi.algorithms-known": agi_algorithms_known,
    "agi.no-deprecated-crypto": agi_no_deprecated_crypto,
    "agi.algorithms-complete": agi_algorithms_complete,
    "agi.pqc-pilot": agi_pqc_pilot,
    "auto.complete": auto_complete,
}
