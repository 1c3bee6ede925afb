"""The store, measured: analysis from a stored snapshot against analysis from the raw sources, and a
250,000-certificate store written, read back and grown by twelve months of churn, each beside its floor.

PYTHONPATH=. python benchmarks/store_bench.py [--sample sample_inventories/level4-agile] [--repeat 3]
                                             [--certificates 250000] [--months 12] [--churn 0.10]

Part 1 runs `cmmm assess` and `cmmm drill` as a user does, each in a fresh process, on the sample's raw
files and on a store holding it, and reports CPU seconds (user + system, the process and its workers)
beyond the start-up of `python -c "import cmmm.cli"` — and the ratio, measured in the same run.
Part 2 builds the synthetic inventory of benchmarks/assess_bench.py, writes it as one snapshot, reads it
back, and compares with DuckDB's own `read_parquet` of the same tables (the floor: no cmmm in the way);
then adds `--months` monthly snapshots where `--churn` of the certificates are replaced (renewed: new
certificate, new observations) and compares the file's size with one snapshot's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"


def _cpu_of(args: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one fresh process, its worker processes included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        args, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def _best(args: list[str], repeat: int) -> tuple[float, float]:
    runs = [_cpu_of(args) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


READ = """
import resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
import cmmm
from cmmm.store import read_snapshot
cmmm.configure_arrow()
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
t = cpu()
if sys.argv[1] == "raw":
    inv = cmmm.load([Path(sys.argv[2])], now=datetime(2026, 11, 28, tzinfo=UTC))
else:
    inv = read_snapshot(Path(sys.argv[2]))
print(cpu() - t, len(inv))
"""


def _reading(sample: Path, store: Path, repeat: int) -> dict[str, float]:
    """CPU seconds of reading the inventory alone (in a fresh process, imports excluded): the raw sources
    through cmmm.load (its worker processes included) against the store's snapshot."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def once(kind: str, path: Path) -> float:
        res = subprocess.run(
            [sys.executable, "-c", READ, kind, str(path)], check=True, capture_output=True, text=True, env=env
        )
        return float(res.stdout.split()[0])

    raw = min(once("raw", sample) for _ in range(repeat))
    stored = min(once("store", store) for _ in range(repeat))
    return {"raw_cpu_s": raw, "store_cpu_s": stored, "ratio": raw / stored}


