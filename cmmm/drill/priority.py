"""Dependency-aware priority and exposure: criticality that flows along depends_on, the order an incident
commander works in, and which services a late certificate exposes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmmm.drill.engine import Reach
from cmmm.graph.services import dependents, service_table
from cmmm.model import CRITICALITY_RANK, Criticality, Environment, Inventory, derived, remap

# Production first, then the environments closest to it; an unknown environment comes last, after dev:
# the inventory does not say it is production, and a production certificate without a label is a data
# problem the plan names (the `environment` column stays empty).
ENVIRONMENT_RANK: dict[str, int] = {
    Environment.PROD.value: 0,
    Environment.STAGING.value: 1,
    Environment.TEST.value: 2,
    Environment.DEV.value: 3,
}
UNKNOWN_ENVIRONMENT_RANK = len(ENVIRONMENT_RANK)
CRITICAL = CRITICALITY_RANK[Criticality.CRITICAL]
_RANK_NAME = {v: k.value for k, v in CRITICALITY_RANK.items()}
NAMES_SHOWN = 5  # services named in an `exposes` cell before "+N more"

# The columns `order` adds to the affected certificates (docs/drills.md, "Priority and exposure along dependencies").
PRIORITY_COLUMNS = ("due", "transitive_rank", "environment_rank", "dependents", "exposes")


@derived
def transitive_rank(inv: Inventory) -> pd.Series:
    """Per service (index): the highest criticality rank (1–4, 0 unknown) of the service and of every service
    that depends on it, directly or transitively — identity is as critical as the most critical service that
    needs it. Computed once per inventory (every drill of an assessment asks): read it, never change it."""
    svc = service_table(inv)
    own = pd.Series(
        svc["criticality"].map(CRITICALITY_RANK).astype("float64").fillna(0).to_numpy(),
        index=svc["service"].astype("string").to_numpy(),
    )
    pairs = dependents(inv)
    rank = pairs["dependent"].map(own).fillna(0)
    out: pd.Series = rank.groupby(pairs["service"].to_numpy()).max().astype("int64")
    return out


def dependent_services(inv: Inventory) -> pd.Series:
    """Per service (index): the other services that need it, transitively, sorted (a list each)."""
    pairs = dependents(inv)
    others = pairs[pairs["service"] != pairs["dependent"]]
    out: pd.Series = others.groupby("service")["dependent"].agg(lambda s: sorted(map(str, s)))
    return out


def direct_clients(inv: Inventory, services: list[str]) -> list[str]:
    """The services that call any of `services` directly (their depends_on names one), affected or not: the
    relying parties whose trust stores must hold a new CA before those services switch to it."""
    svc = service_table(inv)[["service", "depends_on"]].dropna()
    wanted = set(services)
    needs = svc["depends_on"].astype(str).str.split(";")
    hit = needs.map(lambda deps: bool(wanted & {d.strip() for d in deps}))
    return sorted(set(svc.loc[hit.to_numpy(dtype=bool), "service"].astype(str)))


def bounded(names: list[str], shown: int = NAMES_SHOWN, sep: str = ";") -> str:
    """'a;b;c' with at most `shown` names, then '(+N more)'."""
    head = sep.join(names[:shown])
    rest = len(names) - shown
    return f"{head} (+{rest} more)" if rest > 0 else head


def order(inv: Inventory, aff: pd.DataFrame, deadline_hours: float) -> pd.DataFrame:
    """The affected certificates in priority order, with PRIORITY_COLUMNS added.

    First the certificates due within the drill's deadline, then by transitive criticality (the highest of
    the certificate's own, its service's and every service depending on it), then environment (prod,
    staging, test, dev, unknown), then deadline; ties go to the certificate whose service more services
    need, then service name, common name and certificate id — never to a hash alone."""
    out = aff.copy()
    service = out["service"].astype("string")
    own = remap(out["criticality"], CRITICALITY_RANK).astype("float64").fillna(0).to_numpy()
    via = service.map(transitive_rank(inv)).astype("float64").fillna(0).to_numpy()
    needs = dependent_services(inv)
    out["due"] = (out["deadline_h"] <= deadline_hours + 1e-9).to_numpy(dtype=bool)
    out["transitive_rank"] = np.maximum(own, via).astype(int)
    env = out["environment"].astype("string").str.lower()
    out["environment_rank"] = (
        env.map(ENVIRONMENT_RANK).fillna(UNKNOWN_ENVIRONMENT_RANK).astype(int).to_numpy()
    )
    count = {k: len(v) for k, v in needs.items()}
    text = {k: bounded(v) for k, v in needs.items()}
    out["dependents"] = service.astype(object).map(count).fillna(0).astype(int).to_numpy()
    out["exposes"] = service.astype(object).map(text).astype("string").to_numpy()
    keys = pd.DataFrame(
        {
            "due": ~out["due"],
            "rank": -out["transitive_rank"],
            "env": out["environment_rank"],
            "deadline": out["deadline_h"].astype(float),
            "users": -out["dependents"],
            "service": service,  # a certificate without a service after the named ones (na_position)
            "cn": out["common_name"].astype("string"),
            "cert": out["cert_id"].astype("string"),
        },
        index=out.index,
    )
    at = keys.sort_values(list(keys.columns), kind="stable", na_position="last").index
    return out.loc[at].reset_index(drop=True)


def rank_name(rank: pd.Series) -> pd.Series:
    """Criticality names for ranks (0: missing)."""
    return rank.map(_RANK_NAME).astype("string")


def reach(inv: Inventory, aff: pd.DataFrame, service: np.ndarray, critical: np.ndarray) -> Reach:
    """Which services each service group exposes when it is late: the group's own service and every service
    depending on it, transitively. A group without a catalogued service exposes only itself. A service is
    critical when the catalog says so or one of its affected certificates is."""
    key = _group_keys(aff, service)
    needs = dependent_services(inv)
    pairs_g: list[int] = []
    pairs_s: list[str] = []
    for g, k in enumerate(key):
        for s in [k, *needs.get(k, [])]:
            pairs_g.append(g)
            pairs_s.append(s)
    names, codes = np.unique(np.array(pairs_s, dtype=object).astype(str), return_inverse=True)
    svc = service_table(inv)
    cat = svc["criticality"].map(CRITICALITY_RANK).astype("float64").fillna(0).to_numpy() >= CRITICAL
    catalog_critical = dict(zip(svc["service"].astype(str), cat, strict=True))
    crit = np.array([bool(catalog_critical.get(str(n), False)) for n in names], dtype=bool)
    own_crit: np.ndarray = np.zeros(len(key), dtype=bool)
    np.logical_or.at(own_crit, service, critical)
    by_name = {str(n): i for i, n in enumerate(names)}
    for g, k in enumerate(key):
        crit[by_name[k]] |= own_crit[g]
    return Reach(group=np.array(pairs_g, dtype=np.int64), exposed=codes.astype(np.int64), critical=crit)


def _group_keys(aff: pd.DataFrame, service: np.ndarray) -> list[str]:
    """The service name of each group code (its first certificate's service, else a name of its own)."""
    n_groups = int(service.max()) + 1 if len(service) else 0
    first: np.ndarray = np.full(n_groups, -1, dtype=np.int64)
    rows = np.arange(len(service))[::-1]
    first[service[rows]] = rows  # the last write wins: the first row of each group
    svc = aff["service"].astype("string").to_numpy()
    cn = aff["common_name"].astype("string").fillna(aff["cert_id"].astype("string")).to_numpy()
    return [str(svc[i]) if pd.notna(svc[i]) else f"cn:{cn[i]}" for i in first]
