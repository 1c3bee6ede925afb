"""The report's view model: frozen dataclasses of plain values, mapped from the stages' result objects
(cmmm.report.build) — never computed from the inventory here, never one row per certificate.

Every string that came from a certificate or an input file passes through `clean_text` here: control and
bidirectional-override characters become U+FFFD and long values are cut, so that every renderer (HTML,
JSON, Markdown) starts from the same neutralized text. HTML escaping itself is the template's job
(autoescape), Markdown escaping the Markdown renderer's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from cmmm.sanitize import display

SCHEMA = "cmmm.report/1"
LABEL_CHARS = 60  # chart labels and table cells from input data
TEXT_CHARS = 200  # longer free text from input data (rejection reasons)
PROSE_CHARS = 2000  # sentences that quote input data (evidence, drill reasons): kept whole
TOP = 10


def clean_text(value: object, limit: int = LABEL_CHARS) -> str:
    """Untrusted text made inert for display and cut to `limit` (cmmm.sanitize.display)."""
    return display(value, limit)


# ---------------------------------------------------------------------------------------------------
# Adapters: the sections other stages fill in. Plain values only; the integrator maps result objects.
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionRow:
    """One maturity criterion and its outcome. evidence: measured | simulated | attested. status: met, not
    met, unknown, not applicable, attested, contradicted, lapsed, no evidence, not evaluated. met: True/False,
    or None when nothing decided it (unknown, no evidence, not evaluated — each counts as not met)."""

    id: str
    level: int
    dimension: str
    title: str
    evidence: str
    met: bool | None
    status: str = ""
    value: str = ""  # what was measured/answered, formatted ("82 % of certificates have an owner")
    threshold: str = ""  # what is required ("≥ 95 %")
    detail: str = ""  # which certificates/teams fail, in a sentence


@dataclass(frozen=True, slots=True, kw_only=True)
class RoadmapRow:
    """One step of the roadmap: a criterion that blocks a level and what to do about it."""

    title: str
    action: str
    level: int | None = None
    dimension: str = ""
    criterion_id: str = ""
    concerned: str = ""  # "412 certificates; teams payments, edge"
    effect: str = ""  # "unblocks level 3" / "+0.4 Automation"


@dataclass(frozen=True, slots=True, kw_only=True)
class MaturitySection:
    """What `maturity.assess` found. dimensions: the six radar axes → score 1.0–5.0."""

    level: int
    score: float  # the level plus the next level's share met, rounded down (never a higher level)
    progress: str  # toward the next level: "60 % of level 3's criteria met: 6 of 10"
    floor: str  # the weakest dimension
    dimensions: dict[str, float]
    criteria: tuple[CriterionRow, ...] = ()
    blockers: tuple[str, ...] = ()  # one sentence per criterion that blocks the next level
    roadmap: tuple[RoadmapRow, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BurnPoint:
    """Certificates still to replace `hours` after the drill starts, across Monte Carlo runs."""

    hours: float
    p10: float
    p50: float
    p90: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRow:
    """One line of a drill's first replacement wave (a certificate or a group of them)."""

    target: str  # certificate name or group ("43 certificates of team edge")
    owner: str
    action: str
    method: str
    start_hours: float | None  # None: not scheduled within the simulated horizon
    finish_hours: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DrillSection:
    """One drill's outcome. verdict: a short word ("pass", "fail", "at risk"); hours from drill start."""

    scenario: str
    title: str
    kind: str
    verdict: str
    deadline_hours: float
    affected_certificates: int
    completion_p50_hours: float | None
    completion_p90_hours: float | None
    on_time_probability: float
    exposed: dict[str, float] = field(default_factory=dict)  # e.g. certificates, services, service_hours
    burn_down: tuple[BurnPoint, ...] = ()
    first_wave: tuple[PlanRow, ...] = ()
    description: str = ""
    source: str = ""  # the real event it replays


@dataclass(frozen=True, slots=True, kw_only=True)
class CaRow:
    """A CA and everything under it (transitively): its blast radius."""

    name: str
    kind: str  # root | intermediate | unknown
    certificates: int
    services: int
    critical_services: int
    share: float  # of all leaf certificates


@dataclass(frozen=True, slots=True, kw_only=True)
class DependencySection:
    """From the dependency graph: the CAs with the largest blast radius, and hierarchy facts."""

    top_cas: tuple[CaRow, ...]
    roots: int = 0
    intermediates: int = 0
    unknown_issuers: int = 0
    single_points_of_failure: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------
