"""The report as Markdown for tickets and wikis: the same content as the HTML, tables instead of charts."""

from __future__ import annotations

from collections.abc import Sequence

from cmmm.report.format import count, hours, share
from cmmm.report.lab import lab_markdown
from cmmm.report.view import Count, ReportView, Tile
from cmmm.sanitize import md_escape


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_escape(c) for c in r) + " |" for r in rows]
    return [*lines, ""]


def _counts(title: str, what: str, rows: Sequence[Count]) -> list[str]:
    return [
        f"### {title}",
        "",
        *_table([what, "certificates", "share"], [[c.label, c.count, share(c.share)] for c in rows]),
    ]


def _tile(t: Tile) -> str:
    value = share(t.value) if t.kind == "share" else count(t.value)
    return value + (f" ({t.note})" if t.note else "")


def _summary(view: ReportView) -> list[str]:
    s = view.summary
    out = ["## Executive summary", ""]
    if s.level is not None and s.score is not None:
        out += [
            f"**CMMM level {s.level} — {s.level_name}**: {md_escape(s.progress)}; weakest dimension: "
            f"{md_escape(s.floor)}.",
            "",
        ]
    if s.headline is not None:
        out += [
            f"**Would we survive it? {md_escape(s.headline.title)}** — {md_escape(s.headline.sentence)}",
            "",
        ]
    out += _table([t.label for t in s.tiles], [[_tile(t) for t in s.tiles]])
    out += ["### The biggest risks", ""]
    if s.risks_note:
        out += [md_escape(s.risks_note), ""]
    out += [
        f"{i}. **{md_escape(r.title)}** ({r.severity}, `{r.code}`). {md_escape(r.detail)}"
        for i, r in enumerate(s.risks, 1)
    ] or ["None found."]
    out += ["", "### Top five actions", ""]
    out += [f"{i}. {md_escape(a.title)}" for i, a in enumerate(s.actions, 1)] or ["None."]
    return [*out, ""]


def _maturity(view: ReportView) -> list[str]:
    out = ["## Maturity", ""]
    m = view.maturity
    if m is None:
        return [*out, "Not evaluated in this run.", ""]
    out += _table(["dimension", "score"], [[k, f"{v:.1f}"] for k, v in m.dimensions.items()])
    return out + [f"- Blocks the next level: {md_escape(b)}" for b in m.blockers] + [""]


def _inventory(view: ReportView) -> list[str]:
    inv = view.inventory
    out = [
        "## Inventory",
        "",
        f"{count(inv.certificates)} certificates ({count(inv.leaves)} end-entity, {count(inv.cas)} CA); "
        f"{count(inv.expired)} expired, {count(inv.expiring_30)} within 30 days, "
        f"{count(inv.expiring_90)} within 90 days.",
        "",
    ]
    out += _counts("Issuers", "issuer", inv.issuers)
    out += _counts("Key algorithms", "algorithm", inv.key_algorithms)
    out += _counts("Renewal automation", "method", inv.automation)
    out += [
        "### Validity caps",
        "",
        *_table(
            ["cap (days)", "from", "public certificates over it", "share"],
            [[c.max_days, c.effective.isoformat(), c.over_cap, share(c.share)] for c in inv.caps],
        ),
    ]
    out += _counts("Discovery", "method", inv.discovery)
    if inv.rejected:
        out += [
            "### Rejected input",
            "",
            *_table(["reason", "records"], [[c.label, c.count] for c in inv.rejected_reasons]),
        ]
    return out


def _pqc(view: ReportView) -> list[str]:
    pqc = view.pqc
    out = ["## PQC readiness", ""]
    out += _table(
        ["criticality", "certificates", "quantum-vulnerable", "key unknown", "share"],
        [
            [r.criticality, r.certificates, r.vulnerable, r.unknown, share(r.share)]
            for r in pqc.by_criticality
        ],
    )
    if pqc.mosca_exposed_certificates is None:
        out += [f"Mosca exposure: unknown — {md_escape(pqc.mosca_unknown_reason)}.", ""]
    else:
        out += [
            f"Mosca exposure: {count(pqc.mosca_exposed_certificates)} of {count(pqc.mosca_known)} "
            "quantum-vulnerable certificates with a known secrecy period.",
            "",
        ]
    out += _table(
        ["signature algorithm", "bytes per handshake", "fits initial window"],
        [[h.algorithm, h.bytes, "yes" if h.fits_initial_window else "no"] for h in pqc.handshake],
    )
    return out


