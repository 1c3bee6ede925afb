"""The one place stages are combined: inventory summary, dependency graph, drills and the assessment (its
level-5 drills included) as one result, and that result as the report's view; a drill and an assessment as a
tabletop exercise package."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cmmm import drill
from cmmm.drill import DrillResult
from cmmm.graph import GraphSummary, summarize_graph
from cmmm.ingest.summary import InventorySummary, summarize
from cmmm.maturity import Assessment, SimulatedEvidence, assess
from cmmm.model import Inventory
from cmmm.report import ReportView, build_view
from cmmm.tabletop import Package, Variant, build_package
from cmmm.tabletop import apply as apply_variant


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineResult:
    summary: InventorySummary
    graph: GraphSummary
    drills: tuple[DrillResult, ...]
    assessment: Assessment


def run(
    inv: Inventory,
    *,
    now: datetime,
    scenarios: Sequence[str] = (),
    runs: int = 200,
    seed: int = 0,
    observed_at: datetime | None = None,
) -> PipelineResult:
    """Summarize the inventory and its graph, assess maturity (its level-5 drills included) and run each
    scenario (name or file) on `inv` at `now`, seeded. `observed_at`: when the inventory was taken (an
    earlier date looks ahead; see cmmm.maturity.assess)."""
    drills = tuple(drill.run(inv, drill.load_scenario(s), now=now, runs=runs, seed=seed) for s in scenarios)
    assessment = assess(inv, now=now, observed_at=observed_at, simulate=drill_evidence)
    return PipelineResult(
        summary=summarize(inv, now=now), graph=summarize_graph(inv), drills=drills, assessment=assessment
    )


def report_view(result: PipelineResult, *, generated_at: datetime) -> ReportView:
    """The report's view of a pipeline result."""
    return build_view(
        summary=result.summary,
        assessment=result.assessment,
        graph=result.graph,
        drills=result.drills,
        generated_at=generated_at,
    )


def drill_evidence(criterion_id: str, inv: Inventory, now: datetime) -> SimulatedEvidence | None:
    """The maturity assessment's simulated criteria, answered by running their drills (seeded)."""
    found = drill.simulated_evidence(criterion_id, inv, now)
    if found is None:
        return None
    return SimulatedEvidence(
        value=found.value,
        threshold="",
        met=found.met,
        evidence=found.evidence,
        not_applicable=found.not_applicable,
    )


def tabletop(
    inv: Inventory,
    scenario: str,
    *,
    now: datetime,
    generated_at: datetime,
    variant: Variant | None = None,
    runs: int = 300,
    seed: int = 0,
) -> Package:
    """A tabletop exercise package: the scenario (name or file) with the facilitator's variant applied, its
    drill on `inv` and the assessment (without its level-5 drills, which the package does not show) as one
    package. The drill's timings are the package's clock."""
    sc, varied, changes = apply_variant(variant or Variant(), drill.load_scenario(scenario), inv, now)
    result = drill.run(varied, sc, now=now, runs=runs, seed=seed)
    assessment = assess(inv, now=now)
    return build_package(varied, result, assessment, generated_at=generated_at, changes=changes)
