"""Per-certificate view of observations and the service catalog, computed with groupby, never per row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmmm.model import AUTOMATED, CRITICALITY_RANK, FACT_COLUMNS, Discovery, conform

_RANK_TO_CRIT = {v: k.value for k, v in CRITICALITY_RANK.items()}


def _automation_rank(s: pd.Series) -> pd.Series:
    automated = s.isin([a.value for a in AUTOMATED])
    return pd.Series(np.select([automated, s == "manual", s == "none"], [3, 2, 1], default=0), index=s.index)


def _discovery_sets(n_codes: int, row_code: np.ndarray, obs: pd.DataFrame) -> np.ndarray:
    """Per certificate, every discovery method that saw it, ';'-joined and sorted (NA when none).

    One bit per method over the integer cert codes (`obs["_code"]`), then one lookup per distinct
    combination: string-keyed isin per method was the slowest step at 250,000 certificates.
    """
    disc = obs[["_code", "discovered_by"]].dropna()
    methods = sorted({d.value for d in Discovery} | set(disc["discovered_by"].unique()))
    bit = disc["discovered_by"].map({m: 1 << i for i, m in enumerate(methods)}).to_numpy(dtype="int64")
    codes: np.ndarray = np.zeros(n_codes, dtype="int64")
    np.bitwise_or.at(codes, disc["_code"].to_numpy(dtype="int64"), bit)
    per_row = codes[row_code]
    names = {c: ";".join(m for i, m in enumerate(methods) if c >> i & 1) or pd.NA for c in np.unique(per_row)}
    return pd.Series(per_row).map(names).to_numpy()


def certificate_facts(certs: pd.DataFrame, obs: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    out = certs.copy()
    ids = pd.Index(certs["cert_id"])
    if len(obs):
        # Group by integer codes of cert_id, factorized once: grouping and reindexing by Arrow strings
        # several times dominated the run time at 250,000 certificates.
        uniq = pd.Index(ids.astype(object)).unique()
        row_code = uniq.get_indexer(ids.astype(object))
        o = obs.assign(_code=uniq.get_indexer(obs["cert_id"].astype(object)))
        o = o[o["_code"] >= 0]

        def per_row(by_code: pd.Series) -> np.ndarray:
            return by_code.reindex(row_code).to_numpy()

        g = o.groupby("_code", sort=False)
        firsts = g[["owner", "team", "service", "environment"]].first()
        for col in firsts.columns:
            out[col] = per_row(firsts[col])
        crit = o["criticality"].map(CRITICALITY_RANK).astype("float64")
        out["criticality"] = pd.Series(per_row(crit.groupby(o["_code"]).max())).map(_RANK_TO_CRIT).to_numpy()
        rank = _automation_rank(o["automation"].fillna(""))
        best = (
            o.assign(_r=rank)
            .sort_values("_r", ascending=False, kind="stable")
            .drop_duplicates("_code")
            .set_index("_code")["automation"]
        )
        out["automation"] = per_row(best)
        out["discovered_by"] = _discovery_sets(len(uniq), row_code, o)
        out["sources"] = pd.Series(per_row(g["source"].nunique())).fillna(0).to_numpy()
        out["observations"] = pd.Series(per_row(g.size())).fillna(0).to_numpy()
        ep = o[o["host"].notna()]
        out["endpoints"] = pd.Series(per_row(ep.groupby("_code")["location"].nunique())).fillna(0).to_numpy()
        out["secrecy_years"] = per_row(g["secrecy_years"].max())
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
        sec = sname.map(svc["secrecy_years"]).astype("Float64")
        out["secrecy_years"] = (
            out["secrecy_years"].astype("Float64").fillna(sec) if "secrecy_years" in out else sec
        )
    facts = conform(out[[c for c in out.columns if c in FACT_COLUMNS]], FACT_COLUMNS)
    for c in ("sources", "observations", "endpoints"):
        facts[c] = facts[c].fillna(0)
    return pd.concat([certs.reset_index(drop=True), facts], axis=1)
