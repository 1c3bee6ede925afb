"""Per-certificate view of observations and the service catalog, computed with groupby, never per row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmmm.model import AUTOMATED, CRITICALITY_RANK, FACT_COLUMNS, Discovery, conform

_RANK_TO_CRIT = {v: k.value for k, v in CRITICALITY_RANK.items()}


def _automation_rank(s: pd.Series) -> pd.Series:
    automated = s.isin([a.value for a in AUTOMATED])
    return pd.Series(np.select([automated, s == "manual", s == "none"], [3, 2, 1], default=0), index=s.index)


def certificate_facts(certs: pd.DataFrame, obs: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    out = certs.copy()
    ids = pd.Index(certs["cert_id"])
    if len(obs):
        o = obs
        g = o.groupby("cert_id", sort=False)
        firsts = g[["owner", "team", "service", "environment"]].first()
        for col in firsts.columns:
            out[col] = firsts[col].reindex(ids).to_numpy()
        crit = o["criticality"].map(CRITICALITY_RANK).astype("float64")
        out["criticality"] = crit.groupby(o["cert_id"]).max().reindex(ids).map(_RANK_TO_CRIT).to_numpy()
        rank = _automation_rank(o["automation"].fillna(""))
        best = (
            o.assign(_r=rank)
            .sort_values("_r", ascending=False, kind="stable")
            .drop_duplicates("cert_id")[["cert_id", "automation"]]
            .set_index("cert_id")["automation"]
        )
        out["automation"] = best.reindex(ids).to_numpy()
        disc = o[["cert_id", "discovered_by"]].dropna().drop_duplicates()
        joined = pd.Series("", index=ids, dtype=object)
        known = {d.value for d in Discovery}
        for method in sorted(known | set(disc["discovered_by"].unique())):
            has = pd.Index(disc.loc[disc["discovered_by"] == method, "cert_id"].unique())
            if len(has):
                mask = ids.isin(has)
                joined[mask] = joined[mask] + method + ";"
        out["discovered_by"] = joined.str.rstrip(";").replace("", pd.NA).to_numpy()
        out["sources"] = g["source"].nunique().reindex(ids).fillna(0).to_numpy()
        out["observations"] = g.size().reindex(ids).fillna(0).to_numpy()
        ep = o[o["host"].notna()]
        out["endpoints"] = ep.groupby("cert_id")["location"].nunique().reindex(ids).fillna(0).to_numpy()
        out["secrecy_years"] = g["secrecy_years"].max().reindex(ids).to_numpy()
    if len(services):
        svc = services.drop_duplicates("service").set_index("service")
        sname = out["service"] if "service" in out else pd.Series(pd.NA, index=out.index)
        for col in ("owner", "team"):
            fill = sname.map(svc[col]) if col in svc else None
            if fill is not None:
                out[col] = out[col].fillna(fill) if col in out else fill
        svc_crit = sname.map(svc["criticality"].map(CRITICALITY_RANK))
        own_crit = out["criticality"].map(CRITICALITY_RANK) if "criticality" in out else None
        best_rank = pd.concat([svc_crit, own_crit], axis=1).max(axis=1) if own_crit is not None else svc_crit
        out["criticality"] = best_rank.map(_RANK_TO_CRIT)
        sec = sname.map(svc["secrecy_years"]).astype("Float64")  # one dtype on both sides of fillna
        out["secrecy_years"] = (
            out["secrecy_years"].astype("Float64").fillna(sec) if "secrecy_years" in out else sec
        )
    facts = conform(out[[c for c in out.columns if c in FACT_COLUMNS]], FACT_COLUMNS)
    for c in ("sources", "observations", "endpoints"):
        facts[c] = facts[c].fillna(0)
    return pd.concat([certs.reset_index(drop=True), facts], axis=1)
