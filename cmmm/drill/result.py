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
    """A drill's answer. Only `pass` says the organization would make it; the others say why not, or why
    the drill cannot tell (docs/drills.md, "Verdicts")."""

    PASS = "pass"  # every affected certificate replaced by its deadline in at least 90 % of runs
    FAIL = "fail"  # not in time at p90
    NOT_AFFECTED = "not-affected"  # nothing in scope; `verdict_reason` says whether that is known or assumed
    OVERDUE = "overdue"  # a deadline had already passed at the drill's start: late whatever happens now
    UNKNOWN = "unknown"  # data the verdict needs is missing (`verdict_reason` names it)


# Verdicts a CI gate treats as a miss (`cmmm drill --fail-on-miss` exits 1): "unknown is never compliant".
MISSED = frozenset({Verdict.FAIL, Verdict.OVERDUE, Verdict.UNKNOWN})


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
    type: str | None = None  # acme | public | private | cloud (profile.yaml)
    issuance_per_hour: float | None = None  # its issuance ceiling (ACME rate limit, private CA throughput)
    rejected: tuple[str, ...] = ()  # why each other profile.yaml CA could not be used


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
    verdict_reason: str = ""  # one sentence: what the verdict rests on, or what is missing
    overdue_certificates: int = 0  # affected certificates whose deadline had passed at the start
    expected_incidents_per_year: float | None = None  # validity caps: expiry incidents expected a year
    # The plan as an SRE executes it (docs/drills.md, "The plan"): the issuance changes, trust-bundle and
    # revocation steps (STEP_COLUMNS), a fallback for every certificate the median plan misses
    # (FALLBACK_COLUMNS), and when the old certificates are revoked.
    steps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(STEP_COLUMNS)))
    fallbacks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(FALLBACK_COLUMNS)))
    revocation: str = ""
    # Certificates still to replace (hours, p10, p50, p90) at fractions of the deadline, the deadline and
    # the p50/p90 completion: the clock of a tabletop exercise (cmmm.tabletop). Empty for workload kinds.
    milestones: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["hours", "p10", "p50", "p90"])
    )

    @property
    def deadline(self) -> datetime:
        return self.now + timedelta(hours=self.deadline_hours)


PLAN_COLUMNS = (
    "wave",
    "priority",
    "step",  # the step (STEP_COLUMNS) whose issuance change replaces it
    "cert_id",
    "common_name",
    "service",
    "environment",
    "criticality",
    "transitive_criticality",  # the highest of its own and of every service depending on its service
    "exposes",  # the services that depend on its service, transitively (';'-joined, bounded)
    "owner",
    "team",
    "capacity_team",
    "locations",  # where it is deployed: host:port, k8s:<ns>/secret/<name>, cloud resource id, file (bounded)
    "location_count",
    "action",
    "method",
    "issuance_via",  # the issuance change that does the work: ClusterIssuer/x, ACME account, ACM …, manual
    "replacement_ca",
    "planned_start",
    "planned_finish",
    "deadline",
    "on_time",
    "revoke_by",  # when the old certificate must be revoked (empty: no revocation deadline)
    "fallback",  # for a certificate the median plan misses: extension request, accepted exposure, emergency change
)


STEP_COLUMNS: tuple[str, ...] = (
    "step",
    "kind",  # trust bundle | issuer change | manual | revocation
    "title",  # the instruction, one sentence
    "mechanism",  # ClusterIssuer, ACME account, ACM, Key Vault, Vault PKI, manual …
    "target",  # the object changed: ClusterIssuer/x, an ACME directory, an ACM account and region, a team
    "certificates",
    "late",  # its certificates that miss their deadline in the median plan
    "services",
    "team",
    "replacement_ca",
    "after_steps",  # steps that must be complete first (';'-joined)
    "planned_start",
    "planned_finish",
    "deadline",
    "verify",
    "rollback",
)


FALLBACK_COLUMNS: tuple[str, ...] = (
    "priority",
    "cert_id",
    "common_name",
    "service",
    "environment",
    "criticality",
    "team",
    "deadline",
    "planned_finish",
    "hours_late",
    "fallback",
    "detail",
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


def judge(
    *,
    affected: int,
    probability: float,
    overdue: int,
    unknown: tuple[str, ...],
    cannot_tell: int,
    nothing_reason: str,
) -> tuple[Verdict, str]:
    """The verdict and its one-sentence reason.

    Nothing in scope is `not-affected` — unless the inputs the selection needs are missing (`unknown`),
    and the reason says whether some rows could not be judged (`cannot_tell`: no certificate body or
    issuer). A deadline already past is `overdue`. Missing inputs, or certificates that cannot be judged,
    make a passing drill `unknown` (a failing one stays `fail`: more data can only make it fail by more),
    so removing data can never turn a fail into a pass.
    """
    if affected == 0:
        if unknown:
            return Verdict.UNKNOWN, "; ".join(unknown)
        if cannot_tell:
            return Verdict.NOT_AFFECTED, (
                f"{nothing_reason}; but {cannot_tell:,} certificates have no certificate body or issuer, so "
                "the drill cannot tell whether they are affected"
            )
        return Verdict.NOT_AFFECTED, nothing_reason
    if overdue:
        return Verdict.OVERDUE, f"{overdue:,} affected certificates were already past their deadline"
    met = probability >= PASS_PROBABILITY
    if not met:
        return (
            Verdict.FAIL,
            f"the deadline holds in {probability:.0%} of runs (pass needs {PASS_PROBABILITY:.0%})",
        )
    if unknown:
        return Verdict.UNKNOWN, "; ".join(unknown)
    if cannot_tell:
        return Verdict.UNKNOWN, (
            f"the deadline holds in {probability:.0%} of runs for the certificates in scope, but {cannot_tell:,} "
            "live certificates lack the data to tell whether they are in scope (no body, issuer or the field "
            "the scenario selects on)"
        )
    return Verdict.PASS, f"the deadline holds in {probability:.0%} of runs"
