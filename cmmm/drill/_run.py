"""Run a scenario on an inventory: select, build the work, simulate, and explain the verdict."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cmmm.drill import engine, pqc, priority
from cmmm.drill.capacity import SURGE_MAX_HOURS, _ca_ready, _frozen, _has_backup, capacity, issuance
from cmmm.drill.plan import build_plan, with_deployments
from cmmm.drill.reasons import _Odds, _reasons
from cmmm.drill.result import (
    Completion,
    DrillResult,
    Exposure,
    judge,
)
from cmmm.drill.scenario import Kind, Scenario
from cmmm.drill.selection import Selection, select
from cmmm.drill.workload import _renewal_workload
from cmmm.model import AUTOMATED, CRITICALITY_RANK, Criticality, Inventory, remap

DATED_KINDS = frozenset(
    {Kind.ALGORITHM_SUNSET, Kind.CA_DISTRUST, Kind.PQC_MIGRATION, Kind.ROOT_EXPIRY, Kind.VALIDITY_CAP}
)


BURNDOWN_POINTS = 50
MILESTONE_FRACTIONS = (0.0, 0.125, 0.25, 0.5, 0.75, 1.0)  # of the deadline (DrillResult.milestones)


# ---------------------------------------------------------------- the run
def run(
    inv: Inventory,
    scenario: Scenario,
    *,
    now: datetime,
    runs: int = 300,
    seed: int = 0,
    blocks: engine.BlockMap | None = None,
    detail: bool = True,
) -> DrillResult:
    """Run one drill: which certificates, how long their replacement takes in `runs` seeded Monte Carlo
    runs, whether the deadline holds at p90, what is exposed, and the replacement plan. `blocks`: where
    the Monte Carlo's run blocks go (a Dask cluster, see cmmm.distributed); in this process by default.
    Without `detail` the plan's certificate rows, steps, fallbacks and deployment places are not built
    (the maturity assessment reads the verdict, its numbers and reasons only); everything else is the same."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    sel = select(inv, scenario, now)
    facts = inv.certificate_facts()
    aff = facts[sel.mask].copy()
    aff["deadline_h"] = sel.deadline_h
    aff["crit_rank"] = remap(aff["criticality"], CRITICALITY_RANK).fillna(0).astype(int)
    profile = inv.profile
    deadline = scenario.deadline_hours
    if scenario.kind in DATED_KINDS and len(aff):
        deadline = round(float(aff["deadline_h"].max()), 2)  # the last dated step, not the fallback window
    aff = priority.order(inv, aff, deadline)  # due first, transitive criticality, environment, deadline
    workload = scenario.kind is Kind.VALIDITY_CAP
    cap = capacity(profile, surge_window_h=0.0 if workload else min(deadline, SURGE_MAX_HOURS))
    lower = [n.lower() for n in cap.names]
    team_idx = (
        np.zeros(len(aff), dtype=int)
        if cap.shared
        else aff["team"].str.lower().map({n: i for i, n in enumerate(lower)}).fillna(0).astype(int).to_numpy()
    )
    automated = aff["automation"].isin([a.value for a in AUTOMATED]).fillna(False).to_numpy(dtype=bool)
    owner_known = (aff["owner"].notna() | aff["team"].notna()).to_numpy(dtype=bool)
    frozen = _frozen(profile, aff["criticality"], now, now + timedelta(hours=deadline))
    ca_info, ready, ca_names, per_trust = _ca_ready(profile, sel, aff, inv)
    aff["replacement_ca"] = ca_names
    iss = issuance(profile, aff, ca_names, per_trust)
    work = engine.Work(
        team=team_idx,
        automated=automated,
        owner_known=owner_known,
        frozen=frozen,
        deadline_h=aff["deadline_h"].to_numpy(dtype=float),
        ca_ready_h=ready,
        ca_back_h=sel.ca_back_h,
        needs_issuance=sel.needs_issuance,
        engineers=cap.engineers,
        hours_per_day=cap.hours_per_day,
        surge_hours_per_day=cap.surge_hours_per_day,
        surge_window_h=cap.surge_window_h,
        rate_group=iss.rate_group,
        group_rate=iss.group_rate,
        ca_group=iss.ca_group,
        change_group=iss.change_group,
    )
    names = cap.names
    base = {
        "scenario": scenario.name,
        "kind": scenario.kind,
        "title": scenario.title,
        "description": scenario.description,
        "replays": scenario.replays,
        "now": now,
        "runs": runs,
        "seed": seed,
        "deadline_hours": deadline,
        "affected_certificates": len(aff),
        "replacement_ca": ca_info,
    }
    if scenario.kind is Kind.VALIDITY_CAP:
        workload_result = _renewal_workload(inv, sel, aff, work, names, base, now)
        return with_deployments(inv, workload_result) if detail else workload_result
    return _replacement(inv, scenario, sel, aff, work, names, base, now, cap.surge_window_h, blocks, detail)


