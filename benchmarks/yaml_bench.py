"""Reading a folder of Kubernetes exports (the level-4 sample's `kubernetes/`, 64 files, 8 MB of YAML) beside
its floors, measured in the same run.

Floors: libyaml's event stream alone (the scanner and parser every libyaml reader pays), PyYAML's C safe
loader (what the reader used before: libyaml parses, Python composes and constructs), and json.loads of
the same documents written as JSON (what the data costs when the text is not YAML). Ours: cmmm.load of
the folder in one process (CPU seconds: every file parsed, certificates read, the inventory merged) and
with the default worker processes (wall seconds). Best of --repeat rounds, taken in turns.

    python benchmarks/yaml_bench.py [--folder sample_inventories/level4-agile/kubernetes] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from yaml._yaml import CParser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cmmm
from cmmm import _yaml

ROOT = Path(__file__).resolve().parent.parent


def cpu(fn: Callable[[], object]) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def wall(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def events(texts: list[str]) -> None:
    for text in texts:
        parser = CParser(text)
        while parser.get_event() is not None:
            pass


def main() -> None:
    cmmm.configure_arrow()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--folder", type=Path, default=ROOT / "sample_inventories" / "level4-agile" / "kubernetes"
    )
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sorted(p for p in args.folder.iterdir() if p.suffix in (".yaml", ".yml"))
    texts = [p.read_text() for p in files]
    jsons = [json.dumps(list(yaml.load_all(t, Loader=yaml.CSafeLoader)), default=str) for t in texts]
    rows: dict[str, list[float]] = {}
    runs: dict[str, Callable[[], float]] = {
        "libyaml events (floor)": lambda: cpu(lambda: events(texts)),
        "json.loads of the same data (floor)": lambda: cpu(lambda: [json.loads(j) for j in jsons]),
        "PyYAML CSafeLoader": lambda: cpu(
            lambda: [list(yaml.load_all(t, Loader=yaml.CSafeLoader)) for t in texts]
        ),
        "cmmm YAML (event builder)": lambda: cpu(lambda: [_yaml.load_all(t) for t in texts]),
        "cmmm.load, one process (CPU)": lambda: cpu(lambda: cmmm.load([args.folder], workers=1)),
        "cmmm.load, default workers (wall)": lambda: wall(lambda: cmmm.load([args.folder])),
    }
    for fn in runs.values():  # warm-up: imports, first-call costs
        fn()
    for _ in range(args.repeat):
        for name, fn in runs.items():
            rows.setdefault(name, []).append(fn())
    size = sum(len(t) for t in texts) / 1e6
    floor = min(rows["libyaml events (floor)"])
    print(f"{len(files)} files, {size:.1f} MB of YAML, best of {args.repeat}")
    for name, times in rows.items():
        print(f"  {name:38} {min(times):6.3f} s  {min(times) / floor:5.1f}x the event floor")


if __name__ == "__main__":
    main()
