"""The organization's capacity for replacement work: teams and incident hours, change freezes, and which CA the replacements come from."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from cmmm.crypto import (
    PUBLIC_CA_MARKERS,
)
from cmmm.drill import engine
from cmmm.drill.result import ReplacementCa
from cmmm.drill.selection import ACME_CA_MARKERS, Selection
from cmmm.graph.fallback import EXACT_TYPES as _EXACT_TYPES
from cmmm.graph.fallback import Trouble, fold, signs_post_quantum, unfit_reason, unusable_reason
from cmmm.graph.hierarchy import hierarchy
from cmmm.model import CaChoice, Inventory, Profile, Team

# Incident staffing (docs/drills.md, "Capacity"): from the first page until the deadline — at most
# SURGE_MAX_HOURS, which people cannot sustain longer — engineers put INCIDENT_FACTOR times their usual
# certificate hours in, at most INCIDENT_MAX_HOURS a day. The window grows with the deadline, so more time
# never means less capacity by any hour (no cliff at a deadline length).
SURGE_MAX_HOURS = 14 * 24.0
INCIDENT_FACTOR = 2.0
INCIDENT_MAX_HOURS = 16.0


DEFAULT_TEAM = Team(name="(unassigned)", engineers=1.0, hours_per_day=4.0)


DEFAULT_ONBOARDING_DAYS = 30


_PUBLIC_CA_TYPES = {"acme", "public", "cloud"}


_PRIVATE_CA_TYPES = {"private", "cloud"}


# ---------------------------------------------------------------- organization capacity
@dataclass(frozen=True, slots=True, kw_only=True)
class Capacity:
    """The teams as the simulation sees them (arrays per team) and the incident window."""

    names: list[str]
    engineers: np.ndarray
    hours_per_day: np.ndarray  # a normal day's certificate hours per engineer
    surge_hours_per_day: np.ndarray  # incident hours per engineer and day
    surge_window_h: float
    shared: bool  # the teams help each other: one pool
    coverage_h: float = 0.0  # a shared pool: hours of the day some team is at work (follow the sun)


def _local_window(team: Team, per_day: float) -> set[int]:
    """The UTC hours of the day this team works (from 08:00 in its time zone, `per_day` hours)."""
    try:
        tz = ZoneInfo(team.timezone) if team.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    offset = datetime(2026, 1, 15, 12, tzinfo=tz).utcoffset() or timedelta(0)  # standard time
    start = (engine.WORKDAY_START_HOUR - offset.total_seconds() / 3600.0) % 24.0
    return {int(start + k) % 24 for k in range(int(np.ceil(per_day)))}


def _teams_arrays(teams: tuple[Team, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    eng = np.array([max(t.engineers or 1.0, 1.0) for t in teams])
    hours = np.array([min(max(t.hours_per_day or 4.0, 0.25), 24.0) for t in teams])
    surge = np.array(
        [
            t.incident_hours_per_day
            if t.incident_hours_per_day is not None
            else min(max(h * INCIDENT_FACTOR, h), INCIDENT_MAX_HOURS)
            for t, h in zip(teams, hours, strict=True)
        ]
    )
    return eng, hours, surge


def capacity(profile: Profile, *, surge_window_h: float) -> Capacity:
    """The organization's teams: engineers, normal and incident hours, and the incident window (0 for a
    workload drill). In an incident every team is paged at the start and works its incident hours a day.

    With `shared_on_call` the teams form one pool that works in every team's time zone: its engineer-hours
    a day are the teams' together, spread over the hours of the day some team is at work (coverage, from
    each team's 08:00 local), so work continues while one team sleeps (follow the sun)."""
    teams = profile.teams or (DEFAULT_TEAM,)
    eng, hours, surge = _teams_arrays(teams)
    if not (profile.shared_on_call and len(teams) > 1):
        return Capacity(
            names=[t.name for t in teams],
            engineers=eng,
            hours_per_day=hours,
            surge_hours_per_day=surge,
            surge_window_h=surge_window_h,
            shared=False,
        )
    coverage = float(
        max(len(set().union(*(_local_window(t, h) for t, h in zip(teams, hours, strict=True)))), hours.max())
    )
    engineers = float((eng * hours).sum()) / coverage  # the pool's engineer-hours a day over its coverage
    return Capacity(
        names=["(shared on-call)"],
        engineers=np.array([engineers]),
        hours_per_day=np.array([coverage]),
        surge_hours_per_day=np.array([min(24.0, float((eng * surge).sum()) / engineers)]),
        surge_window_h=surge_window_h,
        shared=True,
        coverage_h=coverage,
    )


