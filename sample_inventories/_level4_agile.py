"""Level 4, Fabrikam Cloud: sources exported as the tools emit them, an ML-DSA-65 pilot, a warm backup CA.

Fabrikam writes its cluster, cloud and scan sources in the tools' own formats (shapes learned from real
output, see /work/shared/formats): one `kubectl get certificates,clusterissuers,secrets -n NS -o yaml`
List per namespace (cert-manager Certificates, ClusterIssuers, kubernetes.io/tls Secrets without
tls.key), AWS ACM describe-certificate (+ tags) and get-certificate JSON per region, and an
`nmap --script ssl-cert -oX` scan with the pem element. Their ids, ARNs and addresses come from a
separate seeded generator, so the certificates stay those of the earlier canonical-CSV version.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date
from typing import Any

from _exports import (
    acm_describe,
    acm_get,
    acme_cluster_issuer,
    cert_manager_objects,
    crtsh_rows,
    kubectl_list,
    nmap_host,
    nmap_run,
    vault_cluster_issuer,
)
from _world import AS_OF_PIN, CA, SEED, Cert, Org, World, d, pick

_DOMAIN = "fabrikam.example"
AWS_ACCOUNT = "314159265358"
# (service, team, criticality, depends_on, customer_facing, secrecy_years)
_SERVICES = (
    ("storefront", "edge", "critical", "checkout;catalog;identity", True, 2),
    ("checkout", "payments-eng", "critical", "payments;identity", True, 10),
    ("payments", "payments-eng", "critical", "ledger;identity", True, 10),
    ("ledger", "payments-eng", "critical", "", False, 15),
    ("catalog", "platform", "high", "search", True, 1),
    ("search", "data", "high", "", False, 1),
    ("identity", "identity", "critical", "secrets", True, 10),
    ("secrets", "identity", "critical", "", False, 20),
    ("api-gateway", "edge", "critical", "identity", True, 5),
    ("webhooks", "platform", "high", "api-gateway", True, 2),
    ("analytics", "data", "medium", "data-lake", False, 5),
    ("data-lake", "data", "high", "", False, 15),
    ("notifications", "platform", "medium", "identity", True, 1),
    ("ci-cd", "sre", "high", "secrets", False, 3),
    ("observability", "sre", "high", "", False, 1),
    ("service-mesh", "platform", "critical", "secrets", False, 5),
    ("pqc-pilot", "identity", "medium", "secrets", False, 20),
    ("pki", "identity", "critical", "", False, 20),
)
_PEOPLE = {
    "platform": ["ines", "omar", "platform-team"],
    "payments-eng": ["lucia", "ben", "payments-oncall"],
    "identity": ["yuki", "sam", "identity-team"],
    "data": ["priya", "noah", "data-team"],
    "edge": ["elena", "kofi", "edge-team"],
    "sre": ["marta", "li", "sre-oncall"],
}
_TEAM = {s[0]: s[1] for s in _SERVICES}
_APP_SERVICES = [s[0] for s in _SERVICES if s[0] not in ("pki", "pqc-pilot")]
_PUBLIC_SERVICES = [s[0] for s in _SERVICES if s[4]]
# the public CAs whose certificates the CA register and ca/public-chains.pem hold
_PUBLIC_CHAINS = (
    "ISRG Root X1",
    "R10",
    "R11",
    "ISRG Root X2",
    "E6",
    "Amazon Root CA 1",
    "Amazon RSA 2048 M02",
    "GTS Root R4",
    "WE1",
)
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
    "last_seen",
    "tags",
)
_MESH_ISSUER, _INGRESS_ISSUER = "fabrikam-kubernetes-ca", "letsencrypt-prod"
_OWNER_ANNOTATION = "fabrikam.example/owner"


def level4(w: World) -> Org:
    o = Org(w, "level4-agile", "Fabrikam Cloud", 4, _DOMAIN)
    for name, team, crit, deps, cf, sec in _SERVICES:
        o.service(
            name,
            f"{_PEOPLE[team][0]}@{o.domain}",
            team,
            crit,
            deps,
            customer_facing=cf,
            secrecy_years=sec,
            pqc_capable=name in ("pqc-pilot", "secrets"),
        )
    root, ica, kca, pqroot, pqica = _private_cas(o)
    mesh, ingress, acme, cloud = _mesh(o, kca), _ingress(o), _acme(o), _cloud(o)
    vault, pq = _vault(o, ica), _pqc(o, pqica)
    ca_certs = [o.ca_cert(c) for c in (root, ica, kca)]
    pq_ca_certs = [o.ca_cert(c) for c in (pqroot, pqica)]
    pub_ca_certs = [o.ca_cert(o.w.public[n]) for n in _PUBLIC_CHAINS]

    fmt_rng = random.Random(f"{SEED}|level4-agile|formats")  # ids, addresses: not the certificates
    _write_kubernetes(o, mesh, ingress, fmt_rng)
    _write_acm(o, cloud, fmt_rng)
    _write_ca_exports(o, acme, vault, pq)
    _write_nmap(o, ingress, acme, cloud, fmt_rng)
    _write_register(o, ca_certs + pub_ca_certs, pq_ca_certs)
    _write_ct(o, ingress + acme + cloud, fmt_rng)
    o.pem("ca/fabrikam-root-ca-g2.pem", [ca_certs[0]])
    o.pem("ca/fabrikam-issuing-ca-1.pem", [ca_certs[1]])
    o.pem("ca/fabrikam-kubernetes-ca.pem", [ca_certs[2]])
    o.pem("ca/public-chains.pem", pub_ca_certs)
    o.pem("pqc/fabrikam-pqc-root-ca.pem", [pq_ca_certs[0]])
    o.pem("pqc/fabrikam-pqc-issuing-ca.pem", [pq_ca_certs[1]])
    o.pem("pqc/pilot-leaves.pem", pq)
    o.pem("pem/vault-sample.pem", vault[:60])
    o.truth_extra["pqc"] = sorted([c.cn, c.serial] for c in pq + pq_ca_certs)
    o.write_services()
    _profile(o)
    _policy(o)
    return o


# ------------------------------------------------------------------------------------ certificates
def _private_cas(o: Org) -> tuple[CA, CA, CA, CA, CA]:
    """Root G2 → Issuing CA 1 (Vault) and Kubernetes CA (cert-manager); the ML-DSA-65 pilot's root →
    issuing CA."""
    root = o.private_ca("Fabrikam Root CA G2", "Fabrikam Cloud", "EC-384", d("2022-01-10"), d("2042-01-10"))
    ica = o.private_ca(
        "Fabrikam Issuing CA 1",
        "Fabrikam Cloud",
        "EC-384",
        d("2022-01-10"),
        d("2030-01-10"),
        root,
        path_len=0,
    )
    kca = o.private_ca(
        "Fabrikam Kubernetes CA",
        "Fabrikam Cloud",
        "EC-256",
        d("2024-06-01"),
        d("2029-06-01"),
        root,
        path_len=0,
    )
    pqroot = o.private_ca(
        "Fabrikam PQC Root CA", "Fabrikam Cloud", "ML-DSA-65", d("2026-06-01"), d("2041-06-01")
    )
    pqica = o.private_ca(
        "Fabrikam PQC Issuing CA",
        "Fabrikam Cloud",
        "ML-DSA-65",
        d("2026-06-01"),
        d("2031-06-01"),
        pqroot,
        path_len=0,
    )
    return root, ica, kca, pqroot, pqica


def _facts(o: Org, svc: str, env: str | None = None) -> dict[str, Any]:
    """Service, team, owner (always) and environment of one certificate of `svc`."""
    team = _TEAM[svc]
    return {
        "service": svc,
        "team": team,
        "owner": f"{o.rng.choice(_PEOPLE[team])}@{o.domain}",
        "environment": env or pick(o.rng, [("prod", 6), ("staging", 2), ("dev", 1), ("test", 1)]),
        "criticality": None,
    }


def _mesh(o: Org, kca: CA) -> list[Cert]:
    """Mesh / internal mTLS from cert-manager's CA issuer, 30 days."""
    mesh = []
    for i in range(1500):
        svc = o.rng.choice(_APP_SERVICES)
        f = _facts(o, svc)
        ns = f"{svc}-{f['environment']}"
        cn = f"{svc}-{i:04d}.{ns}.svc.cluster.local"
        mesh.append(
            o.leaf(
                kca,
                cn,
                not_before=o.age(30, automated=True),
                days=30,
                automation="cert-manager",
                endpoints=[f"{cn}:8443"],
                tags=f"namespace={ns};secret={svc}-{i:04d}-tls",
                **f,
            )
        )
    return mesh


