"""A store's history and the diff between two snapshots: terminal tables, Markdown and JSON documents."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from cmmm.export import records
from cmmm.report.terminal import safe
from cmmm.report.view import TrendPoint, TrendSection
from cmmm.sanitize import md_escape
from cmmm.store import Change, Diff, SnapshotInfo

# The headline numbers `history` shows, in order: metric name → column label. Shares are 0–1.
HISTORY_COLUMNS = {
    "expiring_30": "exp≤30d",
    "automated_share": "auto",
    "owner_known_share": "owned",
    "quantum_vulnerable_share": "PQ-vuln",
}
_CHANGE_TITLES = {
    Change.ADDED: "certificates added",
    Change.REMOVED: "certificates removed",
    Change.RENEWED: "renewed (same names, same key)",
    Change.REKEYED: "renewed with a new key",
    Change.EXPIRED: "expired since",
    Change.OWNER: "owner changed",
    Change.AUTOMATION: "renewal method changed",
    Change.PQC_GAINED: "endpoints that gained hybrid ML-KEM",
    Change.PQC_LOST: "endpoints that lost hybrid ML-KEM",
    Change.CRITERION_MET: "criteria now met",
    Change.CRITERION_LOST: "criteria no longer met",
}


def _value(name: str, v: float | None) -> str:
    if v is None:
        return "—"
    return f"{100 * v:.1f}%" if name.endswith("_share") else f"{v:,.0f}"


def _level(info: SnapshotInfo) -> str:
    m = info.metrics
    return "unknown" if m.level is None else str(m.level)


def _score(info: SnapshotInfo) -> str:
    return "unknown" if info.metrics.score is None else f"{info.metrics.score:.2f}"


def _exercises(info: SnapshotInfo) -> str:
    """How many tabletop exercises the snapshot knows, and the latest one's day and rating."""
    if not info.exercises:
        return "—"
    last = info.exercises[-1]
    return f"{len(info.exercises)} (last {last.held_on:%Y-%m-%d}, {last.rating.value})"


def _exercise_document(e: Any) -> dict[str, Any]:
    return {
        "id": e.id,
        "held_on": e.held_on.isoformat(),
        "scenario": e.scenario,
        "snapshot": e.snapshot,
        "rating": e.rating.value,
        "corrective_actions": len(e.actions),
        "open_actions": sum(a.done is None for a in e.actions),
    }


def _drills(info: SnapshotInfo) -> str:
    sim = [c for c in info.metrics.criteria if c.evidence == "simulated"]
    return f"{sum(c.met for c in sim)}/{len(sim)}" if sim else "—"


def snapshot_document(info: SnapshotInfo) -> dict[str, Any]:
    m = info.metrics
    return {
        "id": info.id,
        "taken_at": info.taken_at.isoformat(),
        "written_at": info.written_at.isoformat(),
        "cmmm_version": info.cmmm_version,
        "certificates": info.certificates,
        "observations": info.observations,
        "services": info.services,
        "rejected": info.rejected,
        "sources": info.sources,
        "level": m.level,
        "score": m.score,
        "metrics": dict(m.values),
        "criteria": {c.id: c.status for c in m.criteria},
        "exercises": [_exercise_document(e) for e in info.exercises],
    }


def history_document(infos: tuple[SnapshotInfo, ...]) -> dict[str, Any]:
    """`cmmm history --format json`: every snapshot, oldest first. Level and score are null when the
    snapshot was stored without its assessment."""
    return {"snapshots": [snapshot_document(i) for i in infos]}


def render_history(console: Console, infos: tuple[SnapshotInfo, ...]) -> None:
    if not infos:
        console.print("the store has no snapshots yet")
        return
    t = Table(title="snapshots", title_justify="left", box=None, padding=(0, 1), pad_edge=False)
    for col in ("id", "taken", "certs", "level", "score", *HISTORY_COLUMNS.values(), "drills", "exercises"):
        t.add_column(col, justify="left" if col == "taken" else "right", no_wrap=True)
    for i in infos:
        vals = [_value(k, i.metrics.values.get(k)) for k in HISTORY_COLUMNS]
        t.add_row(
            str(i.id),
            f"{i.taken_at:%Y-%m-%d}",
            f"{i.certificates:,}",
            _level(i),
            _score(i),
            *vals,
            _drills(i),
            safe(_exercises(i)),
        )
    console.print(t)


