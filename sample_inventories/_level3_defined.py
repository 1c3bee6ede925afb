"""Level 3, Contoso Health: a CLM platform's exports — network scan, private CA, cloud, CA register, and
the certificate bodies the platform stores.

Owners on ≥ 99 % of certificates, about two thirds automated (ACME, Vault, cloud), about 2 % policy
violations (two-year private certificates, public wildcards, an unapproved CA); the backup CA is listed
but not pre-approved.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from _world import AS_OF, AS_OF_PIN, CA, Cert, Org, World, d, pick

_DOMAIN = "contoso-health.example"
# (service, team, criticality, depends_on, customer_facing, secrecy_years)
_SERVICES = (
    ("patient-portal", "digital", "critical", "appointments;ehr-api;identity", True, 25),
    ("mobile-api", "digital", "critical", "ehr-api;identity", True, 25),
    ("appointments", "digital", "high", "ehr-api;identity", True, 10),
    ("telehealth", "digital", "critical", "ehr-api;identity", True, 25),
    ("ehr-api", "clinical-systems", "critical", "identity;ehr-db", False, 25),
    ("ehr-db", "clinical-systems", "critical", "", False, 25),
    ("lab-results", "clinical-systems", "high", "ehr-api", False, 25),
    ("imaging-pacs", "clinical-systems", "high", "identity", False, 25),
    ("hl7-interface", "clinical-systems", "high", "ehr-api", False, 25),
    ("billing", "business-apps", "high", "payments-gateway;identity", True, 10),
    ("payments-gateway", "business-apps", "critical", "identity", True, 10),
    ("identity", "infrastructure", "critical", "", False, 10),
    ("intranet", "business-apps", "medium", "identity", False, 2),
    ("hr", "business-apps", "medium", "identity", False, 10),
    ("email", "infrastructure", "high", "identity", False, 5),
    ("vpn", "infrastructure", "high", "identity", False, 2),
    ("monitoring", "infrastructure", "medium", "", False, 1),
    ("data-warehouse", "clinical-systems", "high", "ehr-db", False, 25),
    ("pki", "infrastructure", "critical", "", False, 10),
)
_PEOPLE = {
    "digital": ["m.garcia", "a.chen", "digital-oncall"],
    "clinical-systems": ["r.okafor", "s.lind", "clinical-it"],
    "business-apps": ["p.novak", "bizapps"],
    "infrastructure": ["k.ito", "j.meyer", "infra-oncall"],
}
_TEAM = {s[0]: s[1] for s in _SERVICES}
_INTERNAL_SERVICES = [s[0] for s in _SERVICES if s[0] not in ("pki",)]
_PUBLIC_SERVICES = [s[0] for s in _SERVICES if s[4]]
# the public CAs whose certificates the CA register and ca/public-chains.pem hold
_PUBLIC_CHAINS = (
    "ISRG Root X1",
    "R10",
    "R11",
    "ISRG Root X2",
    "E6",
    "DigiCert Global Root G2",
    "DigiCert Global G2 TLS RSA SHA256 2020 CA1",
    "Microsoft Azure RSA TLS Issuing CA 03",
    "Amazon Root CA 1",
    "Amazon RSA 2048 M02",
    "USERTrust RSA Certification Authority",
    "Sectigo RSA Domain Validation Secure Server CA",
)
_CA_COLUMNS = (
    "common_name",
    "sans",
    "issuer",
    "serial",
    "fingerprint_sha256",
    "not_before",
    "not_after",
    "key_algorithm",
    "key_size",
    "signature_algorithm",
    "trust",
    "service",
    "owner",
    "team",
    "environment",
    "automation",
    "discovered_by",
)
_CLOUD_COLUMNS = (*_CA_COLUMNS, "endpoints", "tags")
_SCAN_COLUMNS = (
    "common_name",
    "sans",
    "issuer",
    "serial",
    "fingerprint_sha256",
    "not_before",
    "not_after",
    "key_algorithm",
    "key_size",
    "signature_algorithm",
    "endpoints",
    "service",
    "environment",
    "automation",
    "discovered_by",
    "last_seen",
)


def level3(w: World) -> Org:
    o = Org(w, "level3-defined", "Contoso Health", 3, _DOMAIN)
    for name, team, crit, deps, cf, sec in _SERVICES:
        o.service(
            name,
            f"{_PEOPLE[team][0]}@{o.domain}",
            team,
            crit,
            deps,
            customer_facing=cf,
            secrecy_years=sec,
            pqc_capable=False,
        )
    root = o.private_ca("Contoso Root CA", "Contoso Health", "RSA-4096", d("2020-02-01"), d("2040-02-01"))
    ca1 = o.private_ca(
        "Contoso Issuing CA 1",
        "Contoso Health",
        "RSA-2048",
        d("2020-02-01"),
        d("2030-02-01"),
        root,
        path_len=0,
    )
    ca2 = o.private_ca(
        "Contoso Issuing CA 2", "Contoso Health", "EC-384", d("2023-05-01"), d("2031-05-01"), root, path_len=0
    )
    private, two_year = _private(o, ca1, ca2)
    public, wildcards = _public(o)
    cloud = _cloud(o)
    sectigo = _sectigo(o)
    noncompliant = two_year + wildcards + sectigo
    ca_certs = [o.ca_cert(c) for c in (root, ca1, ca2)]
    pub_ca_certs = [o.ca_cert(o.w.public[n]) for n in _PUBLIC_CHAINS]
    _sources(o, private, public + sectigo, cloud, ca_certs + pub_ca_certs)
    o.pem("ca/contoso-root-ca.pem", [ca_certs[0]])
    o.pem("ca/contoso-issuing-ca-1.pem", [ca_certs[1]])
    o.pem("ca/contoso-issuing-ca-2.pem", [ca_certs[2]])
    o.pem("ca/public-chains.pem", pub_ca_certs)
    # the CLM platform's certificate store, exported as PEM bundles: every leaf's body, so the inventory's
    # issuer, key and signature are read from the certificates rather than declared by the CSV exports
    o.pem("pem/private-ca-issued.pem", private)
    o.pem("pem/web-servers.pem", public + sectigo)
    o.pem("pem/cloud-certificates.pem", cloud)
    o.truth_extra["policy_noncompliant"] = sorted([c.cn, c.serial] for c in noncompliant)
    o.write_services()
    _profile(o)
    _policy(o)
    return o


def _facts(o: Org, svc: str) -> dict[str, Any]:
    """Service, team, owner (missing on 1.5 %) and environment of one certificate of `svc`."""
    team = _TEAM[svc]
    has_owner = o.rng.random() < 0.985
    return {
        "service": svc,
        "team": team,
        "owner": f"{o.rng.choice(_PEOPLE[team])}@{o.domain}" if has_owner else None,
        "environment": pick(o.rng, [("prod", 7), ("staging", 2), ("dev", 1)]),
    }


def _private(o: Org, ca1: CA, ca2: CA) -> tuple[list[Cert], list[Cert]]:
    """Internal certificates, half from Vault PKI and half by ticket; and the two-year ones among them
    (over the policy's 397 days)."""
    private, two_year = [], []
    for i in range(820):
        svc = o.rng.choice(_INTERNAL_SERVICES)
        f = _facts(o, svc)
        host = f"{svc}-{i:04d}.{f['environment']}.contoso.internal"
        if i % 2 == 0:  # Vault PKI (Issuing CA 2): 30-day, automated
            c = o.leaf(
                ca2,
                host,
                key="EC-256",
                not_before=o.age(30, automated=True),
                days=30,
                automation="vault",
                endpoints=[f"{host}:8443"],
                **f,
            )
        else:  # AD CS-like Issuing CA 1, renewed by ticket
            days = 730 if i % 37 == 1 else 365
            c = o.leaf(
                ca1,
                host,
                key=o.rng.choice(["RSA-2048", "EC-256"]),
                not_before=o.age(days, automated=False, margin=20),
                days=days,
                automation="manual",
                endpoints=[f"{host}:443"],
                **f,
            )
            if days == 730:
                two_year.append(c)
        private.append(c)
    return private, two_year


def _public(o: Org) -> tuple[list[Cert], list[Cert]]:
    """Public web certificates, two thirds by ACME and the rest bought from DigiCert; and the wildcards
    among them (forbidden in production)."""
    rng, dom, P = o.rng, o.domain, o.w.public
    public, wildcards = [], []
    for i in range(330):
        svc = rng.choice(_PUBLIC_SERVICES)
        f = _facts(o, svc) | {"environment": "prod"}
        sub = f"{svc}{'' if i < len(_PUBLIC_SERVICES) else '-' + str(i)}"
        wild = i % 45 == 3
        cn = f"*.{sub}.{dom}" if wild else f"{sub}.{dom}"
        if i % 3 != 2:
            ca, days, auto = P[rng.choice(["R10", "R11", "E6"])], 90, "acme"
            key = "EC-256" if ca.name == "E6" else "RSA-2048"
            nb = o.age(days, automated=True)
        else:
            ca, auto, key = P["DigiCert Global G2 TLS RSA SHA256 2020 CA1"], "manual", "RSA-2048"
            nb = AS_OF - timedelta(days=rng.uniform(5, 180))
            days = 199 if nb >= d("2026-03-15") else 397
        c = o.leaf(
            ca,
            cn,
            key=key,
            not_before=nb,
            days=days,
            automation=auto,
            endpoints=[f"{cn.lstrip('*.')}:443"],
            **f,
        )
        if wild:
            wildcards.append(c)
        public.append(c)
    return public, wildcards


def _cloud(o: Org) -> list[Cert]:
    """Cloud-managed certificates: AWS ACM (two thirds) and Azure Key Vault."""
    rng, cloud = o.rng, []
    for i in range(330):
        svc = rng.choice([*_PUBLIC_SERVICES, "lab-results", "imaging-pacs"])
        f = _facts(o, svc) | {"environment": "prod"}
        aws = i % 3 != 0
        ca = o.w.public["Amazon RSA 2048 M02"] if aws else o.w.public["Microsoft Azure RSA TLS Issuing CA 03"]
        cn = f"{svc}-{'aws' if aws else 'az'}-{i:03d}.{o.domain}"
        days = 198
        cloud.append(
            o.leaf(
                ca,
                cn,
                key=rng.choice(["RSA-2048", "EC-256"]),
                not_before=o.age(days, automated=True),
                days=days,
                automation="cloud-managed",
                endpoints=[f"{cn}:443"],
                tags=("aws:acm" if aws else "azure:keyvault"),
                **f,
            )
        )
    return cloud


def _sectigo(o: Org) -> list[Cert]:
    """The research group's certificates from Sectigo, a CA the policy does not approve."""
    return [
        o.leaf(
            o.w.public["Sectigo RSA Domain Validation Secure Server CA"],
            f"research-{i}.{o.domain}",
            key="RSA-2048",
            not_before=AS_OF - timedelta(days=o.rng.uniform(20, 150)),
            days=199,
            automation="manual",
            endpoints=[f"research-{i}.{o.domain}:443"],
            **(_facts(o, "data-warehouse") | {"environment": "prod"}),
        )
        for i in range(12)
    ]


def _sources(o: Org, private: list[Cert], web: list[Cert], cloud: list[Cert], registered: list[Cert]) -> None:
    """The CLM platform's exports: ca-export.csv, cloud-certificates.csv, network-scan.csv (every web
    certificate, most cloud ones, more than half of the internal ones) and ca-register.csv."""
    o.csv("ca-export.csv", o.rows(private, "ca-api"), _CA_COLUMNS, private)
    o.csv("cloud-certificates.csv", o.rows(cloud, "cloud-api"), _CLOUD_COLUMNS, cloud)
    scanned = web + [c for c in cloud if o.rng.random() < 0.8] + [c for c in private if o.rng.random() < 0.6]
    scanned.sort(key=lambda c: (c.endpoints[0], c.serial))
    scan_rows = o.rows(scanned, "network-scan", last_seen="2026-11-28T03:00:00Z")
    o.csv("network-scan.csv", scan_rows, _SCAN_COLUMNS, scanned)
    o.csv(
        "ca-register.csv",
        o.rows(
            registered,
            "ca-api",
            service="pki",
            owner=f"k.ito@{o.domain}",
            team="infrastructure",
            environment="prod",
            automation="",
        ),
        _CA_COLUMNS,
        registered,
    )


def _profile(o: Org) -> None:
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
            "as_of": AS_OF_PIN,
            "industry": "Healthcare",
            "teams": [
                {"name": "digital", "engineers": 3, "hours_per_day": 3, "timezone": "America/Chicago"},
                {
                    "name": "clinical-systems",
                    "engineers": 3,
                    "hours_per_day": 2,
                    "timezone": "America/Chicago",
                },
                {"name": "business-apps", "engineers": 2, "hours_per_day": 2, "timezone": "America/Chicago"},
                {"name": "infrastructure", "engineers": 4, "hours_per_day": 4, "timezone": "America/Chicago"},
            ],
            "approved_cas": [
                {"name": "Let's Encrypt", "type": "acme"},
                {"name": "DigiCert", "type": "public"},
                {"name": "Amazon", "type": "cloud"},
                {"name": "Microsoft Azure RSA TLS Issuing CA 03", "type": "cloud"},
                {"name": "Contoso Issuing CA 1", "type": "private"},
                {"name": "Contoso Issuing CA 2", "type": "private"},
            ],
            "backup_cas": [{"name": "Sectigo", "type": "public", "pre_approved": False}],
            "ca_onboarding_days": 14,
            "acme_rate_limit_per_hour": 50,
            "change_freeze": [
                {"start": date(2026, 12, 21), "end": date(2027, 1, 3), "applies_to": ["critical"]}
            ],
            "migration_years": 6,
            "quantum_threat_years": 10,
            "attested": {
                "documented_policy": True,
                "itsm_integration": True,
                "periodic_discovery": True,
                "renewal_runbook": True,
                "automated_deployment": False,
                "hsm_ca_keys": True,
                "pqc_migration_plan": False,
            },
        },
        "CLM platform with nightly scans, CA and cloud connectors; renewals open ServiceNow tickets.",
    )


def _policy(o: Org) -> None:
    o.yaml(
        "policy.yaml",
        {
            "name": "Contoso Health certificate policy v3 (2026)",
            "allowed_key_algorithms": {
                "RSA": {"min_size": 2048},
                "EC": {"curves": ["secp256r1", "secp384r1"]},
            },
            "forbidden_signature_hashes": ["md5", "sha1"],
            "approved_issuers": [
                "Let's Encrypt",
                "Internet Security Research Group",
                "DigiCert Inc",
                "Amazon",
                "Microsoft Corporation",
                "Contoso Health",
            ],
            "max_validity_days": {"public": "cabf", "private": 397},
            "wildcards": {"allowed": False, "allowed_environments": ["dev", "test"]},
            "require_owner": True,
        },
    )
