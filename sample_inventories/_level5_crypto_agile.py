"""Level 5, Woodgrove Bank: crypto-agile on evidence — two private hierarchies and two public ACME CAs, each
the tested fallback of the other, hybrid ML-KEM on every exposed endpoint, an ML-DSA-65 pilot hierarchy.

Small on purpose (a few hundred certificates): everything is cert-manager behind Vault (the CA keys stay
in Vault's HSM-backed PKI mounts, never in a Secret) or ACME; `kubectl` Lists per namespace, `testssl.sh
--jsonfile` scans of every endpoint, external and internal (TLS 1.3 with X25519MLKEM768), a crt.sh export
of the domain, the CA register and the ML-DSA pilot's PEMs. Every attestation is dated and referenced.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date
from typing import Any

from _exports import (
    acme_cluster_issuer,
    cert_manager_objects,
    crtsh_rows,
    kubectl_list,
    testssl_findings,
    testssl_json,
    vault_cluster_issuer,
)
from _world import AS_OF_PIN, CA, SEED, Cert, Org, World, d, key_type

_DOMAIN = "woodgrove.example"
# (service, team, criticality, depends_on, customer_facing, secrecy_years)
_SERVICES = (
    ("online-banking", "digital", "critical", "payments;accounts;identity", True, 15),
    ("mobile-api", "digital", "critical", "payments;accounts;identity", True, 15),
    ("open-banking-api", "digital", "high", "accounts;identity", True, 10),
    ("payments", "payments", "critical", "ledger;identity", True, 25),
    ("accounts", "payments", "critical", "ledger;identity", False, 25),
    ("ledger", "payments", "critical", "", False, 25),
    ("identity", "identity", "critical", "", False, 10),
    ("marketing-site", "digital", "low", "", True, 1),
    ("observability", "sre", "medium", "", False, 2),
    ("pqc-pilot", "identity", "medium", "identity", False, 25),
    # the CAs: they sign, they keep no data secret in a key exchange
    ("pki", "identity", "critical", "", False, 1),
)
_PEOPLE = {
    "digital": ["amara", "jonas", "digital-oncall"],
    "payments": ["mei", "tomas", "payments-oncall"],
    "identity": ["farah", "luca", "identity-team"],
    "sre": ["olu", "greta", "sre-oncall"],
}
_TEAM = {s[0]: s[1] for s in _SERVICES}
_MESH_SERVICES = (
    "online-banking",
    "mobile-api",
    "open-banking-api",
    "payments",
    "accounts",
    "ledger",
    "identity",
    "observability",
)
_PUBLIC_SERVICES = ("online-banking", "mobile-api", "open-banking-api", "payments", "marketing-site")
_PUBLIC_CHAINS = ("ISRG Root X1", "R11", "ISRG Root X2", "E6", "GTS Root R4", "WE1")
_OWNER_ANNOTATION = "woodgrove.example/owner"
_VAULT = "https://vault.woodgrove.example:8200"
# the hybrid groups OpenSSL 3.5 offers by default, and the classical ones beside them
_KEMS, _CURVES = ("X25519MLKEM768", "SecP256r1MLKEM768"), ("prime256v1", "secp384r1", "X25519")
_COLUMNS = (
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
    "endpoints",
    "service",
    "owner",
    "team",
    "environment",
    "automation",
    "discovered_by",
    "tags",
)


def level5(w: World) -> Org:
    o = Org(w, "level5-crypto-agile", "Woodgrove Bank", 5, _DOMAIN)
    for name, team, crit, deps, cf, sec in _SERVICES:
        o.service(
            name,
            f"{_PEOPLE[team][0]}@{o.domain}",
            team,
            crit,
            deps,
            customer_facing=cf,
            secrecy_years=sec,
            pqc_capable=name in ("pqc-pilot", "identity"),
        )
    root_a, ica_a, root_b, ica_b, pq_root, pq_ica = _private_cas(o)
    mesh = _mesh(o, ica_a, ica_b)
    public = _public(o)
    pilot = _pilot(o, pq_ica)
    ca_certs = [o.ca_cert(c) for c in (root_a, ica_a, root_b, ica_b)]
    pq_ca_certs = [o.ca_cert(c) for c in (pq_root, pq_ica)]
    pub_ca_certs = [o.ca_cert(o.w.public[n]) for n in _PUBLIC_CHAINS]

    fmt_rng = random.Random(f"{SEED}|level5-crypto-agile|formats")
    _write_kubernetes(o, mesh, public, fmt_rng)
    _write_scans(o, mesh, public, pilot, fmt_rng)
    _write_ct(o, public, fmt_rng)
    _write_register(o, ca_certs + pub_ca_certs, pq_ca_certs)
    # ML-DSA signatures are randomized: the rows of ML-DSA certificates match the PEM by issuer + serial
    o.csv("pqc/pilot-certificates.csv", o.rows(pilot, "ca-api", fingerprint_sha256=""), _COLUMNS, pilot)
    o.pem("ca/woodgrove-root-ca-a.pem", [ca_certs[0]])
    o.pem("ca/woodgrove-issuing-ca-a1.pem", [ca_certs[1]])
    o.pem("ca/woodgrove-root-ca-b.pem", [ca_certs[2]])
    o.pem("ca/woodgrove-issuing-ca-b1.pem", [ca_certs[3]])
    o.pem("ca/public-chains.pem", pub_ca_certs)
    o.pem("pqc/woodgrove-pqc-root-ca.pem", [pq_ca_certs[0]])
    o.pem("pqc/woodgrove-pqc-issuing-ca.pem", [pq_ca_certs[1]])
    o.pem("pqc/pilot-leaves.pem", pilot)
    o.truth_extra["pqc"] = sorted([c.cn, c.serial] for c in pilot + pq_ca_certs)
    o.truth_extra["rsa_2048"] = sorted(
        [c.cn, c.serial] for c in mesh + public if key_type(c.cert.public_key()) == ("RSA", "2048")
    )
    o.write_services()
    _profile(o)
    _policy(o)
    return o


# ------------------------------------------------------------------------------------ certificates
def _private_cas(o: Org) -> tuple[CA, CA, CA, CA, CA, CA]:
    """Two independent private hierarchies (A and B, each the tested fallback of the other: clients trust
    both roots) and the ML-DSA-65 pilot's root and issuing CA."""
    org = "Woodgrove Bank"
    root_a = o.private_ca("Woodgrove Root CA A", org, "EC-384", d("2023-02-01"), d("2043-02-01"))
    ica_a = o.private_ca(
        "Woodgrove Issuing CA A1", org, "EC-384", d("2023-02-01"), d("2031-02-01"), root_a, path_len=0
    )
    root_b = o.private_ca("Woodgrove Root CA B", org, "EC-384", d("2024-09-01"), d("2044-09-01"))
    ica_b = o.private_ca(
        "Woodgrove Issuing CA B1", org, "EC-384", d("2024-09-01"), d("2032-09-01"), root_b, path_len=0
    )
    pq_root = o.private_ca("Woodgrove PQC Root CA", org, "ML-DSA-65", d("2026-04-01"), d("2041-04-01"))
    pq_ica = o.private_ca(
        "Woodgrove PQC Issuing CA", org, "ML-DSA-65", d("2026-04-01"), d("2031-04-01"), pq_root, path_len=0
    )
    return root_a, ica_a, root_b, ica_b, pq_root, pq_ica


