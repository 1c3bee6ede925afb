"""Per-certificate view of observations and the service catalog, computed with numpy, never per row.

Every observation is mapped once to the position of its certificate (one factorize of the cert ids);
each fact is then a scatter-reduction over those positions (first non-empty value, maximum, distinct
count, bit-set union), and string values move only as Arrow takes — no per-row Python, no groupby on
string keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmmm.model.columns import FACT_COLUMNS, remap
from cmmm.model.vocab import AUTOMATED, CRITICALITY_RANK, Discovery

_RANK_TO_CRIT = {v: k.value for k, v in CRITICALITY_RANK.items()}
_RANK_OF: dict[str, int] = {k.value: v for k, v in CRITICALITY_RANK.items()}
_CRIT_NAMES = np.array([None, *(_RANK_TO_CRIT[r] for r in range(1, 5))], dtype=object)
_MAX_METHOD_BITS = 62  # discovery methods folded into one int64 bit set per certificate


def _codes(s: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def _take(values: pd.Series, rows: np.ndarray, dtype: str) -> pd.Series:
    """values[rows] with NA where rows == -1, as `dtype`, on a fresh RangeIndex."""
    got = values.astype(dtype).array.take(rows, allow_fill=True)
    return pd.Series(got, dtype=dtype)


def _first_row(pos: np.ndarray, valid: np.ndarray, k: int) -> np.ndarray:
    """Per key 0..k-1: the first observation row (in order) where `valid`, or -1."""
    rows = np.flatnonzero(valid & (pos >= 0))
    first: np.ndarray = np.full(k, -1, dtype=np.int64)
    if len(rows):
        keys, at = first_of_each(pos[rows])
        first[keys] = rows[at]
    return first


def first_of_each(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys and the index of each one's first occurrence (np.unique(return_index=True)).

    A stable sort and a neighbour comparison: numpy 2's np.unique is many times slower on large arrays.
    """
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    starts = np.r_[True, ranked[1:] != ranked[:-1]] if len(ranked) else np.zeros(0, dtype=bool)
    return ranked[starts], order[starts]


