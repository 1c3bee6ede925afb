"""A small, fully mature organization built directly as frames, for criterion threshold tests (and the
policy checks); helpers to mutate and assess it; a small bundle of real certificates for the end-to-end
cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cmmm.lab.pki import issue
from cmmm.maturity import assess
from cmmm.model import (
    CERTIFICATE_COLUMNS,
    OBSERVATION_COLUMNS,
    Inventory,
    PrivateKeyFinding,
    SourceRecord,
    conform,
)
from cmmm.profile import parse_profile
from tests.conftest import NOW, write

N = 100
PUBLIC = 30  # certificates 0..29 are public, 30..99 private; the last one is the ML-DSA pilot


def dated(answer: Any = True, *, days_ago: int = 60, ref: str = "DOC-1") -> dict[str, Any]:
    """An attestation as level 4 needs it: an answer, a date and an evidence reference."""
    return {"answer": answer, "date": (NOW - timedelta(days=days_ago)).date().isoformat(), "evidence": ref}


FULL_PROFILE: dict[str, Any] = {
    "organization": "Mature Test Org",
    "quantum_threat_years": 15,
    "backup_cas": [
        {"name": "Google Trust Services", "type": "acme", "pre_approved": True, "tested": "2026-10-01"},
        {"name": "Example Backup CA", "type": "private", "pre_approved": True, "tested": "2026-10-01"},
    ],
    "attested": {
        "documented_policy": True,
        "itsm_integration": True,
        "periodic_discovery": True,
        "renewal_runbook": True,
        "automated_deployment": dated(),
        "automated_revocation": dated(),
        "issuance_policy_enforced": dated(),
        "infrastructure_as_code": dated(),
        "hsm_ca_keys": dated(),
        "mass_revocation_plan": dated(),
        "last_fire_drill": "2026-09-12",
        "pqc_migration_plan": dated(),
        "mosca_assessed": dated(),
        "metrics_reviewed": dated(),
    },
}
POLICY: dict[str, Any] = {
    "name": "test policy",
    "allowed_key_algorithms": {
        "RSA": {"min_size": 2048},
        "EC": {"curves": ["P-256", "secp384r1"]},
        "ML-DSA-65": {},
    },
    "forbidden_signature_hashes": ["md5", "sha1"],
    "approved_issuers": ["R11", "Example Issuing CA"],
    "max_validity_days": {"public": "cabf", "private": 397},
    "wildcards": {"allowed": False, "allowed_environments": ["dev"]},
    "require_owner": True,
}


def frames(
    n: int = N, *, now: datetime = NOW, age_days: float = 30, validity_days: float = 90
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Certificates and observations (one per certificate, same order) of a mature organization."""
    i = np.arange(n)
    public = i < PUBLIC
    nb = pd.Series([pd.Timestamp(now - timedelta(days=age_days))] * n)
    certs = pd.DataFrame(
        {
            "cert_id": [f"c{k:03d}" for k in i],
            "common_name": [f"svc{k}.example.test" for k in i],
            "sans": [f"svc{k}.example.test" for k in i],
            "issuer_name": np.where(public, "R11", "Example Issuing CA"),
            "issuer_org": np.where(public, "Let's Encrypt", "Example Org"),
            "issuer_dn": np.where(public, "CN=R11,O=Let's Encrypt", "CN=Example Issuing CA,O=Example Org"),
            "not_before": nb,
            "not_after": nb + pd.Timedelta(days=validity_days) - pd.Timedelta(seconds=1),
            "validity_days": float(validity_days),
            "key_algorithm": "EC",
            "key_size": 256,
            "key_curve": "secp256r1",
            "signature_hash": "sha256",
            "is_ca": False,
            "is_self_signed": False,
            "trust": np.where(public, "public", "private"),
            "ext_key_usage": "serverAuth",
            "key_id": [f"{k:064x}" for k in i],
            "has_body": True,
        }
    )
    certs.loc[n - 1, ["key_algorithm", "key_size", "key_curve", "signature_hash"]] = [
        "ML-DSA-65",
        pd.NA,
        pd.NA,
        "none",
    ]
    obs = pd.DataFrame(
        {
            "cert_id": certs["cert_id"],
            "source": "test",
            "location": [f"svc{k}.example.test:443" for k in i],
            "host": [f"svc{k}.example.test" for k in i],
            "port": 443,
            "service": [f"svc{k}" for k in i],
            "owner": [f"owner{k % 7}" for k in i],
            "team": [f"team{k % 3}" for k in i],
            "environment": "prod",
            "criticality": "medium",
            "automation": np.where(public, "acme", "cert-manager"),
            "discovered_by": np.array(["network-scan", "ca-api", "kubernetes"])[i % 3],
            "kex_groups": np.where(i % 3 == 0, "X25519MLKEM768;x25519", None),
            "secrecy_years": 2.0,
        }
    )
    # a CT monitor saw the public certificates too
    ct = obs.loc[public, ["cert_id", "source"]].assign(discovered_by="ct-log")
    return certs, pd.concat([obs, ct], ignore_index=True)


def inventory(
    certs: pd.DataFrame,
    obs: pd.DataFrame,
    *,
    profile: dict[str, Any] | None = None,
    policy: dict[str, Any] | None = None,
    private_keys: tuple[PrivateKeyFinding, ...] = (),
) -> Inventory:
    return Inventory(
        certificates=conform(certs, CERTIFICATE_COLUMNS),
        observations=conform(obs, OBSERVATION_COLUMNS),
        profile=parse_profile(FULL_PROFILE if profile is None else profile),
        policy=POLICY if policy is None else policy,
        sources=(SourceRecord(path="keys/", ingester="pem", records=0, rejected=0, read_at=NOW),),
        private_keys=private_keys,
    )


def rows(k: int, start: int = PUBLIC) -> list[int]:
    return list(range(start, start + k))


def profile_without(key: str) -> dict[str, Any]:
    return {**FULL_PROFILE, "attested": {k: v for k, v in FULL_PROFILE["attested"].items() if k != key}}


def criterion_result(inv: Inventory, cid: str, **kw: Any) -> Any:
    a = assess(inv, now=NOW, **kw)
    return next(r for r in a.criteria if r.id == cid)


def write_example_bundle(d: Path) -> Path:
    """Real certificates (an RSA-1024 leaf, an ML-DSA pilot), a spreadsheet with owners, automation and
    endpoints, and a profile with two attested answers, written under `d`."""
    t0 = NOW - timedelta(days=30)
    root = issue(cn="Org Root", org="Org", not_before=t0 - timedelta(days=400), days=3650, ca=True)
    pq_root = issue(cn="Org PQC Root", not_before=t0, days=3650, ca=True, key_kind="ML-DSA-65")
    weak = issue(cn="legacy.example.test", not_before=t0, days=365, issuer=root, key_kind="RSA-1024")
    pq = issue(cn="pqc.example.test", not_before=t0, days=90, issuer=pq_root, key_kind="ML-DSA-65")
    write(d / "certs.pem", root.pem + pq_root.pem + weak.pem + pq.pem)
    write(
        d / "inventory.csv",
        "Common Name,Expiration Date,Issuer,Owner,Automation,Discovered By,Endpoints\n"
        f"www.example.test,{(NOW + timedelta(days=60)).date()},R11,alice,acme,network-scan,www.example.test:443\n"
        f"api.example.test,{(NOW + timedelta(days=5)).date()},R11,,manual,manual,api.example.test:443\n",
    )
    write(
        d / "profile.yaml",
        "organization: Example\nattested:\n  renewal_runbook: true\n  periodic_discovery: true\n",
    )
    return d
