"""Terminal rendering of a drill result (untrusted text is escaped)."""

from __future__ import annotations

import functools

import pandas as pd
from rich.console import Console
from rich.padding import Padding
from rich.table import Table

from cmmm.drill.result import DrillResult, Verdict
from cmmm.report.terminal import safe
from cmmm.report.terminal.frames import cell, render_frame

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
    say = functools.partial(console.print, soft_wrap=False)  # wrap at words: reads at 80 columns
    say(f"[bold]{safe(r.title)}[/] ({safe(r.scenario)}, {r.kind.value})")
    if r.replays:
        say(f"[dim]replays: {safe(r.replays.title)} — {r.replays.date:%Y-%m-%d}; {safe(r.replays.source)}[/]")
    say(
        f"verdict [bold {colour}]{r.verdict.value.upper()}[/] · "
        f"{_count(r.affected_certificates, 'affected certificate')} · "
        f"deadline {r.deadline_hours:,.0f} h ({r.deadline:%Y-%m-%d %H:%M} UTC) · {_count(r.runs, 'run')}, seed {r.seed}"
    )
    if r.verdict_reason:
        say(f"[{colour}]{safe(r.verdict_reason)}[/]")
    _render_tracks(console, r.findings.get("tracks"))
    c = r.completion_hours
    if c.p50 is not None and c.p90 is not None:
        say(
            f"completion p50 {c.p50:,.1f} h · p90 {c.p90:,.1f} h · on time in {r.on_time_probability:.0%} of runs"
        )
    else:
        say(f"workload fits in {r.on_time_probability:.0%} of runs")
    e = r.exposed_at_deadline
    say(
        f"exposed at the deadline (median): {_count(round(e.certificates), 'certificate')}, "
        f"{_count(round(e.critical_services), 'critical service')}, {e.service_hours:,.1f} service-hours"
    )
    say("[bold]why[/]")
    for reason in r.reasons:
        say(Padding(f"• {safe(reason)}", (0, 0, 0, 2), expand=False))
    _render_team_load(console, r.team_workload)
    for name, frame in sorted(r.findings.items()):
        if name != "tracks":
            render_frame(console, name, frame)
    _render_plan(console, r)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _render_team_load(console: Console, load: pd.DataFrame) -> None:
    """Per capacity team: engineers, certificates, hands-on hours and when it is done."""
    if not len(load):
        return
    t = Table(title="team workload", title_justify="left", show_edge=False)
    for col in ("team", "eng.", "h/day", "certs", "manual", "no owner", "work h", "done h"):
        t.add_column(col, justify="left" if col == "team" else "right", no_wrap=True)
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
        console.print(f"[bold]revocation[/] {safe(r.revocation)}", soft_wrap=False)
    if len(r.fallbacks):
        counts = r.fallbacks["fallback"].value_counts()
        text = ", ".join(f"{n:,} {safe(k)}" for k, n in counts.items())
        console.print(
            f"[bold]fallbacks[/] for the {len(r.fallbacks):,} certificates the median plan misses: {text}",
            soft_wrap=False,
        )
    if len(r.plan):
        console.print(
            f"[dim]{_count(len(r.plan), 'certificate')} in the plan: --plan plan.md (runbook), plan.csv or "
            "plan.json[/]",
            soft_wrap=False,
        )


def _render_steps(console: Console, r: DrillResult) -> None:
    """The plan as steps: trust bundles, one issuance change per issuer, revocation — not one row per
    certificate."""
    t = Table(
        title=f"plan: {_count(len(r.steps), 'step')}", title_justify="left", show_edge=False, pad_edge=False
    )
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("step", ratio=1, overflow="fold")
    t.add_column("certs", justify="right", no_wrap=True)
    t.add_column("late", justify="right", no_wrap=True)
    t.add_column("finish (UTC)", no_wrap=True)
    for s in r.steps.head(STEP_PREVIEW_ROWS).itertuples():
        fin = s.planned_finish
        t.add_row(
            str(s.step),
            f"[bold]{safe(s.kind)}[/]: {safe(s.title)}",
            f"{s.certificates:,}",
            str(s.late),
            "—" if pd.isna(fin) else f"{fin:%d %b %H:%M}",
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
    t.add_column("wave", justify="right", no_wrap=True)
    t.add_column("certificate", ratio=1, overflow="fold")
    t.add_column("team", no_wrap=True, max_width=14, overflow="ellipsis")
    t.add_column("action · method", ratio=1, overflow="fold")
    t.add_column("deadline", no_wrap=True)
    for row in r.plan.head(PLAN_PREVIEW_ROWS).itertuples():
        t.add_row(
            str(row.wave),
            safe(row.common_name),
            cell(row.team),
            f"{safe(row.action)} · {safe(row.method)}",
            "—" if pd.isna(row.deadline) else f"{row.deadline:%Y-%m-%d}",
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
