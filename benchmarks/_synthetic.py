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
    t_idx = np.minimum(rng.zipf(1.3, n) - 1, len(teams) - 1)
    s_idx = np.minimum(rng.zipf(1.2, n) - 1, len(services) - 1)
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
