"""Risk findings: what the inventory shows is dangerous today (catalog risks.yaml), biggest first.

Each risk counts a mask of cmmm.maturity.measures.MetricContext — the same masks the criteria count —
so its number is the number the criteria, the tiles and the roadmap show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.maturity.measures import MetricContext
from cmmm.model import Criticality, PrivateKeyFinding
from cmmm.schedules import PUBLIC_TLS_VALIDITY_CAPS, next_validity_cap, renewals_per_year

RISKS_FILE = "risks.yaml"
EXAMPLES = 3


class RiskSeverity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_RANK = {RiskSeverity.CRITICAL: 4, RiskSeverity.HIGH: 3, RiskSeverity.MEDIUM: 2, RiskSeverity.LOW: 1}
ESCALATIONS = ("on-high-services", "share-above", "unencrypted")


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalation:
    to: RiskSeverity
    when: str
    threshold: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskSpec:
    """One entry of risks.yaml."""

    id: str
    title: tuple[str, str]  # singular, plural; {n} is the count
    severity: RiskSeverity
    measures: str
    rationale: str
    source: str
    action: str
    escalate: Escalation | None = None
    threshold: float | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def headline(self, n: int) -> str:
        return self.title[0 if n == 1 else 1].format(n=f"{n:,}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskFinding:
    """A risk found in this inventory: its code and severity, the count and what it is of, a detail with
    the numbers, a few examples (untrusted names, escaped by every renderer) and the action."""

    code: str
    severity: RiskSeverity
    title: str
    detail: str
    count: int
    population: int | None  # what the count is a share of, when that is meaningful
    examples: tuple[str, ...]
    action: str
    rationale: str
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Hit:
    """What a risk function found: the count, its population, whether the escalation holds, a detail."""

    count: int
    detail: str
    population: int | None = None
    escalated: bool = False
    examples: tuple[str, ...] = ()


RiskFn = Callable[[MetricContext, RiskSpec, Sequence[PrivateKeyFinding]], _Hit | None]


def _names(ctx: MetricContext, mask: pd.Series) -> tuple[str, ...]:
    """A few names of the certificates in `mask`: common name, else the first SAN; sorted, distinct."""
    f = ctx.facts.loc[mask.to_numpy(dtype=bool), ["common_name", "sans"]]  # not every column: a take each
    name = f["common_name"]
    nameless = name.isna().to_numpy(dtype=bool)
    if nameless.any():  # the first SAN, split only where there is no common name
        name = name.copy()
        name[nameless] = f.loc[nameless, "sans"].str.split(";").str[0]
    return tuple(str(v) for v in name.dropna().drop_duplicates().sort_values().head(EXAMPLES))


def _on_high(total: int, high: int) -> str:
    if total == 1:
        return "It is on a high or critical service." if high else "It is not on a high or critical service."
    if high == 0:
        return "None of them is on a high or critical service."
    return f"{high:,} of them on high or critical services."


def _share_above(spec: RiskSpec, count: int, population: int) -> bool:
    e = spec.escalate
    return bool(e and e.when == "share-above" and population and count / population > (e.threshold or 0))


def expired_deployed(ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]) -> _Hit | None:
    bad = ctx.expired & ctx.deployed
    k = int(bad.sum())
    if not k:
        return None
    high = int((bad & ctx.high_criticality).sum())
    return _Hit(
        count=k,
        population=len(ctx.facts),
        escalated=high > 0,
        detail=f"{_on_high(k, high)} Clients that check validity fail on these endpoints today.",
        examples=_names(ctx, bad),
    )


def revoked_deployed(ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]) -> _Hit | None:
    if "revoked" not in ctx.facts:
        return None
    bad = ctx.facts["revoked"].fillna(False).astype(bool) & ~ctx.expired & ctx.deployed
    k = int(bad.sum())
    if not k:
        return None
    high = int((bad & ctx.high_criticality).sum())
    compromised = int((bad & (ctx.facts["revocation_reason"] == "keyCompromise").fillna(False)).sum())
    why = f" {compromised:,} for key compromise." if compromised else ""
    return _Hit(
        count=k,
        population=len(ctx.facts),
        escalated=high > 0,
        detail=f"{_on_high(k, high)} Clients that check revocation refuse these endpoints.{why}",
        examples=_names(ctx, bad),
    )


def expiring_manual(ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]) -> _Hit | None:
    days = int(spec.params.get("window_days", 30))
    bad = ctx.expiring_within(days) & ~ctx.automated
    k = int(bad.sum())
    if not k:
        return None
    return _Hit(
        count=k,
        detail="Each needs a person to request, install and verify a replacement before it lapses.",
        examples=_names(ctx, bad),
    )


def deprecated_crypto(ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]) -> _Hit | None:
    bad = ctx.unexpired & ctx.deprecated_crypto
    k = int(bad.sum())
    if not k:
        return None
    hashes = int((bad & ctx.deprecated_hash).sum())
    weak = int((bad & ctx.weak_key).sum())
    return _Hit(
        count=k,
        population=int(ctx.unexpired.sum()),
        detail=f"Deprecated signature hashes: {hashes:,}; weak or withdrawn keys: {weak:,}.",
        examples=_names(ctx, bad),
    )


def owner_missing(ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]) -> _Hit | None:
    bad = ctx.leaf & ~ctx.owner_known
    k, n = int(bad.sum()), int(ctx.leaf.sum())
    if not k:
        return None
    return _Hit(
        count=k,
        population=n,
        escalated=_share_above(spec, k, n),
        detail=f"{k:,} of {n:,} end-entity certificates ({k / n:.0%}). In an incident, finding who can "
        "replace them costs the first hours.",
        examples=_names(ctx, bad),
    )


def manual_public_renewals(
    ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]
) -> _Hit | None:
    population = ctx.active_leaf & ctx.public
    bad = population & ~ctx.automated
    k, n = int(bad.sum()), int(population.sum())
    if not k:
        return None
    last = PUBLIC_TLS_VALIDITY_CAPS[-1]
    step = next_validity_cap(ctx.now.date()) or last
    return _Hit(
        count=k,
        population=n,
        escalated=_share_above(spec, k, n),
        detail=f"{k:,} of {n:,} unexpired public certificates. From {step.effective.isoformat()} public "
        f"certificates last at most {step.max_days} days: about {k * renewals_per_year(step.max_days):,.0f} "
        f"manual renewals a year, and {k * renewals_per_year(last.max_days):,.0f} a year once the "
        f"{last.max_days}-day cap applies on {last.effective.isoformat()}.",
        examples=_names(ctx, bad),
    )


def quantum_critical(ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]) -> _Hit | None:
    critical = ctx.facts["criticality"].eq(Criticality.CRITICAL.value).fillna(False).astype(bool)
    bad = ctx.unexpired & ctx.quantum_vulnerable & critical
    k = int(bad.sum())
    if not k:
        return None
    return _Hit(
        count=k,
        population=int((ctx.unexpired & critical).sum()),
        detail="RSA and elliptic-curve keys are broken by a cryptographically relevant quantum computer; "
        "critical services go first in the PQC migration plan.",
        examples=_names(ctx, bad),
    )


def ca_concentration(ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]) -> _Hit | None:
    leaf = ctx.facts.loc[ctx.active_leaf.to_numpy(dtype=bool), ["issuer_name", "issuer_org"]]
    issuer = leaf["issuer_name"].fillna(leaf["issuer_org"]).dropna()
    n = len(leaf)
    if issuer.empty or n < int(spec.params.get("min_end_entity", 10)):
        return None
    top = issuer.value_counts()
    name, k = str(top.index[0]), int(top.iloc[0])
    if k / n <= (spec.threshold or 0):
        return None
    return _Hit(
        count=k,
        population=n,
        detail=f"{k:,} of {n:,} unexpired end-entity certificates ({k / n:.0%}) come from {name}. If that CA "
        "is distrusted or down, they must all move at once.",
        examples=(name,),
    )


def private_keys_exposed(
    ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]
) -> _Hit | None:
    if not keys:
        return None
    unencrypted = sum(1 for k in keys if not k.encrypted)
    return _Hit(
        count=len(keys),
        escalated=unencrypted > 0,
        detail=f"{unencrypted:,} unencrypted. Key material next to certificates is exposed to anyone who can "
        "read the share.",
        examples=tuple(k.path.replace("\\", "/").rsplit("/", 1)[-1] for k in keys[:EXAMPLES]),
    )


def exercise_actions_overdue(
    ctx: MetricContext, spec: RiskSpec, keys: Sequence[PrivateKeyFinding]
) -> _Hit | None:
    records = ctx.inventory.exercises if ctx.inventory is not None else ()
    today = ctx.now.date()
    actions = [(e, a) for e in records for a in e.actions]
    late = [(e, a) for e, a in actions if a.overdue(today)]
    if not late:
        return None
    oldest = min(late, key=lambda ea: ea[1].due)[1]
    return _Hit(
        count=len(late),
        population=len(actions),
        escalated=_share_above(spec, len(late), len(actions)),
        detail=f"{len(late):,} of {len(actions):,} corrective actions are open past their due date; the oldest "
        f"was due {oldest.due} ({(today - oldest.due).days} days ago).",
        examples=tuple(f"{a.action} ({a.owner}, due {a.due})" for _, a in late[:EXAMPLES]),
    )


RISKS: dict[str, RiskFn] = {
    "risk.expired-deployed": expired_deployed,
    "risk.revoked-deployed": revoked_deployed,
    "risk.expiring-manual": expiring_manual,
    "risk.deprecated-crypto": deprecated_crypto,
    "risk.owner-missing": owner_missing,
    "risk.manual-public-renewals": manual_public_renewals,
    "risk.quantum-critical": quantum_critical,
    "risk.ca-concentration": ca_concentration,
    "risk.private-keys-exposed": private_keys_exposed,
    "risk.exercise-actions-overdue": exercise_actions_overdue,
}


def _escalation(raw: Any, where: str, rid: str) -> Escalation | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("when") not in ESCALATIONS:
        raise InputError(where, f"{rid}: escalate needs when: {' | '.join(ESCALATIONS)}")
    th = raw.get("threshold")
    return Escalation(
        to=RiskSeverity(raw["to"]), when=str(raw["when"]), threshold=float(th) if th is not None else None
    )


def _spec(raw: Any, where: str) -> RiskSpec:
    required = ("id", "title", "severity", "measures", "rationale", "source", "action")
    if not isinstance(raw, dict) or any(k not in raw for k in required):
        raise InputError(where, f"risk {raw!r:.60}: needs {', '.join(required)}")
    title = raw["title"]
    if not (isinstance(title, list) and len(title) == 2 and all(isinstance(t, str) for t in title)):
        raise InputError(where, f"{raw['id']}: title must be [singular, plural]")
    try:
        severity = RiskSeverity(raw["severity"])
    except ValueError:
        raise InputError(where, f"{raw['id']}: unknown severity {raw['severity']!r}") from None
    return RiskSpec(
        id=str(raw["id"]),
        title=(title[0], title[1]),
        severity=severity,
        measures=str(raw["measures"]),
        rationale=str(raw["rationale"]),
        source=str(raw["source"]),
        action=str(raw["action"]),
        escalate=_escalation(raw.get("escalate"), where, str(raw["id"])),
        threshold=float(raw["threshold"]) if raw.get("threshold") is not None else None,
        params=dict(raw.get("params") or {}),
    )


def parse_risks(doc: Any, where: str = RISKS_FILE) -> tuple[RiskSpec, ...]:
    """Validate a risks document (the shape of risks.yaml)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("risks"), list):
        raise InputError(where, "expected a mapping with a 'risks' list")
    specs = tuple(_spec(r, where) for r in doc["risks"])
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids):
        raise InputError(where, "duplicate risk ids")
    return specs


@lru_cache(maxsize=1)
def load_risks() -> tuple[RiskSpec, ...]:
    """The packaged risk catalog."""
    return parse_risks(_yaml.load_mapping(resources.files("cmmm.maturity").joinpath(RISKS_FILE)))


def find_risks(ctx: MetricContext, private_keys: Sequence[PrivateKeyFinding]) -> tuple[RiskFinding, ...]:
    """Every catalog risk this inventory shows, most severe first, then the largest."""
    out = []
    for spec in load_risks():
        hit = RISKS[spec.id](ctx, spec, private_keys)
        if hit is None:
            continue
        severity = spec.escalate.to if spec.escalate and hit.escalated else spec.severity
        out.append(
            RiskFinding(
                code=spec.id,
                severity=severity,
                title=spec.headline(hit.count),
                detail=hit.detail,
                count=hit.count,
                population=hit.population,
                examples=hit.examples,
                action=spec.action,
                rationale=spec.rationale,
                source=spec.source,
            )
        )
    return tuple(sorted(out, key=lambda r: (-SEVERITY_RANK[r.severity], -r.count, r.code)))