# The sections built from the inventory summary and the assessment
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    label: str
    count: int
    share: float | None  # of the section's total, 0–1; None when the total is 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A risk finding (cmmm/maturity/risks.yaml): severity critical|high|medium|low, and its answer."""

    code: str
    severity: str
    title: str
    detail: str
    count: int
    examples: tuple[str, ...]
    action: str
    rationale: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    title: str
    detail: str
    source: str  # "assessment" | "risk"


@dataclass(frozen=True, slots=True, kw_only=True)
class Tile:
    """A headline number: `value` is a count or a share (0–1, None when there is nothing to measure);
    `tone` good|warn|bad|"" comes from the criterion the number is judged by."""

    label: str
    value: float | None
    kind: str  # "count" | "share"
    tone: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Headline:
    """The first screen's answer beside the level: would the organization survive its most important drill
    (the run's first scenario; by default the 24-hour compromise of its most-used intermediate)?
    answer: yes, no, unknown or not affected; p90_hours is None when the drill has no completion time."""

    scenario: str
    title: str
    answer: str
    verdict: str
    p90_hours: float | None
    deadline_hours: float
    on_time_probability: float
    sentence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    organization: str
    level: int | None
    level_name: str
    score: float | None
    floor: str
    certificates: int
    progress: str = ""
    expired: int
    expiring_30: int
    expired_deployed: int
    automated_share: float | None  # unexpired end-entity certificates renewed automatically
    owner_share: float | None  # end-entity certificates with an owner or team
    quantum_vulnerable_share: float | None  # unexpired certificates with a quantum-vulnerable key
    key_unknown_share: float | None  # unexpired certificates whose key algorithm is unknown
    tiles: tuple[Tile, ...]
    risks: tuple[Finding, ...]  # the three biggest
    actions: tuple[Action, ...]  # the top five
    headline: Headline | None = None  # None: no drill ran
    risks_note: str = ""  # why fewer than three risks are shown, when they are


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekBucket:
    start: date
    automated: int
    manual: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidityBin:
    label: str
    low_days: float
    high_days: float | None  # None: unbounded (the last bin)
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CapRow:
    effective: date
    max_days: int
    over_cap: int  # public leaf certificates valid longer than this cap
    share: float | None
    in_force: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectedRow:
    source: str
    locator: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InventorySection:
    certificates: int
    leaves: int
    cas: int
    observations: int
    services: int
    sources: int
    public: int
    private: int
    expired: int
    expiring_30: int
    expiring_90: int
    expiry_weeks: tuple[WeekBucket, ...]
    issuers: tuple[Count, ...]
    distinct_issuers: int
    top_issuer_share: float | None
    key_algorithms: tuple[Count, ...]
    signature_algorithms: tuple[Count, ...]
    validity_bins: tuple[ValidityBin, ...]
    caps: tuple[CapRow, ...]
    caps_caption: str
    over_current_cap: int
    automation: tuple[Count, ...]
    automated_share: float | None
    discovery: tuple[Count, ...]
    automated_discovery_share: float | None
    discovery_methods: int
    seen_by_multiple: int
    owner_share: float | None
    rejected: int
    rejected_reasons: tuple[Count, ...]
    rejected_rows: tuple[RejectedRow, ...]
    private_keys: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CriticalityRow:
    criticality: str
    certificates: int
    vulnerable: int
    unknown: int  # key algorithm not known: neither vulnerable nor post-quantum
    share: float | None  # vulnerable / certificates


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeRow:
    algorithm: str
    bytes: int
    fits_initial_window: bool
    current: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MoscaRow:
    service: str
    secrecy_years: float
    certificates: int
    margin_years: float  # secrecy + migration − threat; > 0 means already exposed


@dataclass(frozen=True, slots=True, kw_only=True)
class PqcSection:
    vulnerable: int
    vulnerable_share: float | None
    unknown_share: float | None
    by_criticality: tuple[CriticalityRow, ...]
    migration_years: float | None
    quantum_threat_years: float | None
    mosca_exposed_certificates: int | None  # None: unknown (see mosca_unknown_reason)
    mosca_known: int  # quantum-vulnerable certificates with a secrecy_years value
    mosca_unknown_reason: str
    mosca_services: tuple[MoscaRow, ...]
    pqc_certificates: tuple[Count, ...]
    hybrid_kex_endpoints: int
    kex_observed_endpoints: int
    pqc_capable_services: int
    handshake: tuple[HandshakeRow, ...]
    initial_window_bytes: int
    deadlines: tuple[tuple[str, str, date], ...]  # (authority, category, exclusive_by), soonest first


