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


# Let's Encrypt, "Decreasing Certificate Lifetimes to 45 Days" (2025-12-02,
# https://letsencrypt.org/2025/12/02/from-90-to-45): the default `classic` ACME profile moves to 64 days
# with 10-day authorization reuse on 2027-02-10, then to 45 days with 7-hour reuse on 2028-02-16; the
# opt-in `tlsserver` profile issues 45-day certificates from 2026-05-13. Dates apply to new certificates,
# so a subscriber sees the change at its next renewal.
LETS_ENCRYPT_SOURCE = "Let's Encrypt, 'Decreasing Certificate Lifetimes to 45 Days' (2025-12-02)"
LETS_ENCRYPT_SCHEDULE: tuple[LetsEncryptProfile, ...] = (
    LetsEncryptProfile(effective=date(2015, 12, 3), default_days=90, note="classic profile"),
    LetsEncryptProfile(effective=date(2026, 5, 13), default_days=90, note="45-day tlsserver profile opt-in"),
    LetsEncryptProfile(
        effective=date(2027, 2, 10), default_days=64, note="default 64 days, 10-day authz reuse"
    ),
    LetsEncryptProfile(
        effective=date(2028, 2, 16), default_days=45, note="default 45 days, 7-hour authz reuse"
    ),
)


def lets_encrypt_profile_on(day: date) -> LetsEncryptProfile:
    """Let's Encrypt's default profile in force for a certificate issued on `day`."""
    profile = LETS_ENCRYPT_SCHEDULE[0]
    for p in LETS_ENCRYPT_SCHEDULE:
        if p.effective <= day:
            profile = p
    return profile


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
        title="Public subscriber certificates issued from this date may carry only the serverAuth EKU",
        date=date(2027, 3, 15),
        source="Chrome Root Program Policy v1.8 (2026-02-05), §1.3.2",
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PqcDeadline:
    """One regime's PQC date for one category: `prefer_by` ("support and prefer", or the regime's first
    milestone), `exclusive_by` (post-quantum only, or migration complete). `draft`: the source is not final."""

    authority: str
    category: str
    prefer_by: date | None
    exclusive_by: date
    source: str
    draft: bool = False


# The PQC regimes a migration drill can select (DOMAIN §3). A drill names one by authority + category.
CNSA2_SOURCE = (
    "NSA, 'Announcing the Commercial National Security Algorithm Suite 2.0' (2022-09-07) and CNSA 2.0 FAQ"
)
NCSC_SOURCE = "UK NCSC, 'Timelines for migration to post-quantum cryptography' (2025-03-20)"
EU_SOURCE = (
    "NIS Cooperation Group, 'A Coordinated Implementation Roadmap for the Transition to Post-Quantum "
    "Cryptography' v1.1 (2025-06), after Commission Recommendation C(2024) 2393 (2024-04-11)"
)
# Cited by title and date: the order's number differs between sources (DOMAIN §3).
US_EO_SOURCE = (
    "US executive order 'Securing the Nation Against Advanced Cryptographic Attacks' (signed 2026-06-22)"
)
IR8547_SOURCE = (
    "NIST IR 8547 initial public draft, 'Transition to Post-Quantum Cryptography Standards' (2024-11)"
)

