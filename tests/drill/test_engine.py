"""The Monte Carlo engine's arithmetic: queues per team, working hours, waits, the noiseless medians, and
results that do not depend on the number of threads."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from cmmm.drill import engine


def _work(n: int, **kw: Any) -> engine.Work:
    base: dict[str, Any] = {
        "team": np.zeros(n, dtype=int),
        "automated": np.zeros(n, dtype=bool),
        "owner_known": np.ones(n, dtype=bool),
        "frozen": np.zeros(n, dtype=bool),
        "deadline_h": np.full(n, 24.0),
        "ca_ready_h": np.zeros(n),
        "ca_back_h": None,
        "needs_issuance": True,
        "engineers": np.array([1.0]),
        "hours_per_day": np.array([24.0]),
    }
    base.update(kw)
    return engine.Work(**base)


def _finish(w: engine.Work, hands: float, post: float, wait: float = 0.0) -> list[float]:
    n = len(w.team)
    one = np.ones((1, n))
    return list(
        engine.finish_hours(w, one * hands, one * post, one * wait, w.ca_ready_h[None, :] * one)[0].round(6)
    )


def _random_work(n: int, seed: int = 3) -> engine.Work:
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
        surge_hours_per_day=np.array([16.0, 12.0, 16.0]),
        surge_window_h=24.0,
        rate_group=rng.integers(0, 2, n),
        group_rate=np.array([50.0, np.inf]),
        ca_group=rng.integers(0, 2, n),
        change_group=rng.integers(0, 4, n),
    )


def test_monte_carlo_does_not_depend_on_the_number_of_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "CHUNK_CELLS", 2_000)  # many small batches, so the pool is used
    w = _random_work(400)
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


def test_queue_arithmetic_one_team() -> None:
    assert _finish(_work(3), 2, 1) == [2, 4, 6]
    # two channels: job i finishes by (work before it) / engineers + its own work — the bound that greedy
    # list scheduling never exceeds (all engineers are busy until a job starts)
    assert _finish(_work(3, engineers=np.array([2.0])), 2, 1) == [2, 3, 4]
    assert _finish(_work(3, hours_per_day=np.array([4.0])), 2, 1) == [2, 4, 26]  # the night in between
    assert _finish(_work(3, ca_ready_h=np.full(3, 10.0)), 2, 1) == [11, 12, 13]  # issuance waits for the CA
    assert _finish(_work(3), 2, 1, wait=1.5) == [3.5, 5.5, 7.5]
    rated = _work(
        3, automated=np.ones(3, dtype=bool), rate_group=np.zeros(3, int), group_rate=np.array([1.0])
    )
    assert _finish(rated, 0, 0) == [1, 2, 3]  # one issuance per hour
    two_teams = _work(
        4, team=np.array([0, 1, 0, 1]), engineers=np.array([1.0, 1.0]), hours_per_day=np.array([24.0, 24.0])
    )
    assert _finish(two_teams, 2, 1) == [2, 2, 4, 4]  # teams work in parallel


def test_simulation_without_noise_matches_the_medians(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HANDS_ON_SIGMA", "WAIT_SIGMA", "ONBOARDING_SIGMA", "TEAM_SIGMA", "CA_SIGMA"):
        monkeypatch.setattr(engine, name, 0.0)
    w = _work(4)
    hands, _post, wait = engine.medians(w)
    d = engine.DURATIONS
    manual = d["triage"].manual + d["issuance"].manual + d["deployment"].manual + d["verification"].manual
    assert hands[0] == pytest.approx(manual) and wait[0] == pytest.approx(engine.WAITS["issuance"].manual)
    o = engine.simulate(w, runs=5, seed=1, deadline_h=24, service=np.arange(4), critical=np.zeros(4, bool))
    assert np.allclose(o.completion_h, 4 * manual + engine.WAITS["issuance"].manual, atol=1e-4)
    assert o.on_time.all() and (o.exposed_certs == 0).all()
    tight = replace(w, deadline_h=np.full(4, 2 * manual))
    o = engine.simulate(
        tight,
        runs=3,
        seed=1,
        deadline_h=2 * manual,
        service=np.array([0, 0, 1, 1]),
        critical=np.ones(4, bool),
    )
    # finishes at manual + wait, 2 manual + wait, …: only the first makes the deadline
    assert (o.exposed_certs == 3).all() and not o.on_time.any()
    assert (o.exposed_critical_services == 2).all()
    late = [
        2 * manual + wait[0] - 2 * manual,
        3 * manual + wait[0] - 2 * manual,
        4 * manual + wait[0] - 2 * manual,
    ]
    assert o.exposed_service_hours[0] == pytest.approx(
        late[0] + late[2], abs=1e-4
    )  # worst late cert per service
