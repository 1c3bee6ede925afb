"""Benchmark the fire-drill engine: N affected certificates × R Monte Carlo runs (default 250,000 × 200).

The inventory is built directly as DataFrames (no parsing): one root, one issuing CA with every leaf under
it, 8 teams, 90 % automated, 5 % unknown owners. Reports wall seconds per stage and the peak RSS.

    PYTHONPATH=. python benchmarks/drill_bench.py [--certs 250000] [--runs 200]
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

import cmmm
from cmmm import drill
from cmmm.model import CERTIFICATE_COLUMNS, OBSERVATION_COLUMNS, Inventory, conform
from cmmm.profile import parse_profile

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def build(n: int, seed: int = 0) -> Inventory:
    rng = np.random.default_rng(seed)
    ids = np.char.add("sha256:bench", np.arange(n).astype(str))
    certs = pd.DataFrame(
        {
            "cert_id": np.r_[["sha256:root", "sha256:inter"], ids],
            "common_name": np.r_[
                ["Bench Root", "Bench Issuing CA"],
                np.char.add(np.char.add("h", np.arange(n).astype(str)), ".bench.test"),
            ],
            "issuer_name": np.r_[["Bench Root", "Bench Root"], np.full(n, "Bench Issuing CA")],
            "subject_key_id": np.r_[["r00t", "1a7e"], np.full(n, None)],
            "authority_key_id": np.r_[["r00t", "r00t"], np.full(n, "1a7e")],
            "is_ca": np.r_[[True, True], np.zeros(n, bool)],
            "is_self_signed": np.r_[[True, False], np.zeros(n, bool)],
            "not_before": pd.Timestamp(NOW - timedelta(days=30)),
            "not_after": pd.Timestamp(NOW + timedelta(days=60)),
            "trust": "private",
        }
    )
    teams = np.array([f"team{i}" for i in range(8)])
    team = teams[rng.integers(0, 8, n)]
    unknown = rng.random(n) < 0.05
    obs = pd.DataFrame(
        {
            "cert_id": ids,
            "source": "bench",
            "service": np.char.add("svc", rng.integers(0, 5000, n).astype(str)),
            "owner": np.where(unknown, None, np.char.add(team, "@bench.test")),
            "team": np.where(unknown, None, team),
            "automation": np.where(rng.random(n) < 0.9, "cert-manager", "manual"),
            "criticality": np.where(rng.random(n) < 0.05, "critical", "medium"),
        }
    )
    profile = {
        "teams": [{"name": str(t), "engineers": 6, "hours_per_day": 6} for t in teams],
        "backup_cas": [{"name": "Spare CA", "type": "private", "pre_approved": True}],
        "acme_rate_limit_per_hour": 20000,
    }
    return Inventory(
        certificates=conform(certs, CERTIFICATE_COLUMNS),
        observations=conform(obs, OBSERVATION_COLUMNS),
        profile=parse_profile(profile),
    )


def main() -> None:
    cmmm.configure_arrow()  # as the CLI does: the memory pool is the program's choice
    ap = argparse.ArgumentParser()
    ap.add_argument("--certs", type=int, default=250_000)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    t = time.perf_counter()
    inv = build(args.certs)
    built = time.perf_counter() - t
    t = time.perf_counter()
    inv.certificate_facts()
    facts = time.perf_counter() - t
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    t = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    r = drill.run(inv, sc, now=NOW, runs=args.runs, seed=0)
    elapsed = time.perf_counter() - t
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"build inventory         {built:6.2f} s")
    print(f"certificate_facts       {facts:6.2f} s")
    print(
        f"drill.run               {elapsed:6.2f} s  ({r.affected_certificates:,} affected × {args.runs} runs, "
        f"p50 {r.completion_hours.p50} h, p90 {r.completion_hours.p90} h, {r.verdict.value}); CPU {cpu:.2f} s"
    )
    print(f"peak RSS                {rss:6.0f} MiB  (before the drill: {rss0:.0f} MiB)")


if __name__ == "__main__":
    main()
