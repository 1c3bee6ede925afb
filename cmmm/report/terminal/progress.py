"""A progress bar for long reads and scans: drawn on a terminal, nothing anywhere else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


@contextmanager
def progress_bar(console: Console, label: str) -> Iterator[Callable[[int, int], None]]:
    """A `progress(done, total)` callback that draws a transient bar on `console` when it is a terminal."""
    if not console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@contextmanager
def working(console: Console, label: str) -> Iterator[None]:
    """A spinner with what is being computed (assessing, drilling, writing the report) on a terminal, so a
    large inventory does not look hung; nothing anywhere else."""
    if not console.is_terminal:
        yield
        return
    with console.status(label):
        yield
