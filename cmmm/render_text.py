"""Terminal rendering of result objects (rich tables; every input-derived string is markup-escaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cmmm.model import Inventory
from cmmm.summary import InventorySummary


def safe(value: object) -> str:
    """Escape rich markup and neutralize terminal control characters in untrusted text."""
    text = "".join(ch if ch.isprintable() or ch == " " else "\N{REPLACEMENT CHARACTER}" for ch in str(value))
    return escape(text)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def render_summary(console: Console, s: InventorySummary, inv: Inventory) -> None:
    console.print(
        f"[bold]{_count(s.certificates, 'certificate')}[/], {_count(s.observations, 'observation')} "
        f"from {_count(s.files, 'file')}" + (f", {_count(s.services, 'service')}" if s.services else "")
    )
    console.print(
        f"expired [red]{s.expired}[/] · expiring ≤30 d [yellow]{s.expiring_30}[/] · ≤90 d "
        f"{s.expiring_90} · quantum-vulnerable {s.quantum_vulnerable}"
    )
    t = Table(title="by source format", title_justify="left", show_edge=False)
    t.add_column("ingester")
    t.add_column("certificates", justify="right")
    for k, v in s.by_ingester.items():
        t.add_row(safe(k), str(v))
    console.print(t)
    if s.by_discovery:
        console.print("discovered by: " + ", ".join(f"{safe(k)} {v}" for k, v in s.by_discovery.items()))
    t = Table(title="top issuers", title_justify="left", show_edge=False)
    t.add_column("issuer")
    t.add_column("certificates", justify="right")
    for name, n in s.top_issuers:
        t.add_row(safe(name), str(n))
    console.print(t)
    if s.shadow_it:
        console.print(
            f"[yellow]shadow IT: {s.shadow_it}[/] certificate(s) in CT logs for your domains that no other "
            "source knows (cmmm.ingest.ctlog.shadow_certificates lists them)"
        )
    console.print("key algorithms: " + ", ".join(f"{safe(k)} {v}" for k, v in s.key_algorithms.items()))
    if s.private_keys:
        console.print(f"[red]private keys found: {s.private_keys}[/] (never copied; listed by path)")
        for pk in inv.private_keys[:10]:
            console.print(
                f"  {safe(pk.path)} {safe(pk.locator)}: {safe(pk.key_type)}"
                f"{' (encrypted)' if pk.encrypted else ' (UNENCRYPTED)'}"
            )
    if s.rejected:
        console.print(f"[yellow]rejected: {s.rejected}[/]")
        for r in inv.rejected[:20]:
            console.print(f"  {safe(r.source)}:{safe(r.locator)}: {safe(r.reason)}")
        if s.rejected > 20:
            console.print(f"  … and {s.rejected - 20} more (see --format json)")
    for note in s.notes[:10]:
        console.print(f"[dim]note: {safe(note)}[/]")


def render_demo_table(console: Console, rows: list[tuple[str, Any, Path]]) -> None:
    """The demo's closing table: each sample organization's level, score and drill verdicts."""
    t = Table(title="the sample organizations", title_justify="left", show_edge=False)
    for col in ("organization", "certificates", "level", "score", "drills (verdict, p90 h)", "report"):
        t.add_column(col)
    for name, view, path in rows:
        m = view.maturity
        drills = ", ".join(
            f"{safe(d.scenario)} {d.verdict.upper()}"
            + (f" {d.completion_p90_hours:.1f}" if d.completion_p90_hours is not None else "")
            for d in view.drills
        )
        t.add_row(
            safe(name),
            f"{view.summary.certificates:,}",
            str(m.level) if m else "–",
            f"{m.score:.1f}" if m else "–",
            drills,
            safe(path),
        )
    console.print(t)
