"""Time the dependency graph at scale: a synthetic 250,000-certificate inventory built directly as frames.

    PYTHONPATH=. python benchmarks/graph_bench.py [--certificates N] [--full-graph]

A few roots, tens of issuing CAs (one cross-signed), 5% of leaves from issuers absent from the inventory,
one observation per certificate, 500 services with depends_on. Prints seconds per step and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

import cmmm
from cmmm import graph
from cmmm.graph.hierarchy import hierarchy, membership
from cmmm.model import CERTIFICATE_COLUMNS, OBSERVATION_COLUMNS, SERVICE_COLUMNS, Inventory, conform

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def inventory(
    n: int, *, roots: int = 3, intermediates: int = 30, services: int = 500, seed: int = 7
) -> Inventory:
    rng = np.random.default_rng(seed)
    root_ski = [f"{i:040x}" for i in range(1, roots + 1)]
    int_ski = [f"{1000 + i:040x}" for i in range(intermediates)]
    # CA certificates: roots self-signed; intermediate i under root i % roots; the first one cross-signed.
    ca_rows: list[dict[str, Any]] = []
    for i, ski in enumerate(root_ski):
        ca_rows.append(
            {
                "cert_id": f"sha256:r{i}",
                "common_name": f"Bench Root {i}",
                "subject_key_id": ski,
                "authority_key_id": ski,
                "is_ca": True,
                "is_self_signed": True,
                "issuer_name": f"Bench Root {i}",
                "not_after": NOW + timedelta(days=5000),
            }
        )
    for i, ski in enumerate(int_ski):
        parents = [i % roots] + ([1] if i == 0 else [])
        for p in parents:
            ca_rows.append(
                {
                    "cert_id": f"sha256:i{i}-{p}",
                    "common_name": f"Bench Issuing {i}",
                    "subject_key_id": ski,
                    "authority_key_id": root_ski[p],
                    "is_ca": True,
                    "is_self_signed": False,
                    "issuer_name": f"Bench Root {p}",
                    "not_after": NOW + timedelta(days=1500),
                }
            )
    leaves = n - len(ca_rows)
    which = rng.zipf(1.6, leaves) % intermediates  # a few CAs carry most certificates
    unknown = rng.random(leaves) < 0.05
    aki = np.array(int_ski, dtype=object)[which]
    issuer = np.char.add("Bench Issuing ", which.astype(str)).astype(object)
    issuer[unknown] = np.char.add("Vendor CA ", (which[unknown] % 7).astype(str))
    aki[unknown] = None
    ids = np.char.add("sha256:leaf", np.arange(leaves).astype(str))
    leaf = pd.DataFrame(
        {
            "cert_id": ids,
            "common_name": np.char.add(np.char.add("h", np.arange(leaves).astype(str)), ".bench.test"),
            "serial": np.char.mod("%x", np.arange(1, leaves + 1)),
            "authority_key_id": aki,
            "issuer_name": issuer,
            "is_ca": False,
            "is_self_signed": False,
            "not_after": pd.Timestamp(NOW) + pd.to_timedelta(rng.integers(1, 400, leaves), unit="D"),
        }
    )
    certs = conform(pd.concat([pd.DataFrame(ca_rows), leaf], ignore_index=True), CERTIFICATE_COLUMNS)
    svc_of = (which * 17 + rng.integers(0, 20, leaves)) % services  # each CA serves a few services
    crit = np.array(["low", "medium", "high", "critical"])[rng.integers(0, 4, services)]
    obs = conform(
        pd.DataFrame(
            {
                "cert_id": ids,
                "source": "bench",
                "location": np.char.add(leaf["common_name"].to_numpy().astype(str), ":443"),
                "host": leaf["common_name"].to_numpy(),
                "port": 443,
                "service": np.char.add("svc", svc_of.astype(str)),
                "team": np.char.add("team", (svc_of % 40).astype(str)),
                "criticality": crit[svc_of],
            }
        ),
        OBSERVATION_COLUMNS,
    )
    deps = [
        ";".join(f"svc{j}" for j in rng.choice(i, size=min(i, 2), replace=False))
        if i and rng.random() < 0.3
        else ""
        for i in range(services)
    ]
    svc = conform(
        pd.DataFrame(
            {
                "service": [f"svc{i}" for i in range(services)],
                "team": [f"team{i % 40}" for i in range(services)],
                "criticality": crit,
                "depends_on": pd.Series(deps).replace("", pd.NA),
            }
        ),
        SERVICE_COLUMNS,
    )
    return Inventory(certificates=certs, observations=obs, services=svc)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(label: str, fn: Callable[[], Any]) -> Any:
    t = time.perf_counter()
    result = fn()
    print(f"{label:<42} {time.perf_counter() - t:7.2f} s   peak RSS {rss_mb():7.0f} MB")
    return result


def verify_bench(n: int) -> None:
    """Signature checks on real certificates: n EC leaves under 10 issuing CAs (two roots)."""
    import tempfile
    from pathlib import Path

    import cmmm
    from cmmm.graph.hierarchy import verify_links
    from cmmm.lab.pki import issue

    t0 = NOW - timedelta(days=30)
    roots = [issue(cn=f"Verify Root {i}", not_before=t0, days=3000, ca=True) for i in range(2)]
    cas = [
        issue(cn=f"Verify CA {i}", not_before=t0, days=900, ca=True, issuer=roots[i % 2]) for i in range(10)
    ]
    leaves = timed(
        f"issue {n:,} real EC certificates (synth)",
        lambda: [issue(cn=f"v{i}.test", not_before=t0, days=90, issuer=cas[i % 10]) for i in range(n)],
    )
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "all.pem"
        path.write_bytes(b"".join(c.pem for c in (*roots, *cas, *leaves)))
        inv = timed("load the PEM bundle", lambda: cmmm.load([path], now=NOW))
    checked = timed("verify_links (CA certs + 16 leaves per CA)", lambda: verify_links(inv))
    print(
        f"{'':<42} {int(checked.notna().sum()):,} links checked, {int((~checked.fillna(True)).sum())} failed"
    )
    checked = timed("verify_links (every leaf)", lambda: verify_links(inv, leaves_per_ca=n))
    print(
        f"{'':<42} {int(checked.notna().sum()):,} links checked, {int((~checked.fillna(True)).sum())} failed"
    )


def main() -> None:
    cmmm.configure_arrow()  # as the CLI does: the memory pool is the program's choice
    ap = argparse.ArgumentParser()
    ap.add_argument("--certificates", type=int, default=250_000)
    ap.add_argument("--full-graph", action="store_true", help="also build the unaggregated networkx graph")
    ap.add_argument("--verify", type=int, default=0, help="also time signature checks on N real leaves")
    args = ap.parse_args()
    if args.verify:
        verify_bench(args.verify)
    inv = timed(f"build inventory frames ({args.certificates:,})", lambda: inventory(args.certificates))
    timed("certificate_facts (foundation)", inv.certificate_facts)
    timed("hierarchy", lambda: hierarchy(inv))
    m = timed("membership (every CA at once)", lambda: membership(inv))
    print(f"{'':<42} {len(m):,} (certificate, CA) rows")
    conc = timed("concentration (all CAs)", lambda: graph.concentration(inv))
    top = conc[conc["kind"] == "intermediate"].sort_values("certificates").iloc[-1]  # the largest
    b = timed(f"blast_radius({top['name']})", lambda: graph.blast_radius(inv, str(top["name"])))
    print(f"{'':<42} {len(b.certificates):,} certificates, {len(b.services)} services, score {b.score}")
    timed("blast_radius(root, second query)", lambda: graph.blast_radius(inv, "Bench Root 0"))
    timed("summarize_graph (spof, orphans, depth)", lambda: graph.summarize_graph(inv))
    g = timed("build_graph (aggregated)", lambda: graph.build_graph(inv))
    print(f"{'':<42} {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges")
    if args.full_graph:
        g = timed("build_graph (every leaf and endpoint)", lambda: graph.build_graph(inv, aggregate=False))
        print(f"{'':<42} {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges")


if __name__ == "__main__":
    main()
