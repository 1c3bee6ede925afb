"""Tabletop exercises with a store: the package names the snapshot it was built from, the exercise is
recorded in the store's log, and every snapshot taken from its day on reads it (assessment and history)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import yaml
from typer.testing import CliRunner

import cmmm
from cmmm.cli import app
from cmmm.maturity import Status, assess
from cmmm.store import read_snapshot, snapshots, write_snapshot
from tests.conftest import NOW
from tests.tabletop.conftest import SCENARIO, Exercise, filled, hostile_org


def test_package_from_a_store_record_into_it_and_see_it_in_history(tmp_path: Path) -> None:
    bundle = hostile_org(tmp_path / "org")
    inv = cmmm.load([bundle], now=NOW)
    store = tmp_path / "cmmm.duckdb"
    # a snapshot before the exercise and one after it
    write_snapshot(store, inv, taken_at=NOW - timedelta(days=30), written_at=NOW, version="test")
    write_snapshot(store, inv, taken_at=NOW, written_at=NOW, version="test")
    runner = CliRunner()
    folder = tmp_path / "exercise"
    made = runner.invoke(
        app,
        ["tabletop", "--store", str(store), "--scenario", SCENARIO, "-o", str(folder), "--runs", "40"],
        env={"COLUMNS": "200"},
    )
    assert made.exit_code == 0, made.output
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert package["snapshot"] == "snapshot-2"
    assert "snapshot2" in package["id"]

    # the sheet, filled for an exercise held 8 days before the latest snapshot
    held = (NOW - timedelta(days=8)).date()
    doc = filled(
        cast(Exercise, SimpleNamespace(folder=folder)), held_on=held.isoformat()
    )  # reads only .folder
    sheet = folder / "filled.yaml"
    sheet.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    recorded = runner.invoke(app, ["tabletop", "record", str(sheet), "--store", str(store)])
    assert recorded.exit_code == 0, recorded.output
    assert not (bundle / "exercises.yaml").exists()  # the bundle is not touched

    first, second = snapshots(store)
    assert first.exercises == ()  # taken before the exercise was held
    [rec] = second.exercises
    assert rec.held_on == held and rec.snapshot == "snapshot-2" and rec.scenario == SCENARIO
    latest = read_snapshot(store)
    assert latest.exercises == (rec,)
    fire = next(c for c in assess(latest, now=NOW).criteria if c.id == "own.fire-drill")
    assert fire.status is Status.MET, fire.evidence

    history = runner.invoke(app, ["history", "--store", str(store), "--format", "json"])
    assert history.exit_code == 0, history.output
    rows = json.loads(history.output)["snapshots"]
    assert [len(r["exercises"]) for r in rows] == [0, 1]
    assert rows[1]["exercises"][0]["held_on"] == held.isoformat()
    text = runner.invoke(app, ["history", "--store", str(store)], env={"COLUMNS": "200"})
    assert "exercises" in text.output

    again = runner.invoke(app, ["tabletop", "record", str(sheet), "--store", str(store)])
    assert again.exit_code == 2 and "recorded already" in again.output
    both = runner.invoke(
        app, ["tabletop", "record", str(sheet), "--store", str(store), "--bundle", str(bundle)]
    )
    assert both.exit_code == 2 and "--bundle DIR" in both.output
