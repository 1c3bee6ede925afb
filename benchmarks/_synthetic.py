"""Seeded synthetic inventories for benchmarks: canonical CSV rows and real PEM certificate files."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AS_OF = datetime(2026, 11, 28, tzinfo=UTC)
ROOTS = ["Acme Root CA G1", "Acme Root CA G2", "ISRG Root X1", "DigiCert Global Root G2"]


def issuers(n_intermediates: int = 40) -> pd.DataFrame:
    """A few roots and tens of intermediates; public ones named like the CAs they mimic."""
    rows = []
    for i in range(n_intermediates):
        root = ROOTS[i % len(ROOTS)]
        public = root in ("ISRG Root X1", "DigiCert Global Root G2")
        name = (
            f"R{10 + i}"
            if root == "ISRG Root X1"
            else f"DigiCert TLS CA {i}"
            if public
            else f"Acme Issuing CA {i}"
        )
        org = "Let's Encrypt" if root == "ISRG Root X1" else "DigiCert Inc" if public else "Acme Corp"
        rows.append({"issuer": name, "issuer_org": org, "root": root, "public": public})
    return pd.DataFrame(rows)


def canonical_csv(n: int, seed: int = 7) -> pd.DataFrame:
    """n canonical inventory rows with a long tail of teams and services (Zipf-like), vectorized."""
    rng = np.random.default_rng(seed)
    iss = issuers()
    weights = 1.0 / np.arange(1, len(iss) + 1) ** 1.1
    pick = rng.choice(len(iss), size=n, p=weights / weights.sum())
    teams = np.array([f"team-{i:03d}" for i in range(300)])
    services = np.array([f"svc-{i:04d}" for i in range(3000)])
    # Zipf heads (a few teams and services hold most certificates), the tail folded back over the list
    t_idx = (rng.zipf(1.3, n) - 1) % len(teams)
    s_idx = (rng.zipf(1.2, n) - 1) % len(services)
    nb = AS_OF - pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    public = iss["public"].to_numpy()[pick]
    days = np.where(public, rng.choice([90, 200, 397], n, p=[0.6, 0.3, 0.1]), rng.choice([365, 730, 1095], n))
    na = nb + pd.to_timedelta(days, unit="D")
    serial = rng.integers(1, 2**62, n, dtype=np.int64)
    fp = rng.integers(0, 2**63, (n, 4), dtype=np.int64)
    fps = np.char.add(
        np.char.add(np.char.mod("%016x", fp[:, 0]), np.char.mod("%016x", fp[:, 1])),
        np.char.add(np.char.mod("%016x", fp[:, 2]), np.char.mod("%016x", fp[:, 3])),
    )
    cn = np.char.add(np.char.add("host", np.arange(n).astype(str)), ".corp.example")
    alg = rng.choice(["RSA", "EC"], n, p=[0.55, 0.45])
    size = np.where(
        alg == "RSA", rng.choice([2048, 3072, 4096], n, p=[0.8, 0.1, 0.1]), rng.choice([256, 384], n)
    )
    auto = rng.choice(["acme", "cert-manager", "cloud-managed", "manual", ""], n, p=[0.3, 0.2, 0.1, 0.3, 0.1])
    return pd.DataFrame(
        {
            "common_name": cn,
            "sans": np.char.add(np.char.add(cn, ";www."), cn),
            "issuer": iss["issuer"].to_numpy()[pick],
            "serial": np.char.mod("%x", serial),
            "fingerprint_sha256": fps,
            "not_before": nb.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "not_after": pd.DatetimeIndex(na).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "key_algorithm": alg,
            "key_size": size,
            "signature_algorithm": np.where(alg == "RSA", "sha256WithRSAEncryption", "ecdsa-with-SHA256"),
            "trust": np.where(public, "public", "private"),
            "endpoints": np.char.add(cn, ":443"),
            "service": services[s_idx],
            "owner": np.char.add(teams[t_idx], "@corp.example"),
            "team": teams[t_idx],
            "environment": rng.choice(["prod", "staging", "dev", "test"], n, p=[0.5, 0.2, 0.2, 0.1]),
            "criticality": rng.choice(["low", "medium", "high", "critical"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "automation": auto,
            "discovered_by": rng.choice(["network-scan", "ca-api", "kubernetes", "cloud-api", "manual"], n),
        }
    )


def pem_files(directory: Path, n: int, seed: int = 11, per_dir: int = 1000) -> list[Path]:
    """n real certificates, one per PEM file, issued by one EC intermediate (a shared leaf key keeps it fast)."""
    directory.mkdir(parents=True, exist_ok=True)
    existing = sorted(directory.rglob("*.pem"))
    if len(existing) == n:
        return existing
    rng = np.random.default_rng(seed)
    ca_key = ec.derive_private_key(seed + 1, ec.SECP256R1())
    leaf_key = ec.derive_private_key(seed + 2, ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench Issuing CA")])
    ski = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])
    paths = []
    starts = rng.integers(0, 300, n)
    for i in range(n):
        nb = AS_OF - timedelta(days=int(starts[i]))
        cn = f"h{i}.bench.example"
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(ca_name)
            .public_key(leaf_key.public_key())
            .serial_number(int(rng.integers(1, 2**62)))
            .not_valid_before(nb)
            .not_valid_after(nb + timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(eku, critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        sub = directory / f"{i // per_dir:04d}"
        if i % per_dir == 0:
            os.makedirs(sub, exist_ok=True)
        p = sub / f"{i:07d}.pem"
        p.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        paths.append(p)
    return paths


# ------------------------------------------------------------------------------------------ bundles
N_ROOTS = 4
N_INTERMEDIATES = 40
N_TEAMS = 300
N_SERVICES = 3000
SCAN_SHARE = 0.2  # share of certificates a network scan sees again (by fingerprint): exercises dedup


def _ca_rows() -> pd.DataFrame:
    """The CA certificates themselves: 4 self-signed roots and their 40 issuing CAs (linked by name)."""
    iss = issuers(N_INTERMEDIATES)
    roots = pd.DataFrame({"issuer": ROOTS, "root": ROOTS})
    names = pd.concat([roots["root"], iss["issuer"]], ignore_index=True)
    parents = pd.concat([roots["root"], iss["root"]], ignore_index=True)
    public = pd.concat(
        [roots["root"].isin(["ISRG Root X1", "DigiCert Global Root G2"]), iss["public"]], ignore_index=True
    )
    k = len(names)
    nb = pd.Timestamp(AS_OF) - pd.to_timedelta(np.arange(k) * 17 + 400, unit="D")
    days = np.where(np.arange(k) < len(ROOTS), 9000, 1825)
    return pd.DataFrame(
        {
            "common_name": names,
            "sans": "",
            "issuer": parents,
            "serial": [f"ca{i:04x}" for i in range(k)],
            "fingerprint_sha256": [f"{i + 1:064x}" for i in range(k)],
            "not_before": nb.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "not_after": (nb + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "key_algorithm": "RSA",
            "key_size": 4096,
            "signature_algorithm": "sha384WithRSAEncryption",
            "trust": np.where(public, "public", "private"),
            "is_ca": "true",
            "endpoints": "",
            "service": "",
            "owner": "pki@corp.example",
            "team": "team-000",
            "environment": "prod",
            "criticality": "critical",
            "automation": "manual",
            "discovered_by": "ca-api",
        }
    )


def services_csv(seed: int = 7) -> pd.DataFrame:
    """The service catalog: 3,000 services, each owned by one team, 30 % with dependencies."""
    rng = np.random.default_rng(seed + 1)
    names = np.array([f"svc-{i:04d}" for i in range(N_SERVICES)])
    team = (rng.zipf(1.3, N_SERVICES) - 1) % N_TEAMS
    deps = [
        ";".join(names[rng.choice(i, size=min(i, 2), replace=False)]) if i and rng.random() < 0.3 else ""
        for i in range(N_SERVICES)
    ]
    return pd.DataFrame(
        {
            "service": names,
            "owner": [f"team-{t:03d}@corp.example" for t in team],
            "team": [f"team-{t:03d}" for t in team],
            "criticality": rng.choice(
                ["low", "medium", "high", "critical"], N_SERVICES, p=[0.4, 0.3, 0.2, 0.1]
            ),
            "depends_on": deps,
            "customer_facing": rng.choice(["true", "false"], N_SERVICES),
            "secrecy_years": rng.choice([1, 5, 10, 25], N_SERVICES),
            "pqc_capable": rng.choice(["true", "false"], N_SERVICES, p=[0.1, 0.9]),
        }
    )


PROFILE = """\
organization: Benchmark Corp
industry: synthetic
domains: [corp.example]
teams:
{teams}
approved_cas:
  - {{name: Let's Encrypt, type: acme}}
  - {{name: DigiCert Inc, type: public}}
  - {{name: Acme Corp, type: private}}
backup_cas:
  - {{name: Google Trust Services, type: acme, pre_approved: true}}
  - {{name: Acme Backup CA, type: private, pre_approved: true}}
ca_onboarding_days: 14
acme_rate_limit_per_hour: 20000
migration_years: 6
quantum_threat_years: 10
attested:
  documented_policy: true
  itsm_integration: true
  periodic_discovery: true
  last_fire_drill: 2026-09-12
"""

POLICY = """\
name: Benchmark policy
allowed_key_algorithms:
  RSA: {min_size: 2048}
  EC: {curves: [secp256r1, secp384r1]}
forbidden_signature_hashes: [md5, sha1]
approved_issuers: ["Let's Encrypt", "DigiCert Inc", "Acme Corp"]
max_validity_days: {public: cabf, private: 397}
wildcards: {allowed: false}
require_owner: true
"""


def bundle(directory: Path, n: int, seed: int = 7) -> Path:
    """Write an inventory bundle of n certificates (44 of them CAs) to `directory`, once per (n, seed).

    inventory.csv (the canonical spreadsheet), network-scan.csv (a scan seeing 20 % of the certificates
    again, by fingerprint), services.csv, profile.yaml and policy.yaml.
    """
    stamp = directory / ".complete"
    if stamp.exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    cas = _ca_rows()
    leaves = canonical_csv(n - len(cas), seed)
    leaves["is_ca"] = "false"
    inv = pd.concat([cas, leaves], ignore_index=True)
    inv.to_csv(directory / "inventory.csv", index=False)
    rng = np.random.default_rng(seed + 2)
    seen = leaves.iloc[np.sort(rng.choice(len(leaves), int(len(leaves) * SCAN_SHARE), replace=False))]
    scan = pd.DataFrame(
        {
            "host": seen["common_name"].to_numpy(),
            "port": 443,
            "common_name": seen["common_name"].to_numpy(),
            "issuer": seen["issuer"].to_numpy(),
            "fingerprint_sha256": seen["fingerprint_sha256"].to_numpy(),
            "not_after": seen["not_after"].to_numpy(),
            "endpoints": seen["endpoints"].to_numpy(),
            "discovered_by": "network-scan",
            "last_seen": AS_OF.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    scan.to_csv(directory / "network-scan.csv", index=False)
    services_csv(seed).to_csv(directory / "services.csv", index=False)
    team_lines = "\n".join(
        f"  - {{name: team-{i:03d}, engineers: {max(1, 12 - i // 25)}, hours_per_day: 6}}"
        for i in range(N_TEAMS)
    )
    (directory / "profile.yaml").write_text(PROFILE.format(teams=team_lines))
    (directory / "policy.yaml").write_text(POLICY)
    stamp.write_text(f"{n} {seed}\n")
    return directory
