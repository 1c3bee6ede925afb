"""Time the executive report on a synthetic inventory built directly as DataFrames (no parsing).

    PYTHONPATH=. python benchmarks/report_bench.py [--certs 250000] [--out benchmarks/out/report.html]

Prints the time to aggregate (build_view), to render the HTML, and the HTML size. The report aggregates:
its size must not grow with the number of certificates.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

import cmmm
from cmmm import report
from cmmm.ingest.summary import summarize
from cmmm.maturity import assess
from cmmm.model import CERTIFICATE_COLUMNS, OBSERVATION_COLUMNS, SERVICE_COLUMNS, Inventory, Profile, conform

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def synthetic_inventory(n: int, seed: int = 7) -> Inventory:
    rng = np.random.default_rng(seed)
    ids = pd.Series([f"row:{i:08x}" for i in range(n)], dtype="string")
    issuers = np.array(
        ["R11", "R10", "E6", "DigiCert Global G2", "Sectigo RSA DV", "Corp Issuing CA 1", "Corp Issuing CA 2"]
    )
    issuer = issuers[rng.choice(len(issuers), n, p=[0.3, 0.2, 0.1, 0.1, 0.05, 0.15, 0.1])]
    validity = rng.choice([47, 90, 200, 398, 730], n, p=[0.1, 0.4, 0.2, 0.2, 0.1]).astype(float)
    not_before = pd.Timestamp(NOW) - pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    alg = rng.choice(["RSA", "EC", "ML-DSA-65"], n, p=[0.55, 0.44, 0.01])
    size = np.where(
        alg == "RSA", rng.choice([1024, 2048, 4096], n, p=[0.01, 0.8, 0.19]), np.where(alg == "EC", 256, 0)
    )
    certs = pd.DataFrame(
        {
            "cert_id": ids,
            "common_name": pd.Series([f"host{i}.corp.example" for i in range(n)], dtype="string"),
            "issuer_name": issuer,
            "not_before": not_before,
            "not_after": not_before + pd.to_timedelta(validity, unit="D"),
            "validity_days": validity,
            "key_algorithm": alg,
            "key_size": pd.array(np.where(size > 0, size, 0), dtype="Int64"),
            "signature_algorithm": np.where(alg == "RSA", "sha256WithRSAEncryption", "ecdsa-with-SHA256"),
            "signature_hash": "sha256",
            "is_ca": False,
            "is_self_signed": False,
            "trust": np.where(np.isin(issuer, issuers[:5]), "public", "private"),
            "quantum_vulnerable": alg != "ML-DSA-65",
            "has_body": False,
        }
    )
    services = [f"svc{i}" for i in range(500)]
    obs = pd.DataFrame(
        {
            "cert_id": ids,
            "source": "bench.csv",
            "source_ref": "line",
            "location": pd.Series([f"host{i}.corp.example:443" for i in range(n)], dtype="string"),
            "host": pd.Series([f"host{i}.corp.example" for i in range(n)], dtype="string"),
            "port": 443,
            "service": rng.choice(services, n),
            "owner": np.where(rng.random(n) < 0.8, rng.choice(["alice", "bob", "carol", "dan"], n), None),
            "automation": rng.choice(["acme", "cert-manager", "manual", "none", "vault"], n),
            "discovered_by": rng.choice(["network-scan", "ca-api", "manual", "kubernetes"], n),
        }
    )
    svc = pd.DataFrame(
        {
            "service": services,
            "criticality": rng.choice(["low", "medium", "high", "critical"], len(services)),
            "secrecy_years": rng.choice([1.0, 5.0, 10.0, 25.0], len(services)),
        }
    )
    return Inventory(
        certificates=conform(certs, CERTIFICATE_COLUMNS),
        observations=conform(obs, OBSERVATION_COLUMNS),
        services=conform(svc, SERVICE_COLUMNS),
        profile=Profile(organization="Benchmark Corp"),
    )


def main() -> None:
    cmmm.configure_arrow()  # as the CLI does: the memory pool is the program's choice
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--certs", type=int, default=250_000)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/report.html"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    inv = synthetic_inventory(args.certs)
    t1 = time.perf_counter()
    inv.certificate_facts()
    t2 = time.perf_counter()
    assessment = assess(inv, now=NOW)
    t25 = time.perf_counter()
    view = report.build_view(summary=summarize(inv, now=NOW), assessment=assessment, generated_at=NOW)
    t3 = time.perf_counter()
    html = report.render_html(view)
    t4 = time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"certificates      {args.certs:>12,}")
    print(f"synthesize        {t1 - t0:>10.2f} s")
    print(f"certificate_facts {t2 - t1:>10.2f} s  (ingest's cost, cached on the inventory)")
    print(f"assess            {t25 - t2:>10.2f} s  (the analysis the report renders)")
    print(f"summary + view    {t3 - t25:>10.2f} s")
    print(f"render_html       {t4 - t3:>10.2f} s")
    print(f"report total      {t4 - t2:>10.2f} s")
    print(f"html size         {len(html.encode()) / 1024:>10.0f} KiB -> {args.out}")


if __name__ == "__main__":
    main()
