"""Discovery: automated methods, their coverage, certificate-transparency monitoring."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cmmm.maturity.measures import MetricContext
from cmmm.maturity.metrics._common import Measurement, plain_share
from cmmm.model import AUTOMATED_DISCOVERY, Discovery

NO_CT_SOURCE = (
    "no evidence: no certificate-transparency source was ingested (a crt.sh export or a CT monitor's "
    "feed), so certificates issued for the organization's domains by anyone else cannot be seen"
)


def disc_automated_source(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Number of automated discovery methods that saw at least one certificate."""
    found = ctx.methods_seen & {m.value for m in AUTOMATED_DISCOVERY}
    return Measurement(
        value=float(len(found)),
        evidence=f"automated discovery methods: {', '.join(sorted(found)) or 'none'}; "
        f"{int(ctx.auto_discovered.sum()):,} of {len(ctx.facts):,} certificates seen by them",
        failing=ctx.ids(~ctx.auto_discovered),
    )


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
    return plain_share(
        ctx,
        ctx.auto_discovered,
        ctx.everything,
        "certificates seen by automated discovery or an automated client",
    )


def disc_ct_monitoring(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """A CT source ingested, and the certificates only CT logs show (shadow certificates: issued for the
    organization's names but unknown to every other source) triaged: an owner or team recorded."""
    if Discovery.CT_LOG.value not in ctx.methods_seen:
        if not ctx.public.any() and ctx.trust_known.all():
            why = "no public certificates: CT logs hold only publicly trusted ones"
            return Measurement(value=None, evidence=why, not_applicable=why)
        return Measurement(value=None, evidence=NO_CT_SOURCE)
    shadow = ctx.unexpired & ctx.methods.eq(Discovery.CT_LOG.value)
    if not shadow.any():
        seen = int(ctx.methods.str.contains(Discovery.CT_LOG.value, regex=False).sum())
        return Measurement(
            value=1.0,
            evidence=f"CT logs show {seen:,} certificates, every unexpired one known to another source",
        )
    return plain_share(
        ctx, ctx.owner_known, shadow, "certificates found only in CT logs with an owner (triaged)"
    )
