"""Inventory & visibility: expiry known, expired certificates still deployed, both sides inventoried,
issuers known."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cmmm.maturity.measures import Coverage, MetricContext
from cmmm.maturity.metrics._common import (
    Judged,
    Measurement,
    judged_count,
    judged_share,
    pct,
    plain_share,
    verified,
)

NOT_DEPLOYED_EVIDENCE = (
    "no evidence: no certificate was seen at a host or endpoint, so which expired ones are still deployed is "
    "unknown (scan the endpoints or import a scanner's results)"
)


def inv_expiry_known(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates whose notAfter is known."""
    return plain_share(ctx, ctx.expiry_known, ctx.everything, "certificates with a known expiry")


def inv_expired_deployed(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates that are expired yet still seen at a host or endpoint; with `scope: high`, the
    number of them on high or critical services. Unknown without any deployment evidence."""
    if not ctx.deployed.any():
        return Measurement(value=None, evidence=NOT_DEPLOYED_EVIDENCE)
    served = ctx.expired & ctx.deployed
    if params.get("scope") == "high":
        crit_known = ctx.facts["criticality"].notna().fillna(False).astype(bool)
        bad = served & ctx.high_criticality
        good = ctx.deployed & ctx.expiry_known & ~bad & (~ctx.expired | crit_known)
        return judged_count(
            ctx,
            Judged(
                population=ctx.deployed,
                good=good,
                bad=bad,
                what="expired certificates still deployed on high or critical services",
                field="expiry and, for expired ones, service criticality",
                of="deployed certificates",
            ),
        )
    return judged_share(
        ctx,
        Judged(
            population=ctx.everything,
            good=ctx.expiry_known & ~served,
            bad=served,
            what="certificates expired but still deployed",
            field="expiry",
            of="certificates",
        ),
        of_bad=True,
    )


def inv_internal_and_public(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """The smaller of the public and private shares of the certificates whose trust is known."""
    n = len(ctx.facts)
    if n == 0:
        return Measurement(value=None, evidence="no certificates")
    pub = int(ctx.public.sum())
    priv = int((ctx.facts["trust"] == "private").fillna(False).sum())
    known = int(ctx.trust_known.sum())
    cov = Coverage(field="trust (public or private)", known=known, of=n, population="certificates")
    if known == 0:
        return Measurement(value=None, evidence=f"no evidence: {cov.text}", coverage=cov, worst=0.0, best=0.5)
    unknown = n - known
    best = min((pub + priv + unknown) / 2, pub + unknown, priv + unknown) / n
    text = f"{pub:,} public ({pct(pub / known)}) and {priv:,} private ({pct(priv / known)}) of {known:,} certificates"
    if unknown:
        text += f"; {cov.text}"
    return Measurement(
        value=min(pub, priv) / known, evidence=text, coverage=cov, worst=min(pub, priv) / n, best=best
    )


def inv_issuer_known(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates whose issuer is known (read from the certificate when the rule says verified)."""
    f = ctx.facts
    ok = (
        (f["issuer_name"].notna() | f["issuer_org"].notna() | f["issuer_dn"].notna())
        .fillna(False)
        .astype(bool)
    )
    if verified(params):
        return plain_share(
            ctx,
            ctx.known(ok, verified=True),
            ctx.everything,
            "certificates whose issuer was read from the certificate",
        )
    return plain_share(ctx, ok, ctx.everything, "certificates with a known issuer")