def _facts(o: Org, svc: str, env: str = "prod") -> dict[str, Any]:
    team = _TEAM[svc]
    return {
        "service": svc,
        "team": team,
        "owner": f"{o.rng.choice(_PEOPLE[team])}@{o.domain}",
        "environment": env,
    }


def _mesh(o: Org, ica_a: CA, ica_b: CA) -> list[Cert]:
    """Internal mTLS from cert-manager through Vault, 7 days: three in five from hierarchy A, the rest from
    B (kept warm); the ledger's Java clients still take RSA-2048 (the algorithm-swap drill's population)."""
    mesh = []
    for i in range(110):
        svc = _MESH_SERVICES[i % len(_MESH_SERVICES)]
        f = _facts(o, svc, "prod" if i % 5 else "staging")
        ns = f"{svc}-{f['environment']}"
        cn = f"{svc}-{i:03d}.{ns}.svc.cluster.local"
        ca = ica_a if i % 5 < 3 else ica_b
        mesh.append(
            o.leaf(
                ca,
                cn,
                key="RSA-2048" if svc == "ledger" else "EC-256",
                not_before=o.age(7, automated=True),
                days=7,
                automation="cert-manager",
                endpoints=[f"{cn}:8443"],
                tags=f"namespace={ns};secret={svc}-{i:03d}-tls;issuer={'vault-ca-a' if ca is ica_a else 'vault-ca-b'}",
                **f,
            )
        )
    return mesh


