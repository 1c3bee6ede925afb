"""The criteria catalog (criteria.yaml) as typed, validated objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

from cmmm import _yaml
from cmmm.errors import InputError

CATALOG_FILE = "criteria.yaml"


class Dimension(StrEnum):
    INVENTORY = "inventory-visibility"
    DISCOVERY = "discovery"
    OWNERSHIP = "ownership-process"
    POLICY = "policy-compliance"
    AUTOMATION = "automation"
    AGILITY = "crypto-agility"


class EvidenceKind(StrEnum):
    MEASURED = "measured"  # computed from the inventory
    SIMULATED = "simulated"  # computed by running a drill
    ATTESTED = "attested"  # answered in profile.yaml


MIN_LEVEL, MAX_LEVEL = 1, 5
OPS = (">=", "<=", "==")
# A measured criterion is judged only when the field its rule needs is known for at least this share of
# its population (criteria.yaml may set min_coverage per criterion); below it, and unless the answer is the
# same whatever the unknown rows hold, the criterion is unknown — and unknown is not met.
COVERAGE_THRESHOLD = 0.90
# Attestations carry the criteria of these levels only: level 5 rests on measured and simulated evidence.
MAX_ATTESTED_LEVEL = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Criterion:
    id: str
    level: int
    dimension: Dimension
    evidence: EvidenceKind
    title: str
    measures: str
    op: str
    threshold: Any
    unit: str
    action: str
    weight: float = 1.0
    params: dict[str, Any] = field(default_factory=dict)
    attested: str | None = None
    max_age_days: int | None = None
    scenario: str | None = None
    supports: str | None = None  # measured/simulated: an attested answer shown beside the data, never instead
    min_coverage: float = COVERAGE_THRESHOLD
    source: str | None = None  # where the rule or its threshold comes from
    # attested criteria: recorded evidence read before the attestation ("exercises": the exercise log)
    recorded: str | None = None

    @property
    def threshold_text(self) -> str:
        sym = {">=": "≥", "<=": "≤", "==": "="}[self.op]
        if self.unit == "share":
            return f"{sym} {100 * float(self.threshold):g} %"
        if self.unit == "answer":
            return "attested yes"
        if self.unit == "verdict":
            return f"drill verdict {self.threshold}"
        if self.unit == "days" and self.evidence is EvidenceKind.ATTESTED:
            return f"{sym} {self.threshold} days ago"
        if self.op == "<=" and float(self.threshold) == 0:
            return f"0 {self.unit}"
        return f"{sym} {self.threshold:g} {self.unit}"

    def passes(self, value: float) -> bool:
        t = float(self.threshold)
        if self.op == ">=":
            return value >= t - 1e-12
        if self.op == "<=":
            return value <= t + 1e-12
        return value == t


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalog:
    criteria: tuple[Criterion, ...]
    dimension_titles: dict[Dimension, str]
    dimension_weights: dict[Dimension, float]

    def by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}


def _criterion(raw: dict[str, Any], where: str) -> Criterion:
    for key in ("id", "level", "dimension", "evidence", "title", "measures", "threshold", "action"):
        if key not in raw:
            raise InputError(where, f"criterion {raw.get('id', '?')}: missing {key!r}")
    th = raw["threshold"]
    if not isinstance(th, dict) or th.get("op") not in OPS or "value" not in th:
        raise InputError(where, f"criterion {raw['id']}: threshold needs op ({', '.join(OPS)}) and value")
    level = int(raw["level"])
    if not 2 <= level <= MAX_LEVEL:
        raise InputError(where, f"criterion {raw['id']}: level must be 2..5")
    try:
        dim, kind = Dimension(raw["dimension"]), EvidenceKind(raw["evidence"])
    except ValueError as exc:
        raise InputError(where, f"criterion {raw['id']}: {exc}") from None
    if kind is EvidenceKind.ATTESTED and not raw.get("attested"):
        raise InputError(where, f"criterion {raw['id']}: attested criteria need an 'attested' key")
    if kind is EvidenceKind.SIMULATED and not raw.get("scenario"):
        raise InputError(where, f"criterion {raw['id']}: simulated criteria need a 'scenario'")
    if kind is not EvidenceKind.ATTESTED and raw.get("attested"):
        raise InputError(
            where,
            f"criterion {raw['id']}: only attested criteria have 'attested' (use 'supports' to show one)",
        )
    if kind is EvidenceKind.ATTESTED and level > MAX_ATTESTED_LEVEL:
        raise InputError(
            where,
            f"criterion {raw['id']}: level {level} rests on evidence; attestations end at level {MAX_ATTESTED_LEVEL}",
        )
    coverage = float(raw.get("min_coverage", COVERAGE_THRESHOLD))
    if not 0.0 <= coverage <= 1.0:
        raise InputError(where, f"criterion {raw['id']}: min_coverage must be 0..1")
    return Criterion(
        id=str(raw["id"]),
        level=level,
        dimension=dim,
        evidence=kind,
        title=str(raw["title"]),
        measures=str(raw["measures"]),
        op=str(th["op"]),
        threshold=th["value"],
        unit=str(th.get("unit", "")),
        action=str(raw["action"]),
        weight=float(raw.get("weight", 1.0)),
        params=dict(raw.get("params") or {}),
        attested=raw.get("attested"),
        max_age_days=raw.get("max_age_days"),
        scenario=raw.get("scenario"),
        supports=raw.get("supports"),
        min_coverage=coverage,
        source=raw.get("source"),
        recorded=_recorded(raw, where),
    )


RECORDED_KINDS = ("exercises",)  # records that can stand in for an attestation (cmmm.maturity.exercises)


def _recorded(raw: dict[str, Any], where: str) -> str | None:
    value = raw.get("recorded")
    if value is None:
        return None
    if value not in RECORDED_KINDS or raw.get("evidence") != EvidenceKind.ATTESTED.value:
        raise InputError(
            where,
            f"criterion {raw['id']}: recorded must be one of {', '.join(RECORDED_KINDS)}, on an attested criterion",
        )
    return str(value)


def parse_catalog(doc: Any, where: str = CATALOG_FILE) -> Catalog:
    """Validate a criteria document (the shape of criteria.yaml)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("criteria"), list):
        raise InputError(where, "expected a mapping with 'dimensions' and a 'criteria' list")
    dims = doc.get("dimensions") or {}
    titles = {d: str((dims.get(d.value) or {}).get("title", d.value)) for d in Dimension}
    weights = {d: float((dims.get(d.value) or {}).get("weight", 1.0)) for d in Dimension}
    criteria = tuple(_criterion(r, where) for r in doc["criteria"])
    ids = [c.id for c in criteria]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(where, f"duplicate criterion ids: {', '.join(dupes)}")
    return Catalog(criteria=criteria, dimension_titles=titles, dimension_weights=weights)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The packaged criteria catalog."""
    return parse_catalog(_yaml.load_mapping(resources.files("cmmm.maturity").joinpath(CATALOG_FILE)))
