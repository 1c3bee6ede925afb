"""Validity-cap drills: the yearly renewal workload per team against its capacity, and the plan to automate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from cmmm.drill import engine
from cmmm.drill.capacity import _methods
from cmmm.drill.result import (
    PASS_PROBABILITY,
    PLAN_COLUMNS,
    TEAM_COLUMNS,
    Completion,
    DrillResult,
    Exposure,
    Verdict,
    judge,
)
from cmmm.drill.selection import Selection
from cmmm.model import AUTOMATED, Inventory, Profile
from cmmm.schedules import PUBLIC_TLS_VALIDITY_CAPS, renewals_per_year

WORKING_DAYS_PER_YEAR = 230
# Reliability of manual renewals (docs/drills.md, "Validity caps"): the chance that one manual renewal ends
# in an expired or broken certificate in production. A manual renewal is a production change made by hand
# from a reminder: calibrated so that an organization renewing a few hundred certificates a year by hand
# sees the few certificate outages a year that surveys report (Ponemon/Keyfactor 2020: 55 % of
# organizations had four or more in two years; Forrester TEI for Keyfactor: 18–22 incidents a year in a
# composite enterprise). profile.yaml can set it (renewal_error_rate: {manual: 0.01}). Automated renewals
# are not counted here: whether automation lets certificates expire is measured from the inventory.
MANUAL_RENEWAL_ERROR_RATE = 0.01
# The verdict: ready when fewer than one expiry incident is expected every two years and no team spends
# more than 80 % of its certificate-work capacity on renewals (the rest is for new certificates and
# incidents).
MAX_INCIDENTS_PER_YEAR = 0.5
MAX_UTILIZATION = 0.8
# A fresh domain validation by hand (DNS TXT record or HTTP token) when the renewal interval is longer than
# the cap's validation reuse period (10 days from 2029-03-15, BR §4.2.1); ACME clients validate themselves.
MANUAL_DCV_HOURS = 0.25


@dataclass(frozen=True, slots=True, kw_only=True)
class _Load:
    """Per renewed certificate: renewals a year, hands-on hours per renewal, automated, team, and whether
    it is in the cap's scope (public) or renews at its own validity (private)."""

    per_year: np.ndarray
    hands: np.ndarray
    automated: np.ndarray
    team: np.ndarray
    capped: np.ndarray


def _dcv_reuse_days(cap_days: float) -> float:
    """The domain-validation reuse period of the cap step with this validity (BR §4.2.1)."""
    steps = [c for c in PUBLIC_TLS_VALIDITY_CAPS if c.max_days <= cap_days]
    return float(min(steps, key=lambda c: c.max_days).dcv_reuse_days if steps else cap_days)


def _load(
    inv: Inventory,
    aff: pd.DataFrame,
    work: engine.Work,
    sel: Selection,
    cap: float,
    now: datetime,
    names: list[str],
) -> tuple[_Load, int]:
    """The yearly renewal load: the certificates in the cap's scope at the cap, and every other live private
    end-entity certificate at its own validity. Returns the load and how many private certificates had no
    validity to count."""
    hands, _, _ = engine.medians(work)
    interval = cap * sel.renew_at_fraction
    dcv = np.where(~work.automated & (interval > _dcv_reuse_days(cap)), MANUAL_DCV_HOURS, 0.0)
    facts = inv.certificate_facts()
    live_private = (
        (facts["not_after"] > pd.Timestamp(now)).fillna(False)
        & ~facts["is_ca"].fillna(False).astype(bool)
        & facts["trust"].eq("private").fillna(False)
        & ~facts["cert_id"].isin(aff["cert_id"])
    )
    other = facts.loc[live_private.to_numpy(dtype=bool), ["validity_days", "automation", "team", "owner"]]
    days = other["validity_days"].astype("float64")
    counted = other[days.notna().to_numpy()]
    auto_o = counted["automation"].isin([a.value for a in AUTOMATED]).fillna(False).to_numpy(dtype=bool)
    lower = {n.lower(): i for i, n in enumerate(names)}
    team_o = (
        counted["team"].str.lower().map(lower).fillna(0).astype(int).to_numpy()
        if len(names) > 1
        else np.zeros(len(counted), int)
    )
    hands_o = engine.hands_on_medians(
        auto_o, counted["owner"].notna().to_numpy() | counted["team"].notna().to_numpy()
    )
    # renewals_per_year for every certificate at once (the same arithmetic, element by element)
    per_year_o = 365.0 / np.maximum(
        counted["validity_days"].to_numpy(dtype=float) * sel.renew_at_fraction, 1.0
    )
    load = _Load(
        per_year=np.r_[np.full(len(aff), renewals_per_year(cap, sel.renew_at_fraction)), per_year_o],
        hands=np.r_[hands + dcv, hands_o],
        automated=np.r_[work.automated, auto_o],
        team=np.r_[work.team, team_o],
        capped=np.r_[np.ones(len(aff), bool), np.zeros(len(counted), bool)],
    )
    return load, int(days.isna().sum())


