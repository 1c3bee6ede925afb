"""What an assessment returns: each criterion's status and evidence, the roadmap, the level and its progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pandas as pd

from cmmm.maturity.catalog import MAX_LEVEL, Criterion, Dimension
from cmmm.maturity.measures import Coverage, Measures, Share
from cmmm.maturity.pqc import PqcReadiness
from cmmm.maturity.risks import RiskFinding
from cmmm.model import LEVEL_NAMES, Inventory
from cmmm.policy import PolicyResult


class Status(StrEnum):
    """A criterion's outcome. Only met, attested and not applicable count toward a level."""

    MET = "met"
    NOT_MET = "not met"
    UNKNOWN = (
        "unknown"  # the data cannot judge it (coverage under the threshold, or a drill that cannot tell)
    )
    NOT_APPLICABLE = "not applicable"  # its population is known to be empty (no public certificates …)
    ATTESTED = "attested"  # met on a dated, unexpired attested answer (levels 2–4 only)
    CONTRADICTED = "contradicted"  # attested, but the data shows otherwise
    LAPSED = "lapsed"  # attested longer ago than the attestation's validity
    NO_EVIDENCE = "no evidence"  # an attested question unanswered, or undated where a date is needed
    NOT_EVALUATED = "not evaluated"  # simulated, and no drill result

    @property
    def met(self) -> bool:
        return self in _COUNTS

    @property
    def judged(self) -> bool:
        """True when the evidence decided it either way (met, not met, attested, contradicted, lapsed)."""
        return self not in _UNJUDGED


_COUNTS = frozenset({Status.MET, Status.ATTESTED, Status.NOT_APPLICABLE})
_UNJUDGED = frozenset({Status.UNKNOWN, Status.NO_EVIDENCE, Status.NOT_EVALUATED})


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatedEvidence:
    """What a drill reports for a simulated criterion (an empty threshold shows the catalog's). `met` None:
    the drill could not tell (unknown verdict, or nothing in its scope)."""

    value: float | None
    threshold: str
    met: bool | None
    evidence: str
    not_applicable: str | None = None  # the drill shows the criterion does not apply (why)


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
    coverage: Coverage | None = None  # how much of the population the rule could judge

    @property
    def met(self) -> bool:
        return self.status.met

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
    gain: float  # share of the next level's criteria (by weight) this one is worth
    action: str
    evidence: str
    status: Status
    certificates: pd.DataFrame
    certificates_count: int
    teams: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """The verdict: staged level, progress toward the next, dimension scores, every criterion with its
    evidence, and the roadmap.

    `score` is the level plus the share of the next level's criteria met, rounded down, so it never reads
    as a higher level than the one reached: "level 2, 60 % of level 3" is 2.60.
    """

    as_of: datetime
    observed_at: datetime
    organization: str
    certificates: int
    level: int
    score: float
    progress: Share | None  # criteria of the next level met (None at level 5)
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

    @property
    def progress_text(self) -> str:
        """ "level 2, 60 % of level 3's criteria met: 6 of 10" (or "level 5, every criterion met")."""
        return f"level {self.level}, {self.progress_toward}"

    @property
    def progress_toward(self) -> str:
        """The progress beside a level already named: "60 % of level 3's criteria met: 6 of 10"."""
        if self.progress is None or self.next_level is None:
            return "every criterion met"
        share = self.progress.value or 0.0
        return (
            f"{int(100 * share)} % of level {self.next_level}'s criteria met: "
            f"{self.progress.count} of {self.progress.of}"
        )