def _ingress(o: Org) -> list[Cert]:
    """Public ingress via cert-manager's ACME issuer, 45 and 90 days; a dev wildcard now and then."""
    P, ingress = o.w.public, []
    for i in range(300):
        svc = o.rng.choice(_PUBLIC_SERVICES)
        f = _facts(o, svc, "prod")
        wild = i % 100 == 5
        cn = f"*.{svc}-dev.{o.domain}" if wild else f"{svc}-{i:03d}.{o.domain}"
        if wild:
            f["environment"] = "dev"
        ns = f"{svc}-{f['environment']}"  # the ingress Certificate lives in the app's namespace
        days = 45 if i % 4 == 0 else 90
        ca = P["R11"] if i % 3 == 0 else P["E6"]
        ingress.append(
            o.leaf(
                ca,
                cn,
                key="EC-256" if ca.name == "E6" else "RSA-2048",
                not_before=o.age(days, automated=True),
                days=days,
                automation="cert-manager",
                endpoints=[f"{cn.lstrip('*.')}:443"],
                tags=f"namespace={ns};secret={svc}-ingress-{i:03d}-tls",
                **f,
            )
        )
    return ingress


def _acme(o: Org) -> list[Cert]:
    """The edge's ACME clients: Let's Encrypt, and every twentieth from the warm backup CA."""
    P, acme = o.w.public, []
    for i in range(520):
        svc = o.rng.choice(_PUBLIC_SERVICES)
        f = _facts(o, svc, "prod")
        backup = i % 20 == 0  # Google Trust Services: the pre-approved backup ACME CA, kept warm
        ca = P["WE1"] if backup else pick(o.rng, [(P["E6"], 6), (P["R11"], 2), (P["R10"], 2)])
        days = 45 if i % 3 == 0 else 90
        cn = f"{svc}-edge-{i:03d}.{o.domain}"
        acme.append(
            o.leaf(
                ca,
                cn,
                key="EC-256" if ca.name in ("E6", "WE1") else "RSA-2048",
                not_before=o.age(days, automated=True),
                days=days,
                automation="acme",
                endpoints=[f"{cn}:443"],
                **f,
            )
        )
    return acme


