"""Level 2, Northwind Logistics: a clean spreadsheet of the public certificates and a quarterly scan.

The scan finds shadow certificates the spreadsheet lacks and misses stale rows the spreadsheet still
lists; internal certificates are mostly unlisted.
"""

from __future__ import annotations

from datetime import timedelta

from _world import AS_OF, AS_OF_PIN, CA, Cert, Org, World, d, pick

_DOMAIN = "northwind-logistics.example"
# (service, team, criticality, depends_on, customer_facing, secrecy_years)
_SERVICES = (
    ("website", "web-ops", "high", "booking", True, ""),
    ("tracking-portal", "web-ops", "high", "customer-api", True, ""),
    ("customer-api", "web-ops", "critical", "auth", True, ""),
    ("booking", "web-ops", "critical", "payments;auth", True, ""),
    ("payments", "infrastructure", "critical", "auth", True, 7),
    ("auth", "infrastructure", "critical", "", False, ""),
    ("partner-edi", "infrastructure", "high", "auth", False, 7),
    ("mail", "infrastructure", "medium", "", False, ""),
    ("vpn", "infrastructure", "medium", "auth", False, ""),
    ("warehouse-mgmt", "infrastructure", "high", "auth", False, ""),
    ("fleet-telematics", "infrastructure", "medium", "customer-api", False, ""),
)
_TEAM = {s[0]: s[1] for s in _SERVICES}
_PEOPLE = {"web-ops": ["anna.k@", "tom.b@"], "infrastructure": ["raj.p@", "lena.s@", "ops@"]}
# public host names: every word under the bare domain and under every country prefix
_WORDS = [
    "track",
    "book",
    "api",
    "partner",
    "edi",
    "portal",
    "fleet",
    "depot",
    "hub",
    "cargo",
    "freight",
    "quote",
    "docs",
    "status",
    "events",
]
_COUNTRIES = [
    "eu",
    "us",
    "uk",
    "de",
    "nl",
    "pl",
    "fr",
    "es",
    "it",
    "se",
    "cz",
    "at",
    "be",
    "dk",
    "no",
    "fi",
    "ie",
    "pt",
    "ch",
    "hu",
    "ro",
    "gr",
    "sk",
    "si",
]
_SHADOW_HOSTS = (
    "dev-tracking",
    "test-booking",
    "jenkins",
    "grafana",
    "marketing-lp",
    "promo2026",
    "old-api",
    "staging-portal",
    "sandbox-edi",
    "wiki",
)
_INVENTORY_COLUMNS = (
    "common_name",
    "sans",
    "issuer",
    "serial",
    "not_before",
    "not_after",
    "key_algorithm",
    "key_size",
    "endpoints",
    "service",
    "owner",
    "team",
    "environment",
    "automation",
    "discovered_by",
)
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
    "discovered_by",
    "last_seen",
)


def level2(w: World) -> Org:
    o = Org(w, "level2-aware", "Northwind Logistics", 2, _DOMAIN)
    for name, team, crit, deps, cf, sec in _SERVICES:
        o.service(name, _PEOPLE[team][0] + o.domain, team, crit, deps, customer_facing=cf, secrecy_years=sec)
    root = o.private_ca(
        "Northwind Root CA", "Northwind Logistics", "RSA-2048", d("2019-01-15"), d("2039-01-15")
    )
    inter = o.private_ca(
        "Northwind Internal CA",
        "Northwind Logistics",
        "RSA-2048",
        d("2019-01-15"),
        d("2029-01-15"),
        root,
        path_len=0,
    )
    public, internal, shadow = _public(o), _internal(o, inter), _shadow(o)
    stale = [c for c in public if c.cert.not_valid_after_utc > AS_OF][5:350:44][:8]
    _sources(o, public, internal, shadow, stale)
    o.pem("ca/northwind-root-ca.pem", [o.ca_cert(root)])
    o.pem("ca/northwind-internal-ca.pem", [o.ca_cert(inter)])
    o.truth_extra["shadow"] = sorted([c.cn, c.serial] for c in shadow)
    o.truth_extra["stale"] = sorted([c.cn, c.serial] for c in stale)
    o.write_services()
    _profile(o)
    return o


def _public(o: Org) -> list[Cert]:
    """The public certificates: ~27 % Let's Encrypt by ACME, the rest bought and installed by hand."""
    rng, dom, public = o.rng, o.domain, []
    names = [f"{w_}.{r}{dom}" for r in ["", *(f"{cc}." for cc in _COUNTRIES)] for w_ in _WORDS]
    rng.shuffle(names)
    for i, cn in enumerate(names[:355]):
        svc = pick(
            rng,
            [
                ("website", 2),
                ("tracking-portal", 3),
                ("customer-api", 3),
                ("booking", 2),
                ("payments", 1),
                ("partner-edi", 2),
                ("fleet-telematics", 1),
            ],
        )
        team = _TEAM[svc]
        has_owner = rng.random() < 0.85
        if not has_owner and rng.random() < 0.5:
            svc = None  # nobody remembers what it is for
        auto = "acme" if rng.random() < 0.27 else "manual"
        ca, days, key = _issuer(o, auto)
        nb = o.age(days, automated=auto == "acme") if days else AS_OF - timedelta(days=rng.uniform(2, 390))
        if not days:  # bought certificates: 397 days before the 2026-03-15 cap, 199 after
            days = 397 if nb < d("2026-03-15") else 199
            if nb + timedelta(days=days) < AS_OF + timedelta(days=2):
                nb = AS_OF - timedelta(days=rng.uniform(2, 190))
                days = 199
        if i % 60 == 7:  # a few expired, still in the spreadsheet
            nb = AS_OF - timedelta(days=days + rng.uniform(3, 40))
        public.append(
            o.leaf(
                ca,
                cn,
                key=key,
                not_before=nb,
                days=days,
                service=svc,
                owner=rng.choice(_PEOPLE[team]) + dom if has_owner else None,
                team=team if has_owner else None,
                environment="prod",
                criticality=None,
                automation=auto,
                endpoints=[f"{cn}:443"],
            )
        )
    return public


