"""PQC readiness of an inventory: quantum-vulnerable keys by criticality, Mosca exposure, post-quantum
assets, hybrid key exchange seen on endpoints, and what a post-quantum chain would cost per handshake.

Mosca's inequality (DOMAIN §4) is `cmmm.mosca`, shared with the PQC drill: a service's data is exposed when
secrecy_years + migration_years > quantum_threat_years. Without quantum_threat_years the exposure is unknown;
without migration_years the documented default (cmmm.mosca.DEFAULT_MIGRATION_YEARS) is assumed and said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from cmmm import crypto, mosca
from cmmm.maturity.measures import MetricContext, Share
from cmmm.model import CRITICALITY_RANK, Criticality, KeyFamily, Profile
from cmmm.schedules import PQC_DEADLINES

POST_QUANTUM_FAMILIES = frozenset({KeyFamily.ML_DSA, KeyFamily.SLH_DSA, KeyFamily.COMPOSITE})
UNKNOWN = "unknown"
TOP_SERVICES = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class CriticalityRow:
    criticality: str  # low … critical, or "unknown"
    certificates: int  # unexpired
    vulnerable: int
    unknown: int  # key algorithm unknown: neither vulnerable nor post-quantum as far as the data says


@dataclass(frozen=True, slots=True, kw_only=True)
class MoscaService:
    service: str
    secrecy_years: float
    certificates: int
    margin_years: float  # secrecy + migration − threat; > 0 means exposed now


@dataclass(frozen=True, slots=True, kw_only=True)
class Mosca:
    """Mosca's inequality on this inventory. `exposed` is None (unknown) when an input is missing."""

    migration_years: float | None
    quantum_threat_years: float | None
    secrecy_known: int  # unexpired quantum-vulnerable certificates with a secrecy_years value
    vulnerable: int
    exposed: int | None
    services: tuple[MoscaService, ...]
    unknown_reason: str | None
    migration_assumed: bool = False  # profile.yaml gives no migration_years: cmmm.mosca's default stands in


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeCost:
    algorithm: str
    bytes: int
    fits_initial_window: bool
    current: bool  # the organization's most common end-entity algorithm


@dataclass(frozen=True, slots=True, kw_only=True)
class PqcReadiness:
    vulnerable: Share  # unexpired certificates with a quantum-vulnerable key
    key_unknown: Share
    by_criticality: tuple[CriticalityRow, ...]
    mosca: Mosca
    pqc_certificates: tuple[tuple[str, int], ...]  # post-quantum key algorithm → certificates
    hybrid_endpoints: int  # distinct endpoints a scan saw offering a hybrid ML-KEM group
    kex_observed_endpoints: int  # distinct endpoints whose key-exchange groups a scan recorded
    pqc_capable_services: int
    handshake: tuple[HandshakeCost, ...]
    initial_window_bytes: int
    deadlines: tuple[tuple[str, str, date], ...]  # (authority, category, exclusive_by), soonest first


def _by_criticality(ctx: MetricContext) -> tuple[CriticalityRow, ...]:
    live = ctx.unexpired.to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            "crit": ctx.facts["criticality"].fillna(UNKNOWN).to_numpy()[live],
            "v": ctx.quantum_vulnerable.to_numpy(dtype=bool)[live],
            "u": ctx.key_unknown.to_numpy(dtype=bool)[live],
        }
    )
    g = frame.groupby("crit").agg(size=("v", "size"), v=("v", "sum"), u=("u", "sum"))
    order = [c.value for c in sorted(Criticality, key=lambda c: -CRITICALITY_RANK[c])] + [UNKNOWN]
    return tuple(
        CriticalityRow(
            criticality=c,
            certificates=int(g.loc[c, "size"]),
            vulnerable=int(g.loc[c, "v"]),
            unknown=int(g.loc[c, "u"]),
        )
        for c in order
        if c in g.index
    )


