"""Terminal rendering of the dependency graph's results (input-derived strings never become markup)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cmmm.graph import BlastRadius, GraphSummary
from cmmm.sanitize import display


def cell(value: Any) -> Text:
    """Untrusted text as a plain rich Text: no markup, no :emoji: codes, unsafe characters replaced."""
    return Text(display(value))


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _table(title: str, columns: list[tuple[str, bool]]) -> Table:
    t = Table(title=title, title_justify="left", show_edge=False)
    for name, right in columns:
        t.add_column(name, justify="right" if right else "left")
    return t


def render_graph_summary(console: Console, s: GraphSummary) -> None:
    cas = ", ".join(f"{n} {k}" for k, n in s.cas.items())
    console.print(f"[bold]{s.certificates}[/] certificates ({s.leaves} leaves) under {cas} CA nodes")
    console.print("chain depth: " + " · ".join(f"depth {d}: {n}" for d, n in s.depth.items()))
    console.print(
        f"orphans (chain ends in an unknown CA): [yellow]{s.orphans}[/] · "
        f"issuer expires first: [yellow]{s.issuer_expires_first}[/] · "
        f"signatures verified {s.verified}, [red]failed {s.unverified}[/]"
    )
    cols = [
        ("CA", False),
        ("kind", False),
        ("certificates", True),
        ("leaf share", True),
        ("services", True),
        ("critical svc", True),
        ("score", True),
    ]
    for title, frame in (
        ("roots", s.roots),
        ("riskiest issuing CAs (criticality-weighted blast radius)", s.riskiest),
    ):
        if frame.empty:
            continue
        t = _table(title, cols)
        for r in frame.itertuples(index=False):
            t.add_row(
                cell(r.name),
                r.kind,
                str(r.certificates),
                _pct(r.leaf_share),
                str(r.services),
                f"{r.critical_services} ({_pct(r.critical_share)})",
                str(r.score),
            )
        console.print(t)
    if len(s.single_points_of_failure):
        t = _table("single points of failure", [("CA", False), ("leaf share", True), ("why", False)])
        for r in s.single_points_of_failure.itertuples(index=False):
            why = r.reason + (f": {r.sole_ca_for}" if pd.notna(r.sole_ca_for) else "")
            t.add_row(cell(r.name), _pct(r.leaf_share), cell(why))
        console.print(t)


def render_blast_radius(console: Console, b: BlastRadius, *, limit: int = 50) -> None:
    for r in b.cas.itertuples(index=False):
        console.print(Text.assemble(cell(r.name), (f" [{r.kind}] ", "bold"), cell(r.ca_id)))
    console.print(
        f"{len(b.certificates)} certificates ({b.leaves} leaves) · {len(b.endpoints)} endpoints · "
        f"{len(b.direct_services)} services directly, {len(b.dependent_services)} through dependencies · "
        f"score [bold]{b.score}[/]"
    )
    if len(b.services):
        t = _table(
            "services",
            [
                (c, c == "certificates")
                for c in ("service", "criticality", "relation", "via", "team", "certificates")
            ],
        )
        for r in b.services.itertuples(index=False):
            t.add_row(
                *(cell(v) for v in (r.service, r.criticality, r.relation, r.via, r.team)), str(r.certificates)
            )
        console.print(t)
    if len(b.endpoints):
        t = _table("endpoints", [("location", False), ("service", False)])
        for r in b.endpoints.drop_duplicates("location").head(limit).itertuples(index=False):
            t.add_row(cell(r.location), cell(r.service))
        console.print(t)
    t = _table("owners", [("owner", False), ("team", False), ("certificates", True), ("services", True)])
    for r in b.owners.itertuples(index=False):
        t.add_row(cell(r.owner), cell(r.team), str(r.certificates), str(r.services))
    console.print(t)
    t = _table("certificates", [(c, False) for c in ("common name", "expires", "service", "owner")])
    for r in b.certificates.head(limit).itertuples(index=False):
        t.add_row(cell(r.common_name), str(r.not_after)[:10], cell(r.service), cell(r.owner))
    console.print(t)
    if len(b.certificates) > limit:
        console.print(f"… and {len(b.certificates) - limit} more (see --format json)")
