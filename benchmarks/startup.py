"""How fast the CLI answers: `cmmm --help`, `cmmm --version` and `cmmm scenarios`, whole processes, beside
two floors timed in the same run (`make bench-startup`): the interpreter starting and doing nothing
(`python -c pass`), and a typer app of one command with one option, printing a word. The second is the
framework's own price for any subcommand: typer 0.29 imports pydantic to coerce option values.

Each command runs --runs times after --warmup runs that are not counted (the first run writes Python's
bytecode caches, as any installed package has them; PYTHONDONTWRITEBYTECODE is dropped for the children
so that it can). The commands take turns, run by run, so a machine whose speed drifts slows all of them
alike. Printed per command: median and minimum wall seconds, and the median against `python -c pass`.
The target is 0.3 s for each cmmm command; this prints whether the median meets it and never fails.

    python benchmarks/startup.py                 # 20 runs each
    python benchmarks/startup.py --runs 50 --cmmm /path/to/venv/bin/cmmm
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.3
TYPER_APP = """
import typer
app = typer.Typer(add_completion=False)
@app.callback()
def main() -> None:
    pass
@app.command()
def hello(name: str = "world") -> None:
    print(name)
app()
"""


def commands(cmmm: str) -> dict[str, list[str]]:
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "typer app, one command": [sys.executable, "-c", TYPER_APP, "hello"],
        "cmmm --help": [cmmm, "--help"],
        "cmmm --version": [cmmm, "--version"],
        "cmmm scenarios": [cmmm, "scenarios"],
    }


def wall(argv: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - t
    if proc.returncode:
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr.decode(errors='replace')}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20, help="timed runs per command")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs per command first")
    ap.add_argument("--cmmm", help="the cmmm executable (default: the one beside this Python, else on PATH)")
    args = ap.parse_args()
    beside = Path(sys.executable).parent / "cmmm"
    cmmm = args.cmmm or (str(beside) if beside.exists() else shutil.which("cmmm"))
    if not cmmm:
        sys.exit("no cmmm executable: install the package (make) or give --cmmm")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    todo = commands(cmmm)
    load_before = os.getloadavg()[0]
    for _ in range(args.warmup):
        for argv in todo.values():
            wall(argv, env)
    times: dict[str, list[float]] = {name: [] for name in todo}
    for _ in range(args.runs):
        for name, argv in todo.items():
            times[name].append(wall(argv, env))
    load_after = os.getloadavg()[0]

    floor = statistics.median(times["python -c pass"])
    print(f"{args.runs} runs each after {args.warmup} warm-up; {cmmm}; Python {sys.version.split()[0]}")
    print(f"load average {load_before:.2f} before, {load_after:.2f} after; {os.cpu_count()} cores")
    print()
    print(f"| {'command':<26} | median s | min s | × python -c pass | within {TARGET_S} s |")
    print(f"|{'-' * 28}|---------:|------:|-----------------:|:------------:|")
    for name, got in times.items():
        median = statistics.median(got)
        verdict = ("yes" if median < TARGET_S else "**no**") if name.startswith("cmmm") else ""
        print(f"| {name:<26} | {median:8.3f} | {min(got):5.3f} | {median / floor:15.1f}× | {verdict:^12} |")


if __name__ == "__main__":
    main()
