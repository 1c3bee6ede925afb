"""CMMM maturity assessment: criteria from criteria.yaml, evidence from the inventory, a level and a roadmap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from cmmm.maturity.catalog import (
    Catalog,
    Criterion,
    Dimension,
    EvidenceKind,
    load_catalog,
)
from cmmm.maturity.judge import Judge, Outcome
from cmmm.maturity.measures import Coverage, Measures, MetricContext, Share, measure
from cmmm.maturity.pqc import PqcReadiness, pqc_readiness
from cmmm.maturity.result import (
    Assessment,
    CriterionResult,
    RoadmapItem,
    SimulatedEvidence,
    Simulator,
    Status,
)
from cmmm.maturity.risks import RiskFinding, RiskSeverity, find_risks, load_risks
from cmmm.maturity.scoring import bounded_score, dimension_scores, floor, progress, score_gain, staged_level
from cmmm.model import CRITICALITY_RANK, LEVEL_NAMES, Inventory, Profile, remap, sorted_positions
from cmmm.policy import check as check_policy

__all__ = [
    "LEVEL_NAMES",
    "Assessment",
    "Catalog",
    "Coverage",
    "Criterion",
    "CriterionResult",
    "Dimension",
    "EvidenceKind",
    "Measures",
    "PqcReadiness",
    "RiskFinding",
    "RiskSeverity",
    "RoadmapItem",
    "Share",
    "SimulatedEvidence",
    "Simulator",
    "Status",
    "assess",
    "load_catalog",
    "load_risks",
]

TOP_N = 10
FAILING_COLUMNS = ["cert_id", "common_name", "owner", "team", "service", "not_after", "trust", "automation"]


_EMPTY_FAILING = pd.DataFrame({c: pd.Series(dtype="object") for c in FAILING_COLUMNS})


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ranked:
    """What every criterion's failing list needs, computed once per assessment: the certificates in
    report order (most critical, then soonest expiring, then id) and each one's team (or owner) code."""

    slim: pd.DataFrame
    order: np.ndarray
    who: np.ndarray
    labels: list[str]


def _ranked(slim: pd.DataFrame) -> _Ranked:
    order = _report_order(slim)
    who = slim["team"].fillna(slim["owner"]).fillna("(no team or owner)")
    codes, labels = pd.factorize(who)
    return _Ranked(slim=slim, order=order, who=np.asarray(codes), labels=[str(x) for x in labels])


def _report_order(slim: pd.DataFrame) -> np.ndarray:
    """Row positions by _rank, then not_after (missing last), then cert_id."""
    return sorted_positions(slim, ["_rank", "not_after", "cert_id"])


def _failing(
    ranked: _Ranked, mask: np.ndarray | None, top: int
) -> tuple[pd.DataFrame, int, tuple[tuple[str, int], ...]]:
    """The top N failing certificates (most critical, then soonest expiring) and the count per team.

    By the precomputed order and codes: sorting and counting strings per criterion cost seconds at 1M.
    Teams are ranked as value_counts ranks them: by count, ties in order of first appearance.
    """
    if mask is None or not mask.any():
        return _EMPTY_FAILING, 0, ()
    codes = ranked.who[mask]
    counts = np.bincount(codes, minlength=len(ranked.labels))
    seen, first_at = _first_seen(codes, len(ranked.labels))
    seen = seen[np.argsort(first_at, kind="stable")]
    best = seen[np.argsort(-counts[seen], kind="stable")][:top]
    teams = tuple((ranked.labels[k], int(counts[k])) for k in best)
    rows = ranked.order[mask[ranked.order]][:top]
    first = ranked.slim.iloc[rows][FAILING_COLUMNS].reset_index(drop=True)
    return first, int(mask.sum()), teams


