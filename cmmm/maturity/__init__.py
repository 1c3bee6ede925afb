"""CMMM maturity assessment: criteria from criteria.yaml, evidence from the inventory, a level and a roadmap."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from cmmm.maturity.catalog import (
    MAX_LEVEL,
    Catalog,
    Criterion,
    Dimension,
    EvidenceKind,
    load_catalog,
)
from cmmm.maturity.measures import Measures, MetricContext, Share, measure
from cmmm.maturity.metrics import CONTEXT, METRICS, Measurement
from cmmm.maturity.pqc import PqcReadiness, pqc_readiness
from cmmm.maturity.risks import RiskFinding, RiskSeverity, find_risks, load_risks
from cmmm.maturity.scoring import dimension_scores, floor, overall_score, score_gain, staged_level
from cmmm.model import CRITICALITY_RANK, LEVEL_NAMES, Inventory, Profile
from cmmm.policy import PolicyResult
from cmmm.policy import check as check_policy

__all__ = [
    "LEVEL_NAMES",
    "Assessment",
    "Catalog",
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


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not met"
    ATTESTED = "attested"  # met on an attested answer
    NO_EVIDENCE = "no evidence"  # an attested question left unanswered: not met
    NOT_EVALUATED = "not evaluated"  # simulated, and no drill result: not met


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatedEvidence:
    """What a drill reports for a simulated criterion (an empty threshold shows the catalog's)."""

    value: float | None
    threshold: str
    met: bool
    evidence: str


# simulate(criterion_id, inventory, now) → the drill's evidence, or None when it cannot say
Simulator = Callable[[str, Inventory, datetime], SimulatedEvidence | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionResult:
    """One criterion, evaluated: status, value against threshold, evidence and what fails it."""

    criterion: Criterion
    status: Status
    value: float | None
    threshold: str
    evidence: str
    failing: pd.DataFrame  # the top N failing certificates (FAILING_COLUMNS), most critical first
    failing_count: int
    teams: tuple[tuple[str, int], ...]  # failing certificates per team (or owner), most first

    @property
    def met(self) -> bool:
        return self.status in (Status.MET, Status.ATTESTED)

    @property
    def id(self) -> str:
        return self.criterion.id


@dataclass(frozen=True, slots=True, kw_only=True)
class RoadmapItem:
    """A criterion that blocks the next level: what to do, for which certificates and teams."""

    criterion_id: str
    title: str
    level: int
    dimension: Dimension
    gain: float  # overall score gained when met
    action: str
    evidence: str
    certificates: pd.DataFrame
    certificates_count: int
    teams: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """The verdict: staged level, scores, every criterion with its evidence, and the roadmap."""

    as_of: datetime
    observed_at: datetime
    organization: str
    certificates: int
    level: int
    score: float
    dimensions: dict[Dimension, float]
    floor_dimension: Dimension
    floor: float
    criteria: tuple[CriterionResult, ...]
    blockers: tuple[str, ...]
    roadmap: tuple[RoadmapItem, ...]
    policy: PolicyResult
    dimension_titles: dict[Dimension, str]
    measures: Measures
    risks: tuple[RiskFinding, ...]
    pqc: PqcReadiness

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def next_level(self) -> int | None:
        return self.level + 1 if self.level < MAX_LEVEL else None


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
    order = slim.sort_values(["_rank", "not_after", "cert_id"], kind="stable").index.to_numpy()
    who = slim["team"].fillna(slim["owner"]).fillna("(no team or owner)")
    codes, labels = pd.factorize(who)
    return _Ranked(slim=slim, order=order, who=np.asarray(codes), labels=[str(x) for x in labels])


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
    seen, first_at = _first_seen(codes)
    seen = seen[np.argsort(first_at, kind="stable")]
    best = seen[np.argsort(-counts[seen], kind="stable")][:top]
    teams = tuple((ranked.labels[k], int(counts[k])) for k in best)
    rows = ranked.order[mask[ranked.order]][:top]
    first = ranked.slim.iloc[rows][FAILING_COLUMNS].reset_index(drop=True)
    return first, int(mask.sum()), teams


def _first_seen(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    starts = np.r_[True, ranked[1:] != ranked[:-1]]
    return ranked[starts], order[starts]


def _attested_answer(profile: Profile, key: str) -> Any:
    value = profile.attested.get(key)
    if value is None and key == "backup_ca_pre_approved" and profile.backup_cas:
        names = [b.name for b in profile.pre_approved_backups]
        return f"pre-approved: {', '.join(names)}" if names else False
    return value


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        low = value.strip().lower()
        if low in ("yes", "true", "y"):
            return True
        if low in ("no", "false", "n"):
            return False
        return True if low.startswith("pre-approved") else None
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _evaluate_attested(c: Criterion, profile: Profile, now: datetime) -> tuple[Status, float | None, str]:
    key = c.attested or c.id
    answer = _attested_answer(profile, key)
    if answer is None:
        return Status.NO_EVIDENCE, None, f"no evidence: profile.yaml attested.{key} not answered"
    if c.max_age_days is not None:
        day = _as_date(answer)
        if day is None:
            return Status.NO_EVIDENCE, None, f"attested.{key} is not a date: {answer!r}"
        age = (now.date() - day).days
        if age < 0:
            return Status.NOT_MET, float(age), f"attested.{key} = {day} is in the future"
        ok = age <= c.max_age_days
        return (
            Status.ATTESTED if ok else Status.NOT_MET,
            float(age),
            f"attested: last on {day} ({age} days ago)",
        )
    yes = _truthy(answer)
    if yes is None:
        return Status.NO_EVIDENCE, None, f"attested.{key} is not yes/no: {answer!r}"
    detail = f" ({answer})" if isinstance(answer, str) else ""
    return (
        Status.ATTESTED if yes else Status.NOT_MET,
        1.0 if yes else 0.0,
        f"attested: {'yes' if yes else 'no'}{detail}",
    )


def _evaluate_measured(c: Criterion, m: Measurement, profile: Profile, now: datetime) -> tuple[Status, str]:
    if m.value is None:
        return (Status.MET if m.vacuous else Status.NOT_MET), m.evidence
    ok = c.passes(m.value) and m.condition
    if not ok and c.attested:
        status, _, text = _evaluate_attested(c, profile, now)
        if status is Status.ATTESTED:
            return Status.ATTESTED, f"{m.evidence}; {text}"
    return (Status.MET if ok else Status.NOT_MET), m.evidence


@dataclass(frozen=True, slots=True, kw_only=True)
class _Outcome:
    """One criterion evaluated: status, value, threshold text, evidence, and which certificates fail."""

    status: Status
    value: float | None
    threshold: str
    evidence: str
    mask: np.ndarray | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Judge:
    """Evaluates each criterion by its evidence kind: measured, attested or simulated."""

    inv: Inventory
    ctx: MetricContext
    profile: Profile
    now: datetime
    simulate: Simulator | None

    def evaluate(self, c: Criterion) -> _Outcome:
        if c.evidence is EvidenceKind.MEASURED:
            m = METRICS[c.id](self.ctx, c.params)
            status, evidence = _evaluate_measured(c, m, self.profile, self.now)
            return _Outcome(
                status=status, value=m.value, threshold=c.threshold_text, evidence=evidence, mask=m.failing
            )
        if c.evidence is EvidenceKind.ATTESTED:
            status, value, evidence = _evaluate_attested(c, self.profile, self.now)
            if c.id in CONTEXT:
                evidence += f" — measured context: {CONTEXT[c.id](self.ctx, self.profile)}"
            return _Outcome(status=status, value=value, threshold=c.threshold_text, evidence=evidence)
        sim = self.simulate(c.id, self.inv, self.now) if self.simulate else None
        if sim is None:
            return _Outcome(
                status=Status.NOT_EVALUATED,
                value=None,
                threshold=c.threshold_text,
                evidence=f"not evaluated: needs the '{c.scenario}' drill",
            )
        return _Outcome(
            status=Status.MET if sim.met else Status.NOT_MET,
            value=sim.value,
            threshold=sim.threshold or c.threshold_text,
            evidence=sim.evidence,
        )


def _result(c: Criterion, o: _Outcome, ranked: _Ranked, top: int) -> CriterionResult:
    failing, count, teams = _failing(ranked, o.mask if o.status is Status.NOT_MET else None, top)
    return CriterionResult(
        criterion=c,
        status=o.status,
        value=o.value,
        threshold=o.threshold,
        evidence=o.evidence,
        failing=failing,
        failing_count=count,
        teams=teams,
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
    ctx = MetricContext(facts, inv.observations, now=now, policy=policy_result, observed_at=observed_at)
    slim = ctx.facts[FAILING_COLUMNS].reset_index(drop=True)
    slim["_rank"] = -ctx.facts["criticality"].map(CRITICALITY_RANK).astype("float64").fillna(0).to_numpy()
    ranked = _ranked(slim)
    judge = _Judge(inv=inv, ctx=ctx, profile=profile, now=now, simulate=simulate)
    results = [_result(c, judge.evaluate(c), ranked, top) for c in catalog.criteria]
    met = {r.id: r.met for r in results}
    level = staged_level(catalog.criteria, met)
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
        score=overall_score(catalog, dims),
        dimensions=dims,
        floor_dimension=weakest,
        floor=weakest_score,
        criteria=tuple(results),
        blockers=tuple(r.id for r in blockers),
        roadmap=tuple(_roadmap_item(r, gains[r.id]) for r in blockers),
        policy=policy_result,
        dimension_titles=catalog.dimension_titles,
        measures=measure(ctx),
        risks=find_risks(ctx, inv.private_keys),
        pqc=pqc_readiness(ctx, profile, inv.services),
    )
