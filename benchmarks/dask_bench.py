"""Benchmark the Dask path beside the in-process one, in the same run: the partitioned Parquet dataset and
the drill's Monte Carlo blocks on a LocalCluster, with the results checked equal.

Per size: build the drill benchmark's inventory (drill_bench.build: every leaf under one issuing CA, so the
24-hour distrust of that CA affects all of them), write it as a dataset partitioned by cert_id and read it
back (whole, and one bucket), then run the drill in this process and on `local:WORKERS` with worker
processes. The floor is drawing the Monte Carlo's random numbers alone in this process. Peak memory: this
process's peak RSS, and the sum of every worker process's peak RSS (an upper bound of their sum at any
moment).

    PYTHONPATH=. python benchmarks/dask_bench.py [--certs 1000000 2000000] [--runs 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import cmmm
from benchmarks.census_bench import peak_mib
from benchmarks.drill_bench import NOW, build
from cmmm import drill
from cmmm.distributed import connect
from cmmm.store import read_dataset, write_dataset

SCENARIO = "primary-intermediate-compromise-24h"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _draws(n: int, runs: int) -> float:
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for _ in range(runs):
        np.exp(rng.standard_normal(n, dtype=np.float32) * np.float32(0.5))
        np.exp(rng.standard_normal(n, dtype=np.float32) * np.float32(0.5))
    return time.perf_counter() - t


def one_size(n: int, runs: int, workers: int, folder: Path) -> dict[str, Any]:
    built, inv = _timed(lambda: build(n))
    ds = folder / f"ds-{n}"
    wrote, _ = _timed(lambda: write_dataset(ds, inv, buckets=64))
    size_mib = sum(p.stat().st_size for p in ds.rglob("*") if p.is_file()) / 2**20
    read_all, back = _timed(lambda: read_dataset(ds))
    assert len(back.certificates) == len(inv.certificates)
    del back
    read_one, part = _timed(lambda: read_dataset(ds, [0]))
    sc = drill.load_scenario(SCENARIO)
    here_s, here = _timed(lambda: drill.run(inv, sc, now=NOW, runs=runs, seed=0))
    with connect(f"local:{workers}") as engine:
        there_s, there = _timed(lambda: drill.run(inv, sc, now=NOW, runs=runs, seed=0, blocks=engine.blocks))
        worker_peaks = engine.client.run(peak_mib)
    same = (
        here.completion_hours == there.completion_hours
        and here.on_time_probability == there.on_time_probability
        and here.burndown.equals(there.burndown)
    )
    floor = _draws(here.affected_certificates, runs)
    shutil.rmtree(ds)
    return {
        "n": n,
        "runs": runs,
        "workers": workers,
        "affected": here.affected_certificates,
        "build_s": built,
        "dataset_write_s": wrote,
        "dataset_mib": size_mib,
        "dataset_read_s": read_all,
        "bucket_read_s": read_one,
        "bucket_certificates": len(part.certificates),
        "drill_in_process_s": here_s,
        "drill_cluster_s": there_s,
        "draws_floor_s": floor,
        "same_result": same,
        "p90_h": here.completion_hours.p90,
        "client_peak_rss_mib": peak_mib(),
        "workers_peak_rss_mib": sum(worker_peaks.values()),
    }


def main() -> None:
    cmmm.configure_arrow()
    ap = argparse.ArgumentParser()
    ap.add_argument("--certs", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/dask_results.json"))
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="cmmm-dask-bench-") as tmp:
        for n in args.certs:
            r = one_size(n, args.runs, args.workers, Path(tmp))
            results.append(r)
            print(
                f"{n:>10,} certs  dataset write {r['dataset_write_s']:.2f} s ({r['dataset_mib']:.0f} MiB), "
                f"read {r['dataset_read_s']:.2f} s, one bucket {r['bucket_read_s']:.2f} s | drill "
                f"{r['affected']:,} × {r['runs']}: in-process {r['drill_in_process_s']:.2f} s, "
                f"local:{r['workers']} {r['drill_cluster_s']:.2f} s "
                f"(ratio {r['drill_cluster_s'] / r['drill_in_process_s']:.2f}, floor {r['draws_floor_s']:.2f} s), "
                f"same result: {r['same_result']} | peak RSS client {r['client_peak_rss_mib']:,.0f} MiB, "
                f"workers {r['workers_peak_rss_mib']:,.0f} MiB",
                flush=True,
            )
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
