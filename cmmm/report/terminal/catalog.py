"""Terminal rendering of the scenario catalog (no pandas: `cmmm scenarios` starts fast)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from cmmm.drill.scenario import Scenario
from cmmm.report.terminal import safe


def scenarios_document(items: Sequence[Scenario]) -> list[dict[str, Any]]:
    """`cmmm scenarios --format json`: the catalog, one object per scenario."""
    return [
        {
            "name": s.name,
            "kind": s.kind.value,
            "title": s.title,
            "deadline_hours": s.deadline_hours,
            "replays": s.replays.id if s.replays else None,
        }
        for s in items
    ]


def deadline_text(hours: float) -> str:
    """A deadline with its unit: hours up to two days, then days."""
    return f"{hours:,.0f} h" if hours <= 48 else f"{hours / 24:,.0f} d"


def render_catalog(console: Console, scenarios: Sequence[Scenario]) -> None:
    """One row per scenario. The name (what `--scenario` takes) is never split and the title wraps, so the
    table reads at 80 columns; the replayed event gets its own column on a terminal of 110 or more."""
    wide = console.width >= 110
    t = Table(title="scenario catalog", title_justify="left", show_edge=False, pad_edge=False)
    t.add_column("name (--scenario)", no_wrap=True, style="bold")
    t.add_column("deadline", justify="right", no_wrap=True)
    t.add_column("kind: title", ratio=1, overflow="fold")
    if wide:
        t.add_column("replays", no_wrap=True)
    for s in scenarios:
        row = [safe(s.name), deadline_text(s.deadline_hours), f"[dim]{s.kind.value}:[/] {safe(s.title)}"]
        if wide:
            row.append(f"{safe(s.replays.id)} ({s.replays.date:%Y-%m-%d})" if s.replays else "—")
        t.add_row(*row)
    console.print(t)
    if not wide:
        console.print("[dim]cmmm scenarios --format json, or a wider terminal, shows the events replayed[/]")
