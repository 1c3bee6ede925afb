"""Maturity criteria answered by a drill: which scenario evidences which criterion, and the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cmmm.drill._run import run
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


def _p90(r: DrillResult) -> float | None:
    return r.completion_hours.p90


def _judged(r: DrillResult) -> bool | None:
    """None when the drill cannot judge: its verdict is unknown, or nothing is in its scope (an
    organization shows it can replace certificates only by having some to replace)."""
    if r.verdict in (Verdict.UNKNOWN, Verdict.NOT_AFFECTED) or r.affected_certificates == 0:
        return None
    return True


# Criterion id (cmmm/maturity/criteria.yaml) → the drill that evidences it.
SIMULATED_CRITERIA: dict[str, SimulatedCriterion] = {
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
}
SIMULATED_CRITERIA["L5-agility-replace-primary-ca-24h"] = SIMULATED_CRITERIA["agi.ca-replacement-24h"]


def simulated_evidence(
    criterion_id: str, inv: Inventory, now: datetime
) -> tuple[float | None, bool | None, str] | None:
    """(value, met, evidence text) for a simulated maturity criterion, by running its drill with a fixed
    seed; None when the criterion is not a drill criterion. An inventory without any affected certificate
    does not meet a replacement criterion: there is nothing to show it could be done."""
    spec = SIMULATED_CRITERIA.get(criterion_id)
    if spec is None:
        return None
    result = run(inv, load_scenario(spec.scenario), now=now, runs=SIMULATION_RUNS, seed=0)
    value = spec.value(result)
    if result.affected_certificates == 0:
        return (
            value,
            None,
            f"no evidence: drill {spec.scenario} finds no affected certificates in this inventory",
        )
    p50, p90 = result.completion_hours.p50, result.completion_hours.p90
    timing = f"p50 {p50:,.1f} h, p90 {p90:,.1f} h, " if p90 is not None and p50 is not None else ""
    text = (
        f"drill {spec.scenario}: {result.affected_certificates} certificates, {timing}"
        f"on time in {result.on_time_probability:.0%} of {result.runs} runs against "
        f"{result.deadline_hours:,.0f} h — {result.verdict.value}; " + "; ".join(result.reasons[1:4])
    )
    return value, spec.met(result), text
