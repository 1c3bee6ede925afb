"""What a drill returns: the verdict, completion and exposure, the replacement CA, and the plan's columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import pandas as pd

from cmmm.drill.scenario import Kind
from cmmm.schedules import RealEvent

PASS_PROBABILITY = 0.9  # "met at p90": the deadline holds in at least 90 % of runs


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"


@dataclass(frozen=True, slots=True, kw_only=True)
class Completion:
    """Hours from the drill start until every affected certificate is replaced (None: not a replacement)."""

    p50: float | None
    p90: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """Still exposed at the scenario deadline, median over runs."""

    certificates: float
    critical_services: float
    service_hours: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplacementCa:
    """Where replacements come from: a CA name (None: none configured), pre-approved or not, and the
    median hours before it can issue (onboarding)."""

    name: str | None
    pre_approved: bool
    backup: bool
    ready_hours: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DrillResult:
    """A finished drill. Frames: `burndown` (hours, p10, p50, p90: affected certificates not yet
    replaced), `plan` (PLAN_COLUMNS), `team_workload` (TEAM_COLUMNS); `findings` holds kind-specific
    tables (renewals, mosca, handshake)."""

    scenario: str
    kind: Kind
    title: str
    description: str
    replays: RealEvent | None
    now: datetime
    runs: int
    seed: int
    deadline_hours: float
    affected_certificates: int
    completion_hours: Completion
    on_time_probability: float
    verdict: Verdict
    exposed_at_deadline: Exposure
    reasons: tuple[str, ...]
    replacement_ca: ReplacementCa | None
    burndown: pd.DataFrame
    plan: pd.DataFrame
    team_workload: pd.DataFrame
    findings: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def deadline(self) -> datetime:
        return self.now + timedelta(hours=self.deadline_hours)


PLAN_COLUMNS = (
    "wave",
    "priority",
    "cert_id",
    "common_name",
    "service",
    "criticality",
    "owner",
    "team",
    "capacity_team",
    "action",
    "method",
    "replacement_ca",
    "planned_start",
    "planned_finish",
    "deadline",
    "on_time",
)


TEAM_COLUMNS = (
    "team",
    "engineers",
    "hours_per_day",
    "certificates",
    "manual",
    "unknown_owner",
    "hands_on_hours",
    "clear_hours",
)
