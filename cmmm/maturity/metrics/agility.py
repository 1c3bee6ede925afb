"""Crypto-agility: deprecated cryptography, a complete cryptographic inventory, post-quantum pilots and
hybrid key exchange."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cmmm import mosca
from cmmm.crypto import DEPRECATED_HASHES, MIN_EC_BITS, MIN_RSA_BITS, PQC_HYBRID_GROUPS
from cmmm.graph.fallback import domain_fallbacks
from cmmm.graph.hierarchy import membership
from cmmm.maturity.measures import MetricContext
from cmmm.maturity.metrics._common import (
    Judged,
    Measurement,
    judged_count,
    judged_share,
    plain_share,
    verified,
)
from cmmm.model import Discovery, Profile, isin

DEPRECATED_TEXT = (
    f"{'/'.join(sorted(h.upper() for h in DEPRECATED_HASHES))} signatures, RSA < {MIN_RSA_BITS}, "
    f"ECDSA < {MIN_EC_BITS} or DSA"
)


def _deprecated(ctx: MetricContext, params: Mapping[str, Any]) -> Judged:
    """Unexpired certificates (CAs included): bad when the data shows deprecated cryptography (whatever its
    quality), good only when the key and signature are known (from the certificate, if the rule says so)."""
    return Judged(
        population=ctx.unexpired,
        good=ctx.known(ctx.crypto_known, verified=verified(params)) & ~ctx.deprecated_crypto,
        bad=ctx.deprecated_crypto,
        what=f"unexpired certificates with {DEPRECATED_TEXT}",
        field="key algorithm, key size and signature hash"
        + (" read from the certificate" if verified(params) else ""),
        of="unexpired certificates",
    )


def agi_deprecated_limited(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired certificates (CAs included) with deprecated cryptography."""
    return judged_share(ctx, _deprecated(ctx, params), of_bad=True)


