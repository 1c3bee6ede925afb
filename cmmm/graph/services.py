"""Services and their dependencies: the service table, who depends on whom (transitively), which certificates serve which services."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmmm.graph.hierarchy import (
    closure_pairs,
)
from cmmm.model import CRITICALITY_RANK, Criticality, Inventory, derived, remap

# Criticality weights for the blast-radius score: doubling per step, so one critical service outweighs
# several low ones. Unknown criticality counts as low.
CRITICALITY_WEIGHT: dict[str, int] = {
    Criticality.LOW.value: 1,
    Criticality.MEDIUM.value: 2,
    Criticality.HIGH.value: 4,
    Criticality.CRITICAL.value: 8,
}


CRITICAL_RANK = CRITICALITY_RANK[Criticality.HIGH]  # "critical services" below means high or critical


@derived
def service_table(inv: Inventory) -> pd.DataFrame:
    """Every service, from the catalog and from observations: service, criticality (catalog, else the
    highest seen on its certificates), weight, owner, team, depends_on. Cached."""
    cat = inv.services.drop_duplicates("service")[["service", "criticality", "owner", "team", "depends_on"]]
    obs = inv.observations.dropna(subset=["service"])
    seen = pd.DataFrame(
        {
            "service": obs["service"].astype("string"),
            "rank": remap(obs["criticality"], CRITICALITY_RANK).astype("float64"),
            "owner": obs["owner"].astype("string"),
            "team": obs["team"].astype("string"),
        }
    )
    g = seen.groupby("service", sort=True)
    observed = pd.DataFrame(
        {"rank": g["rank"].max(), "owner": g["owner"].first(), "team": g["team"].first()}
    ).reset_index()
    names = pd.Index(sorted(set(cat["service"].dropna()) | set(observed["service"])), dtype="string")
    c = cat.set_index("service").reindex(names)
    o = observed.set_index("service").reindex(names)
    rank = c["criticality"].map(CRITICALITY_RANK).astype("float64").fillna(o["rank"])
    rank_to_name = {v: k.value for k, v in CRITICALITY_RANK.items()}
    crit = rank.map(rank_to_name).astype("string")
    out = pd.DataFrame(
        {
            "service": names,
            "criticality": crit.to_numpy(),
            "weight": crit.map(CRITICALITY_WEIGHT).fillna(1).astype("int64").to_numpy(),
            "owner": c["owner"].astype("string").fillna(o["owner"]).to_numpy(),
            "team": c["team"].astype("string").fillna(o["team"]).to_numpy(),
            "depends_on": c["depends_on"].astype("string").to_numpy(),
        }
    )
    return out


def _depends_edges(inv: Inventory) -> list[tuple[str, str]]:
    """(service, service it depends on) pairs from the catalog's depends_on cells."""
    needs = service_table(inv)[["service", "depends_on"]].dropna()
    edges = needs.assign(dep=needs["depends_on"].str.split(";")).explode("dep")
    dep = edges["dep"].astype("string").str.strip()
    keep = dep.fillna("") != ""
    return list(zip(edges.loc[keep, "service"], dep[keep], strict=True))


@derived
def dependents(inv: Inventory) -> pd.DataFrame:
    """Columns service, dependent: every service together with each service that needs it, directly or
    transitively through depends_on (a service is its own dependent). Cached."""
    svc = service_table(inv)
    users: dict[str, list[str]] = {}
    for user, dep in _depends_edges(inv):
        users.setdefault(dep, []).append(user)
    out = closure_pairs(sorted(set(svc["service"]) | set(users)), users, columns=("service", "dependent"))
    return out


@derived
def _obs_pos(inv: Inventory) -> np.ndarray:
    """The row position in inv.certificates of each observation's certificate (-1 when absent). Cached."""
    out = _positions(inv.certificates["cert_id"], inv.observations["cert_id"])
    return out


def _positions(table: pd.Series, keys: pd.Series) -> np.ndarray:
    """pd.Index(table).get_indexer(keys) by one factorize of both (hash indexes of a million Arrow
    strings are slow); the codes of unique, non-null table keys are their positions."""
    n = len(table)
    codes, _ = pd.factorize(pd.concat([table, keys], ignore_index=True).astype("string"))
    codes = np.asarray(codes, dtype=np.int64)
    if not np.array_equal(codes[:n], np.arange(n)):  # repeated or missing ids: the first row of each
        first = pd.Series(np.arange(n), index=table.to_numpy())
        first = first[~first.index.duplicated()]
        return keys.map(first).fillna(-1).to_numpy(dtype=np.int64)
    at = codes[n:]
    return np.where(at < n, at, -1)


@derived
def _cert_services(inv: Inventory) -> pd.DataFrame:
    """Unique (pos, service) pairs: the services each certificate serves (row position in certificates)."""
    obs = inv.observations
    has = obs["service"].notna().to_numpy()
    pos = _obs_pos(inv)[has]
    service = obs.loc[has, "service"].astype("string").reset_index(drop=True)
    codes, uniques = pd.factorize(service)
    pair = pd.Series(pos * (len(uniques) + 1) + np.asarray(codes))
    keep = (~pair.duplicated()).to_numpy() & (pos >= 0)
    out = pd.DataFrame({"pos": pos[keep].astype("int64"), "service": service[keep].reset_index(drop=True)})
    return out


def _deployed(obs: pd.DataFrame) -> np.ndarray:
    """Observations that name a place the certificate is deployed: a host, or a location other than the
    inventory file that listed it (a k8s secret, a cloud resource). A PEM file read from disk is the
    inventory, not an endpoint."""
    place = obs["location"].notna() & (obs["host"].notna() | (obs["location"] != obs["source"]).fillna(True))
    return place.to_numpy(dtype=bool)


def _cert_weight(inv: Inventory) -> np.ndarray:
    facts = inv.certificate_facts()
    return facts["criticality"].map(CRITICALITY_WEIGHT).fillna(1).astype("int64").to_numpy()