def _first_seen(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The codes (0..k-1) present, ascending, and the position of each one's first occurrence."""
    first: np.ndarray = np.full(k, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    seen = np.flatnonzero(first < len(codes))
    return seen, first[seen]


def _result(c: Criterion, o: Outcome, ranked: _Ranked, top: int) -> CriterionResult:
    shown = o.status in (Status.NOT_MET, Status.CONTRADICTED, Status.UNKNOWN)
    failing, count, teams = _failing(ranked, o.mask if shown else None, top)
    return CriterionResult(
        criterion=c,
        status=o.status,
        value=o.value,
        threshold=o.threshold,
        evidence=o.evidence,
        failing=failing,
        failing_count=count,
        teams=teams,
        coverage=o.coverage,
    )


def _roadmap_item(r: CriterionResult, gain: float) -> RoadmapItem:
    return RoadmapItem(
        criterion_id=r.id,
        title=r.criterion.title,
        level=r.criterion.level,
        dimension=r.criterion.dimension,
        gain=gain,
        action=r.criterion.action,
        evidence=r.evidence,
        status=r.status,
        certificates=r.failing,
        certificates_count=r.failing_count,
        teams=r.teams,
    )


def assess(
    inv: Inventory,
    *,
    now: datetime,
    profile: Profile | None = None,
    policy: Mapping[str, Any] | None = None,
    simulate: Simulator | None = None,
    observed_at: datetime | None = None,
    catalog: Catalog | None = None,
    top: int = TOP_N,
) -> Assessment:
    """Score the inventory against the CMMM criteria at `now`.

    `profile`/`policy` default to the bundle's profile.yaml/policy.yaml (`inv.profile`, `inv.policy`); an
    empty policy means the built-in baseline. `simulate(criterion_id, inv, now)` evaluates simulated
    criteria (by running the drill named in the criterion's `scenario`); without it, or when it returns
    None, they are "not evaluated" and not met.

    `observed_at` is when the inventory was taken (default `now`). Assessing at a later `now` looks ahead:
    certificates expiring in between are assumed renewed as today, and the dated rules of `now` apply (the
    next CA/B validity cap, the age of the last fire drill).
    """
    catalog = catalog or load_catalog()
    profile = profile if profile is not None else inv.profile
    policy_doc = policy if policy is not None else inv.policy
    facts = inv.certificate_facts()
    policy_result = check_policy(inv, policy_doc, now=now, facts=facts)
    ctx = MetricContext(
        facts,
        inv.observations,
        now=now,
        policy=policy_result,
        observed_at=observed_at,
        private_keys=inv.private_keys,
        sources=inv.sources,
        inventory=inv,
        profile=profile,
    )
    slim = ctx.facts[FAILING_COLUMNS].reset_index(drop=True)
    slim["_rank"] = -remap(ctx.facts["criticality"], CRITICALITY_RANK).astype("float64").fillna(0).to_numpy()
    ranked = _ranked(slim)
    judge = Judge(inv=inv, ctx=ctx, profile=profile, now=now, simulate=simulate)
    results = [_result(c, judge.evaluate(c), ranked, top) for c in catalog.criteria]
    met = {r.id: r.met for r in results}
    level = staged_level(catalog.criteria, met)
    done = progress(catalog.criteria, met, level)
    dims = dimension_scores(catalog, met)
    weakest, weakest_score = floor(dims)
    blockers = [r for r in results if r.criterion.level == level + 1 and not r.met]
    gains = {r.id: score_gain(catalog, met, r.id) for r in blockers}
    blockers.sort(key=lambda r: (-gains[r.id], r.failing_count, r.id))
    return Assessment(
        as_of=now,
        observed_at=ctx.observed_at,
        organization=profile.organization or "",
        certificates=len(facts),
        level=level,
        score=bounded_score(level, done),
        progress=done,
        dimensions=dims,
        floor_dimension=weakest,
        floor=weakest_score,
        criteria=tuple(results),
        blockers=tuple(r.id for r in blockers),
        roadmap=tuple(_roadmap_item(r, 1 / done.of if done and done.of else 0.0) for r in blockers),
        policy=policy_result,
        dimension_titles=catalog.dimension_titles,
        measures=measure(ctx),
        risks=find_risks(ctx, inv.private_keys),
        pqc=pqc_readiness(ctx, profile, inv.services),
    )