def history_markdown(infos: tuple[SnapshotInfo, ...]) -> str:
    head = ["id", "taken at", "certificates", "observations", "level", "score", *HISTORY_COLUMNS.values()]
    head += ["drills met", "exercises", "cmmm"]
    lines = ["# Snapshots", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i in infos:
        vals = [_value(k, i.metrics.values.get(k)) for k in HISTORY_COLUMNS]
        row = [str(i.id), f"{i.taken_at:%Y-%m-%d %H:%M}", f"{i.certificates:,}", f"{i.observations:,}"]
        cells = [*row, _level(i), _score(i), *vals, _drills(i), _exercises(i), md_escape(i.cmmm_version)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def diff_document(d: Diff) -> dict[str, Any]:
    """`cmmm diff --format json`: both snapshots, counts per kind, the regressions, every change."""
    return {
        "a": snapshot_document(d.a),
        "b": snapshot_document(d.b),
        "level": {"before": d.a.metrics.level, "after": d.b.metrics.level},
        "score": {"before": d.a.metrics.score, "after": d.b.metrics.score},
        "counts": {k.value: n for k, n in d.counts.items()},
        "regressions": {k.value: n for k, n in d.regressions().items()},
        "changes": records(d.changes),
    }


def _headline(d: Diff) -> str:
    a, b = d.a, d.b
    return (
        f"snapshot {a.id} ({a.taken_at:%Y-%m-%d}) → {b.id} ({b.taken_at:%Y-%m-%d}): "
        f"level {_level(a)} → {_level(b)}, score {_score(a)} → {_score(b)}, "
        f"certificates {a.certificates:,} → {b.certificates:,}"
    )


def render_diff(console: Console, d: Diff, *, limit: int = 10) -> None:
    console.print(f"[bold]{_headline(d)}[/]")
    counts = d.counts
    for kind, title in _CHANGE_TITLES.items():
        n = counts[kind]
        if not n:
            continue
        rows = d.changes[d.changes["kind"] == kind.value].head(limit)
        console.print(f"{title}: [bold]{n:,}[/]")
        for r in rows.itertuples(index=False):
            move = f" ({safe(r.before)} → {safe(r.after)})" if kind in _MOVES else ""
            console.print(f"  {safe(r.name)}{move}")
        if n > limit:
            console.print(f"  … {n - limit:,} more (--format json lists every change)")
    if not len(d.changes):
        console.print("no changes")
    found = {k: n for k, n in d.regressions().items() if n}
    if found:
        console.print("regressions: " + ", ".join(f"{k.value} {n}" for k, n in found.items()))


def diff_markdown(d: Diff, *, limit: int = 50) -> str:
    lines = [f"# {md_escape(_headline(d))}", ""]
    counts = d.counts
    for kind, title in _CHANGE_TITLES.items():
        n = counts[kind]
        if not n:
            continue
        lines += [f"## {title}: {n:,}", ""]
        for r in d.changes[d.changes["kind"] == kind.value].head(limit).itertuples(index=False):
            extra = f" ({md_escape(r.before)} → {md_escape(r.after)})" if kind in _MOVES else ""
            lines.append(f"- {md_escape(r.name)}{extra}")
        if n > limit:
            lines.append(f"- … {n - limit:,} more")
        lines.append("")
    found = {k: n for k, n in d.regressions().items() if n}
    lines.append(
        "Regressions: " + (", ".join(f"{k.value} {n}" for k, n in found.items()) if found else "none")
    )
    return "\n".join(lines) + "\n"


_MOVES = frozenset({Change.OWNER, Change.AUTOMATION, Change.CRITERION_MET, Change.CRITERION_LOST})


def trend_section(infos: tuple[SnapshotInfo, ...]) -> TrendSection | None:
    """The report's trend over these snapshots (None with fewer than two: no trend to show)."""
    if len(infos) < 2:
        return None
    points = []
    for i in infos:
        m = i.metrics
        sim = [c for c in m.criteria if c.evidence == "simulated"]
        expiring = m.values.get("expiring_30")
        points.append(
            TrendPoint(
                snapshot=i.id,
                taken_at=i.taken_at,
                level=m.level,
                score=m.score,
                expiring_30=None if expiring is None else int(expiring),
                automated_share=m.values.get("automated_share"),
                quantum_vulnerable_share=m.values.get("quantum_vulnerable_share"),
                drills_met=sum(c.met for c in sim) if sim else None,
                drills=len(sim) if sim else None,
                exercises=len(i.exercises),
                last_exercise=f"{i.exercises[-1].held_on:%Y-%m-%d}, rated {i.exercises[-1].rating.value}"
                if i.exercises
                else None,
            )
        )
    return TrendSection(points=tuple(points))
