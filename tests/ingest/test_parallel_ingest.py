"""The scale paths give the same answers as the plain ones: threaded Monte Carlo, threaded ingest, facts."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cmmm
from cmmm import ingest
from cmmm.drill import engine
from cmmm.graph.services import _positions
from cmmm.model._facts import first_of_each

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inventories"


def _work(n: int, seed: int = 3) -> engine.Work:
    rng = np.random.default_rng(seed)
    return engine.Work(
        team=rng.integers(0, 3, n),
        automated=rng.random(n) < 0.6,
        owner_known=rng.random(n) < 0.9,
        frozen=rng.random(n) < 0.1,
        deadline_h=np.full(n, 24.0),
        ca_ready_h=np.zeros(n),
        ca_back_h=None,
        needs_issuance=True,
        engineers=np.array([2.0, 1.0, 3.0]),
        hours_per_day=np.array([8.0, 8.0, 16.0]),
        rate_per_hour=50.0,
    )


def test_monte_carlo_does_not_depend_on_the_number_of_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "CHUNK_CELLS", 2_000)  # many small batches, so the pool is used
    w = _work(400)
    args = {
        "runs": 60,
        "seed": 9,
        "deadline_h": 24.0,
        "service": np.arange(400) % 7,
        "critical": np.zeros(400, bool),
    }
    outcomes = []
    for threads in (1, 4):
        monkeypatch.setattr(engine, "MAX_THREADS", threads)
        outcomes.append(engine.simulate(w, **args))  # type: ignore[arg-type]
    one, many = outcomes
    for field in dataclasses.fields(engine.Outcome):
        assert np.array_equal(getattr(one, field.name), getattr(many, field.name)), field.name
    assert len(one.completion_h) == 60


def test_first_of_each_is_numpy_unique_with_first_indices() -> None:
    keys = np.array([5, 3, 5, 1, 3, 3, 9, 1])
    got_keys, got_at = first_of_each(keys)
    want_keys, want_at = np.unique(keys, return_index=True)
    assert got_keys.tolist() == want_keys.tolist() and got_at.tolist() == want_at.tolist()
    empty_keys, empty_at = first_of_each(np.zeros(0, dtype=np.int64))
    assert len(empty_keys) == 0 and len(empty_at) == 0


def test_positions_match_get_indexer_and_tolerate_repeated_ids() -> None:
    table = pd.Series(["a", "b", "c"], dtype="string")
    keys = pd.Series(["c", "x", "a", None, "a"], dtype="string")
    assert _positions(table, keys).tolist() == [2, -1, 0, -1, 0]
    repeated = pd.Series(["a", "b", "a"], dtype="string")
    assert _positions(repeated, keys).tolist() == [-1, -1, 0, -1, 0]  # first row of a repeated id


@pytest.mark.parametrize(
    ("org", "pooled"),
    [("level3-defined", False), ("level1-chaos", True), ("level3-defined", True), ("level4-agile", True)],
)
def test_parallel_ingest_reads_the_same_inventory(
    monkeypatch: pytest.MonkeyPatch, now: datetime, org: str, pooled: bool
) -> None:
    # A few large tables go to threads; many files to worker processes, whose batches come back combined
    # per chunk. Either way: the same certificates, observations, facts, sources, notes and rejections,
    # row for row and in the same order, as reading the files one by one.
    bundle = SAMPLES / org
    if not bundle.is_dir():
        pytest.skip(f"sample_inventories/{org} is not in this checkout")
    monkeypatch.setattr(ingest, "_THREADED_MIN_BYTES", 0)
    monkeypatch.setattr(ingest, "_POOLED_MIN_FILES", 2 if pooled else 10**9)
    serial = cmmm.load([bundle], now=now, workers=1)
    parallel = cmmm.load([bundle], now=now, workers=2)
    pd.testing.assert_frame_equal(serial.certificates, parallel.certificates)
    pd.testing.assert_frame_equal(serial.observations, parallel.observations)
    pd.testing.assert_frame_equal(serial.certificate_facts(), parallel.certificate_facts())
    assert [s.path for s in serial.sources] == [s.path for s in parallel.sources]
    assert serial.rejected == parallel.rejected and serial.notes == parallel.notes
    assert serial.private_keys == parallel.private_keys and serial.profile == parallel.profile
