"""The exercise package as data: modules along the incident's clock, injects with their facts, questions per
role with the answer the data gives, the evaluation form, and the mass-revocation checklist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Who sits at the table (CISA's Tabletop Exercise Packages: players by function)."""

    PKI = "PKI team"
    SRE = "SRE"
    OWNERS = "service owners"
    COMMS = "communications"
    CISO = "CISO"


ROLES: dict[Role, str] = {
    Role.PKI: "runs the CAs, the issuance changes and revocation; knows which CA can issue today",
    Role.SRE: "deploys the replacements, owns change windows, monitoring and rollback",
    Role.OWNERS: "own the services behind the certificates: find them, approve changes, test",
    Role.COMMS: "tells customers, partners and staff what happens and when; handles the CA's notices",
    Role.CISO: "decides on extensions, accepted exposure and emergency changes; reports upward",
}


class ModuleId(StrEnum):
    """The modules along the incident's clock."""

    NOTIFICATION = "notification"
    TRIAGE = "triage"
    REPLACEMENT = "replacement"
    TRUST_COMMS = "trust-and-communication"
    AFTERMATH = "aftermath"


MODULE_TITLES: dict[ModuleId, str] = {
    ModuleId.NOTIFICATION: "Notification",
    ModuleId.TRIAGE: "Triage",
    ModuleId.REPLACEMENT: "Replacement",
    ModuleId.TRUST_COMMS: "Trust and communication",
    ModuleId.AFTERMATH: "Aftermath",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """One number or name an inject shows, with the drill-result field it came from (`source`)."""

    key: str
    value: float | str | None  # None: the drill result does not know it (never shown as 0)
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Inject:
    """What the room learns at one time on the incident's clock."""

    id: str  # "2.1"
    at_hours: float
    headline: str
    text: str
    facts: tuple[Fact, ...] = ()

    @property
    def clock(self) -> str:
        return f"T+{_hours(self.at_hours)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """A discussion question for one role, the answer the data gives, and what strong and weak answers
    look like. `criterion`: the maturity criterion it probes; `blocks_level`: the level that criterion
    blocks in this organization's assessment (None: not a blocker)."""

    id: str  # "Q2.1"
    module: ModuleId
    role: Role
    text: str
    data_answer: str
    strong: str
    weak: str
    criterion: str | None = None
    criterion_title: str | None = None
    blocks_level: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Module:
    id: ModuleId
    title: str
    at_hours: float
    minutes: int  # discussion time in the room
    injects: tuple[Inject, ...]
    questions: tuple[Question, ...]

    @property
    def clock(self) -> str:
        return f"T+{_hours(self.at_hours)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """A time or count the team is asked to estimate, and what the simulation says (p50, p90)."""

    key: str
    module: ModuleId
    question: str
    unit: str  # hours | certificates
    p50: float | None
    p90: float | None
    because: str  # why the simulation says so, from the drill's reasons


@dataclass(frozen=True, slots=True, kw_only=True)
class ChecklistItem:
    """One element of a mass-revocation plan (BR §5.7.1.2) and what to check in the exercise."""

    id: str
    element: str
    check: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """A variant of the catalog scenario: what was changed for this exercise."""

    option: str
    catalog: str
    exercise: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    """A tabletop exercise built from one drill on one inventory snapshot."""

    id: str
    organization: str
    snapshot: str
    scenario: str
    scenario_title: str
    kind: str
    replays: str
    as_of: datetime
    generated_at: datetime
    deadline_hours: float
    verdict: str
    verdict_reason: str
    affected: int
    objectives: tuple[str, ...]
    narrative: tuple[str, ...]
    modules: tuple[Module, ...]
    estimates: tuple[Estimate, ...]
    checklist: tuple[ChecklistItem, ...]  # mass revocation: the plan's elements; empty otherwise
    changes: tuple[Change, ...]
    roles: tuple[tuple[str, str], ...]
    level: int
    next_level: int | None
    burndown: tuple[tuple[float, float, float, float], ...]  # hours, p10, p50, p90

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)


def _hours(h: float) -> str:
    """Hours on the incident's clock: "0 h", "3 h", "2.5 h", "4 d 6 h" from 48 h."""
    if h >= 48:
        d, rest = divmod(round(h), 24)
        return f"{d} d {rest} h" if rest else f"{d} d"
    return f"{h:.1f} h".replace(".0 h", " h")
