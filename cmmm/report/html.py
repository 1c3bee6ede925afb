"""The report as one self-contained HTML page: Jinja2 with autoescape, inline CSS, inline SVG charts."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from cmmm._version import VERSION as __version__
from cmmm.report import charts
from cmmm.report.format import count, hours, share
from cmmm.report.view import ReportView
from cmmm.sanitize import html_class

_env = Environment(
    loader=PackageLoader("cmmm.report", "templates"),
    autoescape=True,  # select_autoescape() would not cover *.html.j2
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


_env.filters.update(
    num=count,
    pct=share,
    hrs=hours,
    yrs=lambda v: "–" if v is None else f"{v:g} years",
    day=lambda d: d.strftime("%Y-%m-%d"),
    stamp=lambda d: d.strftime("%Y-%m-%d %H:%M UTC"),
    plural=lambda word, n: word if n == 1 else word + "s",
    counted=lambda words, n: words.removesuffix("s") if n == 1 else words,  # "1 critical service"
    slug=html_class,
)


def _charts(view: ReportView) -> dict[str, Any]:
    inv, pqc = view.inventory, view.pqc
    out: dict[str, Any] = {
        "expiry": charts.expiry_timeline(inv.expiry_weeks),
        "issuers": charts.hbar(inv.issuers, "issuers", "Top issuing CAs") if inv.issuers else "",
        "automation": charts.hbar(inv.automation, "automation", "Renewal method", charts.TEAL)
        if inv.automation
        else "",
        "key_algorithms": charts.hbar(inv.key_algorithms, "keys", "Key algorithms")
        if inv.key_algorithms
        else "",
        "signature_algorithms": charts.hbar(inv.signature_algorithms, "signatures", "Signature algorithms")
        if inv.signature_algorithms
        else "",
        "validity": charts.validity_histogram(inv.validity_bins, inv.caps),
        "discovery": charts.hbar(inv.discovery, "discovery", "Discovery methods", charts.TEAL)
        if inv.discovery
        else "",
        "quantum": charts.quantum_by_criticality(pqc.by_criticality) if pqc.by_criticality else "",
        "radar": charts.radar(view.maturity.dimensions) if view.maturity and view.maturity.dimensions else "",
        "lab": charts.lab_handshakes(view.lab.rows, view.lab.initial_window_bytes)
        if view.lab is not None and view.lab.rows
        else "",
        "drills": [
            charts.burn_down(d.burn_down, d.deadline_hours, f"drill{i}") if d.burn_down else ""
            for i, d in enumerate(view.drills)
        ],
        "trend": charts.trend(view.trend.points) if view.trend else "",
    }
    # The SVG strings were produced by matplotlib, which escapes text, and were checked by charts._inline.
    return {k: [Markup(x) for x in v] if isinstance(v, list) else Markup(v) for k, v in out.items()}


def render_html(view: ReportView) -> str:
    """One self-contained HTML page: inline CSS and SVG, no script, no external resource."""
    return _env.get_template("report.html.j2").render(v=view, charts=_charts(view), version=__version__)