def _cloud(o: Org) -> list[Cert]:
    """AWS Certificate Manager, 90 days (ACM's shorter public validity)."""
    cloud = []
    for i in range(480):
        svc = o.rng.choice([*_PUBLIC_SERVICES, "data-lake", "analytics"])
        f = _facts(o, svc, "prod")
        cn = f"{svc}-{i:03d}.aws.{o.domain}"
        cloud.append(
            o.leaf(
                o.w.public["Amazon RSA 2048 M02"],
                cn,
                key="RSA-2048" if i % 5 == 0 else "EC-256",
                not_before=o.age(90, automated=True),
                days=90,
                automation="cloud-managed",
                endpoints=[f"{cn}:443"],
                tags="aws:acm",
                **f,
            )
        )
    return cloud


def _vault(o: Org, ica: CA) -> list[Cert]:
    """Vault PKI, 14 days; every 25th a vendor appliance renewed by hand."""
    vault = []
    for i in range(150):
        svc = o.rng.choice(_APP_SERVICES)
        f = _facts(o, svc)
        cn = f"{svc}-{i:03d}.int.{o.domain}"
        manual = i % 25 == 0  # vendor appliances that cannot take an agent yet
        days = 90 if manual else 14
        vault.append(
            o.leaf(
                ica,
                cn,
                key=o.rng.choice(["EC-256", "EC-384", "RSA-2048"]),
                not_before=o.age(days, automated=not manual, margin=20),
                days=days,
                automation="manual" if manual else "vault",
                endpoints=[f"{cn}:443"],
                **f,
            )
        )
    return vault


def _pqc(o: Org, pqica: CA) -> list[Cert]:
    """The ML-DSA-65 pilot's four leaves."""
    return [
        o.leaf(
            pqica,
            f"pqc-{n}.int.{o.domain}",
            key="ML-DSA-65",
            not_before=o.age(30, automated=True),
            days=30,
            automation="vault",
            endpoints=[f"pqc-{n}.int.{o.domain}:443"],
            **_facts(o, "pqc-pilot", "staging"),
        )
        for n in ("gateway", "secrets", "mesh-ingress", "signing")
    ]


# ----------------------------------------------------------------------------------------- sources
def _tag(c: Cert, key: str) -> str:
    return dict(t.split("=", 1) for t in (c.tags or "").split(";") if "=" in t)[key]


