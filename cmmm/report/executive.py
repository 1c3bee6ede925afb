"""The executive report: a view model aggregated from the inventory and the other stages' results,
rendered as one self-contained HTML file, a JSON document with stable keys, or Markdown."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from cmmm import __version__, pipeline
from cmmm.errors import InputError
from cmmm.model import Inventory
from cmmm.report import ReportFormat, charts
from cmmm.report.adapters import dependency_section, drill_section, maturity_section
from cmmm.report.view import ReportView, build_view
from cmmm.sanitize import md_escape


def prepare(
    inv: Inventory,
    *,
    now: datetime,
    generated_at: datetime,
    scenarios: Sequence[str] = (),
    runs: int = 200,
    seed: int = 0,
) -> ReportView:
    """Run what the report needs on `inv` and build its view (the one call `cmmm report`/`demo` make).

    Today this aggregates the inventory only. The assessment, the dependency graph and the drills of
    `scenarios` are plugged in here, each mapped onto its adapter dataclass (MaturitySection,
    DependencySection, DrillSection) and passed to build_view.
    """
    result = pipeline.run(inv, now=now, scenarios=scenarios, runs=runs, seed=seed)
    return build_view(
        inv,
        now=now,
        generated_at=generated_at,
        assessment=maturity_section(result.assessment),
        graph_summary=dependency_section(result.graph),
        drills=tuple(drill_section(d) for d in result.drills),
    )


# ---------------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------------

_env = Environment(
    loader=PackageLoader("cmmm.report", "templates"),
    autoescape=True,  # select_autoescape() would not cover *.html.j2
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _num(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value) == int(value) or abs(value) >= 100 else f"{value:,.1f}"


def _pct(value: float | None) -> str:
    if value is None:
        return "–"
    if 0 < value < 0.01:
        return "< 1 %"
    if 0.99 < value < 1:
        return "> 99 %"
    return f"{value:.0%}".replace("%", " %")


def _hours(value: float | None) -> str:
    if value is None:
        return "not within the horizon"
    if value < 48:
        return f"{value:,.1f} h".replace(".0 h", " h")
    return f"{value / 24:,.1f} days".replace(".0 days", " days")


_env.filters.update(
    num=_num,
    pct=_pct,
    hrs=_hours,
    yrs=lambda v: f"{v:g} years",
    day=lambda d: d.strftime("%Y-%m-%d"),
    stamp=lambda d: d.strftime("%Y-%m-%d %H:%M UTC"),
    plural=lambda word, n: word if n == 1 else word + "s",
    slug=lambda s: re.sub(r"[^a-z0-9]+", "-", str(s).lower()).strip("-"),
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
        "drills": [
            charts.burn_down(d.burn_down, d.deadline_hours, f"drill{i}") if d.burn_down else ""
            for i, d in enumerate(view.drills)
        ],
    }
    # The SVG strings were produced by matplotlib, which escapes text, and were checked by charts._inline.
    return {k: [Markup(x) for x in v] if isinstance(v, list) else Markup(v) for k, v in out.items()}


def render_html(view: ReportView) -> str:
    """One self-contained HTML page: inline CSS and SVG, no script, no external resource."""
    return _env.get_template("report.html.j2").render(v=view, charts=_charts(view), version=__version__)


# ---------------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value


def render_json(view: ReportView) -> dict[str, Any]:
    """The view as JSON-ready data. Keys are the view's field names (schema "cmmm.report/1"): schema,
    generated_at, as_of, organization, summary, inventory, pqc, findings, maturity, ladder, dependency,
    drills, roadmap, roadmap_source, method_notes, sources. Absent stages are null or empty lists."""
    doc: dict[str, Any] = _plain(view)
    doc["pqc"]["deadlines"] = [
        {"authority": a, "category": c, "exclusive_by": d} for a, c, d in doc["pqc"]["deadlines"]
    ]
    return doc


# ---------------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------------


def _md(value: object) -> str:
    return md_escape(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return [*lines, ""]


def render_markdown(view: ReportView) -> str:
    """A Markdown version for tickets and wikis: the same content, tables instead of charts."""
    s, inv, pqc = view.summary, view.inventory, view.pqc
    title = f"# CMMM report — {_md(view.organization)}" if view.organization else "# CMMM report"
    out = [title, "", f"As of {view.as_of:%Y-%m-%d}; generated {view.generated_at:%Y-%m-%d %H:%M} UTC.", ""]
    out += ["## Executive summary", ""]
    if s.level is not None and s.score is not None:
        out += [
            f"**CMMM level {s.level} — {s.level_name}**, score {s.score:.1f} / 5, weakest: {_md(s.floor)}.",
            "",
        ]
    else:
        out += ["**CMMM level: not evaluated in this run.**", ""]
    out += _table(
        [
            "certificates",
            "expired",
            "expire ≤ 30 days",
            "renew automatically",
            "known owner",
            "quantum-vulnerable",
        ],
        [
            [
                _num(s.certificates),
                _num(s.expired),
                _num(s.expiring_30),
                _pct(s.automated_share),
                _pct(s.owner_share),
                _pct(s.quantum_vulnerable_share),
            ]
        ],
    )
    out += ["### The three biggest risks", ""]
    out += [f"{i}. **{r.title}** ({r.severity}). {r.detail}" for i, r in enumerate(s.risks, 1)] or ["None."]
    out += ["", "### Top five actions", ""]
    out += [
        f"{i}. {_md(a.title) if a.source != 'inventory' else a.title}" for i, a in enumerate(s.actions, 1)
    ] or ["None."]
    out += ["", "## Maturity", ""]
    if view.maturity:
        m = view.maturity
        out += _table(["dimension", "score"], [[k, f"{v:.1f}"] for k, v in m.dimensions.items()])
        out += [f"- Blocks the next level: {_md(b)}" for b in m.blockers] + [""]
    else:
        out += ["Not evaluated in this run.", ""]
    out += ["## Inventory", ""]
    out += [
        f"{_num(inv.certificates)} certificates ({_num(inv.leaves)} end-entity, {_num(inv.cas)} CA); "
        f"{_num(inv.expired)} expired, {_num(inv.expiring_30)} within 30 days, {_num(inv.expiring_90)} within 90 days.",
        "",
    ]
    out += [
        "### Issuers",
        "",
        *_table(
            ["issuer", "certificates", "share"], [[c.label, c.count, _pct(c.share)] for c in inv.issuers]
        ),
    ]
    out += [
        "### Key algorithms",
        "",
        *_table(
            ["algorithm", "certificates", "share"],
            [[c.label, c.count, _pct(c.share)] for c in inv.key_algorithms],
        ),
    ]
    out += [
        "### Renewal automation",
        "",
        *_table(
            ["method", "certificates", "share"], [[c.label, c.count, _pct(c.share)] for c in inv.automation]
        ),
    ]
    out += [
        "### Validity caps",
        "",
        *_table(
            ["cap (days)", "from", "public certificates over it", "share"],
            [[c.max_days, c.effective.isoformat(), c.over_cap, _pct(c.share)] for c in inv.caps],
        ),
    ]
    out += [
        "### Discovery",
        "",
        *_table(
            ["method", "certificates", "share"], [[c.label, c.count, _pct(c.share)] for c in inv.discovery]
        ),
    ]
    if inv.rejected:
        out += [
            "### Rejected input",
            "",
            *_table(["reason", "records"], [[c.label, c.count] for c in inv.rejected_reasons]),
        ]
    out += ["## PQC readiness", ""]
    out += _table(
        ["criticality", "certificates", "quantum-vulnerable", "share"],
        [[r.criticality, r.certificates, r.vulnerable, _pct(r.share)] for r in pqc.by_criticality],
    )
    out += [
        f"Mosca exposure: {_num(pqc.mosca_exposed_certificates)} of {_num(pqc.mosca_known)} certificates with a known secrecy period.",
        "",
    ]
    out += _table(
        ["signature algorithm", "bytes per handshake", "fits initial window"],
        [[h.algorithm, h.bytes, "yes" if h.fits_initial_window else "no"] for h in pqc.handshake],
    )
    out += ["## Dependency picture", ""]
    if view.dependency:
        out += _table(
            ["CA", "kind", "certificates", "share", "services", "critical services"],
            [
                [c.name, c.kind, c.certificates, _pct(c.share), c.services, c.critical_services]
                for c in view.dependency.top_cas
            ],
        )
    else:
        out += ["Not evaluated in this run.", ""]
    out += ["## Fire drills", ""]
    for d in view.drills:
        out += [
            f"### {_md(d.title)}: {_md(d.verdict)}",
            "",
            f"{_num(d.affected_certificates)} certificates; deadline {_hours(d.deadline_hours)}; p50 {_hours(d.completion_p50_hours)}, "
            f"p90 {_hours(d.completion_p90_hours)}; chance to finish in time {_pct(d.on_time_probability)}.",
            "",
        ]
        if d.first_wave:
            out += _table(
                ["what", "owner", "action", "method", "start", "finish"],
                [
                    [p.target, p.owner, p.action, p.method, _hours(p.start_hours), _hours(p.finish_hours)]
                    for p in d.first_wave
                ],
            )
    if not view.drills:
        out += ["No fire drill was run.", ""]
    out += ["## Roadmap", ""]
    out += _table(
        ["#", "step", "why", "concerns"],
        [[i, r.action, r.title, r.concerned] for i, r in enumerate(view.roadmap, 1)],
    )
    out += ["## Method notes", ""] + [f"- {n}" for n in view.method_notes] + [""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------


def _json_text(view: ReportView) -> str:
    """The JSON document, indented, keys in view order."""
    return json.dumps(render_json(view), indent=1, ensure_ascii=False) + "\n"


FORMATS: dict[ReportFormat, Callable[[ReportView], str]] = {
    ReportFormat.HTML: render_html,
    ReportFormat.JSON: _json_text,
    ReportFormat.MARKDOWN: render_markdown,
}


def render(view: ReportView, fmt: ReportFormat) -> str:
    """The report as text in `fmt`."""
    return FORMATS[fmt](view)


def write_report(view: ReportView, path: Path, fmt: ReportFormat = ReportFormat.HTML) -> Path:
    """Write the report; returns the path written."""
    try:
        path.write_text(render(view, fmt), encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot write report: {exc.strerror}") from None
    return path
