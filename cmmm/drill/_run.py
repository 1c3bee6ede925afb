"""Run a scenario on an inventory: select, build the work, simulate, and explain the verdict."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from cmmm.crypto import (
    HANDSHAKE_PUBLIC_KEYS,
    HANDSHAKE_SIGNATURES,
    INITIAL_WINDOW_BYTES,
    PUBLIC_CA_MARKERS,
    SIZES,
    PqcSize,
)
from cmmm.drill import engine
from cmmm.drill.scenario import Kind, Scenario
from cmmm.drill.selection import Selection, select
from cmmm.graph.hierarchy import hierarchy
from cmmm.model import AUTOMATED, CRITICALITY_RANK, Criticality, Inventory, Profile, Team
from cmmm.schedules import RealEvent, renewals_per_year

DATED_KINDS = frozenset({Kind.ALGORITHM_SUNSET, Kind.PQC_MIGRATION, Kind.ROOT_EXPIRY, Kind.VALIDITY_CAP})
PASS_PROBABILITY = 0.9  # "met at p90": the deadline holds in at least 90 % of runs
INCIDENT_DEADLINE_HOURS = 72  # drills this short run in incident mode (longer days, see docs/drills.md)
INCIDENT_FACTOR = 2.0
INCIDENT_MAX_HOURS = 16.0
DEFAULT_TEAM = Team(name="(unassigned)", engineers=1.0, hours_per_day=4.0)
DEFAULT_ONBOARDING_DAYS = 30
WORKING_DAYS_PER_YEAR = 230
BURNDOWN_POINTS = 50
_PUBLIC_CA_TYPES = {"acme", "public", "cloud"}
_PRIVATE_CA_TYPES = {"private", "cloud"}


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"


@dataclass(frozen=True, slots=True, kw_only=True)
class Completion:
    """Hours from the drill start until every affected certificate is replaced (None: not a replacement)."""

    p50: float | None
    p90: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """Still exposed at the scenario deadline, median over runs."""

    certificates: float
    critical_services: float
    service_hours: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplacementCa:
    """Where replacements come from: a CA name (None: none configured), pre-approved or not, and the
    median hours before it can issue (onboarding)."""

    name: str | None
    pre_approved: bool
    backup: bool
    ready_hours: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DrillResult:
    """A finished drill. Frames: `burndown` (hours, p10, p50, p90: affected certificates not yet
    replaced), `plan` (PLAN_COLUMNS), `team_workload` (TEAM_COLUMNS); `findings` holds kind-specific
    tables (renewals, mosca, handshake)."""

    scenario: str
    kind: Kind
    title: str
    description: str
    replays: RealEvent | None
    now: datetime
    runs: int
    seed: int
    deadline_hours: float
    affected_certificates: int
    completion_hours: Completion
    on_time_probability: float
    verdict: Verdict
    exposed_at_deadline: Exposure
    reasons: tuple[str, ...]
    replacement_ca: ReplacementCa | None
    burndown: pd.DataFrame
    plan: pd.DataFrame
    team_workload: pd.DataFrame
    findings: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def deadline(self) -> datetime:
        return self.now + timedelta(hours=self.deadline_hours)


PLAN_COLUMNS = (
    "wave",
    "priority",
    "cert_id",
    "common_name",
    "service",
    "criticality",
    "owner",
    "team",
    "capacity_team",
    "action",
    "method",
    "replacement_ca",
    "planned_start",
    "planned_finish",
    "deadline",
    "on_time",
)
TEAM_COLUMNS = (
    "team",
    "engineers",
    "hours_per_day",
    "certificates",
    "manual",
    "unknown_owner",
    "hands_on_hours",
    "clear_hours",
)


# ---------------------------------------------------------------- organization capacity
def _teams(profile: Profile, incident: bool) -> tuple[list[str], np.ndarray, np.ndarray]:
    teams = profile.teams or (DEFAULT_TEAM,)
    names = [t.name for t in teams]
    eng = np.array([max(t.engineers or 1.0, 1.0) for t in teams])
    hours = np.array([min(max(t.hours_per_day or 4.0, 0.25), 24.0) for t in teams])
    if incident:
        hours = np.array(
            [
                t.incident_hours_per_day
                if t.incident_hours_per_day is not None
                else min(max(h * INCIDENT_FACTOR, h), INCIDENT_MAX_HOURS)
                for t, h in zip(teams, hours, strict=True)
            ]
        )
    return names, eng, hours


def replacement_ca(
    profile: Profile, *, trust: str | None, exclude: tuple[str, ...], pqc: bool
) -> ReplacementCa:
    """The CA that replacements come from: a pre-approved backup or an approved CA that is not the CA in
    trouble and fits the certificates (public/private, post-quantum when asked); otherwise the first
    fitting CA (or an unnamed new one) after `ca_onboarding_days`. Designated backups come first, then
    CAs of the matching type (private for private certificates, ACME/public for public ones), then cloud."""
    onboarding_days = (
        profile.ca_onboarding_days if profile.ca_onboarding_days is not None else DEFAULT_ONBOARDING_DAYS
    )
    lowered = [e.lower() for e in exclude if e]
    allowed = _PUBLIC_CA_TYPES if trust == "public" else _PRIVATE_CA_TYPES if trust == "private" else None
    exact = {"public": {"acme", "public"}, "private": {"private"}}.get(trust or "", set())
    ranked: list[tuple[tuple[int, int, int, int], ReplacementCa]] = []
    for backup, group in ((True, profile.backup_cas), (False, profile.approved_cas)):
        for pos, ca in enumerate(group):
            name = ca.name
            low = name.lower()
            if any(low in e or e in low for e in lowered):
                continue
            kind = ca.type or ""
            if kind and allowed is not None and kind not in allowed:
                continue
            if pqc and not ca.pqc:
                continue
            ready = not backup or ca.pre_approved
            ranked.append(
                (
                    (0 if ready else 1, 0 if backup else 1, 0 if kind in exact else 1, pos),
                    ReplacementCa(
                        name=name,
                        pre_approved=ready,
                        backup=backup,
                        ready_hours=0.0 if ready else float(onboarding_days) * 24,
                    ),
                )
            )
    if ranked:
        return min(ranked, key=lambda r: r[0])[1]
    return ReplacementCa(name=None, pre_approved=False, backup=False, ready_hours=float(onboarding_days) * 24)


def _has_backup(profile: Profile) -> bool:
    return bool(profile.pre_approved_backups)


def _frozen(profile: Profile, crit: pd.Series, now: datetime, end: datetime) -> np.ndarray:
    out: np.ndarray = np.zeros(len(crit), dtype=bool)
    for w in profile.change_freeze:
        start = datetime.combine(w.start, time(), tzinfo=UTC)
        stop = datetime.combine(w.end, time(), tzinfo=UTC) + timedelta(days=1)
        if start < end and stop > now:
            out |= crit.isin(list(w.applies_to)).fillna(False).to_numpy(dtype=bool)
    return out


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
    incident = deadline <= INCIDENT_DEADLINE_HOURS and scenario.kind is not Kind.VALIDITY_CAP
    names, eng, hours = _teams(profile, incident)
    lower = [n.lower() for n in names]
    team_idx = (
        aff["team"].str.lower().map({n: i for i, n in enumerate(lower)}).fillna(0).astype(int).to_numpy()
    )
    automated = aff["automation"].isin([a.value for a in AUTOMATED]).fillna(False).to_numpy(dtype=bool)
    owner_known = (aff["owner"].notna() | aff["team"].notna()).to_numpy(dtype=bool)
    deadline_end = now + timedelta(hours=deadline)
    frozen = _frozen(profile, aff["criticality"], now, deadline_end)
    ca_info, ready, ca_names = _ca_ready(profile, sel, aff)
    aff["replacement_ca"] = ca_names
    rate = profile.acme_rate_limit_per_hour
    work = engine.Work(
        team=team_idx,
        automated=automated,
        owner_known=owner_known,
        frozen=frozen,
        deadline_h=aff["deadline_h"].to_numpy(dtype=float),
        ca_ready_h=ready,
        ca_back_h=sel.ca_back_h,
        needs_issuance=sel.needs_issuance,
        engineers=eng,
        hours_per_day=hours,
        rate_per_hour=rate,
    )
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
        return _renewal_workload(sel, aff, work, names, base, now)
    return _replacement(inv, scenario, sel, aff, work, names, base, now, incident)


def _effective_trust(aff: pd.DataFrame, target_cas: tuple[str, ...]) -> pd.Series:
    """public/private per certificate; a certificate from a known public CA (by its issuer or the target
    CA's name) counts as public even when a table left its trust empty or a body without SCTs made it
    look private."""
    trust = aff["trust"].astype("string")
    markers = "|".join(re.escape(m) for m in PUBLIC_CA_MARKERS)
    if any(re.search(markers, t.lower()) for t in target_cas):
        return pd.Series("public", index=aff.index, dtype="string")
    issuer = (
        aff["issuer_name"].astype("string").fillna("") + " " + aff["issuer_org"].astype("string").fillna("")
    ).str.lower()
    public = issuer.str.contains(markers, regex=True)
    return trust.mask(public.fillna(False).astype(bool), "public").fillna("unknown")


def _ca_ready(
    profile: Profile, sel: Selection, aff: pd.DataFrame
) -> tuple[ReplacementCa | None, np.ndarray, np.ndarray]:
    """The replacement CA (the slowest one when certificates of both trusts are affected), the median
    hours until it can issue per certificate, and its name per certificate."""
    n = len(aff)
    names: np.ndarray = np.full(n, None, dtype=object)
    if not (sel.needs_new_ca or sel.needs_pqc_ca) or not sel.needs_issuance:
        return None, np.zeros(n), names
    exclude = sel.exclude_cas
    if sel.needs_new_ca and not exclude:
        exclude = tuple(sorted({str(v) for v in pd.concat([aff["issuer_name"], aff["issuer_org"]]).dropna()}))
    ready = np.zeros(n)
    chosen: ReplacementCa | None = None
    chosen_weight = (0.0, 0)
    trusts = _effective_trust(aff, sel.exclude_cas)
    for trust in sorted(set(trusts)):
        ca = replacement_ca(
            profile, trust=None if trust == "unknown" else trust, exclude=exclude, pqc=sel.needs_pqc_ca
        )
        rows = (trusts == trust).to_numpy(dtype=bool)
        ready[rows] = ca.ready_hours
        names[rows] = ca.name
        weight = (ca.ready_hours, int(rows.sum()))
        if chosen is None or weight > chosen_weight:
            chosen, chosen_weight = ca, weight
    if chosen is None:
        chosen = replacement_ca(profile, trust=None, exclude=exclude, pqc=sel.needs_pqc_ca)
    return chosen, ready, names


def _replacement(
    inv: Inventory,
    scenario: Scenario,
    sel: Selection,
    aff: pd.DataFrame,
    work: engine.Work,
    names: list[str],
    base: dict[str, Any],
    now: datetime,
    incident: bool,
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
    if scenario.kind is Kind.PQC_MIGRATION:
        findings["handshake"] = _handshake(inv, aff, scenario)
    odds = _Odds(deadline_hours=base["deadline_hours"], p90=p90, probability=prob, incident=incident)
    reasons = _reasons(odds, sel, work, team_load, base["replacement_ca"], findings, _has_backup(inv.profile))
    return DrillResult(
        **base,
        completion_hours=Completion(p50=round(p50, 2), p90=round(p90, 2)),
        on_time_probability=round(prob, 4),
        verdict=Verdict.PASS if prob >= PASS_PROBABILITY else Verdict.FAIL,
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


def _methods(aff: pd.DataFrame, automated: np.ndarray) -> pd.Series:
    return pd.Series(np.where(automated, aff["automation"].astype(object), "manual"), index=aff.index)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Odds:
    """What the simulation says about the deadline: p90 completion hours and the share of runs on time."""

    deadline_hours: float
    p90: float
    probability: float
    incident: bool


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
    ca_reason = [_ca_reason(ca, sel, has_backup)] if ca is not None else []
    return (
        *_deadline_reasons(odds, work),
        *_people_reasons(work),
        *ca_reason,
        *_capacity_reasons(teams, work, sel, odds.incident),
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


def _capacity_reasons(teams: pd.DataFrame, work: engine.Work, sel: Selection, incident: bool) -> list[str]:
    """The busiest team, the ACME rate limit and change freezes: what holds the work back."""
    out: list[str] = []
    busiest = teams.sort_values("clear_hours", ascending=False).iloc[0]
    if busiest["certificates"]:
        out.append(
            f"team {busiest['team']} needs {busiest['hands_on_hours']:,.1f} engineer-hours for "
            f"{busiest['certificates']} certificates: done after {busiest['clear_hours']:,.1f} h at "
            f"{busiest['engineers']:.0f} × {busiest['hours_per_day']:.0f} h/day"
            + (" (incident mode)" if incident else "")
        )
    if work.rate_per_hour and sel.needs_issuance:
        n_auto = int(work.automated.sum())
        if n_auto / work.rate_per_hour >= 1:
            out.append(
                f"the ACME rate limit of {work.rate_per_hour:.0f}/h spreads {n_auto} automated "
                f"issuances over at least {n_auto / work.rate_per_hour:.1f} h"
            )
    frozen = int(work.frozen.sum())
    if frozen:
        out.append(f"{frozen} certificates fall in a change freeze: emergency change approval adds hours")
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
    return out


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
    return DrillResult(
        **base,
        completion_hours=Completion(p50=None, p90=None),
        on_time_probability=round(prob, 4),
        verdict=Verdict.PASS if prob >= PASS_PROBABILITY else Verdict.FAIL,
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


# ---------------------------------------------------------------- PQC: handshake size per chain
def _size_name(alg: Any, size: Any) -> str:
    if alg == "EC":
        return f"EC-{int(size)}" if pd.notna(size) and f"EC-{int(size)}" in SIZES else "EC-256"
    if alg == "RSA":
        return f"RSA-{int(size)}" if pd.notna(size) and f"RSA-{int(size)}" in SIZES else "RSA-2048"
    return str(alg) if str(alg) in SIZES else "EC-256"


def _handshake(inv: Inventory, aff: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per issuing CA: handshake bytes now and with the target PQC algorithm, against the budget.
    A TLS handshake carries about 2 public keys and 5 signatures (DOMAIN §5); every intermediate beyond
    the first adds one more key and signature."""
    target = str(scenario.parameters.get("target_algorithm", "ML-DSA-65"))
    budget = float(scenario.parameters.get("handshake_budget_bytes", INITIAL_WINDOW_BYTES))
    pq = SIZES.get(target, SIZES["ML-DSA-65"])
    h = hierarchy(inv)
    leaf = aff[~aff["is_ca"].fillna(False).astype(bool)]
    # h.issuer is aligned with inv.certificates: map through cert_id
    by_id = pd.Series(h.issuer.to_numpy(), index=inv.certificates["cert_id"].to_numpy())
    issuer = leaf["cert_id"].map(by_id)
    depth = _chain_depths(
        issuer.dropna().unique(), h.parents.drop_duplicates("child").set_index("child")["parent"]
    )
    frame = pd.DataFrame(
        {
            "issuer": issuer.fillna("(self-signed)").to_numpy(),
            "size_name": [
                _size_name(a, s) for a, s in zip(leaf["key_algorithm"], leaf["key_size"], strict=True)
            ],
        }
    )
    if not len(frame):
        return pd.DataFrame(
            columns=[
                "issuing_ca",
                "certificates",
                "intermediates",
                "bytes_now",
                "bytes_pqc",
                "budget_bytes",
                "over_budget",
            ]
        )
    names = h.nodes.set_index("ca_id")["name"]
    rows = []
    for ca, grp in frame.groupby("issuer", sort=True):
        extra = max(depth.get(str(ca), 1) - 1, 0)
        now_b = _handshake_bytes(SIZES[grp["size_name"].mode().iloc[0]], extra)
        pq_b = _handshake_bytes(pq, extra)
        rows.append(
            {
                "issuing_ca": str(names.get(ca, ca)),
                "certificates": len(grp),
                "intermediates": max(depth.get(str(ca), 1), 1),
                "bytes_now": now_b,
                "bytes_pqc": pq_b,
                "budget_bytes": budget,
                "over_budget": pq_b > budget,
            }
        )
    return pd.DataFrame(rows)


def _chain_depths(issuers: Any, parent: pd.Series) -> dict[str, int]:
    """Per issuing CA: the intermediates between a leaf it issued and the root (0: a root or unknown CA
    issued it). Cross-signing cycles stop the walk."""
    depth: dict[str, int] = {}
    for ca in issuers:
        d, cur, seen = 0, ca, set()
        while cur in parent.index and cur not in seen:
            seen.add(cur)
            cur = parent[cur]
            d += 1
        depth[str(ca)] = d
    return depth


def _handshake_bytes(size: PqcSize, extra: int) -> int:
    """Public keys and signatures a handshake carries, with `extra` intermediates beyond the first."""
    return (HANDSHAKE_PUBLIC_KEYS + extra) * size.public_key_bytes + (
        HANDSHAKE_SIGNATURES + extra
    ) * size.signature_bytes
