"""Dated facts the policy checks, criteria and drills read: validity caps, sunsets, PQC deadlines.

Every table names its source. Dates are UTC. See ../docs or DOMAIN notes in the README for the narrative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidityCap:
    effective: date  # applies to certificates issued on or after this date
    max_days: int
    dcv_reuse_days: int


# CA/Browser Forum ballot SC-081, Baseline Requirements §6.3.2 and §4.2.1. A "day" is 86,400 s and any
# fraction counts as a further day.
PUBLIC_TLS_VALIDITY_CAPS: tuple[ValidityCap, ...] = (
    ValidityCap(effective=date(2020, 9, 1), max_days=398, dcv_reuse_days=398),
    ValidityCap(effective=date(2026, 3, 15), max_days=200, dcv_reuse_days=200),
    ValidityCap(effective=date(2027, 3, 15), max_days=100, dcv_reuse_days=100),
    ValidityCap(effective=date(2029, 3, 15), max_days=47, dcv_reuse_days=10),
)

# Short-lived certificates (revocation optional), BR §4.9 as amended by SC-081.
SHORT_LIVED_DAYS_FROM_2026_03_15 = 7

# Lifetimes a validity histogram separates: short-lived certificates, each SC-081 step, the 398-day cap
# of 2020-09-01 and the 825-day cap of 2018-03-01 (CA/B Forum ballot 193).
LEGACY_TLS_CAP_DAYS = 825
VALIDITY_BIN_EDGES_DAYS: tuple[int, ...] = (
    0,
    SHORT_LIVED_DAYS_FROM_2026_03_15,
    *sorted(c.max_days for c in PUBLIC_TLS_VALIDITY_CAPS),
    LEGACY_TLS_CAP_DAYS,
)

# When automated clients renew: at two thirds of the lifetime (certbot renews a 90-day certificate 30 days
# before expiry; ACME ARI, RFC 9773, suggests a window around the same point). Renewing earlier means more
# renewals a year; this is the rate the drills and the renewal-workload risk both use.
RENEW_AT_FRACTION = 2 / 3


def renewals_per_year(max_days: float, renew_at_fraction: float = RENEW_AT_FRACTION) -> float:
    """How often a certificate of `max_days` validity is renewed in a year, renewing at that fraction."""
    return 365.0 / max(max_days * renew_at_fraction, 1.0)


def validity_cap_on(day: date) -> ValidityCap:
    """The public TLS cap in force for a certificate issued on `day`."""
    cap = PUBLIC_TLS_VALIDITY_CAPS[0]
    for c in PUBLIC_TLS_VALIDITY_CAPS:
        if c.effective <= day:
            cap = c
    return cap


def next_validity_cap(day: date) -> ValidityCap | None:
    """The next cap step after `day`, if one is scheduled."""
    for c in PUBLIC_TLS_VALIDITY_CAPS:
        if c.effective > day:
            return c
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class LetsEncryptProfile:
    effective: date
    default_days: int
    note: str


# Let's Encrypt announcements (2025): shortening the default lifetime toward 45 days.
LETS_ENCRYPT_SCHEDULE: tuple[LetsEncryptProfile, ...] = (
    LetsEncryptProfile(effective=date(2015, 12, 3), default_days=90, note="classic profile"),
    LetsEncryptProfile(effective=date(2026, 5, 13), default_days=90, note="45-day profile opt-in"),
    LetsEncryptProfile(
        effective=date(2027, 2, 10), default_days=64, note="default 64 days, 10-day authz reuse"
    ),
    LetsEncryptProfile(
        effective=date(2028, 2, 16), default_days=45, note="default 45 days, 7-hour authz reuse"
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Sunset:
    id: str
    title: str
    date: date
    source: str
    draft: bool = False


SUNSETS: tuple[Sunset, ...] = (
    Sunset(
        id="sha1-public-issuance",
        title="Public CAs stop SHA-1 issuance",
        date=date(2016, 1, 1),
        source="CA/B Forum BR §7.1.3",
    ),
    Sunset(
        id="sha1-end",
        title="All remaining SHA-1 in certificates and CRLs ends",
        date=date(2026, 9, 15),
        source="CA/B Forum ballot SC-097",
    ),
    Sunset(
        id="rsa-1024",
        title="RSA below 2048 bits not allowed in public TLS",
        date=date(2014, 1, 1),
        source="CA/B Forum BR §6.1.5",
    ),
    Sunset(
        id="ir8547-112bit",
        title="112-bit RSA/ECDSA/DH deprecated",
        date=date(2030, 12, 31),
        source="NIST IR 8547 ipd (draft)",
        draft=True,
    ),
    Sunset(
        id="ir8547-classical",
        title="All RSA, ECC and finite-field DH disallowed",
        date=date(2035, 12, 31),
        source="NIST IR 8547 ipd (draft)",
        draft=True,
    ),
    Sunset(
        id="chrome-serverauth-only",
        title="Subscriber certificates may carry only serverAuth EKU",
        date=date(2027, 3, 15),
        source="Chrome Root Program Policy v1.8",
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PqcDeadline:
    authority: str
    category: str
    prefer_by: date | None
    exclusive_by: date
    source: str


# NSA CNSA 2.0 ("support and prefer" → "exclusive use"), UK NCSC, EU roadmap, US federal (as reported).
PQC_DEADLINES: tuple[PqcDeadline, ...] = (
    PqcDeadline(
        authority="CNSA 2.0",
        category="software/firmware signing",
        prefer_by=date(2025, 1, 1),
        exclusive_by=date(2030, 12, 31),
        source="NSA CNSA 2.0 FAQ",
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="web browsers, servers, cloud services",
        prefer_by=date(2025, 1, 1),
        exclusive_by=date(2033, 12, 31),
        source="NSA CNSA 2.0 FAQ",
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="networking equipment",
        prefer_by=date(2026, 1, 1),
        exclusive_by=date(2030, 12, 31),
        source="NSA CNSA 2.0 FAQ",
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="operating systems",
        prefer_by=date(2027, 1, 1),
        exclusive_by=date(2033, 12, 31),
        source="NSA CNSA 2.0 FAQ",
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="niche equipment",
        prefer_by=date(2030, 1, 1),
        exclusive_by=date(2033, 12, 31),
        source="NSA CNSA 2.0 FAQ",
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="custom and legacy",
        prefer_by=None,
        exclusive_by=date(2033, 12, 31),
        source="NSA CNSA 2.0 FAQ",
    ),
    PqcDeadline(
        authority="UK NCSC",
        category="priority migrations",
        prefer_by=date(2028, 12, 31),
        exclusive_by=date(2031, 12, 31),
        source="NCSC PQC migration timelines (2025)",
    ),
    PqcDeadline(
        authority="UK NCSC",
        category="complete migration",
        prefer_by=date(2028, 12, 31),
        exclusive_by=date(2035, 12, 31),
        source="NCSC PQC migration timelines (2025)",
    ),
    PqcDeadline(
        authority="EU",
        category="high-risk use cases",
        prefer_by=date(2026, 12, 31),
        exclusive_by=date(2030, 12, 31),
        source="EU coordinated PQC roadmap (2025)",
    ),
    PqcDeadline(
        authority="EU",
        category="medium-risk use cases",
        prefer_by=date(2026, 12, 31),
        exclusive_by=date(2035, 12, 31),
        source="EU coordinated PQC roadmap (2025)",
    ),
    PqcDeadline(
        authority="US federal",
        category="key establishment, high-value systems",
        prefer_by=None,
        exclusive_by=date(2030, 12, 31),
        source="US executive order as reported June 2026",
    ),
    PqcDeadline(
        authority="US federal",
        category="signatures, high-value systems",
        prefer_by=None,
        exclusive_by=date(2031, 12, 31),
        source="US executive order as reported June 2026",
    ),
)

# Revocation deadlines, BR §4.9.1.1 / §4.9.1.2.
REVOCATION_HOURS = {"key_compromise": 24, "misissuance": 120, "subordinate_ca": 168}


def as_utc(day: date | datetime) -> datetime:
    """Midnight UTC of a date, or an aware datetime unchanged (naive means UTC)."""
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class RealEvent:
    """A real distrust, revocation, expiry or schedule step that a drill scenario replays."""

    id: str
    title: str
    date: date
    source: str


# The events the scenario catalog replays (DOMAIN §1–§3 and §6). Scenario files name one by `replays: <id>`.
EVENTS: tuple[RealEvent, ...] = (
    RealEvent(
        id="symantec-distrust-phase1",
        title="Chrome 66 distrusts Symantec certificates issued before 2016-06-01",
        date=date(2018, 4, 17),
        source="Chrome Security blog, 'Distrust of the Symantec PKI' (2017-09-11)",
    ),
    RealEvent(
        id="symantec-distrust-phase2",
        title="Chrome 70 distrusts the whole legacy Symantec hierarchy (Thawte, GeoTrust, RapidSSL, VeriSign)",
        date=date(2018, 10, 16),
        source="Chrome Security blog, 'Distrust of the Symantec PKI' (2017-09-11)",
    ),
    RealEvent(
        id="letsencrypt-caa-revocation",
        title="Let's Encrypt revokes 3,048,289 certificates after a CAA re-checking bug",
        date=date(2020, 3, 5),
        source="Let's Encrypt community, '2020.02.29 CAA Rechecking Bug' incident report",
    ),
    RealEvent(
        id="dst-root-ca-x3-expiry",
        title="DST Root CA X3 expires; clients that trusted only it break",
        date=date(2021, 9, 30),
        source="Let's Encrypt, 'DST Root CA X3 Expiration (September 2021)'",
    ),
    RealEvent(
        id="trustcor-removal",
        title="TrustCor roots removed from Mozilla and Microsoft stores, then Chrome 111; no grandfathering",
        date=date(2022, 11, 30),
        source="Mozilla dev-security-policy, 'TrustCor Systems' (2022-11-30); Chrome 111 release notes",
    ),
    RealEvent(
        id="digicert-dcv-revocation",
        title="DigiCert must revoke 83,267 certificates (6,807 customers) within 24 hours after a DCV bug",
        date=date(2024, 7, 29),
        source="DigiCert incident report, Mozilla Bugzilla 1910322",
    ),
    RealEvent(
        id="entrust-distrust",
        title="Chrome 131 distrusts Entrust/AffirmTrust certificates whose earliest SCT is after 2024-11-11",
        date=date(2024, 11, 12),
        source="Chrome Root Program, 'Sustaining Digital Certificate Security - Entrust' (2024-06-27)",
    ),
    RealEvent(
        id="chunghwa-netlock-distrust",
        title="Chrome 139 distrusts Chunghwa Telecom and NetLock certificates with an SCT after 2025-07-31",
        date=date(2025, 8, 1),
        source="Chrome Root Program announcement (2025-05-30)",
    ),
    RealEvent(
        id="sha1-end",
        title="All remaining SHA-1 in certificates and CRLs ends",
        date=date(2026, 9, 15),
        source="CA/B Forum ballot SC-097",
    ),
    RealEvent(
        id="sc081-100-day",
        title="Public TLS certificates capped at 100 days",
        date=date(2027, 3, 15),
        source="CA/B Forum ballot SC-081, BR §6.3.2",
    ),
    RealEvent(
        id="sc081-47-day",
        title="Public TLS certificates capped at 47 days, domain-validation reuse 10 days",
        date=date(2029, 3, 15),
        source="CA/B Forum ballot SC-081, BR §6.3.2",
    ),
    RealEvent(
        id="letsencrypt-45-day",
        title="Let's Encrypt default certificate lifetime becomes 45 days",
        date=date(2028, 2, 16),
        source="Let's Encrypt, 'Decreasing Certificate Lifetimes to 45 Days' (2025)",
    ),
    RealEvent(
        id="pqc-2030-2035",
        title="Quantum-vulnerable cryptography deprecated after 2030 and disallowed after 2035",
        date=date(2035, 12, 31),
        source="NIST IR 8547 ipd (draft); EU coordinated PQC roadmap (2025); NSA CNSA 2.0",
    ),
)

EVENTS_BY_ID = {e.id: e for e in EVENTS}
SUNSETS_BY_ID = {s.id: s for s in SUNSETS}


def pqc_deadline(authority: str, category: str) -> PqcDeadline | None:
    """The PQC deadline of one authority and category (case-insensitive), if the table has it."""
    for d in PQC_DEADLINES:
        if d.authority.lower() == authority.lower() and d.category.lower() == category.lower():
            return d
    return None
