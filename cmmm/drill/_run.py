"""Run a scenario on an inventory: select, build the work, simulate, and explain the verdict."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cmmm.drill import engine, pqc
from cmmm.drill.capacity import SURGE_MAX_HOURS, _ca_ready, _frozen, _has_backup, _methods, capacity, issuance
from cmmm.drill.reasons import _Odds, _reasons
from cmmm.drill.result import (
    PLAN_COLUMNS,
    TEAM_COLUMNS,
    Completion,
    DrillResult,
    Exposure,
    judge,
)
from cmmm.drill.scenario import Kind, Scenario
from cmmm.drill.selection import Selection, select
from cmmm.drill.workload import _renewal_workload
from cmmm.model import AUTOMATED, CRITICALITY_RANK, Criticality, Inventory

DATED_KINDS = frozenset(
    {Kind.ALGORITHM_SUNSET, Kind.CA_DISTRUST, Kind.PQC_MIGRATION, Kind.ROOT_EXPIRY, Kind.VALIDITY_CAP}
)


BURNDOWN_POINTS = 50


# ---------------------------------------------------------------- the run
def run(inv: Inventory, scenario: Scenario, *, now: datetime, runs: int = 300, seed: int = 0) -> DrillResult:
    """Run one drill: which certificates, how long their replacement takes in `runs` seeded Monte Carlo
    runs, whether the deadline holds at p90, what is exposed, and the replacement plan."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    sel = select(inv, scenario, now)
    facts = inv.certificate_facts()
    aff = facts[sel.mask].copy()
    aff["deadline_h"] = sel.deadline_h
    aff["crit_rank"] = aff["criticality"].map(CRITICALITY_RANK).fillna(0).astype(int)
    aff = aff.sort_values(
        ["deadline_h", "crit_rank", "cert_id"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    profile = inv.profile
    deadline = scenario.deadline_hours
    if scenario.kind in DATED_KINDS and len(aff):
        deadline = round(float(aff["deadline_h"].max()), 2)  # the last dated step, not the fallback window
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
        return _renewal_workload(inv, sel, aff, work, names, base, now)
    return _replacement(inv, scenario, sel, aff, work, names, base, now, cap.surge_window_h)


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
) -> DrillResult:
    runs, seed = base["runs"], base["seed"]
    service, critical = _services(aff)
    o = engine.simulate(
        work, runs=runs, seed=seed, deadline_h=base["deadline_hours"], service=service, critical=critical
    )
    n = len(aff)
    p50, p90 = (float(np.percentile(o.completion_h, q)) for q in (50, 90)) if n else (0.0, 0.0)
    prob = float(o.on_time.mean())
    plan, team_load = _plan(aff, work, names, sel, now, base["deadline_hours"])
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
        plan=plan,
        team_workload=team_load,
        findings=findings,
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
    hours = np.linspace(0.0, max(horizon, 1.0) * 1.05, BURNDOWN_POINTS)
    if n == 0:
        zero = np.zeros(BURNDOWN_POINTS)
        return pd.DataFrame({"hours": hours, "p10": zero, "p50": zero, "p90": zero})
    # done_by[:, j] counts the certificates finished by edges[j]; beyond the grid nothing more is done
    col = np.minimum(np.searchsorted(o.edges, hours, side="right") - 1, len(o.edges) - 1)
    remaining: np.ndarray = n - o.done_by[:, col]
    q = np.percentile(remaining, [10, 50, 90], axis=0)
    return pd.DataFrame(
        {"hours": hours.round(2), "p10": q[0].round(1), "p50": q[1].round(1), "p90": q[2].round(1)}
    )


def _plan(
    aff: pd.DataFrame,
    work: engine.Work,
    names: list[str],
    sel: Selection,
    now: datetime,
    deadline_hours: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan follows the median run: every duration at its median."""
    n = len(aff)
    hands, post, wait = engine.medians(work)
    ready = np.minimum(work.ca_ready_h, work.ca_back_h) if work.ca_back_h is not None else work.ca_ready_h
    finish = (
        engine.finish_hours(work, hands[None, :], post[None, :], wait[None, :], ready[None, :])[0]
        if n
        else np.zeros(0)
    )
    start = np.maximum(finish - wait - hands, 0.0)
    crit = aff["crit_rank"].to_numpy()
    urgent = work.deadline_h <= deadline_hours + 1e-9
    wave = np.where(urgent & (crit >= CRITICALITY_RANK[Criticality.HIGH]), 1, np.where(urgent, 2, 3))
    t0 = pd.Timestamp(now)
    team_name = np.array(names, dtype=object)[work.team] if n else np.array([], dtype=object)
    plan = pd.DataFrame(
        {
            "wave": wave.astype(int),
            "priority": np.arange(1, n + 1),
            "cert_id": aff["cert_id"].to_numpy(),
            "common_name": aff["common_name"].to_numpy(),
            "service": aff["service"].to_numpy(),
            "criticality": aff["criticality"].to_numpy(),
            "owner": aff["owner"].to_numpy(),
            "team": aff["team"].to_numpy(),
            "capacity_team": team_name,
            "action": sel.action,
            "method": _methods(aff, work.automated).to_numpy(),
            "replacement_ca": aff["replacement_ca"].to_numpy(),
            "planned_start": t0 + pd.to_timedelta(start, unit="h"),
            "planned_finish": t0 + pd.to_timedelta(finish, unit="h"),
            "deadline": t0 + pd.to_timedelta(work.deadline_h, unit="h"),
            "on_time": finish <= work.deadline_h + 1e-9,
        },
        columns=list(PLAN_COLUMNS),
    )
    for col in ("planned_start", "planned_finish", "deadline"):
        plan[col] = plan[col].dt.floor("s")
    return plan, _team_load(work, names, team_name, hands, finish)


def _team_load(
    work: engine.Work, names: list[str], team_name: np.ndarray, hands: np.ndarray, finish: np.ndarray
) -> pd.DataFrame:
    """Per capacity team (TEAM_COLUMNS): its certificates, hands-on hours and when it is done."""
    load = pd.DataFrame(
        {
            "team": team_name,
            "manual": ~work.automated,
            "unknown_owner": ~work.owner_known,
            "hands": hands,
            "finish": finish,
        }
    )
    g = load.groupby("team", sort=False)
    teams = pd.DataFrame(
        {
            "team": names,
            "engineers": work.engineers,
            "hours_per_day": work.hours_per_day,
        }
    )
    teams["certificates"] = teams["team"].map(g.size()).fillna(0).astype(int)
    teams["manual"] = teams["team"].map(g["manual"].sum()).fillna(0).astype(int)
    teams["unknown_owner"] = teams["team"].map(g["unknown_owner"].sum()).fillna(0).astype(int)
    teams["hands_on_hours"] = teams["team"].map(g["hands"].sum()).fillna(0.0).round(1)
    teams["clear_hours"] = teams["team"].map(g["finish"].max()).fillna(0.0).round(1)
    return teams[list(TEAM_COLUMNS)]