def _cluster_issuers() -> list[dict[str, Any]]:
    """The ClusterIssuers of Fabrikam's clusters: Let's Encrypt (production and staging), Google Trust
    Services (the pre-approved backup ACME CA, kept warm) and the Fabrikam Kubernetes CA through Vault."""
    email = "edge-team@fabrikam.example"
    acme = {
        "created": "2024-06-03T09:12:44Z",
        "registered": "2024-06-03T09:12:46Z",
        "resource_version": "1043",
    }
    return [
        acme_cluster_issuer(
            _INGRESS_ISSUER,
            "https://acme-v02.api.letsencrypt.org/directory",
            email,
            uid="7c1d2e84-5b0a-4f4e-9c51-0d7a3e6b2f10",
            **acme,
        ),
        acme_cluster_issuer(
            "letsencrypt-staging",
            "https://acme-staging-v02.api.letsencrypt.org/directory",
            email,
            uid="0a8f6c13-2d47-4b9e-8e22-61c5f0b9d7a4",
            **acme,
        ),
        acme_cluster_issuer(
            "gts-prod",
            "https://dv.acme-v02.api.pki.goog/directory",
            email,
            uid="f3b5a1c9-8e6d-4c27-a0f4-2b9e7d1c5a83",
            eab_key_id="fabrikam-gts-eab",
            **acme,
        ),
        # the Kubernetes CA signs in Vault (its key in the HSM-backed PKI mount), not from a Secret
        vault_cluster_issuer(
            _MESH_ISSUER,
            "https://vault.fabrikam.example:8200",
            "pki_k8s/sign/mesh",
            uid="5e2c9b07-41a8-4d6f-b3e0-9a7c1f4d2e68",
            created="2024-06-01T08:00:00Z",
            verified="2024-06-01T08:00:03Z",
            resource_version="1011",
        ),
    ]


def _write_kubernetes(o: Org, mesh: Sequence[Cert], ingress: Sequence[Cert], rng: random.Random) -> None:
    """kubernetes/<namespace>.yaml: `kubectl get certificates,clusterissuers,secrets -n NS -o yaml` per
    namespace (cluster-scoped ClusterIssuers come with every namespace's listing)."""
    by_ns: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for group, issuer in ((mesh, _MESH_ISSUER), (ingress, _INGRESS_ISSUER)):
        for c in group:
            assert c.ca is not None
            chain = [o.ca_cert(c.ca)]
            ns, name = _tag(c, "namespace"), _tag(c, "secret").removesuffix("-tls")
            certificate, secret = cert_manager_objects(
                c,
                ns,
                name,
                issuer,
                chain,
                rng,
                owner_annotation=_OWNER_ANNOTATION,
                client_auth=issuer == _MESH_ISSUER,
            )
            certs, secrets = by_ns.setdefault(ns, ([], []))
            certs.append(certificate)
            secrets.append(secret)
            o.mark([c, *chain])
    issuers = _cluster_issuers()

    def by_name(obj: dict[str, Any]) -> str:
        return str(obj["metadata"]["name"])

    for ns, (certs, secrets) in sorted(by_ns.items()):
        items = sorted(certs, key=by_name) + issuers + sorted(secrets, key=by_name)
        o.put(f"kubernetes/{ns}.yaml", kubectl_list(items))


def _write_acm(o: Org, cloud: Sequence[Cert], rng: random.Random) -> None:
    """aws-acm/<region>/: describe-certificate (+ tags) and get-certificate of every certificate, as an
    inventory script collects them (`aws acm list-certificates`, then one call per ARN, `jq -s`)."""
    cdn = {"storefront", "catalog", "notifications"}  # CloudFront: the certificate lives in us-east-1
    apis = {"api-gateway", "webhooks"}
    albs: dict[str, str] = {}
    regions: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for c in cloud:
        assert c.ca is not None and c.service is not None
        region = "us-east-1" if c.service in cdn else "eu-west-1"
        if c.service in cdn:
            dist = "E" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(13))
            users = [f"arn:aws:cloudfront::{AWS_ACCOUNT}:distribution/{dist}"]
        elif c.service in apis:
            users = [f"arn:aws:apigateway:{region}::/domainnames/{c.cn}"]
        else:
            alb = albs.setdefault(c.service, f"{rng.getrandbits(64):016x}")
            users = [
                f"arn:aws:elasticloadbalancing:{region}:{AWS_ACCOUNT}:loadbalancer/app/{c.service}-prod/{alb}"
            ]
        chain = [o.ca_cert(c.ca)] + ([o.ca_cert(c.ca.parent)] if c.ca.parent else [])
        describe, get = regions.setdefault(region, ([], []))
        describe.append(acm_describe(c, region, users, rng, account=AWS_ACCOUNT))
        get.append(acm_get(c, chain))
        o.mark([c, *chain])
    for region, (describe, get) in sorted(regions.items()):
        o.put(f"aws-acm/{region}/describe-certificate.json", json.dumps(describe, indent=4) + "\n")
        o.put(f"aws-acm/{region}/get-certificate.json", json.dumps(get, indent=4) + "\n")


