"""Terminal rendering of a network scan and of its comparison with an inventory (untrusted text escaped)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from cmmm.render_text import safe
from cmmm.scan import Comparison, ScanResult, Status

_STATUS_STYLE = {Status.OK: "green", Status.TIMEOUT: "yellow", Status.SKIPPED: "dim"}
MAX_ROWS = 200


def render_scan(console: Console, result: ScanResult) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    console.print(
        f"[bold]{len(result.results)}[/] endpoints scanned in {result.elapsed_s:.1f} s: {counts}"
        + (" [yellow](interrupted: partial results)[/]" if result.interrupted else "")
    )
    t = Table(show_edge=False)
    for col in ("endpoint", "status", "versions", "group", "PQC", "chain", "leaf", "host", "trust"):
        t.add_column(col)
    for r in result.results[:MAX_ROWS]:
        leaf = r.leaf
        style = _STATUS_STYLE.get(r.status, "red")
        t.add_row(
            safe(r.endpoint.location) + (f" ({safe(r.endpoint.sni)})" if r.endpoint.sni else ""),
            f"[{style}]{r.status.value}[/]"
            + (f" {safe(r.error)}" if r.error and r.status is not Status.OK else ""),
            " ".join(v.replace("TLSv", "") for v in r.tls_versions),
            safe(r.group or ""),
            _yes_no(r.hybrid_pq),
            str(len(r.chain)) if r.chain else "",
            safe(leaf.subject.rfc4514_string()) if leaf is not None else "",
            _yes_no(r.hostname_match, "match", "[red]mismatch[/]"),
            safe(r.chain_status.value) if r.chain_status else "",
        )
    console.print(t)
    if len(result.results) > MAX_ROWS:
        console.print(f"… and {len(result.results) - MAX_ROWS} more endpoints (see -o FILE or --format json)")


def _yes_no(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "" if value is None else (yes if value else no)


def render_comparison(console: Console, c: Comparison) -> None:
    console.print(
        f"[bold]against the inventory[/]: {len(c.matched)} served certificates known, "
        f"[red]{len(c.shadow)} shadow[/] (served, not in the inventory), "
        f"[yellow]{len(c.stale)} stale[/] inventory rows (not found where the inventory says)"
    )
    _table(console, "shadow certificates", c.shadow, ("common_name", "issuer_name", "not_after", "locations"))
    _table(console, "stale inventory rows", c.stale, ("common_name", "location", "source_ref", "reason"))


def _table(console: Console, title: str, frame: Any, cols: tuple[str, ...]) -> None:
    if frame.empty:
        return
    t = Table(title=title, title_justify="left", show_edge=False)
    for col in cols:
        t.add_column(col)
    for row in frame.head(MAX_ROWS).itertuples(index=False):
        t.add_row(*(safe("" if _missing(getattr(row, col)) else getattr(row, col)) for col in cols))
    console.print(t)


def _missing(v: Any) -> bool:
    return v is None or bool(pd.isna(v))