def _public(o: Org) -> list[Cert]:
    """Public ingress from cert-manager's ACME issuers, 45 days: Let's Encrypt, and every third from Google
    Trust Services (the other operator, so a distrust of one leaves the other)."""
    P, public = o.w.public, []
    for i in range(72):
        svc = _PUBLIC_SERVICES[i % len(_PUBLIC_SERVICES)]
        f = _facts(o, svc)
        gts = i % 3 == 2
        # three marketing hosts still sit behind a CDN that offers no hybrid group yet
        edge = "legacy-cdn" if svc == "marketing-site" and i < 20 else "ingress-nginx"
        ca = P["WE1"] if gts else (P["R11"] if i % 6 == 1 else P["E6"])
        cn = f"{svc}-{i:02d}.{o.domain}"
        public.append(
            o.leaf(
                ca,
                cn,
                key="RSA-2048" if ca.name == "R11" else "EC-256",
                not_before=o.age(45, automated=True),
                days=45,
                automation="cert-manager",
                endpoints=[f"{cn}:443"],
                tags=f"namespace={svc}-prod;secret={svc}-ingress-{i:02d}-tls;issuer={'gts-prod' if gts else 'letsencrypt-prod'};edge={edge}",
                **f,
            )
        )
    return public


def _pilot(o: Org, pq_ica: CA) -> list[Cert]:
    """The ML-DSA-65 pilot: four internal endpoints with ML-DSA certificates from Vault's PQC mount."""
    return [
        o.leaf(
            pq_ica,
            f"pqc-{n}.int.{o.domain}",
            key="ML-DSA-65",
            not_before=o.age(30, automated=True),
            days=30,
            automation="vault",
            endpoints=[f"pqc-{n}.int.{o.domain}:443"],
            **_facts(o, "pqc-pilot", "staging"),
        )
        for n in ("gateway", "ledger-replica", "identity-edge", "signing")
    ]


# ----------------------------------------------------------------------------------------- sources
def _tag(c: Cert, key: str) -> str:
    return dict(t.split("=", 1) for t in (c.tags or "").split(";") if "=" in t)[key]


def _cluster_issuers() -> list[dict[str, Any]]:
    """Let's Encrypt and Google Trust Services over ACME, and Vault's two PKI mounts (hierarchies A and B)."""
    email = "pki@woodgrove.example"
    acme = {
        "created": "2025-01-14T10:02:11Z",
        "registered": "2025-01-14T10:02:13Z",
        "resource_version": "2210",
    }
    vault = {
        "created": "2025-01-14T10:05:40Z",
        "verified": "2025-01-14T10:05:42Z",
        "resource_version": "2214",
    }
    return [
        acme_cluster_issuer(
            "letsencrypt-prod",
            "https://acme-v02.api.letsencrypt.org/directory",
            email,
            uid="b8e0f4a1-3c52-4d7e-9a16-5f2c8d0e7b93",
            **acme,
        ),
        acme_cluster_issuer(
            "gts-prod",
            "https://dv.acme-v02.api.pki.goog/directory",
            email,
            uid="2d7a9c40-e1b3-4f85-86c2-0a4f9e3b1d57",
            eab_key_id="woodgrove-gts-eab",
            **acme,
        ),
        vault_cluster_issuer(
            "vault-ca-a", _VAULT, "pki_a/sign/mesh", uid="6f1e3b92-7a04-4c8d-b5e1-93d2a7c04f18", **vault
        ),
        vault_cluster_issuer(
            "vault-ca-b", _VAULT, "pki_b/sign/mesh", uid="c3a85d17-0e9f-4b26-a7d4-18e6f2b9c053", **vault
        ),
    ]


