"""The organization's capacity for replacement work: teams and incident hours, change freezes, and which CA the replacements come from."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import numpy as np
import pandas as pd

from cmmm.crypto import (
    PUBLIC_CA_MARKERS,
)
from cmmm.drill.result import ReplacementCa
from cmmm.drill.selection import Selection
from cmmm.model import Profile, Team

INCIDENT_DEADLINE_HOURS = 72  # drills this short run in incident mode (longer days, see docs/drills.md)


INCIDENT_FACTOR = 2.0


INCIDENT_MAX_HOURS = 16.0


DEFAULT_TEAM = Team(name="(unassigned)", engineers=1.0, hours_per_day=4.0)


DEFAULT_ONBOARDING_DAYS = 30


_PUBLIC_CA_TYPES = {"acme", "public", "cloud"}


_PRIVATE_CA_TYPES = {"private", "cloud"}


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


def _methods(aff: pd.DataFrame, automated: np.ndarray) -> pd.Series:
    return pd.Series(np.where(automated, aff["automation"].astype(object), "manual"), index=aff.index)