def commands(sample: Path, repeat: int, tmp: Path) -> dict[str, Any]:
    py = [sys.executable]
    cli = [*py, "-m", "cmmm"]
    store = tmp / "sample.duckdb"
    t0 = time.perf_counter()
    subprocess.run(
        [*cli, "ingest", str(sample), "--store", str(store), "--as-of", AS_OF],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    ingest_wall = time.perf_counter() - t0
    startup = _best([*py, "-c", "import cmmm.cli"], repeat)
    # what every analysis command imports before it reads anything: pandas, pyarrow, numpy, duckdb, the stages
    imports = _best([*py, "-c", "import cmmm.cli, cmmm.pipeline, cmmm.store, cmmm.report.assessment"], repeat)
    drill = [
        "drill",
        "--scenario",
        "primary-intermediate-compromise-24h",
        "--runs",
        "200",
        "--format",
        "json",
    ]
    assess = ["assess", "--format", "json"]
    out: dict[str, Any] = {
        "sample": str(sample),
        "startup_cpu_s": startup[0],
        "imports_cpu_s": imports[0],
        "ingest_to_store_wall_s": ingest_wall,
        "read": _reading(sample, store, repeat),
    }
    for name, cmd in (("assess", assess), ("drill", drill)):
        raw = _best([*cli, *cmd, str(sample), "--as-of", AS_OF], repeat)
        stored = _best([*cli, *cmd, "--store", str(store), "--as-of", AS_OF], repeat)
        out[name] = {
            "raw_cpu_s": raw[0],
            "store_cpu_s": stored[0],
            "raw_wall_s": raw[1],
            "store_wall_s": stored[1],
            "raw_beyond_startup_cpu_s": raw[0] - startup[0],
            "store_beyond_startup_cpu_s": stored[0] - startup[0],
            "store_beyond_imports_cpu_s": stored[0] - imports[0],
            "ratio_cpu": raw[0] / stored[0],
            "ratio_beyond_startup": (raw[0] - startup[0]) / max(stored[0] - startup[0], 1e-3),
        }
    out["store_bytes"] = store.stat().st_size
    return out


def _churn(inv: Any, month: int, share: float, seed: int) -> Any:
    """`share` of the certificates renewed: new cert_ids, notAfter a month later, new observations."""
    import dataclasses

    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed + month)
    certs = inv.certificates.copy()
    n = len(certs)
    pick = rng.choice(n, size=int(n * share), replace=False)
    old_ids = certs.loc[pick, "cert_id"].to_numpy()
    new_ids = pd.array([f"sha256:{month:04x}{i:060x}" for i in pick], dtype="string")
    certs.loc[pick, "cert_id"] = new_ids
    certs.loc[pick, "not_before"] = certs.loc[pick, "not_before"] + pd.Timedelta(days=30 * month)
    certs.loc[pick, "not_after"] = certs.loc[pick, "not_after"] + pd.Timedelta(days=30 * month)
    remap = pd.Series(np.asarray(new_ids, dtype=object), index=old_ids)
    obs = inv.observations.copy()
    moved = obs["cert_id"].isin(old_ids)
    obs.loc[moved, "cert_id"] = obs.loc[moved, "cert_id"].map(remap).astype("string")
    return dataclasses.replace(inv, certificates=certs, observations=obs)


def _year(path: Path, inv: Any, months: int, rate: float, one_bytes: int) -> dict[str, Any]:
    """`months` monthly snapshots, each with `rate` of the certificates renewed since the one before."""
    from assess_bench import NOW

    from cmmm.store import write_snapshot

    current = inv
    writes = []
    for month in range(months):
        if month:
            current = _churn(current, month, rate, seed=7)
        t0 = time.perf_counter()
        at = NOW + timedelta(days=30 * month)
        write_snapshot(path, current, taken_at=at, written_at=at, version="bench")
        writes.append(time.perf_counter() - t0)
    size = path.stat().st_size
    return {"churn_per_month": rate, "bytes": size, "over_one": size / one_bytes, "monthly_write_s": writes}