def _error_rate(profile: Profile) -> float:
    rate = profile.renewal_error_rate_manual
    return rate if rate is not None else MANUAL_RENEWAL_ERROR_RATE


# ---------------------------------------------------------------- validity caps: a yearly workload
def _renewal_workload(
    inv: Inventory,
    sel: Selection,
    aff: pd.DataFrame,
    work: engine.Work,
    names: list[str],
    base: dict[str, Any],
    now: datetime,
) -> DrillResult:
    n = len(aff)
    cap = float(sel.cap_days or 47)
    load, uncounted = _load(inv, aff, work, sel, cap, now, names)
    yearly = _yearly_hours(load, runs=base["runs"], seed=base["seed"], teams=len(names))
    capacity = work.engineers * work.hours_per_day * WORKING_DAYS_PER_YEAR
    ok_runs = (yearly <= MAX_UTILIZATION * capacity[None, :]).all(axis=1)
    rate = _error_rate(inv.profile)
    incidents = float((load.per_year * ~load.automated).sum() * rate)
    table = _renewals(load, names, np.median(yearly, axis=0), capacity)
    over = (table["utilization"] > MAX_UTILIZATION).to_numpy()
    in_over = over[work.team] & ~work.automated if n else np.zeros(0, bool)
    crit_svc = aff.loc[in_over & (aff["crit_rank"] >= 4).to_numpy(), "service"].dropna().nunique() if n else 0
    reasons = _renewal_reasons(table, work, sel, cap, incidents, rate, uncounted)
    verdict, why = _cap_verdict(sel, n, float(ok_runs.mean()), incidents, table)
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
    return DrillResult(
        **base,
        completion_hours=Completion(p50=None, p90=None),
        on_time_probability=round(float(ok_runs.mean()), 4),
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
        expected_incidents_per_year=round(incidents, 3),
    )


def _cap_verdict(
    sel: Selection, n: int, probability: float, incidents: float, table: pd.DataFrame
) -> tuple[Verdict, str]:
    """Ready means reliable: few expected expiry incidents and teams that keep up with room to spare."""
    verdict, why = judge(
        affected=n,
        probability=1.0,
        overdue=0,
        unknown=sel.unknown,
        cannot_tell=0,
        nothing_reason=sel.nothing_reason,
    )
    if verdict is not Verdict.PASS:
        return verdict, why
    worst = table.sort_values("utilization", ascending=False).iloc[0]
    measured = (
        f"{incidents:.2f} expiry incidents expected a year (ready below {MAX_INCIDENTS_PER_YEAR:g}); the busiest "
        f"team, {worst['team']}, spends {worst['utilization']:.0%} of its capacity on renewals "
        f"(ready up to {MAX_UTILIZATION:.0%}) in the median year, and stays within it in {probability:.0%} of runs"
    )
    if incidents >= MAX_INCIDENTS_PER_YEAR or probability < PASS_PROBABILITY:
        return Verdict.FAIL, measured
    if sel.cannot_tell:
        return Verdict.UNKNOWN, (
            f"{measured}; but {sel.cannot_tell:,} live certificates do not say whether they are in the cap's "
            "scope (their trust is unknown)"
        )
    return Verdict.PASS, measured