def _write_nmap(
    o: Org, ingress: Sequence[Cert], acme: Sequence[Cert], cloud: Sequence[Cert], rng: random.Random
) -> None:
    """network-scan/nmap-<targets>.xml: the nightly external scans of every public endpoint, one nmap run
    per target list (Kubernetes ingress controllers, the ACME-managed edge, AWS load balancers and
    CloudFront). They know certificates and endpoints, no owners."""
    t = int(d("2026-11-28T05:40:00").timestamp())
    for targets, group, net in (
        ("ingress", ingress, "203.0.113.{}"),
        ("edge", acme, "198.51.100.{}"),
        ("aws", cloud, "192.0.2.{}"),
    ):
        # the ingress controllers' load balancers share a few addresses
        ip = {
            id(c): net.format(10 + k % 6 if targets == "ingress" else 1 + k % 250)
            for k, c in enumerate(group)
        }
        start, hosts = t, []
        for c in sorted(group, key=lambda c: c.endpoints[0]):
            hosts.append(nmap_host(c, ip[id(c)], t, rng))
            t += rng.randrange(0, 3)
        t += 4
        o.mark(group)
        run = nmap_run(
            hosts, start, t, target_list=f"fabrikam-{targets}-endpoints.txt", output=f"nmap-{targets}.xml"
        )
        o.put(f"network-scan/nmap-{targets}.xml", run)
        t += 600  # the next run starts ten minutes later


def _write_ca_exports(o: Org, acme: list[Cert], vault: list[Cert], pq: list[Cert]) -> None:
    """acme-certificates.csv (the ACME clients' records) and vault-certificates.csv (Vault PKI)."""
    o.csv("acme-certificates.csv", o.rows(acme, "ca-api"), _COLUMNS, acme)
    pq_rows = o.rows(pq, "ca-api")
    for r in pq_rows:  # ML-DSA signatures are randomized: these rows match the PEM by issuer + serial
        r["fingerprint_sha256"] = ""
    o.csv("vault-certificates.csv", o.rows(vault, "ca-api") + pq_rows, _COLUMNS, vault + pq)


def _write_ct(o: Org, public: Sequence[Cert], rng: random.Random) -> None:
    """ct/crtsh-fabrikam.example.json: the CT monitor's crt.sh export for %.fabrikam.example, every public
    certificate logged (each one also known to another source: nothing to triage)."""
    ids = {"R10": 295810, "R11": 295811, "E6": 295814, "WE1": 183267, "Amazon RSA 2048 M02": 222733}
    rows = crtsh_rows(public, rng, first_id=15_480_000_000, issuer_ca_ids=ids)
    o.mark(public)
    o.put(f"ct/crtsh-{_DOMAIN}.json", json.dumps(rows, indent=1) + "\n")


def _write_register(o: Org, registered: list[Cert], pq_ca_certs: list[Cert]) -> None:
    """ca-register.csv: the identity team's list of every CA certificate, the PQC pilot's in staging."""
    rows = o.rows(
        registered,
        "ca-api",
        service="pki",
        owner=f"yuki@{o.domain}",
        team="identity",
        environment="prod",
        automation="",
    )
    pq_rows = o.rows(
        pq_ca_certs,
        "ca-api",
        service="pqc-pilot",
        owner=f"yuki@{o.domain}",
        team="identity",
        environment="staging",
        automation="",
        fingerprint_sha256="",
    )
    o.csv("ca-register.csv", rows + pq_rows, _COLUMNS, registered + pq_ca_certs)


