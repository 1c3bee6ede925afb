"""The vectorized Monte Carlo: per-certificate stage durations, team queues by cumulative sums, deadlines.

Each affected certificate is one job: hands-on engineer work (triage, issuance, deployment, verification)
that occupies one engineer of its team, plus elapsed waits that occupy nobody (CA validation, rollout,
emergency change approval). A team is a set of parallel work channels: jobs are taken in priority order
and job i finishes, in engineer work-hours, at (sum of hands-on before it) / engineers + its own hands-on;
work-hours become calendar hours through the team's hours per day. Issuance waits for the replacement CA
(onboarding, outage) and for the ACME rate limit. Durations are lognormal around the medians in
DURATIONS; one difficulty factor per certificate and run scales its hands-on work, another its waits,
so that a faster method (automation, a known owner) is faster in every run, never slower.
See docs/drills.md for the numbers and their rationale.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

# Median hours per certificate (DURATIONS) — rationale in docs/drills.md.
# hands-on: engineer time; wait: elapsed time that needs nobody.


@dataclass(frozen=True, slots=True, kw_only=True)
class StageMedians:
    automated: float
    manual: float


TRIAGE_OWNER_UNKNOWN = 3.0  # find who owns it: CMDB searches, chat, asking around
DURATIONS: dict[str, StageMedians] = {
    "triage": StageMedians(automated=0.02, manual=0.25),
    "issuance": StageMedians(automated=0.0, manual=0.5),  # CSR, order, approval (hands-on)
    "deployment": StageMedians(automated=0.01, manual=0.75),
    "verification": StageMedians(automated=0.01, manual=0.2),
}
WAITS: dict[str, StageMedians] = {
    "issuance": StageMedians(automated=0.05, manual=1.5),  # ACME round trip vs CA validation/queue
    "deployment": StageMedians(automated=0.1, manual=0.0),  # rollout
    "freeze_approval": StageMedians(automated=1.0, manual=4.0),  # emergency change during a freeze
}
HANDS_ON_SIGMA = 0.5  # lognormal sigma: p90/p50 ≈ 1.9
WAIT_SIGMA = 0.5
ONBOARDING_SIGMA = 0.3  # CA onboarding lead time varies per run
CHUNK_CELLS = 1_000_000  # runs × certificates per batch: bounds memory at 250,000 certificates
MAX_THREADS = 4  # batches of runs simulated at once (numpy releases the GIL); capped by the local cores


@dataclass(frozen=True, slots=True, kw_only=True)
class Work:
    """The affected certificates in priority order, as arrays of length N, and the teams (length T)."""

    team: np.ndarray  # int index into engineers/hours_per_day
    automated: np.ndarray  # bool
    owner_known: np.ndarray  # bool
    frozen: np.ndarray  # bool: a change freeze covers it during the drill
    deadline_h: np.ndarray  # float
    ca_ready_h: np.ndarray  # float: median hours until a CA can issue its replacement
    ca_back_h: float | None  # the original CA returns (outage): an upper bound on ca_ready_h
    needs_issuance: bool
    engineers: np.ndarray  # per team
    hours_per_day: np.ndarray  # per team
    rate_per_hour: float | None  # ACME/CA issuance ceiling for automated issuance


@dataclass(frozen=True, slots=True, kw_only=True)
class Reach:
    """Exposure along depends_on: pairs (service group, service it exposes when late) — a group exposes its
    own service and every service depending on it — and per exposed service whether it is critical."""

    group: np.ndarray  # int: a certificate's service group, as in simulate's `service`
    exposed: np.ndarray  # int: an exposed service, 0..S-1
    critical: np.ndarray  # bool, length S


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """Per-run statistics (arrays of length runs) and the burn-down samples."""

    completion_h: np.ndarray
    on_time: np.ndarray
    exposed_certs: np.ndarray
    exposed_critical_services: np.ndarray
    exposed_service_hours: np.ndarray
    edges: np.ndarray  # burn-down time grid (hours), length B + 1
    done_by: np.ndarray  # runs × (B + 1): certificates finished by each edge


def medians(w: Work) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median hands-on hours (total and after issuance) and median wait hours per certificate."""
    auto = w.automated

    def pick(s: StageMedians) -> np.ndarray:
        return np.where(auto, s.automated, s.manual)

    triage = np.where(w.owner_known, pick(DURATIONS["triage"]), TRIAGE_OWNER_UNKNOWN)
    issue = pick(DURATIONS["issuance"]) if w.needs_issuance else np.zeros(len(auto))
    post = issue + pick(DURATIONS["deployment"]) + pick(DURATIONS["verification"])
    wait = pick(WAITS["deployment"]) + np.where(w.frozen, pick(WAITS["freeze_approval"]), 0.0)
    if w.needs_issuance:
        wait = wait + pick(WAITS["issuance"])
    return triage + post, post, wait


