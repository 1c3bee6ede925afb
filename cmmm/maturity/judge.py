"""Each criterion judged by its kind of evidence: measured (with coverage), attested, or simulated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from cmmm.maturity.attest import judge_attestation, supporting, supporting_text
from cmmm.maturity.catalog import Criterion, EvidenceKind
from cmmm.maturity.exercises import judge_recorded
from cmmm.maturity.measures import Coverage, MetricContext
from cmmm.maturity.metrics import CONTEXT, METRICS, Measurement
from cmmm.maturity.result import SimulatedEvidence, Simulator, Status
from cmmm.model import Inventory, Profile


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """One criterion evaluated: status, value, threshold text, evidence, coverage and failing certificates."""

    status: Status
    value: float | None
    threshold: str
    evidence: str
    mask: np.ndarray | None = None
    coverage: Coverage | None = None


def _under_covered(c: Criterion, m: Measurement) -> bool:
    share = m.coverage.share if m.coverage is not None else None
    return share is not None and share < c.min_coverage - 1e-12


def measured_status(c: Criterion, m: Measurement) -> tuple[Status, str]:
    """Met, not met, unknown or not applicable, from the measurement alone."""
    if m.not_applicable:
        return Status.NOT_APPLICABLE, f"not applicable: {m.not_applicable}"
    if _under_covered(c, m):
        assert m.coverage is not None
        # the answer may still not depend on the unknown rows
        if m.worst is not None and c.passes(m.worst) and m.condition:
            return Status.MET, f"{m.evidence} — met whatever the unknown rows hold"
        if m.best is not None and not c.passes(m.best):
            return Status.NOT_MET, f"{m.evidence} — not met whatever the unknown rows hold"
        return (
            Status.UNKNOWN,
            # the coverage leads; the measurement's own copy of it is not repeated
            f"no evidence: {m.coverage.text} (needs {100 * c.min_coverage:g} %); "
            + m.evidence.replace(f" ({m.coverage.text})", ""),
        )
    if m.value is None:
        return Status.UNKNOWN, m.evidence
    ok = c.passes(m.value) and m.condition
    return (Status.MET if ok else Status.NOT_MET), m.evidence


@dataclass(frozen=True, slots=True, kw_only=True)
class Judge:
    """Evaluates each criterion by its evidence kind: measured, attested or simulated."""

    inv: Inventory
    ctx: MetricContext
    profile: Profile
    now: datetime
    simulate: Simulator | None

    def evaluate(self, c: Criterion) -> Outcome:
        if c.evidence is EvidenceKind.MEASURED:
            return self._measured(c)
        if c.evidence is EvidenceKind.ATTESTED:
            recorded = judge_recorded(c, self.inv.exercises, self.now) if c.recorded == "exercises" else None
            j = recorded or judge_attestation(c, self.profile, self.ctx)
            evidence = j.evidence
            if c.id in CONTEXT:
                evidence += f" — measured context: {CONTEXT[c.id](self.ctx, self.profile)}"
            return Outcome(status=j.status, value=j.value, threshold=c.threshold_text, evidence=evidence)
        return self._simulated(c)

    def _measured(self, c: Criterion) -> Outcome:
        m = METRICS[c.id](self.ctx, c.params)
        status, evidence = measured_status(c, m)
        status, evidence = self._support(c, status, evidence)
        return Outcome(
            status=status,
            value=m.value,
            threshold=c.threshold_text,
            evidence=evidence,
            mask=m.failing,
            coverage=m.coverage,
        )

    def _support(self, c: Criterion, status: Status, evidence: str) -> tuple[Status, str]:
        """A supporting attestation is shown beside the data; where the data says not met, it is contradicted."""
        a = supporting(c.supports, self.profile) if c.supports else None
        if a is None:
            return status, evidence
        if status is Status.NOT_MET:
            return Status.CONTRADICTED, f"{supporting_text(a)} — contradicted: {evidence}"
        return status, f"{evidence}; {supporting_text(a)} (supporting, not counted)"

    def _simulated(self, c: Criterion) -> Outcome:
        sim: SimulatedEvidence | None = self.simulate(c.id, self.inv, self.now) if self.simulate else None
        if sim is None:
            return Outcome(
                status=Status.NOT_EVALUATED,
                value=None,
                threshold=c.threshold_text,
                evidence=f"not evaluated: needs the '{c.scenario}' drill",
            )
        if sim.not_applicable:
            status = Status.NOT_APPLICABLE
        else:
            status = Status.UNKNOWN if sim.met is None else Status.MET if sim.met else Status.NOT_MET
        status, evidence = self._support(c, status, sim.evidence)
        return Outcome(
            status=status, value=sim.value, threshold=sim.threshold or c.threshold_text, evidence=evidence
        )
