"""Terminal rendering of a PQC lab run: one line per hierarchy and profile, then what could not be built."""

from __future__ import annotations

from rich.console import Console

from cmmm.report.terminal import safe
from cmmm.report.view import LabSection

_STYLE = {"works": "green", "extra-round-trip": "yellow", "fails": "red", "cannot-build": "dim"}


def render_lab(console: Console, section: LabSection, written: str) -> None:
    by = {(r.hierarchy, r.profile, r.kem): r for r in section.rows}
    for v in section.verdicts:
        head = (
            f"[bold]{safe(v.hierarchy)}[/] {safe(v.profile)}: [{_STYLE.get(v.verdict, 'red')}]{v.verdict}[/]"
        )
        r = by.get((v.hierarchy, v.profile, "x25519"))
        h = by.get((v.hierarchy, v.profile, "X25519MLKEM768"))
        if r is not None:
            hybrid = f" / {h.server_flight_bytes:,} B (X25519MLKEM768)" if h is not None else ""
            head += (
                f" — Certificate+CertificateVerify {r.certificate_bytes:,} B, server flight "
                f"{r.server_flight_bytes:,} B (x25519){hybrid}, round trips {r.round_trips}, "
                f"{r.handshake_ms:g} ms median"
            )
        console.print(head)
        if v.verdict != "cannot-build" and v.rejected_by:
            console.print(f"  refused by {safe(v.rejected_by)}")
    for s in section.skipped:
        console.print(f"[yellow]note[/]: {safe(s)}")
    console.print(f"results: {safe(written)}")
