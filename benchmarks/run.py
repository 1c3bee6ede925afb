"""The whole pipeline at scale, each stage beside its floor measured in the same run (`make bench`).

For each size a seeded synthetic organization is written once (benchmarks/_synthetic.bundle: inventory.csv,
network-scan.csv seeing 20 % of it again, services.csv, profile.yaml, policy.yaml) and a fresh process
runs the pipeline on it `--repeat` times; every stage reports its minimum over the repeats (the machine is
shared), the process its peak RSS. Stages and their floors:

  ingest   cmmm.load(bundle)                          pandas.read_csv (pyarrow engine) of the same CSVs
  facts    Inventory.certificate_facts()              one factorize + bincount of observations by cert_id
  assess   cmmm.maturity.assess (measured, attested)   one notna().mean() pass over the facts frame
  graph    summarize_graph + one blast radius         one groupby(issuer_name).size() over certificates
  drill    24-hour distrust of the primary CA, 200 runs   the draws alone: 2 lognormals per cert and run
  report   build_view + render_html                   value_counts of five fact columns

    python benchmarks/run.py                         # 10k, 50k, 250k (3 repeats), 1M (1 repeat)
    python benchmarks/run.py --sizes 250000 --repeat 5
    python benchmarks/run.py --plot-only             # reprint the tables, redraw the plot from results.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

STAGES = ("ingest", "facts", "assess", "graph", "drill", "report")
RUNS = 200
SCENARIO = "primary-intermediate-compromise-24h"
DEFAULT_SIZES = (10_000, 50_000, 250_000, 1_000_000)
TARGETS = {250_000: (5.0, 20.0, None), 1_000_000: (None, 90.0, 4096.0)}  # stage s, total s, peak MiB


# ------------------------------------------------------------------------------------------- one size
def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _pass(d: Path) -> tuple[dict[str, float], dict[str, float], dict[str, Any]]:
    """One run of the pipeline on bundle `d`: seconds per stage, seconds per floor, sizes seen."""
    import numpy as np
    import pandas as pd
    from _synthetic import AS_OF

    import cmmm
    from cmmm import drill, graph, report
    from cmmm.ingest.summary import summarize
    from cmmm.maturity import assess

    stage: dict[str, float] = {}
    floor: dict[str, float] = {}
    csvs = [d / "inventory.csv", d / "network-scan.csv", d / "services.csv"]
    floor["ingest"], _ = _timed(lambda: [pd.read_csv(p, engine="pyarrow", dtype=str) for p in csvs])
    stage["ingest"], inv = _timed(lambda: cmmm.load([d], now=AS_OF))

    obs = inv.observations
    floor["facts"], _ = _timed(lambda: np.bincount(pd.factorize(obs["cert_id"])[0] + 1))
    stage["facts"], facts = _timed(inv.certificate_facts)

    floor["assess"], _ = _timed(lambda: facts.notna().mean())
    # Measured and attested criteria; the simulated (level-5) ones are the drill stage below.
    stage["assess"], assessment = _timed(lambda: assess(inv, now=AS_OF))

    floor["graph"], _ = _timed(lambda: inv.certificates.groupby("issuer_name", sort=False).size())

    def graph_stage() -> tuple[Any, Any]:
        summary = graph.summarize_graph(inv)
        top = str(summary.riskiest.iloc[0]["name"])
        return summary, graph.blast_radius(inv, top)

    stage["graph"], (summary, blast) = _timed(graph_stage)

    scenario = drill.load_scenario(SCENARIO)
    stage["drill"], result = _timed(lambda: drill.run(inv, scenario, now=AS_OF, runs=RUNS, seed=0))
    k = result.affected_certificates

    def draws() -> float:
        rng = np.random.default_rng(0)
        total = 0.0
        for _ in range(0, RUNS, 10):
            z = rng.standard_normal((2, 10, k), dtype=np.float32)
            total += float(np.exp(z, out=z).sum())
        return total

    floor["drill"], _ = _timed(draws)
    columns = ("issuer_name", "key_algorithm", "automation", "team", "discovered_by")
    floor["report"], _ = _timed(lambda: [facts[c].value_counts() for c in columns])

    def report_stage() -> int:
        view = report.build_view(
            summary=summarize(inv, now=AS_OF),
            assessment=assessment,
            graph=summary,
            drills=(result,),
            generated_at=AS_OF,
        )
        return len(report.render_html(view))

    stage["report"], html_bytes = _timed(report_stage)
    info = {
        "certificates": len(inv),
        "observations": len(inv.observations),
        "rejected": len(inv.rejected),
        "blast_radius_certificates": len(blast.certificates),
        "drill_affected": k,
        "drill_p90_hours": result.completion_hours.p90,
        "html_bytes": html_bytes,
        "level": assessment.level,
    }
    return stage, floor, info


def one_size(n: int, repeat: int, out: Path) -> dict[str, Any]:
    """Run every stage `repeat` times on the n-certificate bundle; min seconds per stage and floor."""
    from _synthetic import bundle

    import cmmm

    cmmm.configure_arrow()  # as the CLI does: the memory pool is the program's choice
    d = bundle(out / f"bundle-{n}", n)
    best: dict[str, float] = {}
    floor: dict[str, float] = {}
    totals: list[float] = []
    info: dict[str, Any] = {}
    for _ in range(repeat):
        stage_s, floor_s, info = _pass(d)
        for table, got in ((best, stage_s), (floor, floor_s)):
            for name, seconds in got.items():
                table[name] = min(seconds, table.get(name, float("inf")))
        totals.append(sum(stage_s.values()))
    return {
        "n": n,
        "repeat": repeat,
        "stages": best,
        "floors": floor,
        "total": min(totals),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **info,
    }


# ------------------------------------------------------------------------------------------- reporting
def machine() -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(ln.split()[1])
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "pyarrow": pa.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def table(results: list[dict[str, Any]]) -> str:
    """Markdown: one column per size, seconds with the floor and the ratio beside each stage."""
    sizes = [r["n"] for r in results]
    head = "| stage | " + " | ".join(f"{n:,} certificates" for n in sizes) + " |"
    lines = [head, "|---|" + "---|" * len(sizes)]
    for stage in STAGES:
        cells = []
        for r in results:
            s, f = r["stages"].get(stage), r["floors"].get(stage)
            if s is None:
                cells.append("–")
                continue
            cells.append(f"{s:.2f} s (floor {f:.2f} s, {s / f:.0f}×)" if f else f"{s:.2f} s")
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines.append("| **whole pipeline** | " + " | ".join(f"**{r['total']:.2f} s**" for r in results) + " |")
    lines.append("| peak RSS | " + " | ".join(f"{r['peak_rss_mib']:,.0f} MiB" for r in results) + " |")
    lines.append(
        "| drill affected × runs | " + " | ".join(f"{r['drill_affected']:,} × {RUNS}" for r in results) + " |"
    )
    return "\n".join(lines)


def growth(results: list[dict[str, Any]]) -> str:
    """Markdown: each stage's growth exponent between consecutive sizes (1 = linear, 2 = quadratic)."""
    import math

    results = sorted(results, key=lambda r: r["n"])
    pairs = list(itertools.pairwise(results))
    head = "| stage | " + " | ".join(f"{a['n']:,} → {b['n']:,}" for a, b in pairs) + " |"
    lines = [head, "|---|" + "---|" * len(pairs)]
    for stage in (*STAGES, "total"):
        cells = []
        for a, b in pairs:
            ta = a["total"] if stage == "total" else a["stages"].get(stage)
            tb = b["total"] if stage == "total" else b["stages"].get(stage)
            if not ta or not tb:
                cells.append("–")
                continue
            k = math.log(tb / ta) / math.log(b["n"] / a["n"])
            cells.append(f"×{tb / ta:.1f} (exponent {k:.2f})")
        lines.append(f"| {'whole pipeline' if stage == 'total' else stage} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in results:
        target = TARGETS.get(r["n"])
        if not target:
            continue
        stage_max, total_max, rss_max = target
        if stage_max is not None:
            slow = {s: t for s, t in r["stages"].items() if t >= stage_max}
            out.append(
                f"{r['n']:,}: every stage under {stage_max:g} s: "
                + ("yes" if not slow else "NO — " + ", ".join(f"{s} {t:.2f} s" for s, t in slow.items()))
            )
        out.append(
            f"{r['n']:,}: whole pipeline {r['total']:.1f} s (target < {total_max:g} s): "
            + ("met" if r["total"] < total_max else "MISSED")
        )
        if rss_max is not None:
            out.append(
                f"{r['n']:,}: peak RSS {r['peak_rss_mib']:,.0f} MiB (target < {rss_max:,.0f} MiB): "
                + ("met" if r["peak_rss_mib"] < rss_max else "MISSED")
            )
        ratio = r["stages"]["ingest"] / r["floors"]["ingest"]
        out.append(f"{r['n']:,}: ingest {ratio:.1f}× its read_csv floor (target ≤ 3×)")
    return out


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Seconds per stage against certificates, log-log, with a linear reference line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = sorted(results, key=lambda r: r["n"])
    ns = [r["n"] for r in results]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for stage in STAGES:
        pts = [(r["n"], r["stages"][stage]) for r in results if stage in r["stages"]]
        if pts:
            ax.plot(*zip(*pts, strict=True), marker="o", label=stage)
    ax.plot(ns, [r["total"] for r in results], marker="s", color="black", label="whole pipeline")
    ref = results[-1]["total"]
    ax.plot(ns, [ref * n / ns[-1] for n in ns], ls="--", color="grey", label="linear (slope 1)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("certificates")
    ax.set_ylabel("seconds (min of repeats)")
    ax.set_title("cmmm stage time by inventory size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    ap.add_argument("--repeat", type=int, default=3, help="repeats per size up to 250k (1M: once)")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="where the synthetic bundles go")
    ap.add_argument("--results", type=Path, default=HERE / "results.json")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--plot-only", action="store_true", help="reprint and redraw from --results, run nothing")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.generate:
        from _synthetic import bundle

        bundle(args.out / f"bundle-{args.generate}", args.generate)
        return
    if args.one:
        print(json.dumps(one_size(args.one, args.repeat, args.out)))
        return
    if args.plot_only:
        doc = json.loads(args.results.read_text())
        print(table(doc["results"]), growth(doc["results"]), "\n".join(verdicts(doc["results"])), sep="\n\n")
        plot(doc["results"], HERE / "growth.svg")
        return
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    results = []
    before = machine()
    for n in args.sizes:
        repeat = 1 if n >= 1_000_000 else args.repeat
        # The bundle is written by its own process, and the pipeline runs in a fresh one: its peak RSS
        # is this size's pipeline alone.
        gen = [sys.executable, __file__, "--generate", str(n), "--out", str(args.out)]
        subprocess.run(gen, env=env, check=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--repeat", str(repeat), "--out", str(args.out)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            sys.exit(f"{n:,} certificates failed:\n{proc.stderr}")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(
            f"{n:>9,}  total {r['total']:7.2f} s  peak {r['peak_rss_mib']:7,.0f} MiB  "
            + "  ".join(f"{s} {t:.2f}" for s, t in r["stages"].items()),
            flush=True,
        )
    info = {**machine(), "load_average_before": before["load_average"]}
    print()
    print(
        f"machine: {info['cores']} cores, {info['cpu']}, {info['ram_gib']} GiB RAM; Python {info['python']}, "
        f"pandas {info['pandas']}, numpy {info['numpy']}, pyarrow {info['pyarrow']}; "
        f"load average before {before['load_average']}, after {info['load_average']}"
    )
    print()
    print(table(results))
    print()
    print(growth(results))
    print()
    print("\n".join(verdicts(results)))
    args.results.write_text(json.dumps({"machine": info, "results": results}, indent=2) + "\n")
    plot(results, HERE / "growth.svg")


if __name__ == "__main__":
    main()