_unfit_reason = unfit_reason


def replacement_ca(
    profile: Profile,
    *,
    trust: str | None,
    pqc: bool,
    trouble: Trouble = Trouble(),
    inv: Inventory | None = None,
    exclude: tuple[str, ...] = (),
) -> ReplacementCa:
    """The CA that replacements come from: a pre-approved backup or an approved CA that is usable (not in
    trouble, not beneath a CA in trouble) and fits the certificates (their trust domain; post-quantum when
    asked); otherwise none, and issuance waits `ca_onboarding_days` for a new CA. Ranked: ready first
    (approved, or a pre-approved backup), then designated backups, then a CA of the algorithm asked (a
    classical replacement for classical certificates: every relying party must accept the new chain in
    hours, and few accept ML-DSA yet), then an exact type (private for private, ACME/public for public), then
    profile order. `exclude` names more CAs in trouble."""
    trouble = Trouble(ids=trouble.ids, names=(*trouble.names, *exclude))
    onboarding = (
        profile.ca_onboarding_days if profile.ca_onboarding_days is not None else DEFAULT_ONBOARDING_DAYS
    )
    exact = _EXACT_TYPES.get(trust or "", frozenset())
    ranked: list[tuple[tuple[int, int, int, int, int], ReplacementCa]] = []
    rejected: list[str] = []
    for backup, group in ((True, profile.backup_cas), (False, profile.approved_cas)):
        for pos, listed in enumerate(group):
            ca = dataclasses.replace(listed, pqc=signs_post_quantum(inv, listed))
            why = unusable_reason(inv, ca, trouble) or _unfit_reason(ca, trust, pqc)
            if why is not None:
                rejected.append(why)
                continue
            ready = not backup or ca.pre_approved
            key = (
                0 if ready else 1,
                0 if backup else 1,
                int(ca.pqc != pqc),
                0 if ca.type in exact else 1,
                pos,
            )
            ranked.append(
                (key, _chosen(ca, backup=backup, ready=ready, onboarding_days=onboarding, profile=profile))
            )
    if ranked:
        best = min(ranked, key=lambda r: r[0])[1]
        return dataclasses.replace(best, rejected=tuple(rejected))
    return ReplacementCa(
        name=None,
        pre_approved=False,
        backup=False,
        ready_hours=float(onboarding) * 24,
        rejected=tuple(rejected),
    )


