"""Canonical columns, closed vocabularies and the Inventory that every stage reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import pandas as pd

UTC_DT = "datetime64[us, UTC]"  # microseconds: notAfter 9999-12-31 overflows nanoseconds


class KeyFamily(StrEnum):
    RSA = "RSA"
    EC = "EC"
    ED25519 = "Ed25519"
    ED448 = "Ed448"
    DSA = "DSA"
    ML_DSA = "ML-DSA"
    SLH_DSA = "SLH-DSA"
    COMPOSITE = "composite"
    UNKNOWN = "unknown"


class Automation(StrEnum):
    ACME = "acme"
    CERT_MANAGER = "cert-manager"
    CLOUD_MANAGED = "cloud-managed"
    EST = "est"
    SCEP = "scep"
    VAULT = "vault"
    MANUAL = "manual"
    NONE = "none"


AUTOMATED = frozenset(
    {
        Automation.ACME,
        Automation.CERT_MANAGER,
        Automation.CLOUD_MANAGED,
        Automation.EST,
        Automation.SCEP,
        Automation.VAULT,
    }
)


class Discovery(StrEnum):
    MANUAL = "manual"
    NETWORK_SCAN = "network-scan"
    CA_API = "ca-api"
    CLOUD_API = "cloud-api"
    KUBERNETES = "kubernetes"
    FILESYSTEM = "filesystem"
    CT_LOG = "ct-log"
    CBOM = "cbom"


AUTOMATED_DISCOVERY = frozenset(
    {
        Discovery.NETWORK_SCAN,
        Discovery.CA_API,
        Discovery.CLOUD_API,
        Discovery.KUBERNETES,
        Discovery.CT_LOG,
        Discovery.CBOM,
    }
)


# The five CMMM levels (CMMM.md; one to one with the PKI Consortium maturity model's five).
LEVEL_NAMES = {
    1: "Initial / Ad-hoc",
    2: "Managed / Aware",
    3: "Defined / Proactive",
    4: "Quantitatively Managed / Automated",
    5: "Optimizing / Crypto-Agile",
}


class Criticality(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


CRITICALITY_RANK = {Criticality.LOW: 1, Criticality.MEDIUM: 2, Criticality.HIGH: 3, Criticality.CRITICAL: 4}


class Environment(StrEnum):
    PROD = "prod"
    STAGING = "staging"
    DEV = "dev"
    TEST = "test"


class Trust(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


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


def _cast(col: pd.Series, dtype: str) -> pd.Series:
    if dtype == UTC_DT:
        return pd.to_datetime(col, utc=True, errors="coerce").astype(UTC_DT)
    if dtype == "boolean" and col.dtype == object:
        # pd.isna, not `is None`: concat fills a column one part lacks with float NaN, and bool(nan) is True.
        return col.map(lambda v: pd.NA if pd.isna(v) else bool(v)).astype("boolean")
    return col.astype(dtype)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """A record that could not be used: where it was and why. It travels into every report."""

    source: str
    locator: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateKeyFinding:
    """Private key material found among the inputs (a finding; the key itself is never copied)."""

    path: str
    locator: str
    key_type: str
    encrypted: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRecord:
    """One input that was read: which ingester, how many records came out of it."""

    path: str
    ingester: str
    records: int
    rejected: int
    read_at: datetime


@dataclass(slots=True, kw_only=True)
class Inventory:
    """Certificates, where they were seen, the service catalog, and what could not be used.

    `certificates` has CERTIFICATE_COLUMNS, one row per unique certificate; `observations` has
    OBSERVATION_COLUMNS, one row per place a certificate was seen; `services` has SERVICE_COLUMNS;
    `algorithms` has ALGORITHM_COLUMNS (algorithm assets of imported CBOMs).
    `bodies` maps cert_id to DER for certificates parsed from real files (signature checks in the graph).
    `profile` and `policy` are the bundle's profile.yaml and policy.yaml as loaded (safe_load).
    """

    certificates: pd.DataFrame = field(default_factory=lambda: empty_frame(CERTIFICATE_COLUMNS))
    observations: pd.DataFrame = field(default_factory=lambda: empty_frame(OBSERVATION_COLUMNS))
    services: pd.DataFrame = field(default_factory=lambda: empty_frame(SERVICE_COLUMNS))
    algorithms: pd.DataFrame = field(default_factory=lambda: empty_frame(ALGORITHM_COLUMNS))
    rejected: list[Rejected] = field(default_factory=list)
    private_keys: list[PrivateKeyFinding] = field(default_factory=list)
    sources: list[SourceRecord] = field(default_factory=list)
    bodies: dict[str, bytes] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _facts: pd.DataFrame | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.certificates)

    @property
    def rejected_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"source": r.source, "locator": r.locator, "reason": r.reason} for r in self.rejected],
            columns=["source", "locator", "reason"],
        )

    def certificate_facts(self) -> pd.DataFrame:
        """Certificates with the per-certificate view of their observations and services (FACT_COLUMNS).

        Owner, team, service, environment: the first non-empty value over the certificate's observations
        (then the service catalog's owner/team). Criticality: the highest. Automation: an automated method
        wins over manual. discovered_by: every method that saw it, ';'-joined and sorted.
        Computed once, vectorized, and cached: call invalidate() after changing the frames.
        """
        if self._facts is None:
            from cmmm.model._facts import certificate_facts

            self._facts = certificate_facts(self.certificates, self.observations, self.services)
        return self._facts

    def invalidate(self) -> None:
        """Drop derived views (facts, CA hierarchy) after the frames were changed."""
        self._facts = None
        self._cache.clear()