def _write_kubernetes(o: Org, mesh: Sequence[Cert], public: Sequence[Cert], rng: random.Random) -> None:
    """kubernetes/<namespace>.yaml: `kubectl get certificates,clusterissuers,secrets -n NS -o yaml`."""
    by_ns: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for c in [*mesh, *public]:
        assert c.ca is not None
        chain = [o.ca_cert(c.ca)]
        ns, name = _tag(c, "namespace"), _tag(c, "secret").removesuffix("-tls")
        certificate, secret = cert_manager_objects(
            c,
            ns,
            name,
            _tag(c, "issuer"),
            chain,
            rng,
            owner_annotation=_OWNER_ANNOTATION,
            client_auth=c.trust == "private",
        )
        certs, secrets = by_ns.setdefault(ns, ([], []))
        certs.append(certificate)
        secrets.append(secret)
        o.mark([c, *chain])
    issuers = _cluster_issuers()

    def by_name(obj: dict[str, Any]) -> str:
        return str(obj["metadata"]["name"])

    for ns, (certs, secrets) in sorted(by_ns.items()):
        o.put(
            f"kubernetes/{ns}.yaml",
            kubectl_list(sorted(certs, key=by_name) + issuers + sorted(secrets, key=by_name)),
        )


def _write_scans(
    o: Org, mesh: Sequence[Cert], public: Sequence[Cert], pilot: Sequence[Cert], rng: random.Random
) -> None:
    """network-scan/testssl-{external,internal}.json: the weekly testssl.sh runs over every endpoint. Every
    terminator offers X25519MLKEM768 except three marketing hosts behind a CDN that has not enabled it yet
    (their data is public: Mosca does not call them exposed)."""
    for name, group, net in (
        ("external", public, "203.0.113.{}"),
        ("internal", [*mesh, *pilot], "10.20.{}.{}"),
    ):
        findings: list[dict[str, str]] = []
        for k, c in enumerate(sorted(group, key=lambda c: c.endpoints[0])):
            assert c.ca is not None
            ip = net.format(10 + k % 40) if name == "external" else net.format(k // 200, 10 + k % 200)
            kems = () if c.tags and "edge=legacy-cdn" in c.tags else _KEMS
            pqc = key_type(c.cert.public_key())[0] == "ML-DSA-65"
            findings += testssl_findings(c, [o.ca_cert(c.ca)], ip, kems=kems, curves=_CURVES, body=not pqc)
        o.mark(group)
        o.put(f"network-scan/testssl-{name}.json", testssl_json(findings))


def _write_ct(o: Org, public: Sequence[Cert], rng: random.Random) -> None:
    """ct/crtsh-woodgrove.example.json: the CT monitor's crt.sh export of %.woodgrove.example."""
    ids = {"R11": 295811, "E6": 295814, "WE1": 183267}
    rows = crtsh_rows(public, rng, first_id=15_620_000_000, issuer_ca_ids=ids)
    o.mark(public)
    o.put(f"ct/crtsh-{_DOMAIN}.json", json.dumps(rows, indent=1) + "\n")


def _write_register(o: Org, registered: list[Cert], pq_ca_certs: list[Cert]) -> None:
    """ca-register.csv: the identity team's list of every CA certificate, the PQC pilot's in staging."""
    common = {"owner": f"farah@{o.domain}", "team": "identity", "automation": ""}
    rows = o.rows(registered, "ca-api", service="pki", environment="prod", **common)
    rows += o.rows(
        pq_ca_certs, "ca-api", service="pqc-pilot", environment="staging", fingerprint_sha256="", **common
    )
    o.csv("ca-register.csv", rows, _COLUMNS, registered + pq_ca_certs)


# ---------------------------------------------------------------------------------- profile, policy
def _attested() -> dict[str, dict[str, Any]]:
    """Every answer dated within the year and backed by a document."""

    def said(answer: Any, on: date, evidence: str) -> dict[str, Any]:
        return {"answer": answer, "date": on, "evidence": evidence}

    return {
        "documented_policy": said(True, date(2026, 4, 20), "Woodgrove certificate policy CP-7 v4"),
        "itsm_integration": said(True, date(2026, 10, 20), "ServiceNow PKI integration, change CHG-88412"),
        "periodic_discovery": said(True, date(2026, 11, 2), "weekly testssl.sh jobs, pipeline SCAN-W"),
        "renewal_runbook": said(True, date(2026, 4, 20), "runbook PKI-RB-01 v9"),
        "automated_deployment": said(True, date(2026, 10, 20), "platform controls review PCR-2026-Q3"),
        "automated_revocation": said(
            True, date(2026, 10, 20), "revocation service RVK (Vault and ACME APIs)"
        ),
        "issuance_policy_enforced": said(
            True, date(2026, 8, 3), "cert-manager approver-policy, audit IA-2026-08"
        ),
        "infrastructure_as_code": said(True, date(2026, 10, 20), "platform controls review PCR-2026-Q3"),
        "hsm_ca_keys": said(True, date(2026, 9, 15), "HSM key ceremony and audit report KC-2026-09"),
        "mass_revocation_plan": said(True, date(2026, 8, 3), "mass-revocation plan MRP v3"),
        "last_fire_drill": said(
            date(2026, 11, 3), date(2026, 11, 3), "drill report FD-2026-11 (GTS fallback)"
        ),
        "pqc_migration_plan": said(True, date(2026, 5, 4), "PQC migration plan PQM-2026 v2"),
        "pqc_pilot": said(True, date(2026, 5, 4), "ML-DSA-65 pilot charter PQM-P2"),
        "mosca_assessed": said(True, date(2026, 5, 4), "Mosca assessment in PQM-2026 v2 §2"),
        "metrics_reviewed": said(True, date(2026, 10, 12), "quarterly PKI metrics review 2026-Q3"),
    }


def _profile(o: Org) -> None:
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
            "as_of": AS_OF_PIN,
            "industry": "Banking",
            "domains": [_DOMAIN],
            "teams": [
                {"name": t, "engineers": n, "hours_per_day": 6, "timezone": tz}
                for t, n, tz in [
                    ("digital", 4, "Europe/London"),
                    ("payments", 4, "Europe/London"),
                    ("identity", 3, "Europe/London"),
                    ("sre", 4, "America/Toronto"),
                ]
            ],
            "shared_on_call": True,
            "approved_cas": [
                {"name": "Let's Encrypt", "type": "acme"},
                {"name": "Google Trust Services", "type": "acme", "pre_approved": True},
                {"name": "Woodgrove Issuing CA A1", "type": "private", "issuance_per_hour": 2000},
                {"name": "Woodgrove Issuing CA B1", "type": "private", "issuance_per_hour": 2000},
                {"name": "Woodgrove PQC Issuing CA", "type": "private", "pqc": True},
            ],
            "backup_cas": [
                {
                    "name": "Google Trust Services",
                    "type": "acme",
                    "pre_approved": True,
                    "tested": date(2026, 11, 3),
                },
                {
                    "name": "Woodgrove Issuing CA B1",
                    "type": "private",
                    "pre_approved": True,
                    "tested": date(2026, 11, 3),
                },
                {
                    "name": "Woodgrove Issuing CA A1",
                    "type": "private",
                    "pre_approved": True,
                    "tested": date(2026, 11, 3),
                },
            ],
            "ca_onboarding_days": 5,
            "acme_rate_limit_per_hour": 300,
            "change_freeze": [
                {"start": date(2026, 12, 22), "end": date(2027, 1, 2), "applies_to": ["critical"]}
            ],
            "migration_years": 3,
            "quantum_threat_years": 10,
            "attested": _attested(),
        },
        "cert-manager behind Vault (HSM) and ACME everywhere; two hierarchies and two ACME CAs, each the\n"
        "tested fallback of the other; hybrid ML-KEM at every terminator; monthly fire drills.",
    )


def _policy(o: Org) -> None:
    o.yaml(
        "policy.yaml",
        {
            "name": "Woodgrove certificate policy CP-7",
            "allowed_key_algorithms": {
                "RSA": {"min_size": 2048},
                "EC": {"curves": ["secp256r1", "secp384r1"]},
                "ML-DSA-65": {},
            },
            "forbidden_signature_hashes": ["md5", "sha1"],
            "approved_issuers": [
                "Let's Encrypt",
                "Internet Security Research Group",
                "Google Trust Services",
                "Google Trust Services LLC",
                "Woodgrove Bank",
            ],
            "max_validity_days": {"public": 47, "private": 31},
            "wildcards": {"allowed": False},
            "require_owner": True,
        },
    )
