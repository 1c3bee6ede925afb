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
class Outcome:
    """Per-run statistics (arrays of length runs) and the burn-down samples."""

    completion_h: np.ndarray
    on_time: np.ndarray
    exposed_certs: np.ndarray
    exposed_critical_services: np.ndarray
    exposed_service_hours: np.ndarray
    sorted_finish: np.ndarray  # runs × K: order statistics of finish hours at ranks `ranks`
    ranks: np.ndarray


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


def finish_hours(
    w: Work, hands: np.ndarray, post: np.ndarray, wait: np.ndarray, ready: np.ndarray
) -> np.ndarray:
    """Finish hour of every job (runs × N) for given hands-on, post-issuance and wait hours."""
    n = hands.shape[1]
    if n == 0:
        return np.zeros_like(hands)
    perm = np.argsort(w.team, kind="stable")  # team blocks, priority order inside each
    inv_perm = np.empty_like(perm)
    inv_perm[perm] = np.arange(n)
    team = w.team[perm]
    starts = np.flatnonzero(np.r_[True, team[1:] != team[:-1]])
    eng = w.engineers[team]
    per_day = w.hours_per_day[team]

    def queue(x: np.ndarray) -> np.ndarray:
        xs = x[:, perm]
        c = np.cumsum(xs, axis=1)
        offs = np.where(starts > 0, c[:, np.maximum(starts - 1, 0)], 0.0)
        seg: np.ndarray = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
        base: np.ndarray = offs[:, seg]
        before = c - base - xs
        return before / eng + xs

    done_all = queue(hands)
    ready_p = ready[:, perm]
    done_post = _work_hours_by(ready_p, per_day) + queue(post)
    work = np.maximum(done_all, done_post)
    finish = _calendar(work, per_day)[:, inv_perm] + wait
    if w.rate_per_hour and w.needs_issuance:
        rank = np.cumsum(w.automated)
        limited = ready + rank / w.rate_per_hour + wait
        finish = np.where(w.automated, np.maximum(finish, limited), finish)
    return finish


def simulate(
    w: Work,
    *,
    runs: int,
    seed: int,
    deadline_h: float,
    service: np.ndarray,
    critical: np.ndarray,
    burndown_points: int = 200,
) -> Outcome:
    """Run the Monte Carlo in batches of runs; `service` is an int group per certificate (-1: none),
    `critical` marks certificates of critical services. Statistics per run are returned."""
    n = len(w.team)
    rng = np.random.default_rng(seed)
    hands_med, post_med, wait_med = medians(w)
    due = w.deadline_h <= deadline_h + 1e-9
    order = np.argsort(service, kind="stable")
    svc_sorted = service[order]
    svc_starts = np.flatnonzero(np.r_[True, svc_sorted[1:] != svc_sorted[:-1]]) if n else np.array([], int)
    svc_crit = np.maximum.reduceat(critical[order], svc_starts) if n else np.array([], bool)
    k = min(burndown_points, n)
    ranks = np.unique(np.linspace(0, n - 1, k).round().astype(int)) if n else np.array([], int)
    out: dict[str, list[np.ndarray]] = {
        k_: [] for k_ in ("completion", "on_time", "certs", "crit", "svc_h", "sorted")
    }
    batch = max(1, CHUNK_CELLS // max(n, 1))
    done = 0
    while done < runs:
        r = min(batch, runs - done)
        z_hands = np.exp(HANDS_ON_SIGMA * rng.standard_normal((r, n), dtype=np.float32))
        z_wait = np.exp(WAIT_SIGMA * rng.standard_normal((r, n), dtype=np.float32))
        z_ca = np.exp(ONBOARDING_SIGMA * rng.standard_normal((r, 1)))
        ready = w.ca_ready_h[None, :] * z_ca
        if w.ca_back_h is not None:
            ready = np.minimum(ready, w.ca_back_h)
        finish = finish_hours(w, hands_med * z_hands, post_med * z_hands, wait_med * z_wait, ready)
        _collect(out, finish, w.deadline_h, due, deadline_h, order, svc_starts, svc_crit, ranks)
        done += r
    cat = {k_: np.concatenate(v) for k_, v in out.items()}
    return Outcome(
        completion_h=cat["completion"],
        on_time=cat["on_time"],
        exposed_certs=cat["certs"],
        exposed_critical_services=cat["crit"],
        exposed_service_hours=cat["svc_h"],
        sorted_finish=cat["sorted"],
        ranks=ranks,
    )


def _collect(
    out: dict[str, list[np.ndarray]],
    finish: np.ndarray,
    deadlines: np.ndarray,
    due: np.ndarray,
    deadline_h: float,
    order: np.ndarray,
    svc_starts: np.ndarray,
    svc_crit: np.ndarray,
    ranks: np.ndarray,
) -> None:
    r, n = finish.shape
    if n == 0:
        zeros = np.zeros(r)
        for key in ("completion", "certs", "crit", "svc_h"):
            out[key].append(zeros)
        out["on_time"].append(np.ones(r, dtype=bool))
        out["sorted"].append(np.zeros((r, 0)))
        return
    out["completion"].append(finish.max(axis=1))
    out["on_time"].append((finish <= deadlines[None, :] + 1e-9).all(axis=1))
    exposed = (finish > deadline_h) & due[None, :]
    out["certs"].append(exposed.sum(axis=1).astype(float))
    by_svc = np.maximum.reduceat(exposed[:, order], svc_starts, axis=1)
    out["crit"].append((by_svc & svc_crit[None, :]).sum(axis=1).astype(float))
    late = np.clip(finish - np.maximum(deadlines, 0.0)[None, :], 0.0, None)
    out["svc_h"].append(np.maximum.reduceat(late[:, order], svc_starts, axis=1).sum(axis=1))
    out["sorted"].append(np.sort(finish, axis=1)[:, ranks])