def _mosca(ctx: MetricContext, profile: Profile) -> Mosca:
    vulnerable = ctx.unexpired & ctx.quantum_vulnerable
    secrecy = ctx.facts["secrecy_years"].astype("float64")
    known = vulnerable & secrecy.notna()
    h = mosca.horizon(profile)

    def unknown(reason: str) -> Mosca:
        return Mosca(
            migration_years=h.migration_years,
            quantum_threat_years=h.quantum_threat_years,
            secrecy_known=int(known.sum()),
            vulnerable=int(vulnerable.sum()),
            exposed=None,
            services=(),
            unknown_reason=reason,
            migration_assumed=h.migration_assumed,
        )

    if h.quantum_threat_years is None:
        return unknown("profile.yaml does not give quantum_threat_years (it has no default)")
    if not known.any():
        return unknown("no certificate's service has secrecy_years (services.csv or the inventory)")
    threat, migration = h.quantum_threat_years, h.migration_years
    exposed = vulnerable & mosca.exposed(secrecy, h)
    rows = ctx.facts.loc[exposed.to_numpy(dtype=bool), ["service", "secrecy_years"]]
    rows = rows.assign(service=rows["service"].fillna("(no service)"))
    table = (
        rows.groupby("service")
        .agg(secrecy_years=("secrecy_years", "max"), certificates=("secrecy_years", "size"))
        .reset_index()
        .sort_values(["secrecy_years", "certificates", "service"], ascending=[False, False, True])
        .head(TOP_SERVICES)
    )
    services = tuple(
        MoscaService(
            service=str(r.service),
            secrecy_years=float(r.secrecy_years),
            certificates=int(r.certificates),
            margin_years=float(r.secrecy_years) + migration - threat,
        )
        for r in table.itertuples()
    )
    return Mosca(
        migration_years=migration,
        quantum_threat_years=threat,
        secrecy_known=int(known.sum()),
        vulnerable=int(vulnerable.sum()),
        exposed=int(exposed.sum()),
        services=services,
        unknown_reason=None,
        migration_assumed=h.migration_assumed,
    )


def _current_algorithm(ctx: MetricContext) -> str | None:
    """The most common end-entity key as a crypto.SIZES name, or None when no known one."""
    leaf = ctx.facts.loc[ctx.active_leaf.to_numpy(dtype=bool), ["key_algorithm", "key_size"]]
    label = leaf["key_algorithm"].fillna("") + "-" + leaf["key_size"].astype("string").fillna("")
    known = label[label.isin(list(crypto.SIZES))]
    return str(known.value_counts().idxmax()) if len(known) else None


def _handshake(ctx: MetricContext) -> tuple[HandshakeCost, ...]:
    current = _current_algorithm(ctx)
    names = ([current] if current else []) + [a for a in crypto.HANDSHAKE_CANDIDATES if a != current]
    return tuple(
        HandshakeCost(
            algorithm=a,
            bytes=crypto.handshake_bytes(a),
            fits_initial_window=crypto.handshake_bytes(a) <= crypto.INITIAL_WINDOW_BYTES,
            current=a == current,
        )
        for a in names
    )


def pqc_readiness(ctx: MetricContext, profile: Profile, services: pd.DataFrame) -> PqcReadiness:
    """The PQC section of the analysis, at the context's dates."""
    unexpired = ctx.unexpired
    alg = ctx.facts["key_algorithm"].where(unexpired)
    fam = crypto.key_families(alg.dropna())
    post_quantum = alg.dropna()[fam.isin(POST_QUANTUM_FAMILIES)].value_counts()
    obs = ctx.observations
    kex = obs["kex_groups"].fillna("")
    hybrid = kex.str.contains("|".join(crypto.PQC_HYBRID_GROUPS), case=False, regex=True)
    capable = services["pqc_capable"].astype("boolean").fillna(False) if len(services) else pd.Series([])
    return PqcReadiness(
        vulnerable=ctx.share(ctx.quantum_vulnerable, unexpired),
        key_unknown=ctx.share(ctx.key_unknown, unexpired),
        by_criticality=_by_criticality(ctx),
        mosca=_mosca(ctx, profile),
        pqc_certificates=tuple((str(k), int(v)) for k, v in post_quantum.sort_index().items()),
        hybrid_endpoints=int(obs.loc[hybrid, "location"].nunique()),
        kex_observed_endpoints=int(obs.loc[kex != "", "location"].nunique()),
        pqc_capable_services=int(capable.sum()),
        handshake=_handshake(ctx),
        initial_window_bytes=crypto.INITIAL_WINDOW_BYTES,
        deadlines=tuple(
            (d.authority, d.category, d.exclusive_by)
            for d in sorted(PQC_DEADLINES, key=lambda d: (d.exclusive_by, d.authority, d.category))
        ),
    )