def _yearly_hours(load: _Load, *, runs: int, seed: int, teams: int) -> np.ndarray:
    """Hands-on renewal hours a year per team (runs × teams), each certificate's renewals drawn around
    their median, with a common-mode factor per team and run."""
    n = len(load.team)
    rng = np.random.default_rng(seed)
    yearly = np.zeros((runs, teams))
    batch = max(1, engine.CHUNK_CELLS // max(n, 1))
    done = 0
    while done < runs:
        r = min(batch, runs - done)
        z = np.exp(engine.HANDS_ON_SIGMA * rng.standard_normal((r, n), dtype=np.float32))
        team_z = np.exp(engine.TEAM_SIGMA * rng.standard_normal((r, max(teams, 1))))
        hrs = load.hands[None, :] * z * load.per_year[None, :] * team_z[:, load.team]
        for i in range(teams):
            yearly[done : done + r, i] = hrs[:, load.team == i].sum(axis=1)
        done += r
    return yearly


def _renewals(load: _Load, names: list[str], hands_on: np.ndarray, capacity: np.ndarray) -> pd.DataFrame:
    """The `renewals` finding: per team, certificates (in the cap's scope, and private ones at their own
    validity), renewals a year, median hands-on hours against capacity, and utilization."""
    t = len(names)
    manual = ~load.automated

    def per_team(weights: np.ndarray) -> np.ndarray:
        return np.bincount(load.team, weights=weights, minlength=t)

    table = pd.DataFrame(
        {
            "team": names,
            "certificates": per_team(load.capped.astype(float)).astype(int),
            "manual": per_team((manual & load.capped).astype(float)).astype(int),
            "private_renewed": per_team((~load.capped).astype(float)).astype(int),
            "renewals_per_year": per_team(load.per_year).round(1),
            "manual_renewals_per_year": per_team(load.per_year * manual).round(1),
            "hands_on_hours_per_year": hands_on.round(1),
            "capacity_hours_per_year": capacity.round(1),
        }
    )
    table["utilization"] = (table["hands_on_hours_per_year"] / table["capacity_hours_per_year"]).round(3)
    table["fits"] = table["utilization"] <= MAX_UTILIZATION
    return table


def _renewal_reasons(
    table: pd.DataFrame,
    work: engine.Work,
    sel: Selection,
    cap: float,
    incidents: float,
    rate: float,
    uncounted: int,
) -> list[str]:
    """What the cap means per certificate, the expected incidents, per team against its capacity, then
    what was not counted."""
    per_year = renewals_per_year(cap, sel.renew_at_fraction)
    reasons = [
        f"a {cap:.0f}-day cap means {per_year:.1f} renewals per certificate per year "
        f"(renewing at {sel.renew_at_fraction:.0%} of the lifetime); domain validation is reused for "
        f"{_dcv_reuse_days(cap):.0f} days",
        f"{table['manual_renewals_per_year'].sum():,.0f} manual renewals a year at a {rate:.1%} error rate each: "
        f"{incidents:.2f} expiry incidents expected a year",
    ]
    if len(work.team) == 0:
        reasons = ["no certificate of this inventory is in scope", *reasons]
    for row in table.itertuples():
        if row.certificates or row.private_renewed:
            reasons.append(
                f"team {row.team}: {row.manual_renewals_per_year:,.0f} manual renewals a year, "
                f"{row.hands_on_hours_per_year:,.0f} of {row.capacity_hours_per_year:,.0f} hours of capacity "
                f"({row.utilization:.0%})" + ("" if row.fits else " — over the 80 % a team can give renewals")
            )
    unknown = int((~work.owner_known).sum())
    if unknown:
        reasons.append(f"{unknown} certificates have no known owner: every renewal starts with a search")
    if uncounted:
        reasons.append(f"{uncounted} private certificates have no validity period and are not counted")
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
