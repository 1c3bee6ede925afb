"""Ingestion throughput beside its raw floor, measured in the same run.

CSV: cmmm.load of a canonical CSV against pandas.read_csv of the same file.
PEM: cmmm.load of a directory of PEM files (both cores) against reading each file and calling
cryptography's load_pem_x509_certificates on it (one core: the raw parsing floor).

Both sides are warmed up on a small input first (imports, first-call costs) and timed alternately
`--repeat` times; the best of each is reported, so that neither profits from the other's page cache.

    python benchmarks/ingest_bench.py --n 250000 [--pem-n 250000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import pandas as pd
from cryptography import x509

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import AS_OF, canonical_csv, pem_files

import cmmm


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def best_of(repeat, floor_fn, ours_fn):  # type: ignore[no-untyped-def]
    """Alternate floor and ours `repeat` times; the best time of each and the last results."""
    floors, ours = [], []
    for _ in range(repeat):
        t, floor_out = timed(floor_fn)
        floors.append(t)
        t, ours_out = timed(ours_fn)
        ours.append(t)
    return min(floors), floor_out, min(ours), ours_out


def main() -> None:
    cmmm.configure_arrow()  # as the CLI does: the memory pool is the program's choice
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=250_000, help="CSV rows")
    ap.add_argument("--pem-n", type=int, default=None, help="PEM files (default: --n)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds (best of)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pem_n = args.pem_n or args.n

    csv_path = args.out / f"inventory-{args.n}.csv"
    if not csv_path.exists():
        canonical_csv(args.n).to_csv(csv_path, index=False)
    warm = args.out / "inventory-2000.csv"
    if not warm.exists():
        canonical_csv(2000).to_csv(warm, index=False)
    pd.read_csv(warm)
    cmmm.load([warm], now=AS_OF)
    floor, _, ours, inv = best_of(
        args.repeat, lambda: pd.read_csv(csv_path), lambda: cmmm.load([csv_path], now=AS_OF)
    )
    print(
        f"CSV  {args.n:>9,} rows  read_csv floor {floor:6.2f} s   cmmm.load {ours:6.2f} s   "
        f"ratio {ours / floor:4.2f}x   {args.n / ours:,.0f} rows/s   ({len(inv):,} certificates)"
    )

    pem_dir = args.out / f"pem-{pem_n}"
    t, paths = timed(lambda: pem_files(pem_dir, pem_n))
    print(f"     generated/checked {len(paths):,} PEM files in {t:.1f} s")

    def floor_pem() -> int:
        n = 0
        for p in sorted(pem_dir.rglob("*.pem")):
            n += len(x509.load_pem_x509_certificates(p.read_bytes()))
        return n

    floor, count, ours, inv = best_of(args.repeat, floor_pem, lambda: cmmm.load([pem_dir], now=AS_OF))
    print(
        f"PEM  {pem_n:>9,} files floor (1 core) {floor:6.2f} s   cmmm.load (all cores) {ours:6.2f} s   "
        f"ratio {ours / floor:4.2f}x   {pem_n / ours:,.0f} certs/s   ({len(inv):,} of {count:,} certificates)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process {peak:,.0f} MB")


if __name__ == "__main__":
    main()
