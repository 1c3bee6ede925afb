"""Maturity criteria answered by a drill: which scenario evidences which criterion, and the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cmmm.drill._run import run
from cmmm.drill.engine import BlockMap
from cmmm.drill.result import DrillResult, Verdict
from cmmm.drill.scenario import load_scenario
from cmmm.model import Inventory

SIMULATION_RUNS = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatedCriterion:
    """A maturity criterion answered by a drill: the scenario, the value it reads, and the check."""

    scenario: str
    value: Callable[[DrillResult], float | None]
    met: Callable[[DrillResult], bool | None]  # None: the drill cannot tell
    unit: str
    # the evidence sentence (default: the drill's timing, odds, verdict and first reasons)
    describe: Callable[[DrillResult], str] | None = None
    # why the criterion does not apply to this organization (None: it applies)
    not_applicable: Callable[[DrillResult], str | None] | None = None
    # the drill must have certificates in scope to show anything (replacement drills)
    needs_affected: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class DrillEvidence:
    """What a drill says about one criterion."""

    value: float | None
    met: bool | None  # None: the drill cannot tell
    evidence: str
    not_applicable: str | None = None


def _p90(r: DrillResult) -> float | None:
    return r.completion_hours.p90


def _judged(r: DrillResult) -> bool | None:
    """None when the drill cannot judge: its verdict is unknown, or nothing is in its scope (an
    organization shows it can replace certificates only by having some to replace)."""
    if r.verdict in (Verdict.UNKNOWN, Verdict.NOT_AFFECTED) or r.affected_certificates == 0:
        return None
    return True


def _track(r: DrillResult, track: str) -> dict[str, str] | None:
    tracks = r.findings.get("tracks")
    if tracks is None or tracks.empty:
        return None
    row = tracks.loc[tracks["track"] == track]
    return None if row.empty else {k: str(v) for k, v in row.iloc[0].items()}


def _kex_met(r: DrillResult) -> bool | None:
    t = _track(r, KEX_TRACK)
    if t is None or t["verdict"] in (Verdict.UNKNOWN.value, Verdict.NOT_AFFECTED.value):
        return None
    return t["verdict"] == Verdict.PASS.value


def _kex_text(r: DrillResult) -> str:
    t = _track(r, KEX_TRACK)
    if t is None:
        return f"drill {r.scenario}: no key-exchange track"
    return f"drill {r.scenario}, key-exchange track: {t['verdict']} — {t['reason']}"


def _kex_not_applicable(r: DrillResult) -> str | None:
    t = _track(r, KEX_TRACK)
    if t is not None and t["verdict"] == Verdict.NOT_AFFECTED.value:
        return f"no service is exposed under Mosca's inequality ({t['reason']})"
    return None


KEX_TRACK = "key-exchange"

# Criterion id (cmmm/maturity/criteria.yaml) → the drill that evidences it.
SIMULATED_CRITERIA: dict[str, SimulatedCriterion] = {
    "agi.algorithm-swap": SimulatedCriterion(
        scenario="swap-rsa2048-to-p256-48h",
        value=_p90,
        met=lambda r: _judged(r) and r.verdict is Verdict.PASS,
        unit="hours (p90)",
    ),
    "agi.ca-replacement-24h": SimulatedCriterion(
        scenario="primary-intermediate-compromise-24h",
        value=_p90,
        met=lambda r: _judged(r) and r.verdict is Verdict.PASS,
        unit="hours (p90)",
    ),
    "agi.mass-revocation-5d": SimulatedCriterion(
        scenario="mass-revocation-5d",
        value=lambda r: r.on_time_probability,
        met=lambda r: _judged(r) and r.verdict is Verdict.PASS,
        unit="probability",
    ),
    "agi.pqc-kex": SimulatedCriterion(
        scenario="pqc-migration-2030-2035",
        value=lambda r: None,
        met=_kex_met,
        unit="verdict",
        describe=_kex_text,
        not_applicable=_kex_not_applicable,
        needs_affected=False,
    ),
}


def simulated_evidence(
    criterion_id: str, inv: Inventory, now: datetime, blocks: BlockMap | None = None
) -> DrillEvidence | None:
    """What the criterion's drill says, run with a fixed seed; None when the criterion is not a drill
    criterion. An inventory without any affected certificate does not meet a replacement criterion: there
    is nothing to show it could be done (unknown)."""
    spec = SIMULATED_CRITERIA.get(criterion_id)
    if spec is None:
        return None
    result = run(
        inv, load_scenario(spec.scenario), now=now, runs=SIMULATION_RUNS, seed=0, blocks=blocks, detail=False
    )
    value = spec.value(result)
    na = spec.not_applicable(result) if spec.not_applicable else None
    if na:
        return DrillEvidence(value=value, met=None, evidence=na, not_applicable=na)
    if spec.needs_affected and result.affected_certificates == 0:
        return DrillEvidence(
            value=value,
            met=None,
            evidence=f"no evidence: drill {spec.scenario} finds no affected certificates in this inventory",
        )
    return DrillEvidence(value=value, met=spec.met(result), evidence=(spec.describe or _timing)(result))


def _timing(result: DrillResult) -> str:
    p50, p90 = result.completion_hours.p50, result.completion_hours.p90
    timing = f"p50 {p50:,.1f} h, p90 {p90:,.1f} h, " if p90 is not None and p50 is not None else ""
    return (
        f"drill {result.scenario}: {result.affected_certificates} certificates, {timing}"
        f"on time in {result.on_time_probability:.0%} of {result.runs} runs against "
        f"{result.deadline_hours:,.0f} h — {result.verdict.value}; " + "; ".join(result.reasons[1:4])
    )
