"""Result tables on the terminal for people, not DataFrame dumps: labels in words, numbers with thousands
separators and no stray `.0`, yes/no for flags, dates without a midnight time, "—" for unknown; a table
with more columns than fit at 80 characters becomes one card per row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from rich.console import Console
from rich.padding import Padding
from rich.table import Table

from cmmm.report.terminal import safe

TABLE_COLUMNS = 4  # up to this many columns read as a table at 80 characters; more become cards


def label(column: str) -> str:
    return column.replace("_", " ")


def cell(value: Any) -> str:
    """One value as a person reads it."""
    if value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value))):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, datetime):
        midnight = (value.hour, value.minute, value.second) == (0, 0, 0)
        return f"{value:%Y-%m-%d}" if midnight else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return cell(item())
    return safe(value)


def render_frame(console: Console, title: str, frame: pd.DataFrame, *, limit: int = 10) -> None:
    """The first `limit` rows of a result frame, titled, then how many more there are."""
    if not len(frame):
        return
    shown = frame.head(limit)
    cols = [str(c) for c in frame.columns]
    if len(cols) <= TABLE_COLUMNS:
        t = Table(title=label(title), title_justify="left", show_edge=False, pad_edge=False)
        for i, c in enumerate(cols):
            numeric = pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
            t.add_column(label(c), justify="right" if numeric else "left", no_wrap=i == 0, overflow="fold")
        for row in shown.itertuples(index=False):
            t.add_row(*(cell(v) for v in row))
        console.print(t)
    else:
        console.print(f"[bold]{safe(label(title))}[/]", soft_wrap=False)
        for row in shown.itertuples(index=False):
            values = list(row)
            console.print(f"• [bold]{cell(values[0])}[/]", soft_wrap=False)
            rest = " · ".join(
                f"[dim]{label(c)}[/] {cell(v)}" for c, v in zip(cols[1:], values[1:], strict=True)
            )
            console.print(Padding(rest, (0, 0, 0, 2), expand=False), soft_wrap=False)
    if len(frame) > limit:
        console.print(f"[dim]… and {len(frame) - limit:,} more (see --format json)[/]")
