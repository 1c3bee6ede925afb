"""Terminal rendering of result objects (rich tables; every input-derived string is markup-escaped)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from cmmm.sanitize import terminal

if TYPE_CHECKING:  # annotations only: the package stays free of pandas for `cmmm scenarios`
    from cmmm.ingest.summary import InventorySummary
    from cmmm.model import Inventory
    from cmmm.report.terminal.progress import progress_bar as progress_bar
    from cmmm.report.terminal.progress import working as working


def __getattr__(name: str) -> Any:
    # The progress bar (rich.progress, rich.live) loads when a command first reads or scans (PEP 562):
    # `cmmm --help`, `--version` and `scenarios` start without it.
    if name in ("progress_bar", "working"):
        return getattr(importlib.import_module("cmmm.report.terminal.progress"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Short column labels for tables that show the demo's drills (cmmm.drill.scenario.DEMO_SCENARIOS) side by side.
DRILL_LABELS = {
    "primary-intermediate-compromise-24h": "24-h CA compromise",
    "validity-100-day-2027": "100-day cap 2027",
    "pqc-migration-2030-2035": "PQC 2030/2035",
}


def safe(value: object) -> str:
    """Untrusted text for rich output (cmmm.sanitize.terminal)."""
    return terminal(value)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def render_summary(console: Console, s: InventorySummary, inv: Inventory) -> None:
    console.print(
        f"[bold]{_count(s.certificates, 'certificate')}[/], {_count(s.observations, 'observation')} "
        f"from {_count(s.files, 'file')}" + (f", {_count(s.services, 'service')}" if s.services else "")
    )
    console.print(
        f"expired [red]{s.expired:,}[/] · expiring ≤30 d [yellow]{s.expiring_30:,}[/] · ≤90 d "
        f"{s.expiring_90:,} · quantum-vulnerable {s.quantum_vulnerable:,}"
    )
    if s.revocation_known:
        unknown = s.certificates - s.revocation_known
        console.print(
            f"revoked [red]{s.revoked:,}[/] of the {s.revocation_known:,} certificates whose issuer's CRL or CA "
            "export was read" + (f" (the other {unknown:,}: unknown)" if unknown else "")
        )
    t = Table(title="by source format", title_justify="left", show_edge=False)
    t.add_column("ingester")
    t.add_column("certificates", justify="right")
    for k, v in s.by_ingester.items():
        t.add_row(safe(k), f"{v:,}")
    console.print(t)
    if s.by_discovery:
        console.print("discovered by: " + ", ".join(f"{safe(k)} {v:,}" for k, v in s.by_discovery.items()))
    t = Table(title="top issuers", title_justify="left", show_edge=False)
    t.add_column("issuer")
    t.add_column("certificates", justify="right")
    for name, n in s.top_issuers:
        t.add_row(safe(name), f"{n:,}")
    console.print(t)
    if s.shadow_it:
        console.print(
            f"[yellow]shadow IT: {s.shadow_it}[/] certificate(s) in CT logs for your domains that no other "
            "source knows (cmmm.ingest.ctlog.shadow_certificates lists them)"
        )
    console.print("key algorithms: " + ", ".join(f"{safe(k)} {v:,}" for k, v in s.key_algorithms.items()))
    if s.private_keys:
        console.print(f"[red]private keys found: {s.private_keys}[/] (never copied; listed by path)")
        for pk in inv.private_keys[:10]:
            console.print(
                f"  {safe(pk.path)} {safe(pk.locator)}: {safe(pk.key_type)}"
                f"{' (encrypted)' if pk.encrypted else ' (UNENCRYPTED)'}"
            )
    rows = [src for src in inv.sources if src.rows is not None]
    if rows:
        merged = sum(src.merged for src in rows)
        console.print(
            f"table rows: {sum(src.rows or 0 for src in rows):,} read = "
            f"{sum(src.records for src in rows) - merged:,} kept + {sum(src.rejected for src in rows):,} "
            f"rejected + {merged:,} merged duplicates"
        )
    defects = sum(src.defects for src in inv.sources)
    if defects:
        console.print(f"[red]defects: {defects} file(s) rejected by an unexpected error in cmmm[/] (--debug)")
    if s.rejected:
        console.print(f"[yellow]rejected: {s.rejected:,}[/]")
        for r in inv.rejected[:20]:
            console.print(f"  {safe(r.source)}:{safe(r.locator)}: {safe(r.reason)}")
        if s.rejected > 20:
            console.print(f"  … and {s.rejected - 20:,} more (see --format json)")
    for note in s.notes[:10]:
        console.print(f"[dim]note: {safe(note)}[/]")
    if len(s.notes) > 10:
        console.print(f"[dim]  … and {len(s.notes) - 10:,} more notes (see --format json)[/]")


def _duration(hours: float) -> str:
    """Hours up to three days, days beyond: '6 h', '7.1 d' (a no-break space keeps the unit on the line)."""
    return f"{hours:.0f}\u00a0h" if hours < 72 else f"{hours / 24:,.1f}\u00a0d"


def render_demo_table(console: Console, rows: list[tuple[str, Any, Path]]) -> None:
    """The demo's closing table: each sample organization's level, score and drill verdicts (one column
    per drill), then where the reports are."""
    t = Table(title="the sample organizations", title_justify="left", show_edge=False)
    t.add_column("organization", no_wrap=True)
    for col in ("certs", "level", "score"):
        t.add_column(col, justify="right")
    scenarios = list(dict.fromkeys(d.scenario for _, view, _ in rows for d in view.drills))
    for sc in scenarios:
        t.add_column(safe(DRILL_LABELS.get(sc, sc)))
    for name, view, _ in rows:
        m = view.maturity
        by_id = {d.scenario: d for d in view.drills}
        cells = []
        for sc in scenarios:
            d = by_id.get(sc)
            if d is None:
                cells.append("–")
                continue
            colour = "green" if d.verdict == "pass" else "red" if d.verdict == "fail" else "yellow"
            p90 = f"\np90 {_duration(d.completion_p90_hours)}" if d.completion_p90_hours is not None else ""
            cells.append(f"[{colour}]{d.verdict.upper()}[/]{p90}")
        t.add_row(
            safe(name),
            f"{view.summary.certificates:,}",
            str(m.level) if m else "–",
            f"{m.score:.2f}" if m else "–",
            *cells,
        )
    console.print(t)
    folders = sorted({str(path.parent) for _, _, path in rows})
    if folders:
        console.print(f"reports: {', '.join(safe(f) for f in folders)}")
