"""The inventory summary `cmmm ingest` prints: counts a reader checks first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from cmmm.ingest.ctlog import shadow_certificates
from cmmm.model import Inventory


@dataclass(frozen=True, slots=True, kw_only=True)
class InventorySummary:
    certificates: int
    observations: int
    files: int
    by_ingester: dict[str, int]
    by_discovery: dict[str, int]
    top_issuers: list[tuple[str, int]]
    key_algorithms: dict[str, int]
    expired: int
    expiring_30: int
    expiring_90: int
    quantum_vulnerable: int
    rejected: int
    rejected_reasons: list[tuple[str, int]]
    private_keys: int
    services: int
    notes: list[str]
    shadow_it: int = 0  # CT-log-only certificates for the organization's domains (cmmm.ingest.ctlog)


def summarize(inv: Inventory, *, now: datetime, top: int = 10) -> InventorySummary:
    c = inv.certificates
    by_ingester: Counter[str] = Counter()
    for s in inv.sources:
        by_ingester[s.ingester] += s.records
    facts = inv.certificate_facts()
    disc = facts["discovered_by"].dropna().str.split(";").explode().value_counts()
    alg = (
        c["key_algorithm"].fillna("unknown") + c["key_size"].astype("string").radd("-").fillna("")
    ).value_counts()
    issuers = c["issuer_name"].fillna("(unknown issuer)").value_counts().head(top)
    reasons = Counter(r.reason.split(":")[0] for r in inv.rejected)
    na = c["not_after"]
    return InventorySummary(
        certificates=len(c),
        observations=len(inv.observations),
        files=len(inv.sources),
        by_ingester=dict(sorted(by_ingester.items())),
        by_discovery={str(k): int(v) for k, v in disc.items()},
        top_issuers=[(str(k), int(v)) for k, v in issuers.items()],
        key_algorithms={str(k): int(v) for k, v in alg.items()},
        expired=int((na < now).sum()),
        expiring_30=int(((na >= now) & (na < now + timedelta(days=30))).sum()),
        expiring_90=int(((na >= now) & (na < now + timedelta(days=90))).sum()),
        quantum_vulnerable=int(c["quantum_vulnerable"].fillna(False).sum()),
        rejected=len(inv.rejected),
        rejected_reasons=reasons.most_common(top),
        private_keys=len(inv.private_keys),
        services=len(inv.services),
        notes=list(inv.notes),
        shadow_it=len(shadow_certificates(inv)) if "ct-log" in disc.index else 0,
    )
