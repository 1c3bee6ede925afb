"""The vectorized Monte Carlo: per-certificate stage durations, team queues by cumulative sums, deadlines.

Each affected certificate is one job: hands-on engineer work (triage, issuance, deployment, verification)
that occupies one engineer of its team, plus elapsed waits that occupy nobody (CA validation, rollout,
emergency change approval). A team is a set of parallel work channels: jobs are taken in priority order
and job i finishes, in engineer work-hours, at (sum of hands-on before it) / engineers + its own hands-on;
work-hours become calendar hours through the team's day: days counted from the first page, with extended
incident hours during the surge window and normal hours after. Issuance waits for the replacement CA (onboarding, outage) and
for its issuance ceiling (an ACME rate limit, a private CA's throughput).

Durations are lognormal around the medians in DURATIONS. Per certificate and run one factor scales its
hands-on work and another its waits; per run, common-mode shocks move whole groups together — a team's
factor (people pulled away, approvals), a CA's factor on issuance (an API slowing down) and, for automated
certificates behind one issuer change (a ClusterIssuer, an ACME account), a failed change that must be
reworked — so that the p10–p90 spread reflects how incidents go. Every shock keeps the model monotone: a
faster method (automation, a known owner) is faster in every run, never slower; a failed issuer change
delays an automated certificate by at most what its manual path would have cost in that run.
See docs/drills.md for the numbers, their rationale and calibration.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

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
# Common-mode shocks per run (docs/drills.md, "Uncertainty"): shared by a team's or a CA's certificates.
TEAM_SIGMA = 0.35  # a team's pace: p90/p50 ≈ 1.6 for everything the team touches
CA_SIGMA = 0.5  # a CA's issuance and onboarding: p90/p50 ≈ 1.9
CHANGE_FAILURE_PROBABILITY = 0.15  # an issuer change (ClusterIssuer, ACME account) fails and is reworked
CHANGE_REWORK_HOURS = 3.0  # median delay of that rework
CHANGE_REWORK_SIGMA = 0.6
WORKDAY_START_HOUR = 8.0  # a team's working day starts at 08:00 in its time zone
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
    hours_per_day: np.ndarray  # per team: a normal day's hours of certificate work per engineer
    surge_hours_per_day: np.ndarray | None = None  # per team: incident hours during the surge window
    surge_window_h: float = 0.0  # from the start: the hours of incident staffing (0: none)
    rate_group: np.ndarray | None = None  # per certificate: its issuance-ceiling group (-1: none)
    group_rate: np.ndarray | None = None  # per group: issuances per hour
    ca_group: np.ndarray | None = None  # per certificate: the CA that issues its replacement (shocks)
    change_group: np.ndarray | None = None  # per certificate: its automated issuer change (-1: manual)


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


def hands_on_medians(automated: np.ndarray, owner_known: np.ndarray) -> np.ndarray:
    """Median hands-on hours of one replacement or renewal (with issuance, no freeze) per certificate."""

    def pick(s: StageMedians) -> np.ndarray:
        return np.where(automated, s.automated, s.manual)

    triage = np.where(owner_known, pick(DURATIONS["triage"]), TRIAGE_OWNER_UNKNOWN)
    return (
        triage + pick(DURATIONS["issuance"]) + pick(DURATIONS["deployment"]) + pick(DURATIONS["verification"])
    )


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


def _day_hours(x: np.ndarray, per_day: np.ndarray) -> np.ndarray:
    """Work-hours in [0, x) of a calendar whose days start at multiples of 24 h from the first page, with
    `per_day` hours each."""
    days = np.floor(x / 24.0)
    return days * per_day + np.minimum(x - days * 24.0, per_day)


def _day_calendar(work: np.ndarray, per_day: np.ndarray) -> np.ndarray:
    """The inverse of _day_hours: the calendar hour at which `work` work-hours are done."""
    d = np.maximum(np.ceil(work / per_day) - 1.0, 0.0)
    return d * 24.0 + (work - d * per_day)


def _work_hours_by(t: np.ndarray, lay: _Layout) -> np.ndarray:
    """Engineer work-hours available by calendar hour t: incident hours a day until the surge window ends,
    normal hours after. A longer window never gives fewer hours by any t (incident days hold the normal
    day's hours and more), so more time never lowers the chance to finish in time."""
    s = np.minimum(t, np.float32(lay.surge_window))
    return _day_hours(s, lay.surge_per_day) + _day_hours(t, lay.per_day) - _day_hours(s, lay.per_day)


def _calendar(work: np.ndarray, lay: _Layout) -> np.ndarray:
    """Calendar hour at which `work` engineer-hours are done (the inverse of _work_hours_by)."""
    s = np.full_like(lay.per_day, np.float32(lay.surge_window))
    in_surge = _day_hours(s, lay.surge_per_day)
    early = _day_calendar(work, lay.surge_per_day)
    late = _day_calendar(work - in_surge + _day_hours(s, lay.per_day), lay.per_day)
    return np.where(work <= in_surge, early, late)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Layout:
    """Columns regrouped by team (priority order inside each team), computed once per simulation."""

    perm: np.ndarray  # team order → original column
    eng: np.ndarray  # engineers of each column's team
    per_day: np.ndarray  # normal hours per day of each column's team
    surge_per_day: np.ndarray  # incident hours per day of each column's team
    surge_window: float
    prev: np.ndarray  # column index just before the column's team block (0 when none)
    has_prev: np.ndarray  # float 1/0: whether `prev` is meaningful
    automated: np.ndarray
    rate_rank: np.ndarray  # issuances of its rate group up to and including this one, in priority order
    rate: np.ndarray  # issuances per hour of its rate group (inf: no ceiling)


def _rate_ranks(w: Work) -> tuple[np.ndarray, np.ndarray]:
    """Per certificate (priority order): how many issuances of its rate group come up to and including it,
    and that group's rate (inf where there is no ceiling)."""
    n = len(w.team)
    rank: np.ndarray = np.zeros(n, dtype=np.float32)
    rate: np.ndarray = np.full(n, np.inf, dtype=np.float32)
    if w.rate_group is None or w.group_rate is None or not w.needs_issuance:
        return rank, rate
    for g, per_hour in enumerate(w.group_rate):
        idx = np.flatnonzero(w.rate_group == g)
        if len(idx) and np.isfinite(per_hour) and per_hour > 0:
            rank[idx] = np.arange(1, len(idx) + 1, dtype=np.float32)
            rate[idx] = np.float32(per_hour)
    return rank, rate


def _layout(w: Work) -> _Layout:
    n = len(w.team)
    perm = np.argsort(w.team, kind="stable")
    team = w.team[perm]
    first = np.r_[True, team[1:] != team[:-1]] if n else np.zeros(0, bool)
    block_start = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else np.zeros(0, int)
    surge = w.surge_hours_per_day if w.surge_hours_per_day is not None else w.hours_per_day
    rank, rate = _rate_ranks(w)
    return _Layout(
        perm=perm,
        eng=w.engineers[team].astype(np.float32),
        per_day=w.hours_per_day[team].astype(np.float32),
        surge_per_day=np.maximum(surge, w.hours_per_day)[team].astype(np.float32),
        surge_window=float(w.surge_window_h),
        prev=np.maximum(block_start - 1, 0),
        has_prev=(block_start > 0).astype(np.float32),
        automated=w.automated[perm],
        rate_rank=rank[perm],
        rate=rate[perm],
    )


def _finish(
    lay: _Layout, w: Work, hands: np.ndarray, post: np.ndarray, wait: np.ndarray, ready: np.ndarray
) -> np.ndarray:
    """Finish hours in team order (all inputs in team order, runs × N)."""

    def queue(x: np.ndarray) -> np.ndarray:
        c = np.cumsum(x, axis=1)
        before = c - c[:, lay.prev] * lay.has_prev - x
        return before / lay.eng + x

    work = np.maximum(queue(hands), _work_hours_by(ready, lay) + queue(post))
    finish = _calendar(work, lay) + wait
    if np.isfinite(lay.rate).any():
        # the k-th issuance of a rate group cannot happen before k / rate hours after its CA is ready
        limited = ready + lay.rate_rank / lay.rate + wait
        finish = np.maximum(finish, np.where(np.isfinite(lay.rate), limited, 0.0))
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
    team: np.ndarray  # team of each column
    teams: int
    ca_group: np.ndarray  # replacement-CA group of each column
    ca_groups: int
    change_group: np.ndarray  # automated issuer-change group of each column (-1: manual)
    change_groups: int
    manual_extra: tuple[np.ndarray, np.ndarray]  # what the manual path would add (hands-on, waits)
    reach_src: np.ndarray | None = None  # service-group column per (group, exposed service) pair, by service
    reach_starts: np.ndarray | None = None  # first pair of each exposed service


_STATISTICS = ("completion", "on_time", "certs", "crit", "svc_h", "sorted")

BlockFn = Callable[[Any, np.random.SeedSequence, int], dict[str, list[np.ndarray]]]


class BlockMap(Protocol):
    """Runs `fn(shared, seed, runs)` for every (seed, runs) job, results in job order. `shared` is the same
    for every job (a cluster broadcasts it once); `fn` is a module-level function, so workers can import it.
    cmmm.distributed.Engine.blocks runs the jobs on a Dask cluster; `serial_blocks` in this process."""

    def __call__(
        self, fn: BlockFn, shared: Any, jobs: Sequence[tuple[np.random.SeedSequence, int]]
    ) -> list[dict[str, list[np.ndarray]]]: ...


def serial_blocks(
    fn: BlockFn, shared: Any, jobs: Sequence[tuple[np.random.SeedSequence, int]]
) -> list[dict[str, list[np.ndarray]]]:
    """The blocks one after the other in this process: the reference the cluster's result must equal."""
    return [fn(shared, s, r) for s, r in jobs]


def block_runs(n: int) -> int:
    """Runs per block: about CHUNK_CELLS certificate-runs, a function of the affected count only."""
    return max(1, CHUNK_CELLS // max(n, 1))


def run_block(sim: _Simulation, seed: np.random.SeedSequence, runs: int) -> dict[str, list[np.ndarray]]:
    """One block of runs with its own generator (a SeedSequence child): what a worker computes."""
    rng = np.random.default_rng(seed)
    return _one_batch(sim, _draw(rng, runs, sim))


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
    blocks: BlockMap | None = None,
) -> Outcome:
    """Run the Monte Carlo in batches of runs; `service` is an int group per certificate, `critical`
    marks certificates of critical services; `reach` (optional) spreads a late group's exposure to the
    services that depend on it. Statistics per run are returned. Everything is computed in team order (a
    relabelling of the columns), so no batch pays for regrouping.

    Block b of `block_runs(n)` runs draws from its own generator, `SeedSequence(seed).spawn(B)[b]`, so the
    result depends on the seed and the block size only: the same on this process's threads (the default)
    and on 1, 2 or 4 workers of a Dask cluster (`blocks`, see cmmm.distributed)."""
    n = len(w.team)
    sim = _prepare(w, deadline_h, service, critical, bins, reach)
    size = block_runs(n)
    children = np.random.SeedSequence(seed).spawn(-(-runs // size))
    jobs = [(c, min(size, runs - i * size)) for i, c in enumerate(children)]
    if blocks is None:
        threads = min(MAX_THREADS, os.cpu_count() or 1) if runs * n >= 2 * CHUNK_CELLS else 1
        blocks = functools.partial(threaded_blocks, threads=threads)
    parts = blocks(run_block, sim, jobs)
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
        **_groups(w, p),
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


class _ReachFields(TypedDict, total=False):
    svc_crit: np.ndarray
    reach_src: np.ndarray
    reach_starts: np.ndarray


def _reach(
    reach: Reach | None, groups: np.ndarray, critical: np.ndarray, svc_starts: np.ndarray
) -> _ReachFields:
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


def _codes(values: np.ndarray | None, n: int) -> tuple[np.ndarray, int]:
    """Group labels as 0..k-1 (-1 kept for "no group"); everything in one group when not given."""
    if values is None:
        return np.zeros(n, dtype=np.int64), 1 if n else 0
    v = np.asarray(values, dtype=np.int64)
    out: np.ndarray = np.full(n, -1, dtype=np.int64)
    keep = v >= 0
    uniq, inv = np.unique(v[keep], return_inverse=True)
    out[keep] = inv
    return out, len(uniq)


def _groups(w: Work, p: np.ndarray) -> dict[str, Any]:
    """The shock groups in team order, and what each certificate's manual path would add to its automated
    one (the ceiling of a failed issuer change's delay)."""
    n = len(w.team)
    ca_group, ca_groups = _codes(w.ca_group, n)
    change = w.change_group if w.change_group is not None else np.full(n, -1)
    change_group, change_groups = _codes(np.where(w.automated, change, -1), n)
    m_hands, _, m_wait = medians(dataclasses.replace(w, automated=np.zeros(n, dtype=bool)))
    a_hands, _, a_wait = medians(w)
    return {
        "team": w.team[p],
        "teams": len(w.engineers),
        "ca_group": ca_group[p],
        "ca_groups": ca_groups,
        "change_group": change_group[p],
        "change_groups": change_groups,
        "manual_extra": (
            np.maximum(m_hands - a_hands, 0.0)[p].astype(np.float32),
            np.maximum(m_wait - a_wait, 0.0)[p].astype(np.float32),
        ),
    }


@dataclass(frozen=True, slots=True)
class _Draw:
    """The random draws of one batch of runs."""

    hands: np.ndarray  # runs × N, standard normal
    wait: np.ndarray  # runs × N
    onboarding: np.ndarray  # runs × 1
    team: np.ndarray  # runs × teams
    ca: np.ndarray  # runs × CA groups
    change_fails: np.ndarray  # runs × change groups, uniform
    change_delay: np.ndarray  # runs × change groups


def _draw(rng: np.random.Generator, runs: int, sim: _Simulation) -> _Draw:
    """The random draws of one block of runs, from the block's own generator in a fixed order."""
    n = len(sim.team)
    return _Draw(
        hands=rng.standard_normal((runs, n), dtype=np.float32),
        wait=rng.standard_normal((runs, n), dtype=np.float32),
        onboarding=rng.standard_normal((runs, 1)),
        team=rng.standard_normal((runs, sim.teams)),
        ca=rng.standard_normal((runs, sim.ca_groups)),
        change_fails=rng.random((runs, sim.change_groups)),
        change_delay=rng.standard_normal((runs, sim.change_groups)),
    )


def _by_group(factors: np.ndarray, group: np.ndarray) -> np.ndarray:
    """A runs × groups array spread to runs × certificates (1 where a certificate has no group)."""
    if factors.shape[1] == 0:
        return np.ones((factors.shape[0], len(group)), dtype=np.float32)
    spread = factors[:, np.maximum(group, 0)]
    return np.where(group >= 0, spread, np.float32(1.0)).astype(np.float32)


def _shocked(sim: _Simulation, d: _Draw) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per run and certificate: the hands-on factor (its own × its team's), the wait factor, the CA factor,
    and the rework delay of a failed issuer change (at most what the manual path would have added)."""
    np.exp(d.hands * np.float32(HANDS_ON_SIGMA), out=d.hands)
    np.exp(d.wait * np.float32(WAIT_SIGMA), out=d.wait)
    hands = d.hands * _by_group(np.exp(TEAM_SIGMA * d.team).astype(np.float32), sim.team)
    ca = _by_group(np.exp(CA_SIGMA * d.ca).astype(np.float32), sim.ca_group)
    delay = np.where(
        d.change_fails < CHANGE_FAILURE_PROBABILITY,
        CHANGE_REWORK_HOURS * np.exp(CHANGE_REWORK_SIGMA * d.change_delay),
        0.0,
    ).astype(np.float32)
    rework = _by_group(delay, sim.change_group)
    extra_hands, extra_wait = sim.manual_extra
    ceiling = extra_hands[None, :] * hands + extra_wait[None, :] * d.wait * ca
    rework = np.where(sim.change_group >= 0, np.minimum(rework, ceiling), np.float32(0.0))
    return hands, d.wait, ca, rework


def _one_batch(sim: _Simulation, d: _Draw) -> dict[str, list[np.ndarray]]:
    """The statistics of one batch of runs (the draws are overwritten)."""
    part: dict[str, list[np.ndarray]] = {k_: [] for k_ in _STATISTICS}
    hands, wait, ca, rework = _shocked(sim, d)
    onboarding = np.exp(ONBOARDING_SIGMA * d.onboarding).astype(np.float32)
    ready = sim.ca_ready[None, :] * onboarding * ca
    if sim.w.ca_back_h is not None:
        ready = np.minimum(ready, np.float32(sim.w.ca_back_h))
    waits = sim.wait * wait * ca + rework
    finish = _finish(sim.lay, sim.w, sim.hands * hands, sim.post * hands, waits, ready)
    _collect(part, finish, sim)
    return part


def threaded_blocks(
    fn: BlockFn, shared: Any, jobs: Sequence[tuple[np.random.SeedSequence, int]], *, threads: int = 1
) -> list[dict[str, list[np.ndarray]]]:
    """The blocks on `threads` threads of this process, results in job order (the default BlockMap)."""
    if threads <= 1:
        return serial_blocks(fn, shared, jobs)
    # numpy's array kernels and generators release the GIL: blocks of runs proceed on every local core at
    # once, at most `threads` + 1 blocks in memory.
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: deque[Future[dict[str, list[np.ndarray]]]] = deque()
        parts = []
        for s, r in jobs:
            pending.append(pool.submit(fn, shared, s, r))
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