def _replacement(
    inv: Inventory,
    scenario: Scenario,
    sel: Selection,
    aff: pd.DataFrame,
    work: engine.Work,
    names: list[str],
    base: dict[str, Any],
    now: datetime,
    surge_window_h: float,
    blocks: engine.BlockMap | None = None,
    detail: bool = True,
) -> DrillResult:
    runs, seed = base["runs"], base["seed"]
    service, critical = _services(aff)
    o = engine.simulate(
        work,
        runs=runs,
        seed=seed,
        deadline_h=base["deadline_hours"],
        service=service,
        critical=critical,
        reach=priority.reach(inv, aff, service, critical),  # exposure follows depends_on
        blocks=blocks,
    )
    n = len(aff)
    p50, p90 = (float(np.percentile(o.completion_h, q)) for q in (50, 90)) if n else (0.0, 0.0)
    prob = float(o.on_time.mean())
    plan = build_plan(
        inv, scenario, sel, aff, work, names, now=now, deadline_hours=base["deadline_hours"], detail=detail
    )
    team_load = plan.team_load
    findings: dict[str, pd.DataFrame] = dict(sel.findings)
    odds = _Odds(
        deadline_hours=base["deadline_hours"], p90=p90, probability=prob, surge_window_h=surge_window_h
    )
    reasons = _reasons(odds, sel, work, team_load, base["replacement_ca"], findings, _has_backup(inv.profile))
    verdict, why = judge(
        affected=n,
        probability=prob,
        overdue=sel.overdue_count,
        unknown=sel.unknown,
        cannot_tell=sel.cannot_tell,
        nothing_reason=sel.nothing_reason,
    )
    if scenario.kind is Kind.PQC_MIGRATION:  # three tracks; the simulation above is track (b)
        verdict, why, findings["tracks"] = pqc.settle(findings["tracks"], verdict, why)
        reasons = (*pqc.track_lines(findings["tracks"]), *reasons)
    return DrillResult(
        **base,
        completion_hours=Completion(p50=round(p50, 2), p90=round(p90, 2)),
        on_time_probability=round(prob, 4),
        verdict=verdict,
        verdict_reason=why,
        overdue_certificates=sel.overdue_count,
        exposed_at_deadline=Exposure(
            certificates=float(np.median(o.exposed_certs)),
            critical_services=float(np.median(o.exposed_critical_services)),
            service_hours=round(float(np.median(o.exposed_service_hours)), 1),
        ),
        reasons=reasons,
        burndown=_burndown(o, n, max(p90, base["deadline_hours"])),
        milestones=_milestones(o, n, base["deadline_hours"], p50, p90),
        plan=plan.certificates,
        team_workload=team_load,
        findings=findings,
        steps=plan.steps,
        fallbacks=plan.fallbacks,
        revocation=plan.revocation,
    )


def _services(aff: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """A service group per certificate (its service, else its name) and whether it serves a critical one."""
    svc_key = (
        aff["service"]
        .astype("string")
        .fillna("cn:" + aff["common_name"].astype("string").fillna(aff["cert_id"]))
    )
    service = pd.factorize(svc_key)[0].astype(np.int64)
    critical = (aff["crit_rank"] >= CRITICALITY_RANK[Criticality.CRITICAL]).to_numpy(dtype=bool) & aff[
        "service"
    ].notna().to_numpy(dtype=bool)
    return service, critical


def _burndown(o: engine.Outcome, n: int, horizon: float) -> pd.DataFrame:
    return _remaining(o, n, np.linspace(0.0, max(horizon, 1.0) * 1.05, BURNDOWN_POINTS))


def _milestones(o: engine.Outcome, n: int, deadline_h: float, p50: float, p90: float) -> pd.DataFrame:
    """Certificates still to replace at the incident's clock points: fractions of the deadline, the deadline,
    and the p50 and p90 completion (the times a tabletop exercise puts its injects at)."""
    hours = sorted({round(deadline_h * f, 2) for f in MILESTONE_FRACTIONS} | {round(p50, 2), round(p90, 2)})
    return _remaining(o, n, np.array(hours, dtype=float))


def _remaining(o: engine.Outcome, n: int, hours: np.ndarray) -> pd.DataFrame:
    """Affected certificates not yet replaced at each of `hours`, at p10/p50/p90 over runs."""
    if n == 0:
        zero = np.zeros(len(hours))
        return pd.DataFrame({"hours": hours, "p10": zero, "p50": zero, "p90": zero})
    # done_by[:, j] counts the certificates finished by edges[j]; beyond the grid nothing more is done
    col = np.minimum(np.searchsorted(o.edges, hours, side="right") - 1, len(o.edges) - 1)
    remaining: np.ndarray = n - o.done_by[:, col]
    q = np.percentile(remaining, [10, 50, 90], axis=0)
    return pd.DataFrame(
        {"hours": hours.round(2), "p10": q[0].round(1), "p50": q[1].round(1), "p90": q[2].round(1)}
    )
