"""Terminal rendering of a network scan and of its comparison with an inventory (untrusted text escaped)."""

from __future__ import annotations

from typing import Any

from cryptography.x509.oid import NameOID
from rich.console import Console

from cmmm.crypto import SSH_PQC_KEX
from cmmm.report.terminal import safe
from cmmm.report.terminal.frames import render_frame
from cmmm.scan import ChainStatus, Comparison, EndpointResult, ScanResult, Status

_STATUS_STYLE = {Status.OK: "green", Status.TIMEOUT: "yellow", Status.SKIPPED: "dim"}
MAX_ROWS = 200


def render_scan(console: Console, result: ScanResult) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    console.print(
        f"[bold]{len(result.results)}[/] endpoint{'' if len(result.results) == 1 else 's'} scanned in "
        f"{result.elapsed_s:.1f} s: {counts}"
        + (" [yellow](interrupted: partial results)[/]" if result.interrupted else "")
    )
    shown = [r for r in result.results if r.status is not Status.SKIPPED]
    for r in shown[:MAX_ROWS]:
        console.print(_line(r))
    if len(shown) > MAX_ROWS:
        console.print(f"… and {len(shown) - MAX_ROWS} more endpoints (see -o FILE or --format json)")


def _line(r: EndpointResult) -> str:
    """One line per endpoint, like the scanners people know: where, what, and what is wrong."""
    where = safe(r.endpoint.location) + (f" (SNI {safe(r.endpoint.sni)})" if r.endpoint.sni else "")
    style = _STATUS_STYLE.get(r.status, "red")
    head = f"[bold]{where}[/] [{style}]{r.status.value}[/]"
    if r.status is not Status.OK:
        head += f" {safe(r.error or '')}"
        if r.leaf is None:
            return head
    if r.endpoint.ssh:
        pq = [k for k in r.ssh_kex if k in SSH_PQC_KEX]
        kex = f"[green]PQ key exchange {safe(pq[0])}[/]" if pq else "[yellow]no PQ key exchange[/]"
        return f"{head} · {safe(r.ssh_banner or 'SSH')} · {kex} · host keys {safe(','.join(r.ssh_host_keys))}"
    parts = ["TLS " + ",".join(v.replace("TLSv", "") for v in r.tls_versions)] if r.tls_versions else []
    if r.group:
        parts.append(
            safe(r.group) + (" [green](hybrid PQC)[/]" if r.hybrid_pq else " [yellow](no hybrid PQC)[/]")
        )
    if r.hybrid_groups:
        parts.append("hybrid " + ",".join(r.hybrid_groups))
    if r.hybrid_hello_retry:
        parts.append("asks for a hybrid key share by HelloRetryRequest")
    if r.classical_fallback is False:
        parts.append("no classical fallback")
    leaf = r.leaf
    if leaf is not None:
        cn = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        parts.append(f"CN={safe(cn[0].value)}" if cn else "(no CN)")
        parts.append(f"{len(r.chain)}-cert chain")
    if r.chain_status is not None:
        ok = r.chain_status is ChainStatus.VALID
        parts.append(("[green]" if ok else "[red]") + r.chain_status.value + "[/]")
    if r.hostname_match is False:
        parts.append("[red]hostname mismatch[/]")
    return head + " · " + " · ".join(parts)


def _yes_no(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "" if value is None else (yes if value else no)


def render_comparison(console: Console, c: Comparison) -> None:
    console.print(
        f"[bold]against the inventory[/]: {len(c.matched)} served certificates known, "
        f"[red]{len(c.shadow)} shadow[/] (served, not in the inventory), "
        f"[yellow]{len(c.stale)} stale[/] inventory rows (not found where the inventory says)",
        soft_wrap=False,
    )
    _table(console, "shadow certificates", c.shadow, ("common_name", "issuer_name", "not_after", "locations"))
    _table(console, "stale inventory rows", c.stale, ("common_name", "location", "source_ref", "reason"))


def _table(console: Console, title: str, frame: Any, cols: tuple[str, ...]) -> None:
    render_frame(console, title, frame[[c for c in cols if c in frame]], limit=MAX_ROWS)
