"""The one place stages are combined: inventory summary, dependency graph, drills and the assessment (its
level-5 drills included) as one result, and that result as the report's view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cmmm import drill
from cmmm.drill import DrillResult
from cmmm.graph import GraphSummary, summarize_graph
from cmmm.ingest.summary import InventorySummary, summarize
from cmmm.lab import LabResult, with_lab
from cmmm.maturity import Assessment, SimulatedEvidence, assess
from cmmm.model import Inventory
from cmmm.report import ReportView, build_view


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineResult:
    summary: InventorySummary
    graph: GraphSummary
    drills: tuple[DrillResult, ...]
    assessment: Assessment
    lab: LabResult | None = None


def run(
    inv: Inventory,
    *,
    now: datetime,
    scenarios: Sequence[str] = (),
    runs: int = 200,
    seed: int = 0,
    observed_at: datetime | None = None,
    lab: LabResult | None = None,
) -> PipelineResult:
    """Summarize the inventory and its graph, assess maturity (its level-5 drills included) and run each
    scenario (name or file) on `inv` at `now`, seeded. `observed_at`: when the inventory was taken (an
    earlier date looks ahead; see cmmm.maturity.assess). `lab`: a PQC lab result for this inventory — its
    measured handshakes replace the size table in the PQC drill and fill the report's lab section."""
    if lab is not None:
        inv = with_lab(inv, lab)
    drills = tuple(drill.run(inv, drill.load_scenario(s), now=now, runs=runs, seed=seed) for s in scenarios)
    assessment = assess(inv, now=now, observed_at=observed_at, simulate=drill_evidence)
    return PipelineResult(
        summary=summarize(inv, now=now),
        graph=summarize_graph(inv),
        drills=drills,
        assessment=assessment,
        lab=lab,
    )


def report_view(result: PipelineResult, *, generated_at: datetime) -> ReportView:
    """The report's view of a pipeline result."""
    return build_view(
        summary=result.summary,
        assessment=result.assessment,
        graph=result.graph,
        drills=result.drills,
        generated_at=generated_at,
        lab=result.lab,
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
