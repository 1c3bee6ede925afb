"""Automation: the share renewed automatically, public certificates first, and whether automation works."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pandas as pd

from cmmm.maturity.measures import MetricContext
from cmmm.maturity.metrics._common import Judged, Measurement, judged_share
from cmmm.model import isin

# How far back an expired automated certificate still counts against automation (auto.effective).
EFFECTIVENESS_LOOKBACK_DAYS = 365


def _mix(ctx: MetricContext, population: pd.Series) -> str:
    by_method = ctx.facts.loc[population.to_numpy(dtype=bool), "automation"].fillna("unknown").value_counts()
    return ", ".join(f"{k} {v:,}" for k, v in by_method.head(6).items())


def _automated(
    ctx: MetricContext, population: pd.Series, of: str, *, empty: str | None = None
) -> Measurement:
    known_manual = ctx.automation_known & ~ctx.automated
    m = judged_share(
        ctx,
        Judged(
            population=population,
            good=ctx.automated,
            bad=known_manual,
            what=f"{of} renewed automatically",
            field="renewal method",
            of=of,
            empty=empty,
        ),
    )
    if m.value is None:
        return m
    return Measurement(
        value=m.value,
        evidence=f"{m.evidence}; by method: {_mix(ctx, population)}",
        failing=m.failing,
        coverage=m.coverage,
        worst=m.worst,
        best=m.best,
    )


def auto_renewal_started(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired end-entity certificates with automated renewal (renewal method known)."""
    return _automated(ctx, ctx.active_leaf, "unexpired end-entity certificates")


def auto_renewal_majority(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired end-entity certificates with automated renewal."""
    return auto_renewal_started(ctx, params)


def auto_renewal_most(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired end-entity certificates with automated renewal."""
    return auto_renewal_started(ctx, params)


def auto_complete(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired end-entity certificates with automated renewal."""
    return auto_renewal_started(ctx, params)


def auto_public_all(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired public end-entity certificates with automated renewal; certificates of unknown
    trust may be public and count as unknown."""
    population = ctx.active_leaf & (ctx.public | ~ctx.trust_known)
    known_manual = ctx.automation_known & ~ctx.automated & ctx.public
    return judged_share(
        ctx,
        Judged(
            population=population,
            good=ctx.automated & ctx.public,
            bad=known_manual,
            what="unexpired public certificates renewed automatically",
            field="trust and renewal method",
            of="unexpired end-entity certificates that are or may be public",
            empty="no unexpired public end-entity certificates",
        ),
    )


def auto_effective(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of automatically renewed certificates that expired anyway within the look-back: expired and
    still deployed, or expired with no unexpired certificate for the same name."""
    lookback = ctx.observed_at - timedelta(days=int(params.get("lookback_days", EFFECTIVENESS_LOOKBACK_DAYS)))
    f = ctx.facts
    recent = (f["not_after"] >= lookback).fillna(False).astype(bool) | ~ctx.expiry_known
    population = ctx.leaf & ctx.automated & recent
    name = f["common_name"].fillna("").astype(str).str.lower()
    renewed_names = name[ctx.unexpired & ctx.expiry_known & name.ne("")].drop_duplicates()
    has_successor = pd.Series(isin(name, renewed_names), index=name.index) & name.ne("")
    bad = population & ctx.expired & (ctx.deployed | ~has_successor)
    return judged_share(
        ctx,
        Judged(
            population=population,
            good=ctx.expiry_known & ~bad,
            bad=bad,
            what="automatically renewed certificates that expired anyway (still deployed, or never renewed)",
            field="expiry",
            of="automatically renewed end-entity certificates",
            empty="no automatically renewed certificates",
        ),
        of_bad=True,
    )