def agi_no_deprecated_crypto(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired certificates (CAs included) with deprecated cryptography."""
    return judged_count(ctx, _deprecated(ctx, params))


def agi_algorithms_known(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates whose key algorithm is known (read from the certificate when verified)."""
    ok = ctx.known(~ctx.key_unknown, verified=verified(params))
    what = (
        "certificates whose key algorithm was read from the certificate"
        if verified(params)
        else "certificates with a known key algorithm"
    )
    return plain_share(ctx, ok, ctx.everything, what)


def agi_algorithms_complete(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates whose key algorithm is known."""
    return agi_algorithms_known(ctx, params)


def _pqc_algorithm(ctx: MetricContext) -> pd.Series:
    alg = ctx.facts["key_algorithm"].fillna("").astype(str).str.lower()
    return (alg.str.startswith(("ml-dsa", "slh-dsa")) | alg.str.contains("composite|\\+", regex=True)).astype(
        bool
    )


def _hybrid_endpoints(ctx: MetricContext) -> pd.DataFrame:
    """Scanned endpoints (observations of live handshakes) with whether they offered a hybrid ML-KEM group;
    kex None where the scanner did not report the groups."""
    obs = ctx.observations
    scanned = (
        obs["discovered_by"].fillna("").astype(str).str.contains(Discovery.NETWORK_SCAN.value, regex=False)
    )
    o = obs.loc[
        scanned.to_numpy(dtype=bool) & obs["location"].notna().to_numpy(dtype=bool),
        ["cert_id", "location", "kex_groups"],
    ]
    groups = "|".join(g.lower() for g in PQC_HYBRID_GROUPS)
    kex = o["kex_groups"].astype("string").str.lower()
    o = o.assign(
        known=kex.notna().to_numpy(dtype=bool),
        hybrid=kex.str.contains(groups, regex=True).fillna(False).to_numpy(dtype=bool),
    )
    return o.groupby("location", sort=False).agg(
        cert_id=("cert_id", "first"), known=("known", "any"), hybrid=("hybrid", "any")
    )


def agi_pqc_pilot(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Post-quantum assets the data proves: ML-DSA/SLH-DSA/composite certificates read from a certificate
    body, plus scanned endpoints offering hybrid ML-KEM. Rows that only declare a PQC algorithm do not count."""
    pqc = _pqc_algorithm(ctx)
    proven = pqc & ctx.verified
    declared = int((pqc & ~ctx.verified).sum())
    endpoints = _hybrid_endpoints(ctx)
    n_ep = int(endpoints["hybrid"].sum())
    algs = ", ".join(sorted(ctx.facts.loc[proven.to_numpy(dtype=bool), "key_algorithm"].dropna().unique()))
    text = (
        f"{int(proven.sum()):,} PQC certificates read from certificate bodies{f' ({algs})' if algs else ''}; "
        f"{n_ep:,} scanned endpoints offering hybrid ML-KEM key exchange"
    )
    if declared:
        text += f"; {declared:,} rows only declare a PQC algorithm (not counted)"
    return Measurement(value=float(int(proven.sum()) + n_ep), evidence=text)


def agi_hybrid_kem(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of scanned public endpoints offering hybrid ML-KEM key exchange (RFC 10024 groups)."""
    endpoints = _hybrid_endpoints(ctx)
    trust = ctx.facts.set_index("cert_id")["trust"]
    endpoints = endpoints.assign(trust=endpoints["cert_id"].map(trust))
    public = endpoints["trust"].eq("public").fillna(False).astype(bool)
    maybe = public | endpoints["trust"].isna()
    if endpoints.empty or not maybe.any():
        if not ctx.public.any() and ctx.trust_known.all() and len(ctx.facts):
            why = "no public certificates, so no public endpoints"
            return Measurement(value=None, evidence=why, not_applicable=why)
        return Measurement(
            value=None,
            evidence="no evidence: no scanned public endpoint (scan the public endpoints with key-exchange "
            "groups reported: cmmm scan, sslyze, testssl.sh)",
        )
    known = endpoints["known"].astype(bool)
    hybrid = endpoints["hybrid"].astype(bool)
    m = judged_share(
        None,
        Judged(
            population=maybe,
            good=public & hybrid,
            bad=public & known & ~hybrid,
            what="scanned public endpoints offering hybrid ML-KEM",
            field="trust and key-exchange groups",
            of="scanned endpoints that are or may be public",
        ),
    )
    return Measurement(value=m.value, evidence=m.evidence, coverage=m.coverage, worst=m.worst, best=m.best)


def _quantum_vulnerable(ctx: MetricContext) -> pd.Series:
    return ctx.quantum_vulnerable & ctx.unexpired


def mosca_context(ctx: MetricContext, profile: Profile) -> str:
    """Quantum-vulnerable certificates, how many have secrecy_years, and how many Mosca says are exposed."""
    qv = _quantum_vulnerable(ctx)
    secrecy = ctx.facts["secrecy_years"].astype("float64")
    known = qv & secrecy.notna()
    text = f"{int(qv.sum()):,} unexpired quantum-vulnerable certificates, secrecy_years known for {int(known.sum()):,}"
    h = mosca.horizon(profile)
    if h.quantum_threat_years is not None:
        # Mosca's inequality (DOMAIN §4), shared with the PQC drill: secrecy + migration > threat
        exposed = known & mosca.exposed(secrecy, h)
        assumed = " (assumed: not in profile.yaml)" if h.migration_assumed else ""
        text += (
            f"; {int(exposed.sum()):,} exposed (secrecy + {h.migration_years:g} migration years{assumed} > "
            f"{h.quantum_threat_years:g} years)"
        )
    else:
        text += "; quantum_threat_years not in profile.yaml: exposure unknown"
    return text


def pqc_plan_context(ctx: MetricContext, profile: Profile) -> str:
    """The size of the migration: quantum-vulnerable certificates by key family."""
    qv = _quantum_vulnerable(ctx)
    fam = ctx.facts.loc[qv.to_numpy(dtype=bool), "key_algorithm"].fillna("unknown").value_counts()
    mix = ", ".join(f"{k} {v:,}" for k, v in fam.head(4).items())
    unknown = int((ctx.key_unknown & ctx.unexpired).sum())
    return (
        f"{int(qv.sum()):,} unexpired quantum-vulnerable certificates to migrate"
        + (f" ({mix})" if mix else "")
        + (f"; key algorithm unknown for {unknown:,} more" if unknown else "")
    )


def agi_ca_fallback(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Per trust domain (public, private), the CAs beneath which lie at least half of the domain's unexpired
    end-entity certificates that have no tested fallback CA fitting the domain (an approved or backup CA of
    a type that issues the domain's certificates, not beneath the CA it replaces, tested within a year or
    seen issuing in the domain)."""
    inv = ctx.inventory
    f = ctx.facts
    issuer = (
        (f["issuer_name"].notna() | f["issuer_org"].notna() | f["issuer_dn"].notna())
        .fillna(False)
        .astype(bool)
    )
    leaf = ctx.active_leaf
    cov = ctx.coverage(
        ctx.trust_known & issuer, leaf, "trust and issuer", "unexpired end-entity certificates"
    )
    if inv is None or cov.of == 0:
        return Measurement(value=None, evidence="no unexpired end-entity certificates")
    if (cov.share or 0.0) < float(params.get("min_known", 0.9)):
        return Measurement(value=None, evidence=f"no evidence: {cov.text}", coverage=cov)
    mask = isin(inv.certificates["cert_id"], f.loc[leaf.to_numpy(dtype=bool), "cert_id"])
    table = domain_fallbacks(inv, ctx.profile, unexpired_leaf=mask, today=ctx.now.date())
    if table.empty:
        return Measurement(
            value=0.0, evidence="no CA holds half of a trust domain's certificates", coverage=cov
        )
    missing = table[table["fallback"].isna()]
    parts = [
        f"{r.domain}: {r.name or r.ca_id} holds {100 * r.share:.0f} % — {r.reason}"
        for r in table.itertuples()
    ]
    beneath = membership(inv)
    pos = beneath.loc[beneath["ca_id"].isin(missing["ca_id"]), "pos"].unique()
    under = inv.certificates["cert_id"].iloc[pos]
    failing = isin(f["cert_id"], under) & leaf.to_numpy(dtype=bool)
    return Measurement(
        value=float(len(missing)),
        evidence=f"{len(missing)} of {len(table)} single points of failure without a tested fallback; "
        + "; ".join(parts),
        failing=failing,
        coverage=cov,
    )
