"""Terminal rendering of a drill result (untrusted text is escaped)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from cmmm.drill.result import DrillResult, Verdict
from cmmm.report.terminal import safe

PLAN_PREVIEW_ROWS = 15
STEP_PREVIEW_ROWS = 12


VERDICT_COLOURS = {
    Verdict.PASS: "green",
    Verdict.FAIL: "red",
    Verdict.OVERDUE: "red",
    Verdict.UNKNOWN: "yellow",
    Verdict.NOT_AFFECTED: "cyan",
}


def render_drill(console: Console, r: DrillResult) -> None:
    colour = VERDICT_COLOURS[r.verdict]
    console.print(f"[bold]{safe(r.title)}[/] ({safe(r.scenario)}, {r.kind.value})")
    if r.replays:
        console.print(
            f"[dim]replays: {safe(r.replays.title)} — {r.replays.date:%Y-%m-%d}; {safe(r.replays.source)}[/]"
        )
    console.print(
        f"verdict [bold {colour}]{r.verdict.value.upper()}[/] · {r.affected_certificates} affected certificates · "
        f"deadline {r.deadline_hours:,.0f} h ({r.deadline:%Y-%m-%d %H:%M} UTC) · {r.runs} runs, seed {r.seed}"
    )
    if r.verdict_reason:
        console.print(f"[{colour}]{safe(r.verdict_reason)}[/]")
    _render_tracks(console, r.findings.get("tracks"))
    c = r.completion_hours
    if c.p50 is not None and c.p90 is not None:
        console.print(
            f"completion p50 {c.p50:,.1f} h · p90 {c.p90:,.1f} h · on time in {r.on_time_probability:.0%} of runs"
        )
    else:
        console.print(f"workload fits in {r.on_time_probability:.0%} of runs")
    e = r.exposed_at_deadline
    console.print(
        f"exposed at the deadline (median): {e.certificates:,.0f} certificates, "
        f"{e.critical_services:,.0f} critical services, {e.service_hours:,.1f} service-hours"
    )
    console.print("[bold]why[/]")
    for reason in r.reasons:
        console.print(f"  • {safe(reason)}")
    _render_team_load(console, r.team_workload)
    for name, frame in sorted(r.findings.items()):
        if len(frame) and name != "tracks":
            t = Table(title=name, title_justify="left", show_edge=False)
            for col in frame.columns:
                t.add_column(safe(col))
            for row in frame.head(10).itertuples(index=False):
                t.add_row(*(safe(v) for v in row))
            console.print(t)
    _render_plan(console, r)


def _render_team_load(console: Console, load: pd.DataFrame) -> None:
    """Per capacity team: engineers, certificates, hands-on hours and when it is done."""
    if not len(load):
        return
    t = Table(title="team workload", title_justify="left", show_edge=False)
    for col in (
        "team",
        "engineers",
        "h/day",
        "certs",
        "manual",
        "no owner",
        "hands-on h",
        "done after h",
    ):
        t.add_column(col, justify="left" if col == "team" else "right")
    for row in load.itertuples():
        t.add_row(
            safe(row.team),
            f"{row.engineers:.0f}",
            f"{row.hours_per_day:g}",
            str(row.certificates),
            str(row.manual),
            str(row.unknown_owner),
            f"{row.hands_on_hours:,.1f}",
            "—" if pd.isna(row.clear_hours) else f"{row.clear_hours:,.1f}",
        )
    console.print(t)


def _render_plan(console: Console, r: DrillResult) -> None:
    """Steps (or, without steps, the first rows), the revocation rule, the fallbacks, where the full plan is."""
    if len(r.steps):
        _render_steps(console, r)
    elif len(r.plan):
        _render_rows(console, r)
    if r.revocation:
        console.print(f"[bold]revocation[/] {safe(r.revocation)}")
    if len(r.fallbacks):
        counts = r.fallbacks["fallback"].value_counts()
        text = ", ".join(f"{n:,} {safe(k)}" for k, n in counts.items())
        console.print(
            f"[bold]fallbacks[/] for the {len(r.fallbacks):,} certificates the median plan misses: {text}"
        )
    if len(r.plan):
        console.print(
            f"[dim]{len(r.plan):,} certificates in the plan: --plan plan.md (runbook), plan.csv or plan.json[/]"
        )


def _render_steps(console: Console, r: DrillResult) -> None:
    """The plan as steps: trust bundles, one issuance change per issuer, revocation — not one row per
    certificate."""
    t = Table(title=f"plan: {len(r.steps)} steps", title_justify="left", show_edge=False)
    for col in ("#", "kind", "what", "certs", "late", "finish"):
        t.add_column(col, justify="right" if col in ("#", "certs", "late") else "left")
    for s in r.steps.head(STEP_PREVIEW_ROWS).itertuples():
        fin = s.planned_finish
        t.add_row(
            str(s.step),
            safe(s.kind),
            safe(s.title),
            f"{s.certificates:,}",
            str(s.late),
            "—" if pd.isna(fin) else f"{fin:%Y-%m-%d %H:%M}",
        )
    console.print(t)
    if len(r.steps) > STEP_PREVIEW_ROWS:
        console.print(f"[dim]… and {len(r.steps) - STEP_PREVIEW_ROWS} more steps[/]")


def _render_rows(console: Console, r: DrillResult) -> None:
    """A plan without steps (the validity-cap plan): its first rows."""
    t = Table(
        title=f"plan (first {min(PLAN_PREVIEW_ROWS, len(r.plan))} of {len(r.plan)})",
        title_justify="left",
        show_edge=False,
    )
    for col in ("wave", "certificate", "team", "action", "method", "deadline"):
        t.add_column(col)
    for row in r.plan.head(PLAN_PREVIEW_ROWS).itertuples():
        t.add_row(
            str(row.wave),
            safe(row.common_name),
            safe(row.team),
            safe(row.action),
            safe(row.method),
            "—" if pd.isna(row.deadline) else f"{row.deadline:%Y-%m-%d %H:%M}",
        )
    console.print(t)


def _render_tracks(console: Console, tracks: pd.DataFrame | None) -> None:
    """A PQC migration's three tracks, one verdict each (the drill's verdict is the worst)."""
    if tracks is None or not len(tracks):
        return
    t = Table(title="tracks", title_justify="left", show_edge=False)
    for col in ("track", "verdict", "scope"):
        t.add_column(col)
    for row in tracks.itertuples():
        colour = VERDICT_COLOURS[Verdict(row.verdict)]
        t.add_row(safe(row.title), f"[{colour}]{safe(row.verdict).upper()}[/]", safe(row.scope))
    console.print(t)
