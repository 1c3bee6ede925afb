"""The whole pipeline on one inventory: dependency graph, drills (and the assessment), as one result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cmmm import drill
from cmmm.drill import DrillResult
from cmmm.graph import GraphSummary, summarize_graph
from cmmm.maturity import Assessment, SimulatedEvidence, assess
from cmmm.model import Inventory


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineResult:
    graph: GraphSummary
    drills: tuple[DrillResult, ...]
    assessment: Assessment


def run(
    inv: Inventory, *, now: datetime, scenarios: Sequence[str] = (), runs: int = 200, seed: int = 0
) -> PipelineResult:
    """Summarize the graph, assess maturity (its level-5 drills included) and run each scenario (name or
    file) on `inv` at `now`, seeded."""
    drills = tuple(drill.run(inv, drill.load_scenario(s), now=now, runs=runs, seed=seed) for s in scenarios)
    assessment = assess(inv, now=now, simulate=drill_evidence)
    return PipelineResult(graph=summarize_graph(inv), drills=drills, assessment=assessment)


def drill_evidence(criterion_id: str, inv: Inventory, now: datetime) -> SimulatedEvidence | None:
    """The maturity assessment's simulated criteria, answered by running their drills (seeded)."""
    found = drill.simulated_evidence(criterion_id, inv, now)
    if found is None:
        return None
    value, met, text = found
    return SimulatedEvidence(value=value, threshold="", met=met, evidence=text)
