"""Time `cmmm.maturity.assess` on a synthetic inventory built directly as DataFrames (no files, no parsing).

PYTHONPATH=. python benchmarks/assess_bench.py [--certificates 250000] [--seed 7]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd

import cmmm
from cmmm.maturity import assess
from cmmm.model import CERTIFICATE_COLUMNS, OBSERVATION_COLUMNS, Inventory, conform
from cmmm.profile import parse_profile

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def synthetic_inventory(n: int, *, seed: int, now: datetime = NOW, start: int = 0) -> Inventory:
    """n certificates with 1–3 observations each; shapes loosely like a level-3 enterprise. `start`: the
    first certificate's number (blocks of one large inventory get distinct ids)."""
    rng = np.random.default_rng(seed)
    ids = pd.Series([f"sha256:{i:064x}" for i in range(start, start + n)], dtype="string")
    validity = rng.choice([47, 90, 200, 397, 825], size=n, p=[0.1, 0.4, 0.2, 0.25, 0.05])
    age = rng.uniform(0, 1, size=n) * validity * 1.05
    nb = pd.Timestamp(now) - pd.to_timedelta(age, unit="D")
    na = nb + pd.to_timedelta(validity, unit="D")
    alg = rng.choice(["EC", "RSA", "ML-DSA-65"], size=n, p=[0.6, 0.399, 0.001])
    size = np.where(
        alg == "EC",
        256,
        np.where(alg == "RSA", rng.choice([1024, 2048, 3072], size=n, p=[0.01, 0.8, 0.19]), 0),
    )
    issuers = np.array(["R11", "E6", "Example Issuing CA 1", "Example Issuing CA 2", "Amazon RSA 2048 M02"])
    issuer = rng.choice(issuers, size=n, p=[0.3, 0.1, 0.35, 0.15, 0.1])
    certs = pd.DataFrame(
        {
            "cert_id": ids,
            "common_name": "host" + pd.Series(np.arange(start, start + n)).astype(str) + ".example.com",
            "issuer_name": issuer,
            "not_before": nb,
            "not_after": na,
            "validity_days": validity.astype(float),
            "key_algorithm": alg,
            "key_size": pd.array(np.where(size > 0, size, None), dtype="Int64"),
            "signature_hash": rng.choice(["sha256", "sha384", "sha1"], size=n, p=[0.9, 0.095, 0.005]),
            "is_ca": False,
            "trust": np.where(np.isin(issuer, ["R11", "E6", "Amazon RSA 2048 M02"]), "public", "private"),
            "has_body": False,
        }
    )
    reps = rng.integers(1, 4, size=n)
    oid = ids.repeat(reps).reset_index(drop=True)
    m = len(oid)
    owners = np.array([f"owner{i}" for i in range(400)] + [None] * 20, dtype=object)
    obs = pd.DataFrame(
        {
            "cert_id": oid,
            "source": "synthetic",
            "location": "host" + pd.Series(rng.integers(0, n, size=m)).astype(str) + ":443",
            "host": "h",
            "owner": rng.choice(owners, size=m),
            "team": rng.choice(np.array([f"team{i}" for i in range(40)], dtype=object), size=m),
            "environment": rng.choice(["prod", "staging", "dev"], size=m, p=[0.6, 0.2, 0.2]),
            "criticality": rng.choice(["low", "medium", "high", "critical"], size=m),
            "automation": rng.choice(
                ["acme", "cert-manager", "manual", "none"], size=m, p=[0.4, 0.2, 0.3, 0.1]
            ),
            "discovered_by": rng.choice(["network-scan", "ca-api", "cloud-api", "manual"], size=m),
        }
    )
    return Inventory(
        certificates=conform(certs, CERTIFICATE_COLUMNS),
        observations=conform(obs, OBSERVATION_COLUMNS),
        policy={
            "name": "bench",
            "approved_issuers": ["R11", "E6", "Example Issuing CA 1"],
            "wildcards": {"allowed": False},
        },
        profile=parse_profile({"attested": {"documented_policy": True, "itsm_integration": True}}),
    )


def main() -> None:
    cmmm.configure_arrow()  # as the CLI does: the memory pool is the program's choice
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--certificates", type=int, default=250_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    t0 = time.perf_counter()
    inv = synthetic_inventory(args.certificates, seed=args.seed)
    t1, c1 = time.perf_counter(), time.process_time()
    inv.certificate_facts()
    t2, c2 = time.perf_counter(), time.process_time()
    result = assess(inv, now=NOW)
    t3, c3 = time.perf_counter(), time.process_time()
    # CPU time next to wall time: on a shared 2-core machine the wall clock measures the neighbours too.
    print(
        f"{len(inv)} certificates, {len(inv.observations)} observations (built in {t1 - t0:.2f} s)\n"
        f"certificate_facts: {t2 - t1:.2f} s wall, {c2 - c1:.2f} s CPU\n"
        f"assess (facts cached): {t3 - t2:.2f} s wall, {c3 - c2:.2f} s CPU\n"
        f"total assess from frames: {t3 - t1:.2f} s wall, {c3 - c1:.2f} s CPU → level {result.level}, "
        f"score {result.score:.2f}, {len(result.policy.findings)} policy findings"
    )


if __name__ == "__main__":
    main()