def _work_hours_by(t: np.ndarray, per_day: np.ndarray) -> np.ndarray:
    """Engineer work-hours available by calendar hour t (work starts at hour 0 of each day)."""
    days = np.floor(t / 24.0)
    return days * per_day + np.minimum(t - days * 24.0, per_day)


def _calendar(work: np.ndarray, per_day: np.ndarray) -> np.ndarray:
    """Calendar hour at which `work` engineer-hours are done at `per_day` hours a day."""
    d = np.maximum(np.ceil(work / per_day) - 1.0, 0.0)
    return d * 24.0 + (work - d * per_day)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Layout:
    """Columns regrouped by team (priority order inside each team), computed once per simulation."""

    perm: np.ndarray  # team order → original column
    eng: np.ndarray  # engineers of each column's team
    per_day: np.ndarray  # hours per day of each column's team
    prev: np.ndarray  # column index just before the column's team block (0 when none)
    has_prev: np.ndarray  # float 1/0: whether `prev` is meaningful
    automated: np.ndarray
    rate_rank: np.ndarray  # automated issuances up to and including this one, in priority order


def _layout(w: Work) -> _Layout:
    n = len(w.team)
    perm = np.argsort(w.team, kind="stable")
    team = w.team[perm]
    first = np.r_[True, team[1:] != team[:-1]] if n else np.zeros(0, bool)
    block_start = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else np.zeros(0, int)
    return _Layout(
        perm=perm,
        eng=w.engineers[team].astype(np.float32),
        per_day=w.hours_per_day[team].astype(np.float32),
        prev=np.maximum(block_start - 1, 0),
        has_prev=(block_start > 0).astype(np.float32),
        automated=w.automated[perm],
        rate_rank=np.cumsum(w.automated)[perm].astype(np.float32),
    )


def _finish(
    lay: _Layout, w: Work, hands: np.ndarray, post: np.ndarray, wait: np.ndarray, ready: np.ndarray
) -> np.ndarray:
    """Finish hours in team order (all inputs in team order, runs × N)."""

    def queue(x: np.ndarray) -> np.ndarray:
        c = np.cumsum(x, axis=1)
        before = c - c[:, lay.prev] * lay.has_prev - x
        return before / lay.eng + x

    work = np.maximum(queue(hands), _work_hours_by(ready, lay.per_day) + queue(post))
    finish = _calendar(work, lay.per_day) + wait
    if w.rate_per_hour and w.needs_issuance:
        limited = ready + lay.rate_rank / np.float32(w.rate_per_hour) + wait
        finish = np.where(lay.automated, np.maximum(finish, limited), finish)
    return finish


def finish_hours(
    w: Work, hands: np.ndarray, post: np.ndarray, wait: np.ndarray, ready: np.ndarray
) -> np.ndarray:
    """Finish hour of every job (runs × N, priority order) for given hands-on, post-issuance, wait and
    CA-ready hours (runs × N each)."""
    if hands.shape[1] == 0:
        return np.zeros_like(hands)
    lay = _layout(w)
    p = lay.perm
    f = _finish(lay, w, hands[:, p], post[:, p], wait[:, p], ready[:, p])
    out = np.empty_like(f)
    out[:, p] = f
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class _Simulation:
    """What every batch of runs of one simulation shares, in team order."""

    w: Work
    lay: _Layout
    hands: np.ndarray  # median hands-on hours (float32)
    post: np.ndarray  # median hands-on hours after issuance
    wait: np.ndarray  # median wait hours
    ca_ready: np.ndarray  # median hours until a CA can issue
    deadlines: np.ndarray
    due: np.ndarray  # due by the scenario deadline
    deadline_h: float
    order: np.ndarray  # columns sorted by service group
    svc_starts: np.ndarray  # first column of each service group in `order`
    svc_crit: np.ndarray  # whether each exposed service is critical
    edges: np.ndarray  # burn-down time grid
    reach_src: np.ndarray | None = None  # service-group column per (group, exposed service) pair, by service
    reach_starts: np.ndarray | None = None  # first pair of each exposed service