def _distinct(pos: np.ndarray, codes: np.ndarray, valid: np.ndarray, k: int) -> np.ndarray:
    """Per key: the number of distinct non-null codes among rows where `valid`."""
    m = valid & (pos >= 0) & (codes >= 0)
    base = int(codes.max(initial=0)) + 1
    pairs = np.sort(pos[m] * base + codes[m])
    distinct = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return np.bincount(distinct // base, minlength=k)


def _automation_rank(codes: np.ndarray, uniques: pd.Index) -> np.ndarray:
    automated = {a.value for a in AUTOMATED}
    lut = np.array(
        [3 if u in automated else 2 if u == "manual" else 1 if u == "none" else 0 for u in uniques] + [0],
        dtype=np.int64,
    )
    return lut[codes]  # code -1 (missing) takes the trailing 0


def _discovered_by(pos: np.ndarray, disc: pd.Series, k: int) -> pd.Series:
    """Per key: every discovery method that saw it, sorted and ';'-joined (NA when none)."""
    codes, uniques = _codes(disc)
    methods = sorted({d.value for d in Discovery} | {str(u) for u in uniques})
    if len(methods) > _MAX_METHOD_BITS:  # free-text methods beyond any vocabulary: the general path
        frame = pd.DataFrame({"k": pos, "m": disc.astype(object)})
        frame = frame[(frame["k"] >= 0) & frame["m"].notna()].drop_duplicates().sort_values(["k", "m"])
        joined = frame.groupby("k", sort=False)["m"].agg(";".join)
        return pd.Series(joined.reindex(np.arange(k)).to_numpy(), dtype="string")
    bit_of = np.array([1 << methods.index(str(u)) for u in uniques] + [0], dtype=np.int64)
    m = (pos >= 0) & (codes >= 0)
    bits: np.ndarray = np.zeros(k, dtype=np.int64)
    np.bitwise_or.at(bits, pos[m], bit_of[codes[m]])
    inverse, masks = pd.factorize(bits)
    names = [";".join(x for i, x in enumerate(methods) if int(mask) >> i & 1) or None for mask in masks]
    return pd.Series(pd.array(names, dtype="string").take(np.asarray(inverse)), dtype="string")


def certificate_facts(certs: pd.DataFrame, obs: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    n = len(certs)
    # One factorize over certificate ids then observation ids: key k of each row; certificates may
    # repeat an id (then they share its facts).
    keys, uniq = _codes(pd.concat([certs["cert_id"], obs["cert_id"]], ignore_index=True).astype("string"))
    cert_key, pos = keys[:n], keys[n:]
    k = len(uniq)
    pos = np.where((pos >= 0) & (pos < k), pos, -1)
    facts: dict[str, pd.Series] = {}
    if len(obs):
        for col in ("owner", "team", "service", "environment"):
            facts[col] = _take(obs[col], _first_row(pos, obs[col].notna().to_numpy(), k), "string")
        crit_codes, crit_uniques = _codes(obs["criticality"])
        rank_lut = np.array([_RANK_OF.get(str(u), 0) for u in crit_uniques] + [0], dtype=np.int64)
        crit: np.ndarray = np.zeros(k, dtype=np.int64)
        m = pos >= 0
        np.maximum.at(crit, pos[m], rank_lut[crit_codes[m]])
        facts["criticality"] = pd.Series(_CRIT_NAMES[crit], dtype="string")
        # Automation: the highest-ranked method; among equals, the first observation.
        a_codes, a_uniques = _codes(obs["automation"])
        n_obs = len(obs)
        score = _automation_rank(a_codes, a_uniques) * n_obs + (n_obs - 1 - np.arange(n_obs))
        best: np.ndarray = np.full(k, -1, dtype=np.int64)
        np.maximum.at(best, pos[m], score[m])
        facts["automation"] = _take(
            obs["automation"], np.where(best >= 0, n_obs - 1 - best % n_obs, -1), "string"
        )
        facts["discovered_by"] = _discovered_by(pos, obs["discovered_by"], k)
        everywhere: np.ndarray = np.ones(n_obs, dtype=bool)
        facts["sources"] = pd.Series(_distinct(pos, _codes(obs["source"])[0], everywhere, k), dtype="Int64")
        facts["observations"] = pd.Series(np.bincount(pos[m], minlength=k), dtype="Int64")
        facts["endpoints"] = pd.Series(
            _distinct(pos, _codes(obs["location"])[0], obs["host"].notna().to_numpy(), k), dtype="Int64"
        )
        sec = np.full(k, np.nan)
        years = obs["secrecy_years"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
        np.fmax.at(sec, pos[m], years[m])
        facts["secrecy_years"] = pd.Series(sec, dtype="Float64")
        if k != n or not np.array_equal(cert_key, np.arange(n)):
            facts = {
                c: pd.Series(v.array.take(cert_key, allow_fill=True), dtype=v.dtype) for c, v in facts.items()
            }
    out = pd.DataFrame({c: facts[c] for c in facts}, index=pd.RangeIndex(n))
    for col, dtype in FACT_COLUMNS.items():
        if col not in out:
            out[col] = pd.Series(pd.NA, index=out.index, dtype=dtype)
    if len(services):
        _apply_services(out, services)
    out = out[list(FACT_COLUMNS)]
    for c in ("sources", "observations", "endpoints"):
        out[c] = out[c].fillna(0)
    return pd.concat([certs.reset_index(drop=True), out], axis=1)


def _apply_services(out: pd.DataFrame, services: pd.DataFrame) -> None:
    """Fill owner/team/secrecy from the catalog; criticality is the higher of the certificate's and its service's."""
    svc = services.drop_duplicates("service").reset_index(drop=True)
    at = pd.Index(svc["service"].astype("string")).get_indexer(out["service"].astype("string"))
    at = np.asarray(at, dtype=np.int64)
    for col in ("owner", "team"):
        out[col] = out[col].fillna(_take(svc[col], at, "string"))
    svc_rank = svc["criticality"].map(CRITICALITY_RANK).astype("float64").fillna(0).to_numpy(dtype=np.int64)
    from_svc = np.where(at >= 0, np.append(svc_rank, 0)[at], 0)
    own = remap(out["criticality"], CRITICALITY_RANK).astype("float64").fillna(0).to_numpy(dtype=np.int64)
    out["criticality"] = pd.Series(_CRIT_NAMES[np.maximum(own, from_svc)], dtype="string")
    out["secrecy_years"] = (
        out["secrecy_years"].astype("Float64").fillna(_take(svc["secrecy_years"], at, "Float64"))
    )
