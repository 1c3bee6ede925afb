"""Terminal rendering of the scenario catalog (no pandas: `cmmm scenarios` starts fast)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from cmmm.drill.scenario import Scenario
from cmmm.report.terminal import safe


def render_catalog(console: Console, scenarios: list[Scenario]) -> None:
    t = Table(title="scenario catalog", title_justify="left", show_edge=False)
    t.add_column("name", no_wrap=True)
    t.add_column("kind", no_wrap=True)
    t.add_column("deadline h", justify="right", no_wrap=True)
    t.add_column("replays")
    t.add_column("title")
    for s in scenarios:
        t.add_row(
            safe(s.name),
            s.kind.value,
            f"{s.deadline_hours:,.0f}",
            f"{s.replays.id} ({s.replays.date:%Y-%m-%d})" if s.replays else "—",
            safe(s.title),
        )
    console.print(t)
