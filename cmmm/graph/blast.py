"""The blast radius of a CA: every certificate, endpoint, service and owner beneath it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmmm.errors import InputError
from cmmm.graph.hierarchy import (
    certificates_under,
    hierarchy,
    resolve_ca,
)
from cmmm.graph.services import _cert_services, _cert_weight, _deployed, _obs_pos, dependents, service_table
from cmmm.model import Inventory


class AmbiguousCaError(InputError):
    """A CA query matched several CA nodes; `candidates` holds their rows (ca_id, name, kind, …)."""

    def __init__(self, query: str, candidates: pd.DataFrame) -> None:
        self.candidates = candidates
        listed = "; ".join(
            f"{n} [{k}] {i}" for i, n, k in candidates[["ca_id", "name", "kind"]].head(10).values
        )
        more = f" … and {len(candidates) - 10} more" if len(candidates) > 10 else ""
        super().__init__(
            "--blast-radius",
            f"{query!r} matches {len(candidates)} CAs; use an id or fingerprint: {listed}{more}",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BlastRadius:
    """What goes down with a CA (or several).

    cas: the CA node rows (ca_id, name, org, kind, subject_dn, cert_ids, not_after, certificates).
    certificates: every certificate beneath them, transitively (certificate_facts columns plus
      issuing_ca, the ca_id of its direct issuer).
    endpoints: location, host, port, cert_id, service — where those certificates are deployed.
    services: service, criticality, weight, owner, team, relation ("direct": it uses an affected
      certificate; "dependency": it depends_on an affected service, transitively), via (';'-joined direct
      services it reaches), certificates (affected certificates it uses directly).
    owners: owner, team, certificates, services — who has work to do.
    score: Σ weight of every affected service + Σ weight of affected certificates not attached to any
      service (low 1, medium 2, high 4, critical 8; unknown 1).
    """

    cas: pd.DataFrame
    certificates: pd.DataFrame
    endpoints: pd.DataFrame
    services: pd.DataFrame
    owners: pd.DataFrame
    score: int

    @property
    def leaves(self) -> int:
        return int((~self.certificates["is_ca"].fillna(False).astype(bool)).sum())

    @property
    def direct_services(self) -> list[str]:
        return sorted(self.services.loc[self.services["relation"] == "direct", "service"])

    @property
    def dependent_services(self) -> list[str]:
        return sorted(self.services.loc[self.services["relation"] == "dependency", "service"])


def select_cas(inv: Inventory, ca: str | Iterable[str]) -> pd.DataFrame:
    """The CA node rows for a query (name, fingerprint, certificate id or node id) or for explicit node
    ids. Raises InputError when nothing matches and AmbiguousCaError when a query matches several."""
    nodes = hierarchy(inv).nodes
    if isinstance(ca, str):
        found = resolve_ca(inv, ca)
        if found.empty:
            raise InputError("--blast-radius", f"no CA matches {ca!r} (try a name, fingerprint or ca: id)")
        if len(found) > 1:
            raise AmbiguousCaError(ca, found)
        return found
    ids = list(ca)
    unknown = sorted(set(ids) - set(nodes["ca_id"]))
    if unknown:
        raise InputError("--blast-radius", f"not a CA node id: {unknown[0]!r}")
    return nodes[nodes["ca_id"].isin(ids)]


def blast_radius(inv: Inventory, ca: str | Iterable[str]) -> BlastRadius:
    """Every certificate, endpoint, service (directly or through depends_on) and owner beneath a CA."""
    cas = select_cas(inv, ca)
    mask = certificates_under(inv, cas["ca_id"]).to_numpy()
    h = hierarchy(inv)
    facts = inv.certificate_facts()
    certs = facts[mask].assign(issuing_ca=h.issuer[mask].to_numpy()).reset_index(drop=True)
    op = _obs_pos(inv)
    obs = inv.observations[(op >= 0) & mask[np.maximum(op, 0)]]
    endpoints = (
        obs[_deployed(obs)][["location", "host", "port", "cert_id", "service"]]
        .drop_duplicates()
        .sort_values(["location", "cert_id"])
        .reset_index(drop=True)
    )
    pos = np.flatnonzero(mask)
    cs = _cert_services(inv)
    used = cs[cs["pos"].isin(pos)]
    direct_counts = used.groupby("service").size()
    deps = dependents(inv)
    reach = deps[deps["service"].isin(direct_counts.index)]
    via = reach.groupby("dependent")["service"].agg(lambda s: ";".join(sorted(s)))
    table = service_table(inv).set_index("service")
    affected = pd.Index(sorted(set(reach["dependent"]) | set(direct_counts.index)), dtype="string")
    services = table.reindex(affected).reset_index().rename(columns={"index": "service"})
    services["relation"] = np.where(services["service"].isin(direct_counts.index), "direct", "dependency")
    services["via"] = (
        services["service"].map(via).astype("string").where(services["relation"] == "dependency")
    )
    services["certificates"] = services["service"].map(direct_counts).fillna(0).astype("int64")
    services["weight"] = services["weight"].fillna(1).astype("int64")
    services = services.sort_values(["relation", "weight", "service"], ascending=[False, False, True])
    services = services[
        ["service", "criticality", "weight", "owner", "team", "relation", "via", "certificates"]
    ].reset_index(drop=True)
    unattached = ~np.isin(pos, used["pos"].to_numpy())
    score = int(services["weight"].sum()) + int(_cert_weight(inv)[pos[unattached]].sum())
    who = certs[["owner", "team"]].fillna({"owner": "(no owner)", "team": "(no team)"})
    owners = who.value_counts(dropna=False).rename("certificates").reset_index()
    svc_who = services[["owner", "team"]].fillna({"owner": "(no owner)", "team": "(no team)"})
    svc_n = svc_who.value_counts().rename("services").reset_index()
    owners = owners.merge(svc_n, on=["owner", "team"], how="outer").fillna({"certificates": 0, "services": 0})
    owners = owners.astype({"certificates": "int64", "services": "int64"}).sort_values(
        ["certificates", "services", "owner"], ascending=[False, False, True]
    )
    return BlastRadius(
        cas=cas.reset_index(drop=True),
        certificates=certs,
        endpoints=endpoints,
        services=services,
        owners=owners.reset_index(drop=True),
        score=score,
    )