@dataclass(frozen=True, slots=True, kw_only=True)
class LabRow:
    """One hierarchy in one profile with one key exchange, measured by the PQC lab (medians over leaves)."""

    hierarchy: str
    profile: str
    kem: str
    client_hello_bytes: int
    certificate_bytes: int  # Certificate + CertificateVerify messages
    server_flight_bytes: int
    round_trips: int
    hello_retry: bool
    handshake_ms: float
    client_cpu_ms: float
    server_cpu_ms: float
    verify_ms: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LabVerdictRow:
    hierarchy: str
    profile: str
    verdict: str
    reason: str
    accepted_by: str
    rejected_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LabSection:
    """The PQC lab's measured handshakes, verdicts and what could not be built (cmmm pqc-lab)."""

    rows: tuple[LabRow, ...]
    verdicts: tuple[LabVerdictRow, ...]
    cannot_build: tuple[tuple[str, str], ...]  # (profile, why)
    skipped: tuple[str, ...]
    libraries: tuple[tuple[str, str], ...]  # (client, TLS library and version)
    runs: int
    initial_window_bytes: int
    scope: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LadderStep:
    level: int
    name: str
    met: int
    total: int
    status: str  # achieved | blocking | ahead


@dataclass(frozen=True, slots=True, kw_only=True)
class PkimmRow:
    """One PKIMM category judged on the criteria placed in it (cmmm.maturity.pkimm). level and ceiling are
    None when no criterion is placed there (not assessed)."""

    id: str  # "M.6"
    module: str
    name: str
    weight: float
    criteria: tuple[str, ...]  # the criterion ids scored here
    met: int
    not_met: int
    unknown: int
    level: int | None
    level_name: str
    ceiling: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PkimmSection:
    """The assessment read on the PKI Consortium's PKI Maturity Model: the weighted overall over the assessed
    categories (and its ceiling), the weakest category, the categories."""

    version: str
    source: str
    score: float | None
    score_ceiling: float | None
    floor: str  # "Strategy and Vision (G.1): 1 Initial"; empty when nothing is assessed
    assessed_weight: float
    total_weight: float
    categories: tuple[PkimmRow, ...]
    unmapped: tuple[str, ...] = ()  # criteria placed in no category


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendPoint:
    """One stored snapshot as the trend shows it; None where the snapshot was stored without its
    assessment (unknown, drawn as a gap)."""

    snapshot: int
    taken_at: datetime
    level: int | None
    score: float | None
    expiring_30: int | None
    automated_share: float | None
    quantum_vulnerable_share: float | None
    drills_met: int | None  # level-5 (simulated) criteria met: the assessment's drills that passed
    drills: int | None
    exercises: int = 0  # tabletop exercises the snapshot knows (its own log and the store's up to its day)
    last_exercise: str | None = None  # "2026-11-27, rated M": the latest of them


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendSection:
    """The store's snapshots up to the reported one, oldest first (two or more)."""

    points: tuple[TrendPoint, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportView:
    schema: str
    generated_at: datetime
    as_of: datetime
    organization: str
    summary: Summary
    inventory: InventorySection
    pqc: PqcSection
    findings: tuple[Finding, ...]
    maturity: MaturitySection | None
    ladder: tuple[LadderStep, ...]
    pkimm: PkimmSection | None
    dependency: DependencySection | None
    drills: tuple[DrillSection, ...]
    roadmap: tuple[RoadmapRow, ...]
    roadmap_source: str  # "assessment" | "risks"
    method_notes: tuple[str, ...]
    sources: tuple[Count, ...]
    trend: TrendSection | None = None  # with a store of two or more snapshots (cmmm report --store)
    lab: LabSection | None = None


T = TypeVar("T")


def neutralized(value: T) -> T:
    """A copy of a view value with every string passed through clean_text (the sections carry certificate
    names, owners and CA names; every renderer starts from the same neutralized text). Strings were cut to
    their display length where they were made; this only neutralizes, within PROSE_CHARS."""
    out: T = _neutralized(value)
    return out


def _neutralized(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value, PROSE_CHARS)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _neutralized(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    if isinstance(value, dict):
        return {_neutralized(k): _neutralized(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return tuple(_neutralized(v) for v in value)
    return value