def scale(n: int, months: int, churn: float, tmp: Path) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).parent))
    import duckdb
    import pyarrow as pa
    from assess_bench import NOW, synthetic_inventory

    import cmmm
    from cmmm.store import read_snapshot, write_snapshot

    cmmm.configure_arrow()
    inv = synthetic_inventory(n, seed=7)
    one = tmp / "one.duckdb"
    t0 = time.perf_counter()
    write_snapshot(one, inv, taken_at=NOW, written_at=NOW, version="bench")
    write_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    back = read_snapshot(one)
    read_s = time.perf_counter() - t0
    assert len(back) == n
    # the floor: the same frames as Parquet files, read by DuckDB itself into pandas
    certs_pq, obs_pq = tmp / "certificates.parquet", tmp / "observations.parquet"
    inv.certificates.to_parquet(certs_pq, index=False)
    inv.observations.to_parquet(obs_pq, index=False)
    t0 = time.perf_counter()
    with duckdb.connect() as con:
        for f in (certs_pq, obs_pq):
            con.sql(f"SELECT * FROM read_parquet('{f}')").to_arrow_table().to_pandas()
    floor_read_s = time.perf_counter() - t0
    # the floor of a write: DuckDB creating the two tables from the same frames as Arrow (its fastest
    # path), in a new database file, checkpointed — no hashing, no deduplication, no history
    t0 = time.perf_counter()
    with duckdb.connect(str(tmp / "floor.duckdb")) as con:
        con.register("c", pa.Table.from_pandas(inv.certificates, preserve_index=False))
        con.register("o", pa.Table.from_pandas(inv.observations, preserve_index=False))
        con.execute("CREATE TABLE certificates AS SELECT * FROM c")
        con.execute("CREATE TABLE observations AS SELECT * FROM o")
        con.execute("CHECKPOINT")
    floor_write_s = time.perf_counter() - t0
    one_bytes = one.stat().st_size
    parquet_bytes = certs_pq.stat().st_size + obs_pq.stat().st_size
    # 10 % churn read two ways: 10 % of the certificates replaced every month, or over the whole year
    years = {
        label: _year(tmp / f"year-{label}.duckdb", inv, months, rate, one_bytes)
        for label, rate in (("monthly", churn), ("yearly", churn / max(months - 1, 1)))
    }
    return {
        "certificates": n,
        "observations": len(inv.observations),
        "write_snapshot_s": write_s,
        "read_snapshot_s": read_s,
        "floor_duckdb_create_table_s": floor_write_s,
        "floor_duckdb_read_parquet_s": floor_read_s,
        "one_snapshot_bytes": one_bytes,
        "parquet_bytes": parquet_bytes,
        "months": months,
        "churn": churn,
        "years": years,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=Path, default=ROOT / "sample_inventories" / "level4-agile")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--certificates", type=int, default=250_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--churn", type=float, default=0.10)
    ap.add_argument("--skip-scale", action="store_true", help="only part 1 (the commands)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "store_results.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        result: dict[str, Any] = {"commands": commands(args.sample, args.repeat, tmp)}
        if not args.skip_scale:
            result["scale"] = scale(args.certificates, args.months, args.churn, tmp)
    c = result["commands"]
    print(
        f"start-up (python -c 'import cmmm.cli'): {c['startup_cpu_s']:.2f} s CPU; with the analysis imports "
        f"(pandas, pyarrow, duckdb, the stages): {c['imports_cpu_s']:.2f} s"
    )
    rd = c["read"]
    print(
        f"reading the inventory: raw sources {rd['raw_cpu_s']:.2f} s CPU, store {rd['store_cpu_s']:.2f} s "
        f"({rd['ratio']:.0f}× less)"
    )
    for name in ("assess", "drill"):
        r = c[name]
        print(
            f"{name}: raw sources {r['raw_cpu_s']:.2f} s CPU, store {r['store_cpu_s']:.2f} s CPU "
            f"({r['ratio_cpu']:.1f}× less); beyond start-up {r['raw_beyond_startup_cpu_s']:.2f} s vs "
            f"{r['store_beyond_startup_cpu_s']:.2f} s ({r['ratio_beyond_startup']:.1f}×); store beyond the "
            f"imports {r['store_beyond_imports_cpu_s']:.2f} s"
        )
    if "scale" in result:
        s = result["scale"]
        print(
            f"{s['certificates']:,} certificates, {s['observations']:,} observations: write snapshot "
            f"{s['write_snapshot_s']:.2f} s (floor: DuckDB CREATE TABLE from the frames "
            f"{s['floor_duckdb_create_table_s']:.2f} s); read back {s['read_snapshot_s']:.2f} s (floor: DuckDB "
            f"read_parquet of the same frames {s['floor_duckdb_read_parquet_s']:.2f} s)"
        )
        print(
            f"one snapshot {s['one_snapshot_bytes'] / 2**20:.1f} MiB (Parquet of the frames "
            f"{s['parquet_bytes'] / 2**20:.1f} MiB)"
        )
        for label, y in s["years"].items():
            print(
                f"{s['months']} monthly snapshots, {100 * s['churn']:.0f} % churn {label} "
                f"({100 * y['churn_per_month']:.1f} % a month): {y['bytes'] / 2**20:.1f} MiB = "
                f"{y['over_one']:.2f}× one snapshot; a monthly write {min(y['monthly_write_s']):.2f}–"
                f"{max(y['monthly_write_s']):.2f} s"
            )
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
