"""Mosca's inequality (DOMAIN §4): the one definition the assessment and the PQC drill share.

With `secrecy_years` (how long the protected data must stay secret), `migration_years` (how long the
migration takes) and `quantum_threat_years` (years until a cryptographically relevant quantum computer),
data is exposed when secrecy_years + migration_years > quantum_threat_years: traffic recorded today can be
decrypted while it still matters ("harvest now, decrypt later"). The margin
quantum_threat_years − secrecy_years − migration_years is the time left before the migration must start;
negative, the data is exposed already.

Missing inputs are never filled in silently:
- `quantum_threat_years` has no default. It is the organization's own estimate of the threat (surveys such
  as the Global Risk Institute's Quantum Threat Timeline Report spread over decades); without it every
  margin is unknown.
- `migration_years` defaults to DEFAULT_MIGRATION_YEARS, and the result says it was assumed. Because the
  true value may be shorter or longer, only what holds for *any* migration time (the lower bound,
  `Horizon.lower()`: migration_years = 0) is certain; a verdict that rests on the default is unknown.
- a row without `secrecy_years` has an unknown margin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmmm.model import Profile

# How long an organization's migration to post-quantum cryptography takes when profile.yaml does not say:
# 10 years. The UK NCSC's "Timelines for migration to post-quantum cryptography" (March 2025) gives
# organizations a decade: discovery and an initial plan by 2028, the highest-priority migrations by 2031,
# migration complete by 2035. The EU's coordinated implementation roadmap (2025) asks for the same
# span (start by the end of 2026, medium-risk uses migrated by 2035), and NIST IR 8105 (2016) recalls that
# deploying today's public-key infrastructure took almost two decades. A team that has estimated its own
# migration should say so in profile.yaml (`migration_years`).
DEFAULT_MIGRATION_YEARS = 10.0
DEFAULT_MIGRATION_SOURCE = (
    "UK NCSC, Timelines for migration to post-quantum cryptography (2025): discovery by 2028, "
    "priority migrations by 2031, complete by 2035"
)
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, slots=True, kw_only=True)
class Horizon:
    """The organization-wide inputs of Mosca's inequality. `quantum_threat_years` None: unknown.
    `migration_assumed`: profile.yaml gives no migration_years, DEFAULT_MIGRATION_YEARS stands in."""

    quantum_threat_years: float | None
    migration_years: float
    migration_assumed: bool = False

    def lower(self) -> Horizon:
        """What is certain whatever the migration takes: an assumed migration time counts as 0 years."""
        if not self.migration_assumed:
            return self
        return Horizon(quantum_threat_years=self.quantum_threat_years, migration_years=0.0)

    @property
    def assumption(self) -> str | None:
        """The sentence a result carries when it rests on the default migration time."""
        if not self.migration_assumed:
            return None
        return (
            f"profile.yaml gives no migration_years: the default of {DEFAULT_MIGRATION_YEARS:g} years "
            f"({DEFAULT_MIGRATION_SOURCE}) was assumed"
        )

    @property
    def threat_missing(self) -> str | None:
        """The sentence a result carries when the threat horizon is unknown."""
        if self.quantum_threat_years is not None:
            return None
        return (
            "profile.yaml gives no quantum_threat_years (the years until a cryptographically relevant "
            "quantum computer are the organization's own estimate; there is no default), so Mosca's "
            "inequality cannot be evaluated"
        )


def horizon(profile: Profile) -> Horizon:
    """Mosca's organization-wide inputs from profile.yaml, with the documented migration default."""
    if profile.migration_years is None:
        return Horizon(
            quantum_threat_years=profile.quantum_threat_years,
            migration_years=DEFAULT_MIGRATION_YEARS,
            migration_assumed=True,
        )
    return Horizon(quantum_threat_years=profile.quantum_threat_years, migration_years=profile.migration_years)


def margin_years(secrecy_years: pd.Series | np.ndarray, h: Horizon) -> np.ndarray:
    """Per row: quantum_threat_years − secrecy_years − migration_years (NaN when an input is missing).
    Negative: the data is exposed now (secrecy_years + migration_years > quantum_threat_years)."""
    secrecy = pd.Series(secrecy_years).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if h.quantum_threat_years is None:
        return np.full(len(secrecy), np.nan)
    return h.quantum_threat_years - secrecy - h.migration_years


def exposed(secrecy_years: pd.Series | np.ndarray, h: Horizon) -> np.ndarray:
    """Per row: True where Mosca's inequality holds (exposed now); False where it does not or is unknown
    (`margin_years` tells the two apart)."""
    return np.asarray(margin_years(secrecy_years, h) < 0, dtype=bool)
