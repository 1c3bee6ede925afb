"""The canonical frames: column names and dtypes of certificates, observations, services, algorithms and facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

UTC_DT = "datetime64[us, UTC]"  # microseconds: notAfter 9999-12-31 overflows nanoseconds


# One row per unique certificate. List-valued cells (sans, ext_key_usage) are ';'-joined strings so that
# the frame stays columnar, writes to CSV/Parquet unchanged and filters with vectorized .str methods.
CERTIFICATE_COLUMNS: dict[str, str] = {
    "cert_id": "string",  # sha256:<hex of DER> when the body is known, else row:<stable hash>
    "common_name": "string",
    "sans": "string",
    "subject_dn": "string",
    "subject_org": "string",
    "issuer_dn": "string",
    "issuer_name": "string",  # issuer CN (or the name a spreadsheet gives)
    "issuer_org": "string",
    "issuer_cert_id": "string",  # resolved at merge when the issuing CA certificate is in the inventory
    "serial": "string",  # lower-case hex without leading zeros: compare as integers
    "not_before": UTC_DT,
    "not_after": UTC_DT,
    "validity_days": "Float64",
    "key_algorithm": "string",  # RSA, EC, Ed25519, Ed448, DSA, ML-DSA-65, SLH-DSA-…, composite name
    "key_size": "Int64",
    "key_curve": "string",
    "signature_algorithm": "string",  # canonical name, see crypto.SIGNATURE_ALGORITHMS
    "signature_hash": "string",  # sha1, sha256, …, or "none" for ML-DSA/EdDSA
    "is_ca": "boolean",
    "is_self_signed": "boolean",
    "path_len": "Int64",
    "trust": "string",  # public | private
    "ext_key_usage": "string",
    "quantum_vulnerable": "boolean",
    "fingerprint_sha256": "string",
    "fingerprint_sha1": "string",
    "key_id": "string",  # SHA-256 of the SubjectPublicKeyInfo
    "subject_key_id": "string",
    "authority_key_id": "string",
    "sct_count": "Int64",
    "earliest_sct": UTC_DT,
    "has_body": "boolean",  # parsed from a real certificate body (PEM/DER/…), not a table row
    "revoked": "boolean",  # listed by an ingested CRL of its issuer, or revoked by the CA's own export
    "revoked_at": UTC_DT,  # the revocation date the CRL or export gives
    "revocation_reason": "string",  # RFC 5280 CRLReason (keyCompromise, superseded, …) when given
}


OBSERVATION_COLUMNS: dict[str, str] = {
    "cert_id": "string",
    "source": "string",  # the file or target that was read
    "source_ref": "string",  # locator inside it: line, document, resource id
    "location": "string",  # where the certificate lives: host:port, k8s secret, ARN, file path
    "host": "string",
    "port": "Int64",
    "service": "string",
    "owner": "string",
    "team": "string",
    "environment": "string",
    "criticality": "string",
    "automation": "string",
    "discovered_by": "string",
    "last_seen": UTC_DT,
    "tags": "string",
    "tls_versions": "string",  # ';'-joined, e.g. "TLSv1.2;TLSv1.3" (scanners)
    "kex_groups": "string",  # ';'-joined negotiated/offered groups, e.g. "X25519MLKEM768;x25519"
    "secrecy_years": "Float64",
}


SERVICE_COLUMNS: dict[str, str] = {
    "service": "string",
    "owner": "string",
    "team": "string",
    "criticality": "string",
    "depends_on": "string",  # ';'-joined service names this service needs
    "customer_facing": "boolean",
    "secrecy_years": "Float64",
    "pqc_capable": "boolean",
}


# One row per cryptographic algorithm an inventory names outside certificates: CycloneDX CBOM
# algorithm assets (code and protocol scans). Certificates keep their own key/signature columns.
ALGORITHM_COLUMNS: dict[str, str] = {
    "algorithm": "string",  # the name as the source gives it: RSA-2048, SHA1, AES128-GCM, ML-KEM-768
    "primitive": "string",  # CycloneDX primitive: signature, pke, kem, key-agree, hash, ae, block-cipher, mac, …
    "family": "string",  # key family for public-key algorithms (RSA, EC, ML-DSA-65, …), else empty
    "parameter_set": "string",
    "curve": "string",
    "oid": "string",
    "classical_security_level": "Int64",
    "nist_quantum_security_level": "Int64",  # 0: broken by a quantum computer; 1–5: NIST PQC categories
    "quantum_vulnerable": "boolean",
    "source": "string",
    "source_ref": "string",  # bom-ref
    "location": "string",  # where it was found: code location, or the component the BOM describes
    "discovered_by": "string",
}


# PQC lab measurements (cmmm pqc-lab), one row per CA of a mirrored private hierarchy and profile: what a
# server of that hierarchy sends for its chain in a real loopback handshake. The PQC drill's handshake track
# reads them instead of the size table (docs/pqc-lab.md).
LAB_COLUMNS: dict[str, str] = {
    "ca_name": "string",  # a CA of the hierarchy (its top or any intermediate), as the inventory names it
    "hierarchy": "string",  # the hierarchy's top CA
    "profile": "string",  # baseline, ML-DSA-44, ML-DSA-65, ML-DSA-87
    "leaf_key": "string",  # the mirrored leaf's key (EC-256, RSA-2048, ML-DSA-65 …)
    "bytes": "Int64",  # Certificate + CertificateVerify messages, measured
    "server_flight_bytes": "Int64",  # everything the server sent before the client's Finished
    "round_trips": "Int64",  # of the whole handshake, with a 10-segment initial window
    "accepted_by": "string",  # clients that verified it (';'-joined)
    "rejected_by": "string",  # clients that refused it, with their reason
}


# Columns that certificate_facts() adds from observations and services.
FACT_COLUMNS: dict[str, str] = {
    "owner": "string",
    "team": "string",
    "service": "string",
    "environment": "string",
    "criticality": "string",
    "automation": "string",
    "discovered_by": "string",  # ';'-joined sorted set across every observation
    "sources": "Int64",
    "observations": "Int64",
    "endpoints": "Int64",
    "secrecy_years": "Float64",
}


def empty_frame(columns: Mapping[str, str]) -> pd.DataFrame:
    """An empty DataFrame with the given columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def conform(frame: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """Return `frame` with exactly `columns`, in order, cast to their dtypes (missing ones empty)."""
    n = len(frame)
    out: dict[str, pd.Series] = {}
    for name, dtype in columns.items():
        if name in frame.columns:
            col = frame[name]
            if str(col.dtype) != dtype:
                col = _cast(col, dtype)
            out[name] = col.reset_index(drop=True)
        else:
            out[name] = pd.Series(pd.NaT if dtype == UTC_DT else pd.NA, index=pd.RangeIndex(n), dtype=dtype)
    return pd.DataFrame(out)


def _finite_number(v: object) -> object:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return v if isinstance(v, str) else None
    return v if -(2**53) < v < 2**53 else None


def _cast(col: pd.Series, dtype: str) -> pd.Series:
    if dtype == UTC_DT:
        return pd.to_datetime(col, utc=True, errors="coerce").astype(UTC_DT)
    if dtype == "boolean" and col.dtype == object:
        # pd.isna, not `is None`: concat fills a column one part lacks with float NaN, and bool(nan) is True.
        return col.map(lambda v: pd.NA if pd.isna(v) else bool(v)).astype("boolean")
    try:
        return col.astype(dtype)
    except (OverflowError, TypeError, ValueError):
        if dtype not in ("Int64", "Float64", "float64", "int64"):
            raise
        # a hostile source's 2**64 key size or "x" in a count: that cell is unknown, the column stays
        return pd.to_numeric(col.map(_finite_number), errors="coerce").astype(dtype)


def isin(column: pd.Series, values: pd.Series | Iterable[object]) -> np.ndarray:
    """`column.isin(values)` as a bool array. For a text column the test runs in Arrow: pandas' own `isin`
    on Arrow strings builds one Arrow scalar per value in Python, 0.1 s a call for 250,000 certificate ids.
    A missing value matches a missing value, as in pandas."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        try:
            data = pa.chunked_array(column.array.__arrow_array__())
            source = values.array if isinstance(values, pd.Series) else list(values)
            value_set = pa.array(source, from_pandas=True)
            if pa.types.is_null(value_set.type):
                value_set = value_set.cast(data.type)
            elif not (pa.types.is_string(value_set.type) or pa.types.is_large_string(value_set.type)):
                raise pa.ArrowTypeError("values that are not text")
            else:
                value_set = value_set.cast(data.type)
            return np.asarray(pc.is_in(data, value_set=value_set).to_numpy(zero_copy_only=False), dtype=bool)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            pass  # values that are not text: pandas decides
    return column.isin(values).to_numpy(dtype=bool)


def remap(column: pd.Series, mapping: Mapping[Any, Any] | pd.Series) -> pd.Series:
    """`column.map(mapping)` for a dict or a Series mapper, with the same values and dtype, looked up once
    per distinct value: pandas probes the mapper's index with every cell (a text column is first turned into
    a million Python strings). Here pandas maps a small Series of the column's dtype holding each distinct
    value once and one missing cell when there is one — so it decides the values and the dtype as it would
    for the whole column — and the results are taken by position. For columns of a few distinct values
    (criticality, algorithms, issuers); a column of distinct ids gains nothing."""
    if column.dtype == object:  # None and NaN are both missing to factorize, not to a mapper keyed by one
        return column.map(mapping)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    if not len(uniques):  # empty or all missing: nothing to gain
        return column.map(mapping)
    distinct = pd.Series(uniques, dtype=column.dtype)
    missing = codes < 0
    if missing.any():
        distinct = pd.concat([distinct, column[missing].iloc[:1]], ignore_index=True)
        codes = np.where(missing, len(uniques), codes)
    looked = distinct.map(mapping)
    return pd.Series(looked.array.take(codes), index=column.index, name=column.name)


def sorted_positions(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Positions of `frame`'s rows sorted by `columns` ascending, missing values last in every key, ties in
    row order: the order of `frame.sort_values(columns, kind="stable")`, sorted in Arrow (pandas sorts text
    keys through Categoricals: 2 s for a million certificate ids)."""
    arrays: dict[str, Any] = {}
    for c in columns:
        col = frame[c]
        if isinstance(col.dtype, pd.CategoricalDtype) or (
            col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) not in ("string", "empty")
        ):  # not text, not a plain column: pandas' own order (numbers in an object column sort as numbers)
            return np.asarray(
                frame.reset_index(drop=True).sort_values(columns, kind="stable").index, np.int64
            )
        if col.dtype == object or isinstance(col.dtype, pd.StringDtype):
            arrays[c] = col.astype("string").array.__arrow_array__()
        elif isinstance(col.dtype, np.dtype) and col.dtype.kind in "biuf":
            arrays[c] = pa.array(col.to_numpy(), from_pandas=True)  # NaN is missing, as pandas sorts it
        else:
            arrays[c] = pa.array(col.array)
    table = pa.table(arrays)
    try:  # pyarrow ≥ 25 places nulls per key; earlier versions take one placement for every key
        options = pc.SortOptions(sort_keys=[(c, "ascending", "at_end") for c in columns])
    except (TypeError, ValueError):
        options = pc.SortOptions(sort_keys=[(c, "ascending") for c in columns], null_placement="at_end")
    return np.asarray(pc.sort_indices(table, options=options).to_numpy(), dtype=np.int64)