_STATISTICS = ("completion", "on_time", "certs", "crit", "svc_h", "sorted")


def simulate(
    w: Work,
    *,
    runs: int,
    seed: int,
    deadline_h: float,
    service: np.ndarray,
    critical: np.ndarray,
    bins: int = 1000,
    reach: Reach | None = None,
) -> Outcome:
    """Run the Monte Carlo in batches of runs; `service` is an int group per certificate, `critical`
    marks certificates of critical services; `reach` (optional) spreads a late group's exposure to the
    services that depend on it. Statistics per run are returned. Everything is computed in team order (a
    relabelling of the columns), so no batch pays for regrouping."""
    n = len(w.team)
    rng = np.random.default_rng(seed)
    sim = _prepare(w, deadline_h, service, critical, bins, reach)
    draws = _draws(rng, runs, n, batch=max(1, CHUNK_CELLS // max(n, 1)))
    threads = min(MAX_THREADS, os.cpu_count() or 1) if runs * n >= 2 * CHUNK_CELLS else 1
    parts = _threaded(sim, draws, threads) if threads > 1 else [_one_batch(sim, *z) for z in draws]
    out: dict[str, list[np.ndarray]] = {k_: [] for k_ in _STATISTICS}
    for part in parts:
        for k_, v in part.items():
            out[k_].extend(v)
    cat = {k_: np.concatenate(v) for k_, v in out.items()}
    return Outcome(
        completion_h=cat["completion"].astype(float),
        on_time=cat["on_time"],
        exposed_certs=cat["certs"],
        exposed_critical_services=cat["crit"],
        exposed_service_hours=cat["svc_h"].astype(float),
        edges=sim.edges,
        done_by=cat["sorted"],
    )


def _prepare(
    w: Work,
    deadline_h: float,
    service: np.ndarray,
    critical: np.ndarray,
    bins: int,
    reach: Reach | None = None,
) -> _Simulation:
    """Medians, deadlines and service groups in team order, and a burn-down grid well past the median plan."""
    n = len(w.team)
    lay = _layout(w)
    p = lay.perm
    hands_med, post_med, wait_med = (m[p].astype(np.float32) for m in medians(w))
    ca_ready = w.ca_ready_h[p].astype(np.float32)
    deadlines = w.deadline_h[p]
    service, critical = service[p], critical[p]
    order = np.argsort(service, kind="stable")
    svc_sorted = service[order]
    svc_starts = np.flatnonzero(np.r_[True, svc_sorted[1:] != svc_sorted[:-1]]) if n else np.array([], int)
    # the burn-down grid reaches well past the median plan; later finishes count as still remaining
    median_plan = _finish(lay, w, hands_med[None, :], post_med[None, :], wait_med[None, :], ca_ready[None, :])
    horizon = 4.0 * max(float(median_plan.max(initial=0.0)), deadline_h, 1.0)
    return _Simulation(
        w=w,
        lay=lay,
        hands=hands_med,
        post=post_med,
        wait=wait_med,
        ca_ready=ca_ready,
        deadlines=deadlines,
        due=deadlines <= deadline_h + 1e-9,
        deadline_h=deadline_h,
        order=order,
        svc_starts=svc_starts,
        edges=np.linspace(0.0, horizon, bins + 1),
        **_reach(reach, svc_sorted[svc_starts] if n else np.array([], int), critical[order], svc_starts),
    )


def _reach(
    reach: Reach | None, groups: np.ndarray, critical: np.ndarray, svc_starts: np.ndarray
) -> dict[str, np.ndarray]:
    """Which exposed services are critical; with a reach, the (group, exposed service) pairs as service-group
    columns sorted by exposed service (groups without a certificate dropped) and the first pair of each
    exposed service. Without one, every service group is an exposed service of its own."""
    if reach is None or not len(groups):
        return {"svc_crit": np.maximum.reduceat(critical, svc_starts) if len(groups) else np.array([], bool)}
    col = np.asarray(np.searchsorted(groups, reach.group), dtype=np.int64)
    keep = (col < len(groups)) & (groups[np.minimum(col, len(groups) - 1)] == reach.group)
    by = np.lexsort((col[keep], reach.exposed[keep]))
    exposed: np.ndarray = reach.exposed[keep][by]
    starts = np.flatnonzero(np.r_[True, exposed[1:] != exposed[:-1]])
    return {
        "reach_src": col[keep][by],
        "reach_starts": starts,
        "svc_crit": reach.critical[exposed[starts]],
    }


def _draws(
    rng: np.random.Generator, runs: int, n: int, batch: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Standard normal draws per batch of runs: hands-on and wait factors per certificate, one onboarding
    factor per run."""
    # One generator, drawn in a fixed order: the result does not depend on how many threads run.
    done = 0
    while done < runs:
        r = min(batch, runs - done)
        z_hands = rng.standard_normal((r, n), dtype=np.float32)
        z_wait = rng.standard_normal((r, n), dtype=np.float32)
        yield z_hands, z_wait, rng.standard_normal((r, 1))
        done += r


def _one_batch(
    sim: _Simulation, z_hands: np.ndarray, z_wait: np.ndarray, z_ca: np.ndarray
) -> dict[str, list[np.ndarray]]:
    """The statistics of one batch of runs (z_hands and z_wait are overwritten)."""
    part: dict[str, list[np.ndarray]] = {k_: [] for k_ in _STATISTICS}
    np.exp(z_hands * np.float32(HANDS_ON_SIGMA), out=z_hands)
    np.exp(z_wait * np.float32(WAIT_SIGMA), out=z_wait)
    ready = sim.ca_ready[None, :] * np.exp(ONBOARDING_SIGMA * z_ca).astype(np.float32)
    if sim.w.ca_back_h is not None:
        ready = np.minimum(ready, np.float32(sim.w.ca_back_h))
    finish = _finish(sim.lay, sim.w, sim.hands * z_hands, sim.post * z_hands, sim.wait * z_wait, ready)
    _collect(part, finish, sim)
    return part


def _threaded(
    sim: _Simulation, draws: Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]], threads: int
) -> list[dict[str, list[np.ndarray]]]:
    """The batches on `threads` threads, results in draw order."""
    # numpy's array kernels release the GIL: batches of runs proceed on every local core at once,
    # at most `threads` + 1 batches in memory.
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: deque[Future[dict[str, list[np.ndarray]]]] = deque()
        parts = []
        for z in draws:
            pending.append(pool.submit(_one_batch, sim, *z))
            if len(pending) > threads:
                parts.append(pending.popleft().result())
        parts.extend(f.result() for f in pending)
    return parts


def _spread(by_group: np.ndarray, sim: _Simulation) -> np.ndarray:
    """Per run and service group (exposed flag or late hours) → per exposed service: the worst of the groups
    that reach it along depends_on (runs × S); unchanged without a reach."""
    if sim.reach_src is None or sim.reach_starts is None:
        return by_group
    return np.maximum.reduceat(by_group[:, sim.reach_src], sim.reach_starts, axis=1)


def _collect(out: dict[str, list[np.ndarray]], finish: np.ndarray, sim: _Simulation) -> None:
    r, n = finish.shape
    deadlines, edges, order, svc_starts = sim.deadlines, sim.edges, sim.order, sim.svc_starts
    if n == 0:
        zeros = np.zeros(r)
        for key in ("completion", "certs", "crit", "svc_h"):
            out[key].append(zeros)
        out["on_time"].append(np.ones(r, dtype=bool))
        out["sorted"].append(np.zeros((r, len(edges))))
        return
    out["completion"].append(finish.max(axis=1))
    out["on_time"].append((finish <= deadlines[None, :] + 1e-9).all(axis=1))
    exposed = (finish > sim.deadline_h) & sim.due[None, :]
    out["certs"].append(exposed.sum(axis=1).astype(float))
    by_svc = _spread(np.maximum.reduceat(exposed[:, order], svc_starts, axis=1), sim)
    out["crit"].append((by_svc & sim.svc_crit[None, :]).sum(axis=1).astype(float))
    late = np.clip(finish - np.maximum(deadlines, 0.0)[None, :], 0.0, None)
    out["svc_h"].append(_spread(np.maximum.reduceat(late[:, order], svc_starts, axis=1), sim).sum(axis=1))
    bins = len(edges) - 1
    idx = np.minimum(np.ceil(finish * np.float32(bins / edges[-1])).astype(np.int64), bins + 1)
    idx += (np.arange(r) * (bins + 2))[:, None]
    hist = np.bincount(idx.ravel(), minlength=r * (bins + 2)).reshape(r, bins + 2)
    out["sorted"].append(np.cumsum(hist, axis=1)[:, : bins + 1].astype(np.float32))