def _issuer(o: Org, automation: str) -> tuple[CA, int, str]:
    """CA, lifetime in days (0: bought, decided by the date) and key type of one public certificate."""
    rng, P = o.rng, o.w.public
    if automation == "acme":
        return P[rng.choice(["R10", "R11"])], 90, "RSA-2048"
    ca = pick(
        rng,
        [
            (P["Sectigo RSA Domain Validation Secure Server CA"], 5),
            (P["DigiCert Global G2 TLS RSA SHA256 2020 CA1"], 3),
            (P["R11"], 2),
        ],
    )
    return ca, 90 if ca.name == "R11" else 0, rng.choice(["RSA-2048", "EC-256"])


def _internal(o: Org, inter: CA) -> list[Cert]:
    """The internal CA's server certificates, two-year, by hand."""
    hosts = [
        ("wms", "warehouse-mgmt"),
        ("ldap", "auth"),
        ("vpn", "vpn"),
        ("edi", "partner-edi"),
        ("mail", "mail"),
    ]
    return [
        o.leaf(
            inter,
            f"{h}{i}.nwl.internal",
            key="RSA-2048",
            not_before=AS_OF - timedelta(days=o.rng.uniform(10, 700)),
            days=730,
            service=svc,
            owner="ops@" + o.domain,
            team="infrastructure",
            environment="prod",
            automation="manual",
            endpoints=[f"{h}{i}.nwl.internal:443"],
        )
        for i, (h, svc) in enumerate(hosts * 5)
    ]


def _shadow(o: Org) -> list[Cert]:
    """Certificates someone got from Let's Encrypt without telling anyone: only the scan finds them."""
    P = o.w.public
    return [
        o.leaf(
            o.rng.choice([P["R10"], P["R11"], P["E6"]]),
            f"{x}.{o.domain}",
            key="EC-256",
            not_before=o.age(90, automated=True),
            days=90,
            endpoints=[f"{x}.{o.domain}:443"],
        )
        for x in _SHADOW_HOSTS
    ]


def _sources(o: Org, public: list[Cert], internal: list[Cert], shadow: list[Cert], stale: list[Cert]) -> None:
    """inventory.csv (the spreadsheet) and scan-2026-11.csv (the quarterly network scan)."""
    listed = public + internal
    o.csv("inventory.csv", o.rows(listed, "manual"), _INVENTORY_COLUMNS, listed)
    scanned = [c for c in public if c not in stale] + shadow
    scanned.sort(key=lambda c: c.cn)
    o.csv(
        "scan-2026-11.csv",
        o.rows(scanned, "network-scan", last_seen="2026-11-20T02:00:00Z"),
        _SCAN_COLUMNS,
        scanned,
    )


def _profile(o: Org) -> None:
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
            "as_of": AS_OF_PIN,
            "industry": "Logistics",
            "teams": [
                {"name": "web-ops", "engineers": 2, "hours_per_day": 3, "timezone": "Europe/Amsterdam"},
                {
                    "name": "infrastructure",
                    "engineers": 3,
                    "hours_per_day": 2,
                    "timezone": "Europe/Amsterdam",
                },
            ],
            "approved_cas": [
                {"name": "Let's Encrypt", "type": "acme"},
                {"name": "Sectigo", "type": "public"},
                {"name": "DigiCert", "type": "public"},
                {"name": "Northwind Internal CA", "type": "private"},
            ],
            "backup_cas": [],
            "ca_onboarding_days": 21,
            "migration_years": 5,
            "quantum_threat_years": 10,
            "attested": {
                "documented_policy": False,
                "itsm_integration": False,
                "periodic_discovery": True,
                "renewal_runbook": True,
            },
        },
        "Quarterly external scans (nmap + a script); renewals follow the wiki runbook.",
    )
    o.yaml(
        "policy.yaml",
        {
            "name": "Northwind TLS guideline (draft)",
            "allowed_key_algorithms": {
                "RSA": {"min_size": 2048},
                "EC": {"curves": ["secp256r1", "secp384r1"]},
            },
            "forbidden_signature_hashes": ["md5", "sha1"],
            "max_validity_days": {"public": "cabf", "private": 825},
            "require_owner": True,
        },
    )
