"""Ownership & process: someone responsible, named owners, no surprise expiry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from cmmm.maturity.measures import MetricContext
from cmmm.maturity.metrics._common import Judged, Measurement, judged_count, plain_share


def own_responsible_recorded(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of end-entity certificates with an owner or a team."""
    return plain_share(ctx, ctx.owner_known, ctx.leaf, "end-entity certificates with an owner or team")


def own_owner_coverage(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of end-entity certificates with a named owner."""
    owner = ctx.facts["owner"].notna().fillna(False).astype(bool)
    return plain_share(ctx, owner, ctx.leaf, "end-entity certificates with an owner")


def own_no_surprise_expiry(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired end-entity certificates expiring within `window_days` without automated renewal (a
    certificate whose renewal method is unknown is not shown to be automated)."""
    days = int(params.get("window_days", 14))
    # measured at the inventory's date: looking ahead, renewals are assumed to go on as they do today
    soon = (ctx.facts["not_after"] < ctx.observed_at + timedelta(days=days)).fillna(False).astype(bool)
    leaf = ctx.leaf & ~ctx.expired
    bad = leaf & soon & ~ctx.automated
    return judged_count(
        ctx,
        Judged(
            population=leaf,
            good=ctx.expiry_known & ~bad,
            bad=bad,
            what=f"certificates expire within {days} days without automated renewal",
            field="expiry",
            of="end-entity certificates",
        ),
    )
