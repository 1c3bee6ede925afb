"""Validity-cap drills: the yearly renewal workload per team against its capacity, and the plan to automate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from cmmm.drill import engine
from cmmm.drill.capacity import _methods
from cmmm.drill.result import (
    PLAN_COLUMNS,
    TEAM_COLUMNS,
    Completion,
    DrillResult,
    Exposure,
    judge,
)
from cmmm.drill.selection import Selection
from cmmm.schedules import renewals_per_year

WORKING_DAYS_PER_YEAR = 230


# ---------------------------------------------------------------- validity caps: a yearly workload
def _renewal_workload(
    sel: Selection,
    aff: pd.DataFrame,
    work: engine.Work,
    names: list[str],
    base: dict[str, Any],
    now: datetime,
) -> DrillResult:
    n = len(aff)
    cap = float(sel.cap_days or 47)
    per_year = renewals_per_year(cap, sel.renew_at_fraction)
    yearly = _yearly_hours(work, per_year, runs=base["runs"], seed=base["seed"], teams=len(names))
    capacity = work.engineers * work.hours_per_day * WORKING_DAYS_PER_YEAR
    prob = float((yearly <= capacity[None, :]).all(axis=1).mean())
    table = _renewals(work, names, per_year, np.median(yearly, axis=0), capacity)
    over = ~table["fits"].to_numpy()
    in_over = over[work.team] & ~work.automated if n else np.zeros(0, bool)
    crit_svc = aff.loc[in_over & (aff["crit_rank"] >= 4).to_numpy(), "service"].dropna().nunique() if n else 0
    reasons = _renewal_reasons(table, work, sel, cap, per_year)
    teams = pd.DataFrame(
        {
            "team": names,
            "engineers": work.engineers,
            "hours_per_day": work.hours_per_day,
            "certificates": table["certificates"],
            "manual": table["manual"],
            "unknown_owner": np.bincount(work.team, weights=~work.owner_known, minlength=len(names)).astype(
                int
            ),
            "hands_on_hours": table["hands_on_hours_per_year"],
            "clear_hours": np.nan,
        }
    )
    verdict, why = judge(
        affected=n,
        probability=prob,
        overdue=0,
        unknown=sel.unknown,
        cannot_tell=sel.cannot_tell,
        nothing_reason=sel.nothing_reason,
    )
    return DrillResult(
        **base,
        completion_hours=Completion(p50=None, p90=None),
        on_time_probability=round(prob, 4),
        verdict=verdict,
        verdict_reason=why,
        exposed_at_deadline=Exposure(
            certificates=float(in_over.sum()), critical_services=float(crit_svc), service_hours=0.0
        ),
        reasons=(*reasons, *sel.notes),
        burndown=pd.DataFrame(columns=["hours", "p10", "p50", "p90"], dtype=float),
        plan=_cap_plan(aff, work, names, sel, now),
        team_workload=teams[list(TEAM_COLUMNS)],
        findings={"renewals": table},
    )


def _yearly_hours(work: engine.Work, per_year: float, *, runs: int, seed: int, teams: int) -> np.ndarray:
    """Hands-on renewal hours a year per team (runs × teams), each renewal drawn around its median."""
    n = len(work.team)
    hands, _, _ = engine.medians(work)
    rng = np.random.default_rng(seed)
    yearly = np.zeros((runs, teams))
    batch = max(1, engine.CHUNK_CELLS // max(n, 1))
    done = 0
    while done < runs:
        r = min(batch, runs - done)
        z = np.exp(engine.HANDS_ON_SIGMA * rng.standard_normal((r, n), dtype=np.float32))
        hrs = hands[None, :] * z * per_year
        for i in range(teams):
            yearly[done : done + r, i] = hrs[:, work.team == i].sum(axis=1)
        done += r
    return yearly


def _renewals(
    work: engine.Work, names: list[str], per_year: float, hands_on: np.ndarray, capacity: np.ndarray
) -> pd.DataFrame:
    """The `renewals` finding: per team, renewals a year, median hands-on hours against capacity."""
    t = len(names)
    manual = ~work.automated
    table = pd.DataFrame(
        {
            "team": names,
            "certificates": np.bincount(work.team, minlength=t),
            "manual": np.bincount(work.team, weights=manual, minlength=t).astype(int),
            "renewals_per_year": (np.bincount(work.team, minlength=t) * per_year).round(1),
            "manual_renewals_per_year": (
                np.bincount(work.team, weights=manual, minlength=t) * per_year
            ).round(1),
            "hands_on_hours_per_year": hands_on.round(1),
            "capacity_hours_per_year": capacity.round(1),
        }
    )
    table["utilization"] = (table["hands_on_hours_per_year"] / table["capacity_hours_per_year"]).round(3)
    table["fits"] = table["hands_on_hours_per_year"] <= table["capacity_hours_per_year"]
    return table


def _renewal_reasons(
    table: pd.DataFrame, work: engine.Work, sel: Selection, cap: float, per_year: float
) -> list[str]:
    """What the cap means per certificate, then per team against its capacity, then unknown owners."""
    reasons = [
        f"a {cap:.0f}-day cap means {per_year:.1f} renewals per certificate per year "
        f"(renewing at {sel.renew_at_fraction:.0%} of the lifetime)",
    ]
    if len(work.team) == 0:
        reasons = ["no certificate of this inventory is in scope", *reasons]
    for row in table.itertuples():
        if row.certificates:
            reasons.append(
                f"team {row.team}: {row.manual_renewals_per_year:,.0f} manual renewals a year, "
                f"{row.hands_on_hours_per_year:,.0f} of {row.capacity_hours_per_year:,.0f} hours of capacity"
                + ("" if row.fits else " — over capacity")
            )
    unknown = int((~work.owner_known).sum())
    if unknown:
        reasons.append(f"{unknown} certificates have no known owner: every renewal starts with a search")
    return reasons


def _cap_plan(
    aff: pd.DataFrame, work: engine.Work, names: list[str], sel: Selection, now: datetime
) -> pd.DataFrame:
    """Before the cap applies: automate every manual certificate, most critical first."""
    n = len(aff)
    manual = ~work.automated
    order = np.lexsort((-aff["crit_rank"].to_numpy(), ~manual)) if n else np.zeros(0, int)
    a = aff.iloc[order]
    m = manual[order]
    deadline = pd.Timestamp(now) + pd.to_timedelta(work.deadline_h[order], unit="h")
    team_name = np.array(names, dtype=object)[work.team[order]] if n else np.array([], dtype=object)
    return pd.DataFrame(
        {
            "wave": np.where(m, 1, 2),
            "priority": np.arange(1, n + 1),
            "cert_id": a["cert_id"].to_numpy(),
            "common_name": a["common_name"].to_numpy(),
            "service": a["service"].to_numpy(),
            "criticality": a["criticality"].to_numpy(),
            "owner": a["owner"].to_numpy(),
            "team": a["team"].to_numpy(),
            "capacity_team": team_name,
            "action": np.where(m, "automate renewal before the cap applies", "keep automated renewal"),
            "method": _methods(a, work.automated[order]).to_numpy(),
            "replacement_ca": None,
            "planned_start": pd.NaT,
            "planned_finish": pd.NaT,
            "deadline": deadline.floor("s"),
            "on_time": pd.NA,
        },
        columns=list(PLAN_COLUMNS),
    )
