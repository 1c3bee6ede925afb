"""The store keeps every part of an Inventory exactly, stores an unchanged certificate once, selects
snapshots by id and date, and refuses what is not a cmmm store with one clear reason."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cmmm.errors import InputError
from cmmm.model import LAB_COLUMNS, CorrectiveAction, Inventory, Rating, RecordedExercise, conform
from cmmm.store import (
    SCHEMA_VERSION,
    CriterionState,
    SnapshotMetrics,
    read_snapshot,
    snapshots,
    write_snapshot,
)
from tests.conftest import NOW, SAMPLE_ORGS, sample

FRAMES = ("certificates", "observations", "services", "algorithms", "lab")
RECORDS = ("rejected", "private_keys", "sources", "notes", "profile", "exercises")


def assert_same(a: Inventory, b: Inventory) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    for name in RECORDS:
        assert getattr(a, name) == getattr(b, name), name
    assert dict(a.policy) == dict(b.policy)
    assert dict(a.bodies) == dict(b.bodies)


def put(path: Path, inv: Inventory, days: int = 0, **kw: object) -> int:
    at = NOW + timedelta(days=days)
    return write_snapshot(path, inv, taken_at=at, written_at=at, version="test", **kw).id  # type: ignore[arg-type]


def test_every_part_of_the_inventory_comes_back_exactly(tmp_path: Path, inventory: Inventory) -> None:
    inv = dataclasses.replace(inventory, notes=("a value outside the vocabulary was kept",))
    assert inv.rejected and inv.private_keys and inv.bodies and inv.profile.found and inv.policy
    assert inv.certificates["common_name"].isna().any()  # the root without a common name
    store = tmp_path / "inv.duckdb"
    put(store, inv)
    assert_same(inv, read_snapshot(store))


@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_every_sample_organization_round_trips(tmp_path: Path, org: str) -> None:
    inv = sample(org)
    store = tmp_path / "s.duckdb"
    put(store, inv)
    assert_same(inv, read_snapshot(store))


def _count(store: Path, table: str) -> int:
    with duckdb.connect(str(store), read_only=True) as con:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]


def test_an_unchanged_certificate_is_stored_once(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    put(store, inventory, days=30)
    assert _count(store, "certificates") == len(inventory)
    assert _count(store, "observations") == len(inventory.observations)
    assert _count(store, "snapshot_certificates") == 2 * len(inventory)
    # one certificate changes owner: one new observation row, the certificates stay as they were
    obs = inventory.observations.copy()
    obs.loc[0, "owner"] = "new.owner@example.test"
    put(store, dataclasses.replace(inventory, observations=obs), days=60)
    assert _count(store, "certificates") == len(inventory)
    assert _count(store, "observations") == len(inventory.observations) + 1
    assert read_snapshot(store).observations.loc[0, "owner"] == "new.owner@example.test"
    assert read_snapshot(store, "1").observations.loc[0, "owner"] != "new.owner@example.test"


def test_snapshots_by_id_date_and_latest(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    smaller = dataclasses.replace(inventory, certificates=inventory.certificates.head(3))
    put(store, smaller, days=-30)
    put(store, inventory)
    infos = snapshots(store)
    assert [i.id for i in infos] == [1, 2]
    assert [i.certificates for i in infos] == [3, len(inventory)]
    assert len(read_snapshot(store)) == len(inventory)
    assert len(read_snapshot(store, "1")) == 3
    assert len(read_snapshot(store, f"{(NOW - timedelta(days=1)).date()}")) == 3  # the last one by that day
    assert len(read_snapshot(store, f"{NOW.date()}")) == len(inventory)
    with pytest.raises(InputError, match="no snapshot 7"):
        read_snapshot(store, "7")
    with pytest.raises(InputError, match="on or before 2020-01-01"):
        read_snapshot(store, "2020-01-01")
    with pytest.raises(InputError, match="use latest, a snapshot id or a date"):
        read_snapshot(store, "yesterday")


def test_metrics_are_kept_and_unknown_when_not_given(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    metrics = SnapshotMetrics(
        level=3,
        score=3.25,
        values={"automated_share": 0.5, "owner_known_share": None},
        criteria=(CriterionState(id="inv.owner", level=2, evidence="measured", status="met", met=True),),
    )
    put(store, inventory, days=1, metrics=metrics)
    first, second = snapshots(store)
    assert first.metrics.level is None and first.metrics.score is None  # unknown, not level 1
    assert second.metrics.level == 3 and second.metrics.score == 3.25
    assert dict(second.metrics.values) == {"automated_share": 0.5, "owner_known_share": None}
    assert second.metrics.criteria == metrics.criteria


def test_not_a_store_is_refused_with_a_reason(tmp_path: Path, inventory: Inventory) -> None:
    text = tmp_path / "inventory.csv"
    text.write_text("common_name,not_after\n")
    with pytest.raises(InputError, match="not a cmmm store"):
        read_snapshot(text)
    with pytest.raises(InputError, match="not a cmmm store"):
        put(text, inventory)
    assert text.read_text() == "common_name,not_after\n"  # untouched
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(InputError, match="not a cmmm store"):
        put(other, inventory)
    with pytest.raises(InputError, match="no such store"):
        read_snapshot(tmp_path / "missing.duckdb")


def test_a_store_from_a_newer_cmmm_is_refused(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    with duckdb.connect(str(store)) as con:
        con.execute("UPDATE meta SET value = $1 WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    for attempt in (lambda: read_snapshot(store), lambda: put(store, inventory)):
        with pytest.raises(
            InputError, match=f"store schema {SCHEMA_VERSION + 1} was written by a newer cmmm"
        ):
            attempt()


def test_an_empty_store_has_no_snapshot_to_read(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    with duckdb.connect(str(store)) as con:
        from cmmm.store import _schema

        _schema.upgrade(con, 0)
    assert snapshots(store) == ()
    with pytest.raises(InputError, match="no snapshots yet"):
        read_snapshot(store)


def test_identical_rows_in_one_snapshot_are_stored_once_and_read_back_twice(
    tmp_path: Path, inventory: Inventory
) -> None:
    obs = pd.concat([inventory.observations, inventory.observations.iloc[[2]]], ignore_index=True)
    inv = dataclasses.replace(inventory, observations=obs)
    store = tmp_path / "s.duckdb"
    put(store, inv)
    assert _count(store, "observations") == len(inventory.observations)
    assert _count(store, "snapshot_observations") == len(obs)
    assert_same(inv, read_snapshot(store))


def test_the_lab_and_the_exercise_log_are_kept(tmp_path: Path, inventory: Inventory) -> None:
    lab = conform(
        pd.DataFrame(
            {
                "ca_name": ["Test Issuing CA 1", "Test Root"],
                "hierarchy": ["Test Root", "Test Root"],
                "profile": ["ML-DSA-65", "baseline"],
                "leaf_key": ["ML-DSA-65", "EC-256"],
                "bytes": [11_310, None],
                "accepted_by": ["openssl-3.5", None],
            }
        ),
        LAB_COLUMNS,
    )
    done = CorrectiveAction(action="Name an owner for every CA", owner="pki@example.test", due=NOW.date())
    exercises = (
        RecordedExercise(
            id="2026-11-distrust",
            held_on=NOW.date() - timedelta(days=8),
            scenario="ca-distrust",
            snapshot="3",
            rating=Rating.MAJOR_CHALLENGES,
            facilitator="Ann",
            strengths=("paged the right people",),
            improvements=("no owner for 37 certificates", "=cmd|' /C calc'!A0"),
            actions=(
                done,
                dataclasses.replace(done, action="Automate renewals", done=NOW.date(), criterion="aut.acme"),
            ),
            source="exercises.yaml",
        ),
    )
    inv = dataclasses.replace(inventory, lab=lab, exercises=exercises)
    store = tmp_path / "s.duckdb"
    write_snapshot(store, inv, taken_at=NOW, written_at=NOW, version="test")
    back = read_snapshot(store)
    assert_same(inv, back)
    assert back.exercises[0].rating is Rating.MAJOR_CHALLENGES
    assert back.lab["bytes"].isna().tolist() == [False, True]  # an unmeasured size stays unknown


def test_the_drills_evidence_is_kept_and_reused_only_at_its_time(
    tmp_path: Path, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`assess --store` at the time a snapshot was assessed reads its level-5 drills' evidence instead of
    running them: the assessment is the same as with the drills run; at another time they run again."""
    from cmmm import pipeline
    from cmmm._version import VERSION
    from cmmm.drill.evidence import SIMULATED_CRITERIA
    from cmmm.maturity import assess
    from cmmm.store import stored_evidence

    store = tmp_path / "s.duckdb"
    pipeline.store_snapshot(inventory, store, now=NOW, written_at=NOW)
    kept = stored_evidence(store, "latest", evaluated_at=NOW, cmmm_version=pipeline.evidence_version())
    assert set(kept) == set(SIMULATED_CRITERIA)
    assert (
        stored_evidence(
            store, "latest", evaluated_at=NOW + timedelta(days=1), cmmm_version=pipeline.evidence_version()
        )
        == {}
    )
    assert stored_evidence(store, "latest", evaluated_at=NOW, cmmm_version=VERSION) == {}  # another build

    inv = read_snapshot(store)
    ran = assess(inv, now=NOW, simulate=pipeline.drill_evidence)
    runs: list[str] = []
    real = pipeline.drill_evidence
    monkeypatch.setattr(
        pipeline, "drill_evidence", lambda cid, *a, **k: runs.append(cid) or real(cid, *a, **k)
    )
    reused = assess(inv, now=NOW, simulate=pipeline.stored_simulation(store, "latest", NOW))
    assert not set(runs) & set(SIMULATED_CRITERIA)  # no drill ran again
    assert [(c.criterion.id, c.status, c.value, c.evidence) for c in reused.criteria] == [
        (c.criterion.id, c.status, c.value, c.evidence) for c in ran.criteria
    ]
    assert (reused.level, reused.score) == (ran.level, ran.score)
    later = NOW + timedelta(days=1)
    assess(inv, now=later, simulate=pipeline.stored_simulation(store, "latest", later))
    assert set(SIMULATED_CRITERIA) <= set(runs)  # another time: the drills run


def test_a_damaged_exercise_record_is_one_clear_error(tmp_path: Path, inventory: Inventory) -> None:
    from cmmm.store._codec import decode_exercise

    for text in ("{not json", '{"$record": "RecordedExercise", "fields": {"nope": 1}}', "[1, 2]"):
        with pytest.raises(InputError, match=r"s\.duckdb"):
            decode_exercise(text, str(tmp_path / "s.duckdb"))