def _chosen(
    ca: CaChoice, *, backup: bool, ready: bool, onboarding_days: float, profile: Profile
) -> ReplacementCa:
    rate = ca.issuance_per_hour
    if rate is None and ca.type == "acme":
        rate = profile.acme_rate_limit_per_hour
    return ReplacementCa(
        name=ca.name,
        pre_approved=ready,
        backup=backup,
        ready_hours=0.0 if ready else float(onboarding_days) * 24,
        type=ca.type,
        issuance_per_hour=rate,
    )


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
    profile: Profile, sel: Selection, aff: pd.DataFrame, inv: Inventory | None = None
) -> tuple[ReplacementCa | None, np.ndarray, np.ndarray, tuple[ReplacementCa, ...]]:
    """The replacement CA (the slowest one when certificates of both trusts are affected), the median
    hours until a fitting CA can issue per certificate, its name per certificate, and every CA chosen (one
    per trust domain)."""
    n = len(aff)
    names: np.ndarray = np.full(n, None, dtype=object)
    if not (sel.needs_new_ca or sel.needs_pqc_ca) or not sel.needs_issuance:
        return None, np.zeros(n), names, ()
    trouble = Trouble(ids=sel.affected_ca_ids, names=sel.exclude_cas)
    if sel.needs_new_ca and not (trouble.ids or trouble.names) and inv is not None:
        # a CA in trouble that the scenario did not name: the certificates' own issuers
        own = hierarchy(inv).issuer[sel.mask].dropna()
        trouble = Trouble(ids=tuple(sorted(set(own))))
    ready = np.zeros(n)
    chosen: ReplacementCa | None = None
    chosen_weight = (0.0, 0)
    trusts = _effective_trust(aff, sel.exclude_cas)
    per_trust: list[ReplacementCa] = []
    for trust in sorted(set(trusts)):
        ca = replacement_ca(
            profile,
            trust=None if trust == "unknown" else trust,
            pqc=sel.needs_pqc_ca,
            trouble=trouble,
            inv=inv,
        )
        per_trust.append(ca)
        rows = (trusts == trust).to_numpy(dtype=bool)
        ready[rows] = ca.ready_hours
        names[rows] = ca.name
        weight = (ca.ready_hours, int(rows.sum()))
        if chosen is None or weight > chosen_weight:
            chosen, chosen_weight = ca, weight
    if chosen is None:
        chosen = replacement_ca(profile, trust=None, pqc=sel.needs_pqc_ca, trouble=trouble, inv=inv)
    return chosen, ready, names, tuple(per_trust)


def _methods(aff: pd.DataFrame, automated: np.ndarray) -> pd.Series:
    return pd.Series(np.where(automated, aff["automation"].astype(object), "manual"), index=aff.index)


def _own_ca_rate(profile: Profile, issuer: str, acme: bool) -> float:
    """Issuances per hour of a certificate's own CA when it reissues: an ACME CA's rate limit, an approved
    CA's throughput from profile.yaml; unlimited when neither is known."""
    for ca in profile.approved_cas:
        if fold(ca.name) == fold(issuer) and ca.issuance_per_hour is not None:
            return ca.issuance_per_hour
    if acme and profile.acme_rate_limit_per_hour is not None:
        return profile.acme_rate_limit_per_hour
    return float("inf")


@dataclass(frozen=True, slots=True, kw_only=True)
class Issuance:
    """Per affected certificate: its issuance-ceiling group, its replacement CA's group (shocks) and its
    automated issuer change (-1: manual); per group: the ceiling in issuances per hour."""

    rate_group: np.ndarray
    group_rate: np.ndarray
    ca_group: np.ndarray
    change_group: np.ndarray


def issuance(
    profile: Profile, aff: pd.DataFrame, ca_names: np.ndarray, per_trust: tuple[ReplacementCa, ...]
) -> Issuance:
    """Who issues each replacement and at what ceiling. A replacement from another CA counts against that
    CA's ceiling (ACME limits only for ACME CAs); a reissue from the certificate's own CA against its own."""
    issuer = (
        aff["issuer_name"].astype("string").fillna(aff["issuer_org"].astype("string")).fillna("(unknown CA)")
    )
    who = pd.Series(ca_names, index=aff.index).astype("string").fillna(issuer) if len(aff) else issuer
    codes, uniques = pd.factorize(who)
    chosen = {c.name: c for c in per_trust if c.name}
    label = (aff["issuer_org"].astype("string").fillna("") + " " + issuer).str.lower()
    acme_issuer = label.str.contains("|".join(re.escape(m) for m in ACME_CA_MARKERS), regex=True)
    rates = []
    for name in uniques:
        if name in chosen:
            per_hour = chosen[name].issuance_per_hour
            rates.append(per_hour if per_hour is not None else float("inf"))
        else:
            own = acme_issuer[(who == name).to_numpy(dtype=bool)].any()
            rates.append(_own_ca_rate(profile, str(name), bool(own)))
    auto = aff["automation"].astype("string").fillna("manual")
    change, _ = pd.factorize(issuer + "|" + auto)
    return Issuance(
        rate_group=np.asarray(codes, dtype=np.int64),
        group_rate=np.array(rates, dtype=float),
        ca_group=np.asarray(codes, dtype=np.int64),
        change_group=np.asarray(change, dtype=np.int64),
    )
