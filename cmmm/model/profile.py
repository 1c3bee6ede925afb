"""The organization as profile.yaml describes it: typed, frozen, parsed once (cmmm.profile parses it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    """A team's capacity for certificate work. None means profile.yaml does not say."""

    name: str
    engineers: float | None = None
    hours_per_day: float | None = None  # per engineer, on a normal day
    incident_hours_per_day: float | None = None  # per engineer, during an incident
    timezone: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CaChoice:
    """A CA the organization may issue from (approved) or would move to (backup)."""

    name: str
    type: str | None = None  # acme | public | private | cloud
    pre_approved: bool = False  # contract, ACME account and CAA in place: no onboarding delay
    pqc: bool = False  # can issue post-quantum (ML-DSA) certificates
    issuance_per_hour: float | None = (
        None  # issuance ceiling (an ACME CA defaults to the profile's rate limit)
    )
    tested: date | None = None  # the last time a certificate was issued from it and deployed as a test


@dataclass(frozen=True, slots=True, kw_only=True)
class FreezeWindow:
    """A change freeze: no manual changes to services of the listed criticalities, start to end inclusive."""

    start: date
    end: date
    applies_to: tuple[str, ...] = ("critical",)


@dataclass(frozen=True, slots=True, kw_only=True)
class Attestation:
    """An answer only people can give (profile.yaml `attested:`), with when it was given and what backs it.

    `answer` is what was said: true/false, a text, or a date for dated questions (last_fire_drill).
    `on` is the date of the attestation (None: undated); `evidence` a reference to what backs it (a
    document, ticket or URL; None: none given). The maturity assessment decides what an undated or
    unreferenced answer is worth (cmmm.maturity.attest).
    """

    key: str
    answer: Any
    on: date | None = None
    evidence: str | None = None


def _empty_mapping() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """profile.yaml (docs/bundle.md). Every field is optional in the file: None or empty means "not said",
    and each reader decides — and documents — what that means for it (a default, or "unknown").

    `attested` holds the answers only people can give (documented policy, HSM, last fire drill …),
    read-only. `source` names the file(s) it came from.
    """

    organization: str | None = None
    industry: str | None = None
    domains: tuple[str, ...] = ()
    teams: tuple[Team, ...] = ()
    approved_cas: tuple[CaChoice, ...] = ()
    backup_cas: tuple[CaChoice, ...] = ()
    ca_onboarding_days: float | None = None
    acme_rate_limit_per_hour: float | None = None
    change_freeze: tuple[FreezeWindow, ...] = ()
    # Mosca's inequality (cmmm.mosca). No migration_years: cmmm.mosca.DEFAULT_MIGRATION_YEARS is assumed and
    # every result says so. No quantum_threat_years: no default, the exposure is unknown.
    migration_years: float | None = None
    quantum_threat_years: float | None = None
    renewal_error_rate_manual: float | None = None  # chance a manual renewal ends in an incident
    shared_on_call: bool = False  # teams help each other in an incident: their engineers form one pool
    attested: Mapping[str, Attestation] = field(default_factory=_empty_mapping)
    # The date the bundle is evaluated at unless the caller gives one (aware UTC): a sample or an archived
    # export pinned to the day it describes, so its level does not drift with the calendar (the CLI says so).
    as_of: datetime | None = None
    source: str | None = None

    @property
    def found(self) -> bool:
        """True when a profile.yaml was read (an empty default profile is not one)."""
        return self.source is not None

    @property
    def pre_approved_backups(self) -> tuple[CaChoice, ...]:
        return tuple(c for c in self.backup_cas if c.pre_approved)
