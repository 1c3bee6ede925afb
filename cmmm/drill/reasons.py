"""A drill's reasons in plain language: deadlines, people, the replacement CA, capacity and findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmmm.drill import engine
from cmmm.drill.result import ReplacementCa
from cmmm.drill.selection import Selection


@dataclass(frozen=True, slots=True, kw_only=True)
class _Odds:
    """What the simulation says about the deadline: p90 completion hours and the share of runs on time."""

    deadline_hours: float
    p90: float
    probability: float
    surge_window_h: float  # hours of incident staffing from the start (0: none)


def _reasons(
    odds: _Odds,
    sel: Selection,
    work: engine.Work,
    teams: pd.DataFrame,
    ca: ReplacementCa | None,
    findings: Mapping[str, pd.DataFrame],
    has_backup: bool,
) -> tuple[str, ...]:
    """Why the drill passes or fails, most decisive first, then the selection's notes."""
    if len(work.team) == 0:
        return ("no certificate of this inventory is affected", *sel.notes)
    ca_reason = [_ca_reason(ca, sel, has_backup), *_rejected_cas(ca)] if ca is not None else []
    return (
        *_deadline_reasons(odds, work),
        *_people_reasons(work),
        *ca_reason,
        *_capacity_reasons(teams, work, sel, odds.surge_window_h),
        *_finding_reasons(findings),
        *sel.notes,
    )


def _deadline_reasons(odds: _Odds, work: engine.Work) -> list[str]:
    """p90 completion against the deadline (or the range of per-certificate deadlines), and those due now."""
    p90, prob, deadline_hours = odds.p90, odds.probability, odds.deadline_hours
    own = np.asarray(work.deadline_h, dtype=float)
    earliest = float(own.min()) if len(own) else deadline_hours
    if not (len(own) and earliest < float(own.max()) - 0.01):
        return [
            f"p90 completion {p90:,.1f} h against a {deadline_hours:,.0f} h deadline: "
            f"on time in {prob:.0%} of runs"
        ]
    out = [  # certificates with their own deadlines
        f"p90 completion {p90:,.1f} h against deadlines of {earliest:,.0f} h to {deadline_hours:,.0f} h "
        f"(each certificate its own): on time in {prob:.0%} of runs"
    ]
    due = int((own <= 0).sum())
    if due:
        out.append(
            f"{due} certificate{' was' if due == 1 else 's were'} due already (deadline now): no run "
            "can be on time until they are replaced or their deadline is revisited"
        )
    return out


def _people_reasons(work: engine.Work) -> list[str]:
    """How many certificates are deployed by hand, and how many have no known owner."""
    n = len(work.team)
    manual = int((~work.automated).sum())
    if manual:
        out = [f"{manual} of {n} certificates are deployed manually"]
    else:
        out = [f"all {n} certificates are renewed and deployed by automation"]
    unknown = int((~work.owner_known).sum())
    if unknown:
        out.append(f"{unknown} certificates have no known owner: triage is slower")
    return out


def _ca_reason(ca: ReplacementCa, sel: Selection, has_backup: bool) -> str:
    """Where replacements come from, and the onboarding delay when the CA is not approved yet."""
    if ca.pre_approved and not has_backup:
        return (
            f"replacements come from {ca.name}, a CA already approved for issuance that the scenario does "
            "not affect (no onboarding delay); no backup CA is pre-approved"
        )
    if ca.pre_approved and ca.backup:
        return f"replacements come from the pre-approved backup CA {ca.name}: no onboarding delay"
    if ca.pre_approved:
        return (
            f"replacements come from {ca.name}, a CA already approved for issuance that the scenario does "
            "not affect (no onboarding delay); the pre-approved backup CA is affected or does not fit "
            "these certificates"
        )
    what = (
        "no pre-approved post-quantum CA"
        if sel.needs_pqc_ca
        else "no pre-approved CA that this scenario leaves usable"
        if has_backup
        else "no pre-approved backup CA and no approved CA that this scenario leaves usable"
    )
    extra = f" ({ca.name} must be onboarded)" if ca.name else ""
    return f"{what}: {ca.ready_hours / 24:.0f} days of onboarding before the first reissue{extra}"


def _rejected_cas(ca: ReplacementCa) -> list[str]:
    """Why the other CAs of profile.yaml could not issue the replacements (at most three, then a count)."""
    if not ca.rejected:
        return []
    shown = "; ".join(ca.rejected[:3])
    more = f"; and {len(ca.rejected) - 3} more" if len(ca.rejected) > 3 else ""
    return [f"not usable: {shown}{more}"]


def _capacity_reasons(teams: pd.DataFrame, work: engine.Work, sel: Selection, surge_h: float) -> list[str]:
    """The busiest team, the issuance ceilings and change freezes: what holds the work back."""
    out: list[str] = []
    busiest = teams.sort_values("clear_hours", ascending=False).iloc[0]
    if busiest["certificates"]:
        out.append(
            f"team {busiest['team']} needs {busiest['hands_on_hours']:,.1f} engineer-hours for "
            f"{busiest['certificates']} certificates: done after {busiest['clear_hours']:,.1f} h at "
            f"{busiest['engineers']:.0f} × {busiest['hours_per_day']:.0f} h/day"
            + (f" on normal days, incident hours for the first {surge_h:,.0f} h" if surge_h else "")
        )
    out += _ceiling_reasons(work, sel)
    frozen = int(work.frozen.sum())
    if frozen:
        out.append(f"{frozen} certificates fall in a change freeze: emergency change approval adds hours")
    return out


def _ceiling_reasons(work: engine.Work, sel: Selection) -> list[str]:
    """Issuance ceilings that stretch the work over at least an hour (per CA)."""
    if work.rate_group is None or work.group_rate is None or not sel.needs_issuance:
        return []
    out = []
    for g, per_hour in enumerate(work.group_rate):
        k = int((work.rate_group == g).sum())
        if np.isfinite(per_hour) and per_hour > 0 and k / per_hour >= 1:
            out.append(
                f"an issuance ceiling of {per_hour:,.0f}/h spreads {k:,} issuances over at least {k / per_hour:,.1f} h"
            )
    return out


def _finding_reasons(findings: Mapping[str, pd.DataFrame]) -> list[str]:
    """What the kind-specific findings add: services exposed under Mosca's inequality, oversized handshakes."""
    out: list[str] = []
    mosca = findings.get("mosca")
    if mosca is not None and len(mosca) and mosca["exposed"].any():
        out.append(
            f"{int(mosca['exposed'].sum())} services are exposed under Mosca's inequality "
            "(secrecy + migration years exceed the years until a quantum computer)"
        )
    hs = findings.get("handshake")
    if hs is not None and len(hs) and hs["over_budget"].any():
        out.append(
            f"{int(hs.loc[hs['over_budget'], 'certificates'].sum())} certificates sit on chains whose "
            f"post-quantum handshake exceeds the {int(hs['budget_bytes'].iloc[0]):,}-byte budget"
        )
    if hs is not None and len(hs) and "clients" in hs:
        refused = hs[hs["clients"].fillna("").str.contains("refused by", regex=False)]
        if len(refused):
            out.append(
                f"the PQC lab saw clients refuse the re-keyed chains of {len(refused)} issuing CAs "
                f"({int(refused['certificates'].sum())} certificates): their clients need an upgrade — "
                f"{refused['clients'].iloc[0]}"
            )
    return out
