"""`cmmm census`: the headline numbers of a partitioned dataset, as a terminal table and a JSON document.

Only renders a `cmmm.maturity.partial.Census`; every number is computed there.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from rich.console import Console
from rich.table import Table

from cmmm.maturity.measures import Measures, Share
from cmmm.maturity.partial import Census
from cmmm.report.terminal import safe

# Measures rendered as "count of population (share)", in order: field → what it counts, of what
_SHARES = {
    "expired_deployed": "expired yet still deployed, of all certificates",
    "owner_known": "owner or team known, of end-entity certificates",
    "automated": "renewed automatically, of unexpired end-entity certificates",
    "deprecated": "deprecated hash or weak key, of unexpired certificates",
    "quantum_vulnerable": "quantum-vulnerable key, of unexpired certificates",
    "key_unknown": "key algorithm unknown, of unexpired certificates",
    "public_manual": "public and renewed by hand, of unexpired public end-entity certificates",
    "auto_discovered": "seen by automated discovery, of all certificates",
}


def _share(s: Share) -> str:
    """`count of of (x %)`, "nothing to measure" for an empty population, and the unknown part when any."""
    if s.value is None:
        return "nothing to measure (none in scope)"
    text = f"{s.count:,} of {s.of:,} ({100 * s.value:.1f} %)"
    if s.unknown:
        text += f", {s.unknown:,} unknown"
    return text


def _share_doc(s: Share) -> dict[str, Any]:
    return {"count": s.count, "of": s.of, "unknown": s.unknown, "share": s.value}


def _measures_doc(m: Measures) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(Measures):
        v = getattr(m, f.name)
        out[f.name] = _share_doc(v) if isinstance(v, Share) else v
    return out


def census_document(c: Census) -> dict[str, Any]:
    """`cmmm census --format json`."""
    return {
        "buckets": c.buckets,
        "certificates": c.measures.certificates,
        "observations": c.observations,
        "merged_duplicates": c.merged,
        "measures": _measures_doc(c.measures),
        "policy": {
            "checked": c.policy_checked,
            "compliant": _share_doc(c.policy_compliant),
            "findings": [{"code": k, "severity": s, "count": n} for (k, s), n in c.findings.items()],
        },
        "issuing_cas": c.issuing_cas,
        "top_issuers": [
            {"ca_id": i.ca_id, "name": i.name, "leaves": i.leaves, "share": i.share.value}
            for i in c.top_issuers
        ],
        "discovery_methods": list(c.methods),
    }


def render_census(console: Console, c: Census) -> None:
    m = c.measures
    console.print(
        f"{m.certificates:,} certificates ({m.end_entity:,} end-entity), {c.observations:,} observations, "
        f"counted in {c.buckets} buckets"
        + (f"; {c.merged:,} duplicate certificate rows merged" if c.merged else "")
    )
    console.print(
        f"expired {m.expired:,} · expiring within 30 days {m.expiring_30:,} (by hand {m.expiring_30_manual:,}) · "
        f"within 90 days {m.expiring_90:,}"
    )
    t = Table(box=None, padding=(0, 1), pad_edge=False, show_header=False)
    t.add_column(no_wrap=True)
    t.add_column()
    for name, what in _SHARES.items():
        t.add_row(_share(getattr(m, name)), what)
    t.add_row(_share(c.policy_compliant), "without a policy error, of the certificates checked")
    console.print(t)
    if c.top_issuers:
        ti = Table(
            title=f"issuing CAs by end-entity certificates ({c.issuing_cas:,} in all)",
            title_justify="left",
            box=None,
            padding=(0, 1),
            pad_edge=False,
        )
        for col in ("CA", "leaves", "share"):
            ti.add_column(col, justify="left" if col == "CA" else "right")
        for i in c.top_issuers:
            share = "—" if i.share.value is None else f"{100 * i.share.value:.1f} %"
            ti.add_row(safe(i.name or i.ca_id), f"{i.leaves:,}", share)
        console.print(ti)
    if c.findings:
        codes = ", ".join(f"{safe(k)} ({safe(s)}) {n:,}" for (k, s), n in c.findings.items())
        console.print(f"policy findings: {codes}")