# ---------------------------------------------------------------------------------- profile, policy
def _profile(o: Org) -> None:
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
            "as_of": AS_OF_PIN,
            "industry": "SaaS",
            "teams": [
                {"name": t, "engineers": n, "hours_per_day": 6, "timezone": tz}
                for t, n, tz in [
                    ("platform", 6, "UTC"),
                    ("payments-eng", 4, "Europe/Berlin"),
                    ("identity", 4, "Europe/Berlin"),
                    ("data", 4, "America/New_York"),
                    ("edge", 3, "UTC"),
                    ("sre", 5, "UTC"),
                ]
            ],
            "approved_cas": [
                {"name": "Let's Encrypt", "type": "acme"},
                {"name": "Amazon", "type": "cloud"},
                {"name": "Fabrikam Issuing CA 1", "type": "private"},
                {"name": "Fabrikam Kubernetes CA", "type": "private"},
                {"name": "Fabrikam PQC Issuing CA", "type": "private"},
            ],
            "backup_cas": [{"name": "Google Trust Services", "type": "acme", "pre_approved": True}],
            "ca_onboarding_days": 7,
            "acme_rate_limit_per_hour": 300,
            "change_freeze": [
                {"start": date(2026, 12, 20), "end": date(2027, 1, 4), "applies_to": ["critical"]}
            ],
            "migration_years": 4,
            "quantum_threat_years": 10,
            "attested": _attested(),
        },
        "Everything is cert-manager, ACME, ACM or Vault; quarterly CA-distrust fire drills.",
    )


def _attested() -> dict[str, dict[str, Any]]:
    """Every answer dated and backed by a document (from level 4 an undated "yes" is no evidence)."""

    def said(answer: Any, on: date, evidence: str) -> dict[str, Any]:
        return {"answer": answer, "date": on, "evidence": evidence}

    return {
        "documented_policy": said(True, date(2026, 4, 14), "Fabrikam certificate policy 2026, CP-2026 v1.3"),
        "itsm_integration": said(True, date(2026, 9, 30), "ServiceNow integration runbook SN-CERT-12"),
        "periodic_discovery": said(
            True, date(2026, 11, 1), "nightly nmap jobs, scheduler export SCH-2026-11"
        ),
        "renewal_runbook": said(True, date(2026, 4, 14), "runbook RB-PKI-04 v7"),
        "automated_deployment": said(True, date(2026, 9, 30), "platform review PR-2026-Q3"),
        "automated_revocation": said(
            True, date(2026, 9, 30), "revocation tooling RT-2 (Vault and ACME APIs)"
        ),
        "issuance_policy_enforced": said(
            True, date(2026, 6, 15), "cert-manager approver-policy CRs, audit A-77"
        ),
        "infrastructure_as_code": said(True, date(2026, 9, 30), "platform review PR-2026-Q3"),
        "hsm_ca_keys": said(True, date(2026, 9, 30), "HSM audit report AR-2026-09 (Vault seal and PKI keys)"),
        "mass_revocation_plan": said(True, date(2026, 6, 15), "mass-revocation plan MRP-2026 v2"),
        "last_fire_drill": said(date(2026, 9, 12), date(2026, 9, 12), "drill report FD-2026-09"),
        "pqc_migration_plan": said(True, date(2026, 7, 1), "PQC migration plan PQC-2026 v1"),
        "pqc_pilot": said(True, date(2026, 7, 1), "ML-DSA-65 pilot charter PQC-P1"),
        "mosca_assessed": said(True, date(2026, 7, 1), "Mosca assessment in PQC-2026 v1 §3"),
        "metrics_reviewed": said(True, date(2026, 10, 5), "quarterly PKI metrics review 2026-Q3"),
    }


def _policy(o: Org) -> None:
    o.yaml(
        "policy.yaml",
        {
            "name": "Fabrikam certificate policy 2026",
            "allowed_key_algorithms": {
                "RSA": {"min_size": 2048},
                "EC": {"curves": ["secp256r1", "secp384r1"]},
                "Ed25519": {},
                "ML-DSA-65": {},
            },
            "forbidden_signature_hashes": ["md5", "sha1"],
            "approved_issuers": [
                "Let's Encrypt",
                "Internet Security Research Group",
                "Google Trust Services",
                "Google Trust Services LLC",
                "Amazon",
                "Fabrikam Cloud",
            ],
            "max_validity_days": {"public": 90, "private": 397},
            "wildcards": {"allowed": False, "allowed_environments": ["dev", "test"]},
            "require_owner": True,
        },
    )
