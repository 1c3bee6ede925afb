"""Benchmark the partitioned path: an inventory written as a dataset block by block, then counted bucket by
bucket on a LocalCluster, with no process holding the whole inventory.

Per size N: `assess_bench.synthetic_inventory` in blocks of --block certificates (distinct ids, 1–3
observations each, five issuers, a policy), each block written into one dataset with `DatasetWriter`
(hashed into 64 buckets by cert_id); then `census_dataset` with the buckets on `local:WORKERS`. Up to
--whole certificates the same inventory is also built whole and counted in this process (`census`), the
results checked equal and the times paired (the side-by-side row). Stage wall times, and peak RSS: this
process (the client, with the LocalCluster's scheduler and nannies, which run in it) plus every worker
process's peak — an upper bound of their sum at any moment.

    PYTHONPATH=. python benchmarks/census_bench.py [--certs 1000000 10000000] [--workers 2] [--block 500000]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import cmmm
from benchmarks.assess_bench import NOW, synthetic_inventory
from cmmm.distributed import connect
from cmmm.maturity.partial import census
from cmmm.model import Inventory
from cmmm.pipeline import census_dataset
from cmmm.store import DatasetWriter


def peak_mib() -> float:
    """This process's peak resident memory: VmHWM, which a spawned worker starts afresh (ru_maxrss would
    carry over the parent's peak at the fork on Linux, so every worker would report at least the client's)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _blocks(n: int, block: int) -> list[tuple[int, int]]:
    return [(start, min(block, n - start)) for start in range(0, n, block)]


def _whole(n: int, block: int) -> Inventory:
    """The same certificates as the blocks, as one inventory (for the in-process reference)."""
    parts = [
        synthetic_inventory(k, seed=7 + i, now=NOW, start=s) for i, (s, k) in enumerate(_blocks(n, block))
    ]
    return Inventory(
        certificates=pd.concat([p.certificates for p in parts], ignore_index=True),
        observations=pd.concat([p.observations for p in parts], ignore_index=True),
        policy=parts[0].policy,
        profile=parts[0].profile,
    )


def one_size(n: int, workers: int, block: int, whole_up_to: int, folder: Path) -> dict[str, Any]:
    ds = folder / f"ds-{n}"
    t = time.perf_counter()
    with DatasetWriter(ds, buckets=64) as out:
        for i, (start, k) in enumerate(_blocks(n, block)):
            out.add(synthetic_inventory(k, seed=7 + i, now=NOW, start=start))
            gc.collect()
    wrote = time.perf_counter() - t
    size_mib = sum(p.stat().st_size for p in ds.rglob("*") if p.is_file()) / 2**20
    writer_peak = peak_mib()
    with connect(f"local:{workers}") as engine:
        t = time.perf_counter()
        there = census_dataset(ds, now=NOW, shards=engine.shards)
        cluster_s = time.perf_counter() - t
        workers_peak = sum(engine.client.run(peak_mib).values())
    client_peak = peak_mib()
    row: dict[str, Any] = {
        "n": n,
        "workers": workers,
        "block": block,
        "observations": there.observations,
        "dataset_write_s": wrote,
        "dataset_mib": size_mib,
        "census_cluster_s": cluster_s,
        "client_peak_rss_mib": client_peak,
        "writer_peak_rss_mib": writer_peak,
        "workers_peak_rss_mib": workers_peak,
        "sum_peak_rss_mib": client_peak + workers_peak,
        "quantum_vulnerable_share": there.measures.quantum_vulnerable.value,
    }
    if n <= whole_up_to:
        t = time.perf_counter()
        inv = _whole(n, block)
        built = time.perf_counter() - t
        t = time.perf_counter()
        here = census(inv, now=NOW)
        row |= {
            "whole_build_s": built,
            "census_in_process_s": time.perf_counter() - t,
            "in_process_peak_rss_mib": peak_mib(),
            "same_result": here == there,
        }
        del inv
    shutil.rmtree(ds)
    return row


def main() -> None:
    cmmm.configure_arrow()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--certs", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--block", type=int, default=500_000)
    ap.add_argument("--whole", type=int, default=1_000_000, help="also count in-process up to this size")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/census_results.json"))
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="cmmm-census-bench-") as tmp:
        for n in args.certs:
            r = one_size(n, args.workers, args.block, args.whole, Path(tmp))
            results.append(r)
            side = (
                f" | in-process {r['census_in_process_s']:.1f} s (ratio {r['census_cluster_s'] / r['census_in_process_s']:.2f}), "
                f"same result: {r['same_result']}, in-process peak {r['in_process_peak_rss_mib']:,.0f} MiB"
                if "census_in_process_s" in r
                else ""
            )
            print(
                f"{n:>11,} certs  dataset write {r['dataset_write_s']:.1f} s ({r['dataset_mib']:.0f} MiB) | "
                f"census on local:{r['workers']} {r['census_cluster_s']:.1f} s | peak RSS client "
                f"{r['client_peak_rss_mib']:,.0f} MiB + workers {r['workers_peak_rss_mib']:,.0f} MiB = "
                f"{r['sum_peak_rss_mib']:,.0f} MiB{side}",
                flush=True,
            )
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
