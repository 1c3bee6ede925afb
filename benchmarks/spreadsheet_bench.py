"""A spreadsheet written elsewhere, read by a whole `cmmm ingest FILE -o inv.parquet` process beside a whole
process reading the same file with `pandas.read_csv` (the floor), in one run (issue 22, item 5).

Three shapes of 250,000 rows, so the fast path is not tuned to one: (a) issuer DN + serial, ISO dates with
UTC offsets, ';'-separated SANs, host:port endpoints; (b) other column order and names, US dates with AM/PM,
no serial (rows are named by issuer, name and expiry); (c) few columns: a name, a German date, an owner.
Each command runs --runs times, the two taking turns; CPU seconds are the child's user + system (its own
accounting); the median and the ratio of medians are printed.

    PYTHONPATH=. python benchmarks/spreadsheet_bench.py [--rows 250000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def _names(n: int) -> list[str]:
    return [f"host{i}.corp{i % 97}.example" for i in range(n)]


def shape_a(n: int, rng: np.random.Generator) -> pd.DataFrame:
    nb = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 300 * 86400, n), unit="s")
    na = nb + pd.to_timedelta(rng.integers(30, 400, n), unit="D")
    cn = _names(n)
    return pd.DataFrame(
        {
            "Issuer": [f"CN=Corp Issuing CA {i % 7},O=Corp" for i in range(n)],
            "Serial Number": [f"{i * 7919 + 12345:x}" for i in range(n)],
            "Subject CN": cn,
            "SANs": [f"{c};www.{c}" for c in cn],
            "Valid From": nb.tz_convert("Europe/Berlin").strftime("%Y-%m-%dT%H:%M:%S%z"),
            "Valid To": na.tz_convert("America/New_York").strftime("%Y-%m-%dT%H:%M:%S%z"),
            "Endpoint": [f"{c}:{443 if i % 3 else 8443}" for i, c in enumerate(cn)],
            "Owner": [f"team{i % 40}@corp.example" for i in range(n)],
        }
    )


def shape_b(n: int, rng: np.random.Generator) -> pd.DataFrame:
    na = pd.Timestamp("2026-06-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 500 * 86400, n), unit="s")
    cn = _names(n)
    return pd.DataFrame(
        {
            "Expires": na.strftime("%m/%d/%Y %I:%M:%S %p"),
            "Team": [f"team{i % 40}" for i in range(n)],
            "Common Name": cn,
            "Issuing CA": [f"Corp Issuing CA {i % 5}" for i in range(n)],
            "Key Size": rng.choice(["2048", "4096", "256"], n),
            "Algorithm": rng.choice(["RSA", "RSA", "ECDSA"], n),
            "Hosts": [f"{c}:443" for c in cn],
        }
    )


def shape_c(n: int, rng: np.random.Generator) -> pd.DataFrame:
    na = pd.Timestamp("2026-06-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    return pd.DataFrame(
        {"Name": _names(n), "Gültig bis": na.strftime("%d.%m.%Y"), "Owner": [f"o{i % 9}" for i in range(n)]}
    )


SHAPES = {
    "a: issuer+serial, ISO offsets": shape_a,
    "b: US dates, no serial": shape_b,
    "c: three columns": shape_c,
}


def _cpu(cmd: list[str]) -> float:
    before = os.times()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = os.times()
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=250_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cmmm", default=str(Path(sys.executable).with_name("cmmm")))
    args = ap.parse_args()
    rng = np.random.default_rng(22)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{args.rows:,} rows, {args.runs} runs each, CPU seconds (median), whole processes")
        for label, make in SHAPES.items():
            path = Path(tmp) / "export.csv"
            make(args.rows, rng).to_csv(path, index=False)
            ours_cmd = [args.cmmm, "ingest", str(path), "-o", str(Path(tmp) / "inv.parquet")]
            floor_cmd = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
            _cpu(ours_cmd), _cpu(floor_cmd)  # warm-up: bytecode, page cache
            ours, floor = [], []
            for _ in range(args.runs):
                ours.append(_cpu(ours_cmd))
                floor.append(_cpu(floor_cmd))
            o, f = statistics.median(ours), statistics.median(floor)
            print(f"  {label:32} cmmm ingest {o:5.2f} s   read_csv {f:5.2f} s   {o / f:4.1f}×")


if __name__ == "__main__":
    main()
