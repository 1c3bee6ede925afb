"""The report's trend from a store: present with two or more snapshots (HTML section with its chart,
Markdown table, JSON points), absent with one; unknown levels stay unknown; the demo's history."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cmmm import pipeline, report
from cmmm.model import Inventory
from cmmm.report.json_doc import render_json
from cmmm.store import snapshots
from tests.conftest import NOW
from tests.store.test_snapshots import put


def _view(inv: Inventory, store: Path) -> report.ReportView:
    result = pipeline.run(inv, now=NOW, scenarios=())
    return pipeline.report_view(result, generated_at=NOW, trend=pipeline.store_trend(store))


def test_two_snapshots_give_the_report_a_trend(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    pipeline.store_snapshot(inventory, store, now=NOW - timedelta(days=30), written_at=NOW)
    put(store, inventory, days=0)  # stored without its assessment: level and score unknown
    view = _view(inventory, store)
    assert view.trend is not None
    first, second = view.trend.points
    assert (first.snapshot, second.snapshot) == (1, 2)
    assert isinstance(first.level, int) and first.score is not None and first.drills is not None
    assert second.level is None and second.score is None and second.drills is None
    html = report.render_html(view)
    assert '<section id="trend">' in html and 'aria-label="Level, score and key shares' in html
    assert "unknown" in html.split('<section id="trend">')[1].split("</section>")[0]
    md = report.render_markdown(view)
    assert "## Trend" in md and "| 2 | 2026-11-28 | unknown | unknown |" in md
    doc = render_json(view)
    assert [p["snapshot"] for p in doc["trend"]["points"]] == [1, 2]
    json.dumps(doc)


def test_one_snapshot_has_no_trend(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    view = _view(inventory, store)
    assert view.trend is None
    assert '<section id="trend">' not in report.render_html(view)
    assert "## Trend" not in report.render_markdown(view)
    assert "trend" not in render_json(view)


def test_the_trend_stops_at_the_reported_snapshot(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    for days in (-60, -30, 0):
        put(store, inventory, days=days)
    trend = pipeline.store_trend(store, "2")
    assert trend is not None and [p.snapshot for p in trend.points] == [1, 2]


def test_the_demo_history_has_earlier_states(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "demo.duckdb"
    assessment = pipeline.run(inventory, now=NOW).assessment
    trend = pipeline.demo_history(store, inventory, assessment, now=NOW)
    assert trend is not None and len(trend.points) == len(pipeline.DEMO_HISTORY_DAYS) + 1
    infos = snapshots(store)
    # the three leaves (issued 30 days before NOW) and the shop certificate (2026-10-01) are not there yet
    assert [i.certificates for i in infos] == [len(inventory) - 4, len(inventory) - 4, len(inventory)]
    assert infos[-1].metrics.level == assessment.level
    again = pipeline.demo_history(store, inventory, assessment, now=NOW)
    assert again is not None and len(snapshots(store)) == len(infos)  # made afresh each time