def _dependencies(view: ReportView) -> list[str]:
    out = ["## Dependency picture", ""]
    if view.dependency is None:
        return [*out, "Not evaluated in this run.", ""]
    return out + _table(
        ["CA", "kind", "certificates", "share", "services", "critical services"],
        [
            [c.name, c.kind, c.certificates, share(c.share), c.services, c.critical_services]
            for c in view.dependency.top_cas
        ],
    )


def _drills(view: ReportView) -> list[str]:
    out = ["## Fire drills", ""]
    for d in view.drills:
        out += [
            f"### {md_escape(d.title)}: {md_escape(d.verdict)}",
            "",
            f"{count(d.affected_certificates)} certificates; deadline {hours(d.deadline_hours)}; "
            f"p50 {hours(d.completion_p50_hours)}, p90 {hours(d.completion_p90_hours)}; "
            f"chance to finish in time {share(d.on_time_probability)}.",
            "",
        ]
        if d.first_wave:
            out += _table(
                ["what", "owner", "action", "method", "start", "finish"],
                [
                    [p.target, p.owner, p.action, p.method, hours(p.start_hours), hours(p.finish_hours)]
                    for p in d.first_wave
                ],
            )
    return out if view.drills else [*out, "No fire drill was run.", ""]


def _pkimm(view: ReportView) -> list[str]:
    pk = view.pkimm
    if pk is None:
        return []
    overall = "—" if pk.score is None else f"{pk.score:.2f} (up to {pk.score_ceiling:.2f})"
    out = [
        f"## PKIMM {pk.version} categories",
        "",
        f"The same criteria read on the PKI Consortium's PKI Maturity Model ({md_escape(pk.source)}). "
        f"Overall {overall}, the weighted average over the assessed categories ({pk.assessed_weight:g} of "
        f"{pk.total_weight:g} weight)" + (f"; weakest: {md_escape(pk.floor)}." if pk.floor else "."),
        "",
    ]
    out += _table(
        ["module", "category", "weight", "met", "not met", "unknown", "level", "up to"],
        [
            [c.module, f"{c.id} {c.name}", f"{c.weight:g}"]
            + (
                ["", "", "", "not assessed", ""]
                if c.level is None
                else [c.met, c.not_met, c.unknown, f"{c.level} {c.level_name}", c.ceiling]
            )
            for c in pk.categories
        ],
    )
    if pk.unmapped:
        out += [f"Placed in no PKIMM category: {md_escape(', '.join(pk.unmapped))}.", ""]
    return out


def render_markdown(view: ReportView) -> str:
    """A Markdown version for tickets and wikis: the same content, tables instead of charts."""
    title = f"# CMMM report — {md_escape(view.organization)}" if view.organization else "# CMMM report"
    out = [title, "", f"As of {view.as_of:%Y-%m-%d}; generated {view.generated_at:%Y-%m-%d %H:%M} UTC.", ""]
    out += (
        _summary(view)
        + _maturity(view)
        + _inventory(view)
        + _pqc(view)
        + (lab_markdown(view.lab) if view.lab is not None else [])
        + _dependencies(view)
        + _drills(view)
    )
    out += _trend(view)
    out += ["## Roadmap", ""]
    out += _table(
        ["#", "step", "why", "concerns"],
        [[i, r.action, r.title, r.concerned] for i, r in enumerate(view.roadmap, 1)],
    )
    out += _pkimm(view)
    out += ["## Method notes", "", *(f"- {md_escape(n)}" for n in view.method_notes), ""]
    return "\n".join(out)


def _trend(view: ReportView) -> list[str]:
    """The store's snapshots (only when the report was made from a store with two or more)."""
    if view.trend is None:
        return []
    rows = [
        [
            p.snapshot,
            f"{p.taken_at:%Y-%m-%d}",
            "unknown" if p.level is None else p.level,
            "unknown" if p.score is None else f"{p.score:.2f}",
            "unknown" if p.expiring_30 is None else p.expiring_30,
            share(p.automated_share),
            share(p.quantum_vulnerable_share),
            "unknown" if p.drills is None else f"{p.drills_met} of {p.drills}",
            f"{p.exercises} (last {p.last_exercise})" if p.last_exercise else "none",
        ]
        for p in view.trend.points
    ]
    head = [
        "snapshot",
        "taken",
        "level",
        "score",
        "expiring ≤ 30 d",
        "automated",
        "quantum-vulnerable",
        "drills passed",
        "tabletop exercises",
    ]
    return ["## Trend", "", *_table(head, rows)]