PQC_DEADLINES: tuple[PqcDeadline, ...] = (
    # NSA CNSA 2.0 (national security systems): "support and prefer" → "exclusive use".
    PqcDeadline(
        authority="CNSA 2.0",
        category="software/firmware signing",
        prefer_by=date(2025, 1, 1),
        exclusive_by=date(2030, 12, 31),
        source=CNSA2_SOURCE,
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="web browsers, servers, cloud services",
        prefer_by=date(2025, 1, 1),
        exclusive_by=date(2033, 12, 31),
        source=CNSA2_SOURCE,
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="networking equipment",
        prefer_by=date(2026, 1, 1),
        exclusive_by=date(2030, 12, 31),
        source=CNSA2_SOURCE,
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="operating systems",
        prefer_by=date(2027, 1, 1),
        exclusive_by=date(2033, 12, 31),
        source=CNSA2_SOURCE,
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="niche equipment",
        prefer_by=date(2030, 1, 1),
        exclusive_by=date(2033, 12, 31),
        source=CNSA2_SOURCE,
    ),
    PqcDeadline(
        authority="CNSA 2.0",
        category="custom and legacy",
        prefer_by=None,
        exclusive_by=date(2033, 12, 31),
        source=CNSA2_SOURCE,
    ),
    # UK NCSC: discovery and plan by 2028, priority migrations by 2031, everything by 2035.
    PqcDeadline(
        authority="UK NCSC",
        category="discovery and migration plan",
        prefer_by=None,
        exclusive_by=date(2028, 12, 31),
        source=NCSC_SOURCE,
    ),
    PqcDeadline(
        authority="UK NCSC",
        category="priority migrations",
        prefer_by=date(2028, 12, 31),
        exclusive_by=date(2031, 12, 31),
        source=NCSC_SOURCE,
    ),
    PqcDeadline(
        authority="UK NCSC",
        category="complete migration",
        prefer_by=date(2028, 12, 31),
        exclusive_by=date(2035, 12, 31),
        source=NCSC_SOURCE,
    ),
    # EU coordinated roadmap: first steps by end-2026, high-risk use cases by end-2030, medium-risk by 2035.
    PqcDeadline(
        authority="EU",
        category="first steps",
        prefer_by=None,
        exclusive_by=date(2026, 12, 31),
        source=EU_SOURCE,
    ),
    PqcDeadline(
        authority="EU",
        category="high-risk use cases",
        prefer_by=date(2026, 12, 31),
        exclusive_by=date(2030, 12, 31),
        source=EU_SOURCE,
    ),
    PqcDeadline(
        authority="EU",
        category="medium-risk use cases",
        prefer_by=date(2026, 12, 31),
        exclusive_by=date(2035, 12, 31),
        source=EU_SOURCE,
    ),
    # US federal: PQC key establishment by 2030-12-31 and signatures by 2031-12-31 for high-value assets
    # and high-impact systems; federal contractors to comply with NIST's PQC FIPS by 2030-12-31.
    PqcDeadline(
        authority="US federal",
        category="key establishment, high-value systems",
        prefer_by=None,
        exclusive_by=date(2030, 12, 31),
        source=US_EO_SOURCE,
    ),
    PqcDeadline(
        authority="US federal",
        category="signatures, high-value systems",
        prefer_by=None,
        exclusive_by=date(2031, 12, 31),
        source=US_EO_SOURCE,
    ),
    PqcDeadline(
        authority="US federal",
        category="federal contractors",
        prefer_by=None,
        exclusive_by=date(2030, 12, 31),
        source=US_EO_SOURCE,
    ),
    # NIST IR 8547 (initial public draft): 112-bit RSA/ECDSA/DH deprecated after 2030, all RSA, ECC
    # (incl. EdDSA) and finite-field DH disallowed after 2035.
    PqcDeadline(
        authority="NIST IR 8547",
        category="112-bit security deprecated",
        prefer_by=None,
        exclusive_by=date(2030, 12, 31),
        source=IR8547_SOURCE,
        draft=True,
    ),
    PqcDeadline(
        authority="NIST IR 8547",
        category="quantum-vulnerable disallowed",
        prefer_by=None,
        exclusive_by=date(2035, 12, 31),
        source=IR8547_SOURCE,
        draft=True,
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
# `date` is when the event took effect (a distrust's enforcement, a revocation deadline, a schedule step);
# a source marked "as reported" could not be checked against a CA's incident report.
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
        title="Let's Encrypt must revoke 3,048,289 certificates by 2020-03-05 03:00 UTC after a CAA "
        "re-checking bug; 1,706,505 were replaced and revoked by then",
        date=date(2020, 3, 5),
        source="Let's Encrypt community, '2020.02.29 CAA Rechecking Bug' and 'Revoking certain certificates "
        "on March 4' (updated 2020-03-05)",
    ),
    RealEvent(
        id="dst-root-ca-x3-expiry",
        title="DST Root CA X3 expires; clients that trusted only it break",
        date=date(2021, 9, 30),
        source="Let's Encrypt, 'DST Root CA X3 Expiration (September 2021)'",
    ),
    RealEvent(
        id="trustcor-distrust-microsoft",
        title="Microsoft stops trusting TrustCor certificates issued after 2022-11-01 (NotBefore); older "
        "ones stay valid until they expire",
        date=date(2022, 11, 1),
        source="Microsoft Trusted Root Program, NotBefore deprecation (announced 2022-11/12; cutoff as "
        "reported, e.g. The Register 2022-12-02)",
    ),
    RealEvent(
        id="trustcor-distrust-mozilla",
        title="Mozilla sets 'distrust after' 2022-11-30 on TrustCor's roots: certificates issued before "
        "stay valid until they expire",
        date=date(2022, 11, 30),
        source="Mozilla dev-security-policy, 'TrustCor Systems' decision (2022-11-30)",
    ),
    RealEvent(
        id="trustcor-removal",
        title="Chrome 111 removes TrustCor's roots with a blocklist: no grandfathering",
        date=date(2023, 3, 7),
        source="Chrome Root Program, 'Sustaining Digital Certificate Security - TrustCor Certificate "
        "Distrust' (announced on dev-security-policy 2022-12-15; Chrome 111 stable 2023-03-07)",
    ),
    RealEvent(
        id="digicert-dcv-revocation",
        title="DigiCert must revoke 83,267 certificates (6,807 customers) within 24 hours after a DCV bug",
        date=date(2024, 7, 29),
        source="DigiCert, 'DigiCert Revocation Incident (CNAME-Based Domain Validation)' (2024-07-29, "
        "updated 2024-08-04); Mozilla Bugzilla 1910322",
    ),
    RealEvent(
        id="entrust-distrust",
        title="Chrome 131 distrusts Entrust/AffirmTrust certificates whose earliest SCT is after 2024-11-11",
        date=date(2024, 11, 12),
        source="Chrome Root Program, 'Sustaining Digital Certificate Security - Entrust' (2024-06-27)",
    ),
    RealEvent(
        id="entrust-distrust-mozilla",
        title="Mozilla distrusts Entrust/AffirmTrust TLS certificates issued after 2024-11-30 (notBefore)",
        date=date(2024, 11, 30),
        source="Mozilla dev-security-policy, Ben Wilson, 'Entrust' distrust decision (2024-07-31)",
    ),
    RealEvent(
        id="chunghwa-netlock-distrust",
        title="Chrome 139 distrusts Chunghwa Telecom and NetLock certificates with an SCT after 2025-07-31",
        date=date(2025, 8, 1),
        source="Chrome Root Program announcement (2025-05-30)",
    ),
    RealEvent(
        id="letsencrypt-ari-drill-2026",
        title="Let's Encrypt's first annual mass-revocation drill: ARI renewal windows of about 3 million "
        "production certificates shortened to 'renew now'",
        date=date(2026, 3, 19),
        source="Let's Encrypt community, 'Let's Encrypt 2026 mass revocation simulation' (2026-03); "
        "CertKit, 'Let's Encrypt simulated revoking 3 million certificates' (2026)",
    ),
    RealEvent(
        id="chrome-root-term-limit-2026",
        title="Chrome removes roots whose key was created 2006-01-01 – 2007-12-31 (15-year term limit)",
        date=date(2026, 4, 15),
        source="Chrome Root Program Policy v1.8 (2026-02-05), §1.3.1.2 Root CA Term-Limit",
    ),
    RealEvent(
        id="us-eo-pqc-2026",
        title="US executive order 'Securing the Nation Against Advanced Cryptographic Attacks': PQC key "
        "establishment by 2030-12-31 and signatures by 2031-12-31 for high-value assets; contractors by "
        "2030-12-31",
        date=date(2026, 6, 22),
        source=US_EO_SOURCE,
    ),
    RealEvent(
        id="harica-clientauth-revocation",
        title="HARICA revokes 66,105 certificates on 2026-07-20 after a clientAuth EKU compliance lapse",
        date=date(2026, 7, 20),
        source="as reported (DOMAIN.md §6); not confirmed against a HARICA incident report",
    ),
    RealEvent(
        id="harica-ocsp-aia-revocation",
        title="HARICA revokes TLS certificates issued without the OCSP AIA pointer its CP/CPS still required, "
        "within five days: replacement due by 2026-07-25",
        date=date(2026, 7, 25),
        source="HARICA subscriber notice 'URGENT: Certificate replacement due to Revocation on 2026-07-25' "
        "(as quoted publicly on 2026-07-22); HARICA, OCSP deprecation notice (new certificates without "
        "the OCSP AIA from 2026-03-02)",
    ),
    RealEvent(
        id="sha1-end",
        title="All remaining SHA-1 in certificates and CRLs ends",
        date=date(2026, 9, 15),
        source="CA/B Forum ballot SC-097",
    ),
    RealEvent(
        id="letsencrypt-64-day",
        title="Let's Encrypt's default certificate lifetime becomes 64 days (10-day authorization reuse)",
        date=date(2027, 2, 10),
        source=LETS_ENCRYPT_SOURCE,
    ),
    RealEvent(
        id="sc081-100-day",
        title="Public TLS certificates capped at 100 days",
        date=date(2027, 3, 15),
        source="CA/B Forum ballot SC-081, BR §6.3.2",
    ),
    RealEvent(
        id="chrome-serverauth-only",
        title="Chrome: public subscriber certificates issued from 2027-03-15 may carry only serverAuth",
        date=date(2027, 3, 15),
        source="Chrome Root Program Policy v1.8 (2026-02-05), §1.3.2",
    ),
    RealEvent(
        id="chrome-root-term-limit-2027",
        title="Chrome removes roots whose key was created 2008-01-01 – 2009-12-31 (15-year term limit)",
        date=date(2027, 4, 15),
        source="Chrome Root Program Policy v1.8 (2026-02-05), §1.3.1.2 Root CA Term-Limit",
    ),
    RealEvent(
        id="letsencrypt-45-day",
        title="Let's Encrypt's default certificate lifetime becomes 45 days (7-hour authorization reuse)",
        date=date(2028, 2, 16),
        source=LETS_ENCRYPT_SOURCE,
    ),
    RealEvent(
        id="chrome-root-term-limit-2028",
        title="Chrome removes roots whose key was created 2010-01-01 – 2011-12-31 (15-year term limit)",
        date=date(2028, 4, 15),
        source="Chrome Root Program Policy v1.8 (2026-02-05), §1.3.1.2 Root CA Term-Limit",
    ),
    RealEvent(
        id="sc081-47-day",
        title="Public TLS certificates capped at 47 days, domain-validation reuse 10 days",
        date=date(2029, 3, 15),
        source="CA/B Forum ballot SC-081, BR §6.3.2",
    ),
    RealEvent(
        id="chrome-root-term-limit-2029",
        title="Chrome removes roots whose key was created 2012-01-01 – 2014-04-14 (15-year term limit)",
        date=date(2029, 4, 15),
        source="Chrome Root Program Policy v1.8 (2026-02-05), §1.3.1.2 Root CA Term-Limit",
    ),
    RealEvent(
        id="eu-pqc-2030",
        title="EU coordinated roadmap: post-quantum migration of high-risk use cases by end-2030, "
        "medium-risk by 2035",
        date=date(2030, 12, 31),
        source=EU_SOURCE,
    ),
    RealEvent(
        id="cnsa2-2033",
        title="CNSA 2.0: exclusive use of post-quantum algorithms in browsers, servers and cloud services",
        date=date(2033, 12, 31),
        source=CNSA2_SOURCE,
    ),
    RealEvent(
        id="uk-ncsc-pqc-2035",
        title="UK NCSC: post-quantum migration complete (discovery by 2028, priority systems by 2031)",
        date=date(2035, 12, 31),
        source=NCSC_SOURCE,
    ),
    RealEvent(
        id="pqc-2030-2035",
        title="Quantum-vulnerable cryptography deprecated after 2030 and disallowed after 2035",
        date=date(2035, 12, 31),
        source=f"{IR8547_SOURCE}; {EU_SOURCE}",
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
