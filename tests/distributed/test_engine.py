"""The Monte Carlo on a real Dask cluster: block b draws from SeedSequence(seed).spawn(B)[b], so the
result depends on the seed and the block size only — the same for 1, 2 or 4 workers and in this process."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager

import dask
import numpy as np
import pytest
from distributed import Client, LocalCluster

import cmmm
from cmmm import drill, ingest
from cmmm.distributed import ClusterError, Engine, connect
from cmmm.drill import engine
from cmmm.maturity import assess
from cmmm.pipeline import drill_evidence
from cmmm.report.assessment import assessment_document
from tests.conftest import NOW, SAMPLE_ORGS, SAMPLES_DIR, sample
from tests.drill.test_engine import _random_work
from tests.store.test_snapshots import assert_same


@contextmanager
def _engine(workers: int) -> Iterator[Engine]:
    """A real LocalCluster in this process (threads as workers: quick to start, same scheduling)."""
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=":0") as c,
        Client(c) as client,
    ):
        yield Engine(client=client, address=f"local:{workers}")


def _simulate(w: engine.Work, blocks: engine.BlockMap | None) -> engine.Outcome:
    n = len(w.team)
    return engine.simulate(
        w,
        runs=37,
        seed=9,
        deadline_h=24.0,
        service=np.arange(n) % 7,
        critical=np.arange(n) % 5 == 0,
        blocks=blocks,
    )


def _same(a: engine.Outcome, b: engine.Outcome) -> None:
    for field in dataclasses.fields(engine.Outcome):
        assert np.array_equal(getattr(a, field.name), getattr(b, field.name)), field.name


def test_monte_carlo_is_the_same_on_1_2_or_4_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "CHUNK_CELLS", 2_000)  # 400 certificates: blocks of 5 runs, 8 blocks
    w = _random_work(400)
    reference = _simulate(w, engine.serial_blocks)
    assert len(reference.completion_h) == 37
    for workers in (1, 2, 4):
        with _engine(workers) as e:
            _same(reference, _simulate(w, e.blocks))


def test_blocks_depend_on_the_seed() -> None:
    w = _random_work(50)
    a = _simulate(w, engine.serial_blocks)
    b = engine.simulate(
        w,
        runs=37,
        seed=10,
        deadline_h=24.0,
        service=np.arange(50) % 7,
        critical=np.zeros(50, bool),
        blocks=engine.serial_blocks,
    )
    assert not np.array_equal(a.completion_h, b.completion_h)


def test_the_default_threads_give_the_serial_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "CHUNK_CELLS", 2_000)  # many small blocks, so the thread pool is used
    w = _random_work(400)
    _same(_simulate(w, engine.serial_blocks), _simulate(w, None))


def test_a_drill_on_a_sample_is_the_same_on_the_cluster() -> None:
    inv = sample("level3-defined")
    sc = drill.load_scenario("entrust-2024")
    here = drill.run(inv, sc, now=NOW, runs=50, seed=3)  # in this process
    with _engine(2) as e:
        there = drill.run(inv, sc, now=NOW, runs=50, seed=3, blocks=e.blocks)
    assert here.verdict == there.verdict
    assert here.completion_hours == there.completion_hours
    assert here.on_time_probability == there.on_time_probability
    assert here.burndown.equals(there.burndown)


@pytest.mark.slow
@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_every_sample_assessment_is_the_same_on_the_cluster(org: str) -> None:
    inv = sample(org)
    here = assess(inv, now=NOW, observed_at=NOW, simulate=drill_evidence)
    with _engine(2) as e:
        there = assess(
            inv, now=NOW, observed_at=NOW, simulate=functools.partial(drill_evidence, blocks=e.blocks)
        )
    assert assessment_document(here) == assessment_document(there)  # every criterion, value and evidence


@pytest.mark.slow
def test_local_cluster_with_worker_processes_checks_versions_and_runs_blocks() -> None:
    w = _random_work(200)
    with connect("local:2") as e:
        assert e.workers() == 2
        _same(_simulate(w, engine.serial_blocks), _simulate(w, e.blocks))


@pytest.mark.parametrize("spec", ["local:x", "http://host", "tcp://nohost"])
def test_a_bad_cluster_address_is_one_line(spec: str) -> None:
    with pytest.raises(ClusterError, match="expected local"), connect(spec):
        pass


def test_an_unreachable_scheduler_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cmmm.distributed.CONNECT_TIMEOUT_S", 1)
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"), connect("tcp://127.0.0.1:9"):
        pass


@pytest.mark.slow
@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_files_parsed_in_shards_on_the_cluster_give_the_same_inventory(
    org: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "SHARD_FILES", 2)  # several shards even for a small bundle
    with _engine(2) as e:
        there = cmmm.load([SAMPLES_DIR / org], now=NOW, shards=e.shards)
    assert len(there.sources) > 2
    assert_same(sample(org), there)


def _die(shared: object, seed: object, runs: int) -> dict[str, list[np.ndarray]]:
    """A block whose worker process dies every time it runs it."""
    os._exit(1)


@pytest.mark.slow
def test_a_worker_dying_on_every_try_ends_in_one_cluster_error() -> None:
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),  # no retries: fail at the first death
        connect("local:1") as e,
        pytest.raises(ClusterError, match="a worker was lost"),
    ):
        e.blocks(_die, None, [(np.random.SeedSequence(0), 1)])
