"""Generate the four sample organizations in sample_inventories/ from one seed, with real certificates.

    /work/venv/bin/python sample_inventories/generate.py            # (re)write all four + _truth/
    /work/venv/bin/python sample_inventories/generate.py --check    # regenerate into a temp dir, compare

Every certificate is real: CA hierarchies (public-CA look-alikes such as "ISRG Root X1" → "R11" and
"DigiCert Global Root G2" → "DigiCert Global G2 TLS RSA SHA256 2020 CA1", self-generated; and each
organization's private CA) issue leaves with `cryptography`. CSV rows carry the issuer name and serial
(and the SHA-256 fingerprint where the source would know it), so rows merge with PEM bodies on ingest.
All dates are relative to AS_OF; the structure (names, serials, dates, rows) depends only on SEED.

Determinism:
- byte-identical on regeneration: every RSA/ECDSA certificate, every CSV, YAML and JSON file. EC keys
  are derived from seeded scalars, ECDSA signs per RFC 6979 (`ecdsa_deterministic=True`), RSA
  PKCS#1 v1.5 signatures are deterministic, and RSA keys come from a seeded prime pool
  (`cmmm.lab.pki.DeterministicKeys`: distinct moduli, but keys share prime factors — samples only).
- not byte-identical: ML-DSA-65 signatures (OpenSSL signs ML-DSA hedged/randomized; the keys are
  seeded, so subjects, serials, dates and public keys stay identical), hence the PEM files of the
  ML-DSA pilot chain; and the PKCS#12 file (random MAC salt). `--check` compares those by structure
  (subject, issuer, serial, validity and public key of every certificate inside) and everything else
  byte for byte; regenerating keeps such a file's old bytes when its structure is unchanged, so a
  regeneration with the same seed leaves `git status` clean. Their fingerprints are therefore left
  out of the CSVs: those rows match the PEM bodies by issuer and serial.

Level 4 (Fabrikam Cloud) writes its cluster, cloud and scan sources in the tools' own formats, as those
tools emit them: one `kubectl get certificates,clusterissuers,secrets -n NS -o yaml` List per namespace
(cert-manager Certificates, ClusterIssuers, kubernetes.io/tls Secrets without tls.key), AWS ACM
describe-certificate (+ tags) and get-certificate JSON per region, and an `nmap --script ssl-cert -oX`
scan with the pem element. Their ids, ARNs and addresses come from a separate seeded generator, so the
certificates stay those of the earlier canonical-CSV version.

The level-1 PKCS#12 file (certs/mail-exchange.pfx) has an empty password, as exported by a hurried
admin, so it ingests without CMMM_PKCS12_PASSWORDS; its private key is reported as a finding.
Ground truth for tests lives in _truth/<org>.json (folders starting with "_" are not ingested).
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import random
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cmmm.crypto import signature_algorithm  # noqa: E402
from cmmm.lab.pki import DeterministicKeys, Issued, issue, key_pem  # noqa: E402

AS_OF = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SEED = 20261128
ORGS = ("level1-chaos", "level2-aware", "level3-defined", "level4-agile")
CANON = (
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
    "criticality",
    "automation",
    "discovered_by",
    "last_seen",
    "tags",
)


def d(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


# --------------------------------------------------------------------------------------------- model
@dataclass(eq=False)
class CA:
    name: str
    issued: Issued
    parent: CA | None
    public: bool


@dataclass(eq=False)
class Cert:
    """One generated certificate and the inventory facts every source may report about it."""

    issued: Issued
    ca: CA | None  # issuing CA; None when self-signed
    service: str | None = None
    owner: str | None = None
    team: str | None = None
    environment: str | None = None
    criticality: str | None = None
    automation: str | None = None
    endpoints: list[str] = field(default_factory=list)
    trust: str = "private"
    tags: str | None = None
    own_ca: CA | None = None  # set when this certificate is itself a CA

    @property
    def cert(self) -> x509.Certificate:
        return self.issued.cert

    @property
    def cn(self) -> str:
        v = self.cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        return str(v)

    @property
    def serial(self) -> str:
        return format(self.cert.serial_number, "x")

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.issued.der).hexdigest()

    @property
    def issuer_cn(self) -> str:
        v = self.cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        return str(v)


class World:
    """Keys, serials and the public CA look-alikes, shared by all four organizations of one run."""

    def __init__(self, seed: int) -> None:
        self.keys = DeterministicKeys(seed)
        self.rng = random.Random(seed)
        self.public: dict[str, CA] = {}
        self._build_public()

    def serial(self) -> int:
        return self.rng.getrandbits(127) | (1 << 120)

    def ca(
        self,
        name: str,
        org: str,
        key: str,
        start: datetime,
        end: datetime,
        parent: CA | None = None,
        *,
        public: bool = False,
        digest: str = "sha256",
        path_len: int | None = None,
    ) -> CA:
        issued = issue(
            cn=name,
            org=org,
            not_before=start,
            days=(end - start).total_seconds() / 86400,
            issuer=parent.issued if parent else None,
            key=self.keys.make(key),
            ca=True,
            path_len=path_len,
            digest="sha384" if key == "EC-384" and digest == "sha256" else digest,
            serial=self.serial(),
            deterministic=True,
        )
        return CA(name=name, issued=issued, parent=parent, public=public)

    def _build_public(self) -> None:
        p = self.public

        def add(name: str, org: str, key: str, s: str, e: str, parent: str | None = None) -> None:
            p[name] = self.ca(
                name,
                org,
                key,
                d(s),
                d(e),
                p[parent] if parent else None,
                public=True,
                path_len=0 if parent else None,
            )

        add("ISRG Root X1", "Internet Security Research Group", "RSA-4096", "2015-06-04", "2035-06-04")
        add("R10", "Let's Encrypt", "RSA-2048", "2024-03-13", "2027-03-12", "ISRG Root X1")
        add("R11", "Let's Encrypt", "RSA-2048", "2024-03-13", "2027-03-12", "ISRG Root X1")
        add("ISRG Root X2", "Internet Security Research Group", "EC-384", "2020-09-04", "2040-09-17")
        add("E6", "Let's Encrypt", "EC-384", "2024-03-13", "2027-03-12", "ISRG Root X2")
        add("DigiCert Global Root G2", "DigiCert Inc", "RSA-2048", "2013-08-01", "2038-01-15")
        add(
            "DigiCert Global G2 TLS RSA SHA256 2020 CA1",
            "DigiCert Inc",
            "RSA-2048",
            "2021-03-30",
            "2031-03-29",
            "DigiCert Global Root G2",
        )
        add(
            "Microsoft Azure RSA TLS Issuing CA 03",
            "Microsoft Corporation",
            "RSA-2048",
            "2023-06-08",
            "2028-06-27",
            "DigiCert Global Root G2",
        )
        add("Amazon Root CA 1", "Amazon", "RSA-2048", "2015-05-26", "2038-01-17")
        add("Amazon RSA 2048 M02", "Amazon", "RSA-2048", "2022-08-23", "2030-08-23", "Amazon Root CA 1")
        add("GTS Root R4", "Google Trust Services LLC", "EC-384", "2016-06-22", "2036-06-22")
        add("WE1", "Google Trust Services", "EC-256", "2023-12-13", "2029-02-20", "GTS Root R4")
        add(
            "Go Daddy Root Certificate Authority - G2",
            "GoDaddy.com, Inc.",
            "RSA-2048",
            "2009-09-01",
            "2037-12-31",
        )
        add(
            "Go Daddy Secure Certificate Authority - G2",
            "GoDaddy.com, Inc.",
            "RSA-2048",
            "2011-05-03",
            "2031-05-03",
            "Go Daddy Root Certificate Authority - G2",
        )
        add(
            "USERTrust RSA Certification Authority",
            "The USERTRUST Network",
            "RSA-2048",
            "2010-02-01",
            "2038-01-18",
        )
        add(
            "Sectigo RSA Domain Validation Secure Server CA",
            "Sectigo Limited",
            "RSA-2048",
            "2018-11-02",
            "2030-12-31",
            "USERTrust RSA Certification Authority",
        )


class Org:
    """One organization being generated: its certificates, services, files and ground truth."""

    def __init__(self, world: World, slug: str, name: str, level: int, domain: str) -> None:
        self.w = world
        self.rng = random.Random(f"{SEED}|{slug}")
        self.slug, self.name, self.level, self.domain = slug, name, level, domain
        self.cas: list[CA] = []
        self.certs: list[Cert] = []
        self.services: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.present: dict[int, Cert] = {}  # id(issued) -> Cert, every certificate some file holds
        self.truth_extra: dict[str, Any] = {}
        self._ca_certs: dict[int, Cert] = {}

    # -- building
    def private_ca(self, *args: Any, **kw: Any) -> CA:
        ca = self.w.ca(*args, **kw)
        self.cas.append(ca)
        return ca

    def leaf(
        self,
        ca: CA | None,
        cn: str,
        *,
        key: str = "EC-256",
        not_before: datetime,
        days: float,
        sans: Sequence[str] = (),
        digest: str = "sha256",
        **facts: Any,
    ) -> Cert:
        public = ca is not None and ca.public
        nb = not_before.replace(second=0, microsecond=0)
        issued = issue(
            cn=cn,
            not_before=nb,
            days=days,
            issuer=ca.issued if ca else None,
            key=self.w.keys.make(key),
            sans=tuple(sans) or (cn,),
            digest=digest,
            serial=self.w.serial(),
            scts=(nb - timedelta(minutes=1), nb - timedelta(minutes=1)) if public else (),
            deterministic=True,
        )
        c = Cert(issued=issued, ca=ca, trust="public" if public else "private", **facts)
        self.certs.append(c)
        return c

    def ca_cert(self, ca: CA) -> Cert:
        """The CA's own certificate as an inventory item (one object per CA, so facts stick)."""
        if id(ca) not in self._ca_certs:
            trust = "public" if ca.public else "private"
            self._ca_certs[id(ca)] = Cert(issued=ca.issued, ca=ca.parent, trust=trust, own_ca=ca)
        return self._ca_certs[id(ca)]

    def age(self, days: float, *, automated: bool, margin: float = 0.0) -> datetime:
        """A not_before such that the certificate is inside its renewal window (automated) or anywhere."""
        hi = days * 2 / 3 if automated else max(days - margin, 1.0)
        return AS_OF - timedelta(days=self.rng.uniform(0.5, hi))

    def service(self, name: str, owner: str, team: str, crit: str, deps: str = "", **kw: Any) -> None:
        self.services.append(
            {
                "service": name,
                "owner": owner,
                "team": team,
                "criticality": crit,
                "depends_on": deps,
                "customer_facing": str(kw.get("customer_facing", False)).lower(),
                "secrecy_years": kw.get("secrecy_years", ""),
                "pqc_capable": str(kw.get("pqc_capable", False)).lower(),
            }
        )

    # -- writing
    def mark(self, certs: Iterable[Cert]) -> None:
        for c in certs:
            self.present[id(c.issued)] = c

    def put(self, rel: str, data: bytes | str) -> None:
        self.files[rel] = data.encode() if isinstance(data, str) else data

    def pem(self, rel: str, certs: Sequence[Cert]) -> None:
        self.mark(certs)
        self.put(rel, b"".join(c.issued.pem for c in certs))

    def rows(self, certs: Iterable[Cert], discovered_by: str, **override: Any) -> list[dict[str, Any]]:
        out = []
        for c in certs:
            if override.get("service"):
                c.service = override["service"]
            row = canonical_row(c)
            row["discovered_by"] = discovered_by
            row.update(override)
            out.append(row)
        return out

    def csv(
        self, rel: str, rows: list[dict[str, Any]], columns: Sequence[str], certs: Iterable[Cert]
    ) -> None:
        self.mark(certs)
        buf = io.StringIO()
        wr = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        wr.writeheader()
        wr.writerows(rows)
        self.put(rel, buf.getvalue())

    def yaml(self, rel: str, doc: dict[str, Any], comment: str = "") -> None:
        head = "".join(f"# {ln}\n" for ln in comment.splitlines())
        self.put(rel, head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110))

    def write_services(self) -> None:
        cols = [
            "service",
            "owner",
            "team",
            "criticality",
            "depends_on",
            "customer_facing",
            "secrecy_years",
            "pqc_capable",
        ]
        buf = io.StringIO()
        wr = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        wr.writeheader()
        wr.writerows(self.services)
        self.put("services.csv", buf.getvalue())

    # -- ground truth
    def truth(self) -> dict[str, Any]:
        present = list(self.present.values())
        deps = {s["service"]: [x for x in s["depends_on"].split(";") if x] for s in self.services}
        dependents: dict[str, set[str]] = {}
        for svc, needs in deps.items():
            for n in needs:
                dependents.setdefault(n, set()).add(svc)

        def closure(start: set[str]) -> set[str]:
            todo, seen = list(start), set(start)
            while todo:
                for up in dependents.get(todo.pop(), ()):
                    if up not in seen:
                        seen.add(up)
                        todo.append(up)
            return seen

        def chain(c: Cert) -> list[CA]:
            out, ca = [], c.ca
            while ca is not None:
                out.append(ca)
                ca = ca.parent
            return out

        by_ca: dict[str, dict[str, Any]] = {}
        for c in present:
            for depth, ca in enumerate(chain(c)):
                e = by_ca.setdefault(ca.name, {"certificates": set(), "direct": set(), "services": set()})
                e["certificates"].add((c.cn, c.serial))
                if depth == 0:
                    e["direct"].add((c.cn, c.serial))
                if c.service:
                    e["services"].add(c.service)
        in_inventory = {c.own_ca.name for c in present if c.own_ca is not None}
        # a CA the data can name: its certificate is present, or it signed a present certificate
        named = in_inventory | {c.ca.name for c in present if c.ca is not None}
        cas = {
            name: {
                "in_inventory": name in in_inventory,
                "direct": sorted([list(t) for t in e["direct"]]),
                "certificates": sorted([list(t) for t in e["certificates"]]),
                "services": sorted(e["services"]),
                "affected_services": sorted(closure(e["services"])),
            }
            for name, e in sorted(by_ca.items())
            if name in named
        }
        return {
            "organization": self.name,
            "folder": self.slug,
            "intended_level": self.level,
            "as_of": AS_OF.isoformat(),
            "seed": SEED,
            "expected": {
                "certificates": len(present),
                "ca_certificates": sum(1 for c in present if c.own_ca is not None),
                "leaf_certificates": sum(1 for c in present if c.own_ca is None),
            },
            "cas": cas,
            "self_signed": sorted([c.cn, c.serial] for c in present if c.ca is None and c.own_ca is None),
            **self.truth_extra,
        }


def canonical_row(c: Cert) -> dict[str, Any]:
    cert = c.cert
    pub = cert.public_key()
    key_alg, key_size = _key(pub)
    sans = [
        str(g.value)
        for g in (
            cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            if c.own_ca is None
            else []
        )
    ]
    sig = signature_algorithm(cert.signature_algorithm_oid.dotted_string)
    return {
        "common_name": c.cn,
        "sans": ";".join(sans),
        "issuer": c.cert.issuer.rfc4514_string(),
        "serial": c.serial,
        "fingerprint_sha256": c.fingerprint,
        "not_before": iso(cert.not_valid_before_utc),
        "not_after": iso(cert.not_valid_after_utc),
        "key_algorithm": key_alg,
        "key_size": key_size,
        "signature_algorithm": sig.name if sig else cert.signature_algorithm_oid.dotted_string,
        "trust": c.trust,
        "endpoints": ";".join(c.endpoints),
        "service": c.service or "",
        "owner": c.owner or "",
        "team": c.team or "",
        "environment": c.environment or "",
        "criticality": c.criticality or "",
        "automation": c.automation or "",
        "discovered_by": "",
        "last_seen": "",
        "tags": c.tags or "",
    }


def _key(pub: Any) -> tuple[str, str]:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(pub, rsa.RSAPublicKey):
        return "RSA", str(pub.key_size)
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return "EC", str(pub.curve.key_size)
    if isinstance(pub, ed25519.Ed25519PublicKey):
        return "Ed25519", "256"
    return "ML-DSA-65", ""


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


# ============================================================================ level 1: Bramble & Sons
def level1(w: World) -> Org:
    o = Org(w, "level1-chaos", "Bramble & Sons Hardware", 1, "bramble-sons.example")
    rng, dom, P = o.rng, o.domain, w.public
    o.service("webshop", "dave@bramble-sons.example", "it", "critical", "payments;erp", customer_facing=True)
    o.service(
        "payments",
        "dave@bramble-sons.example",
        "it",
        "critical",
        "erp",
        customer_facing=True,
        secrecy_years=7,
    )
    o.service("erp", "sandra@bramble-sons.example", "it", "high", "", secrecy_years=10)
    o.service("email", "dave@bramble-sons.example", "it", "high", "")
    o.service("remote-access", "dave@bramble-sons.example", "it", "medium", "erp")
    dc = o.private_ca(
        "BRAMBLE-DC01-CA", "Bramble & Sons", "RSA-2048", d("2012-03-01"), d("2032-03-01"), digest="sha1"
    )
    owners = [
        "Dave",
        "dave@bramble-sons.example",
        "Sandra (accounts)",
        "José Núñez",
        "IT",
        "Mike - shop floor",
    ]

    def owner() -> str | None:
        return rng.choice(owners) if rng.random() < 0.5 else None

    # Let's Encrypt, renewed by hand with certbot "when the calendar says so"; several already expired.
    le: list[Cert] = []
    for i, host in enumerate(
        [
            "www",
            "shop",
            "checkout",
            "pay",
            "blog",
            "stock",
            "click-collect",
            "careers",
            "api",
            "m",
            "status",
            "img",
        ]
    ):
        expired = i in (2, 5, 9)
        nb = AS_OF - timedelta(days=rng.uniform(95, 140) if expired else rng.uniform(5, 80))
        svc = {
            "www": "webshop",
            "shop": "webshop",
            "checkout": "webshop",
            "pay": "payments",
            "api": "webshop",
        }.get(host)
        le.append(
            o.leaf(
                P["R11"],
                f"{host}.{dom}",
                key="RSA-2048",
                not_before=nb,
                days=90,
                service=svc or "webshop",
                owner=owner(),
                automation="manual",
                endpoints=[f"srv-web0{1 + i % 2}"],
            )
        )
    # GoDaddy, bought yearly; a wildcard on every server; two expired but still installed.
    gd: list[Cert] = []
    for i, (cn, sans) in enumerate(
        [
            (f"*.{dom}", (f"*.{dom}", dom)),
            (f"mail.{dom}", (f"mail.{dom}", f"autodiscover.{dom}")),
            (f"vpn.{dom}", (f"vpn.{dom}",)),
            (f"*.{dom}", (f"*.{dom}", dom)),
            (f"owa.{dom}", (f"owa.{dom}",)),
            (f"ftp.{dom}", (f"ftp.{dom}",)),
            (f"b2b.{dom}", (f"b2b.{dom}",)),
            (f"remote.{dom}", (f"remote.{dom}",)),
        ]
    ):
        expired = i in (3, 5)
        nb = AS_OF - timedelta(days=rng.uniform(400, 500) if expired else rng.uniform(30, 300))
        svc = ["webshop", "email", "remote-access", "webshop", "email", "erp", "erp", "remote-access"][i]
        gd.append(
            o.leaf(
                P["Go Daddy Secure Certificate Authority - G2"],
                cn,
                key="RSA-2048",
                not_before=nb,
                days=397,
                sans=sans,
                service=svc,
                owner=owner(),
                automation="manual",
                endpoints=["srv-web01; srv-mail01" if i == 0 else f"10.0.0.{10 + i}:443"],
            )
        )
    # The domain controller's CA: intranet, ERP, RDP. Two SHA-1 leftovers and one RSA-1024.
    internal: list[Cert] = []
    for i in range(20):
        host = ["erp", "intranet", "rdp-gw", "wiki", "files", "backup", "print", "hr", "tills", "wsus"][
            i % 10
        ]
        cn = f"{host}{'' if i < 10 else '-02'}.bramble.local"
        digest = "sha1" if i in (0, 11) else "sha256"
        key = "RSA-1024" if i == 6 else "RSA-2048"
        svc = {"erp": "erp", "rdp-gw": "remote-access", "tills": "payments"}.get(host, "erp")
        internal.append(
            o.leaf(
                dc,
                cn,
                key=key,
                digest=digest,
                not_before=AS_OF - timedelta(days=rng.uniform(20, 700)),
                days=730,
                service=svc,
                owner=owner(),
                automation="manual",
                endpoints=[f"{cn}:443"],
            )
        )
    # Self-signed appliances: printers, NAS, tills, switches, cameras.
    selfs: list[Cert] = []
    for i in range(42):
        kind = ["printer", "nas", "till", "switch", "cam", "ups"][i % 6]
        cn = f"{kind}{i // 6 + 1:02d}.bramble.local"
        key = "RSA-1024" if i in (0, 13) else ("EC-256" if kind == "cam" else "RSA-2048")
        selfs.append(
            o.leaf(
                None,
                cn,
                key=key,
                not_before=AS_OF - timedelta(days=rng.uniform(100, 2500)),
                days=rng.choice([1825, 3650, 7300]),
                service="payments" if kind == "till" else None,
                owner=owner(),
                automation="none",
                endpoints=[f"{cn}:443"],
            )
        )

    # ---- certs/ : loose files collected from the servers
    R11, GD = P["R11"], P["Go Daddy Secure Certificate Authority - G2"]
    www, shop_wild, mail, vpn = le[0], gd[0], gd[1], gd[2]
    o.pem("certs/www/fullchain.pem", [www, o.ca_cert(R11)])
    o.put("certs/www/privkey.pem", key_pem(www.issued.key))
    o.mark([shop_wild])
    o.put("certs/wildcard_bramble-sons.cer", shop_wild.issued.der)
    o.pem(
        "certs/gd_bundle-g2-g1.crt",
        [o.ca_cert(GD), o.ca_cert(GD_root := P["Go Daddy Root Certificate Authority - G2"])],
    )
    o.mark([mail, o.ca_cert(GD), o.ca_cert(GD_root)])
    o.put(
        "certs/mail-exchange.pfx",
        pkcs12.serialize_key_and_certificates(
            b"mail",
            mail.issued.key,
            mail.cert,
            [GD.issued.cert, GD_root.issued.cert],
            serialization.NoEncryption(),
        ),
    )
    o.pem("certs/vpn-appliance.pem", [vpn])
    legacy_erp = internal[0]
    o.pem("certs/erp/legacy-erp.crt", [legacy_erp])
    dc_cert = o.ca_cert(dc)
    o.mark([dc_cert])
    o.put("certs/BRAMBLE-DC01-CA.cer", dc.issued.der)
    o.pem("certs/printer01.pem", [selfs[0]])
    o.put("certs/printer01.key", key_pem(selfs[0].issued.key))
    o.pem("certs/print-server.pem", [internal[6]])
    o.pem("certs/nas01-selfsigned.pem", [selfs[1]])
    o.put("certs/nas01.key", key_pem(selfs[1].issued.key))

    # ---- certificates.csv : the spreadsheet
    listed = [c for c in le + gd + internal if c is not internal[6]] + [
        s for i, s in enumerate(selfs) if i % 4 != 1
    ]
    header = ["Common Name", "Expiration Date", "Issuer", "Owner", "Server", "System", "Notes", "Serial No."]
    listed_ids = {id(c) for c in listed}
    for c in o.certs:  # the truth knows only the services the spreadsheet names
        if id(c) not in listed_ids or rng.random() < 0.4:
            c.service = None
    fmts = ["iso", "dmy", "openssl", "long", "epoch"]
    lines: list[list[str]] = []
    first_dmy = True
    for i, c in enumerate(listed):
        na = c.cert.not_valid_after_utc
        fmt = fmts[i % len(fmts)]
        if fmt == "dmy" and first_dmy and na.day <= 12:
            fmt = "iso"
        if fmt == "dmy" and na.day > 12:
            first_dmy = False
        date = {
            "iso": na.strftime("%Y-%m-%d"),
            "dmy": na.strftime("%d/%m/%Y"),
            "openssl": na.strftime("%b ") + f"{na.day:2d}" + na.strftime(" %H:%M:%S %Y GMT"),
            "long": na.strftime("%B ") + f"{na.day}, {na.year}",
            "epoch": str(int(na.timestamp())),
        }[fmt]
        issuer = c.issuer_cn if c.ca is not None else c.cn
        if c.ca is not None and rng.random() < 0.4:
            issuer = c.cert.issuer.rfc4514_string()
        # copied from wherever the admin looked: openssl's colon hex, Windows' spaced hex, or bare hex
        raw = c.cert.serial_number.to_bytes(16, "big")
        serial = rng.choice([":".join(f"{b:02X}" for b in raw), " ".join(f"{b:02x}" for b in raw), raw.hex()])
        note = rng.choice(
            [
                "",
                "",
                "",
                "renew via calendar reminder",
                "Dave has the login",
                "DO NOT TOUCH",
                "check w/ vendor",
            ]
        )
        if c.cert.not_valid_after_utc < AS_OF:
            note = "still on the server?? ask Mike"
        lines.append(
            [c.cn, date, issuer, c.owner or "", ";".join(c.endpoints), c.service or "", note, serial]
        )
    # a formula someone pasted (spreadsheet apps would run it; the tool must not)
    lines[10][3] = '=HYPERLINK("mailto:it@bramble-sons.example","IT")'
    # copy-paste duplicates
    for j in (1, 4, 17, 30):
        lines.insert(j + 3, list(lines[j]))
    body = [",".join(_q(x) for x in header)] + [",".join(_q(x) for x in r) for r in lines]
    broken = [
        (12, f"tbd.{dom},,GoDaddy,Dave,srv-web01,webshop,waiting for quote,"),
        (25, f"pos-new.{dom},ask Dave,Let's Encrypt,,,payments,,"),
        (40, f"old-shop.{dom},2025-02-30 00:00,R11,Mike,srv-web02,,renew? too many, commas, here,"),
        (51, "cam-yard.bramble.local,2027-01-01,self"),
    ]
    for idx, text in broken:
        body.insert(idx - 1, text)
    o.put("certificates.csv", ("\r\n".join(body) + "\r\n").encode("latin-1"))
    o.mark(listed)
    o.truth_extra["rejected_lines"] = {"certificates.csv": [idx for idx, _ in broken]}
    o.truth_extra["private_key_files"] = sorted(
        ["certs/www/privkey.pem", "certs/printer01.key", "certs/nas01.key", "certs/mail-exchange.pfx"]
    )
    o.truth_extra["sha1_signed"] = sorted(
        [c.cn, c.serial]
        for c in internal
        if c.cert.signature_hash_algorithm and c.cert.signature_hash_algorithm.name == "sha1"
    )
    o.truth_extra["rsa_1024"] = sorted(
        [c.cn, c.serial]
        for c in internal + selfs
        if _key(c.cert.public_key()) == ("RSA", "1024") and id(c.issued) in o.present
    )
    o.truth_extra["expired"] = sorted(
        [c.cn, c.serial] for c in o.present.values() if c.cert.not_valid_after_utc < AS_OF
    )

    o.write_services()
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
            "industry": "Retail (hardware stores)",
            "teams": [{"name": "it", "engineers": 1, "hours_per_day": 2, "timezone": "Europe/London"}],
            "approved_cas": [
                {"name": "Let's Encrypt", "type": "acme"},
                {"name": "GoDaddy", "type": "public"},
                {"name": "BRAMBLE-DC01-CA", "type": "private"},
            ],
            "backup_cas": [],
            "ca_onboarding_days": 30,
            "migration_years": 3,
            "quantum_threat_years": 10,
            "attested": {
                "documented_policy": False,
                "itsm_integration": False,
                "periodic_discovery": False,
                "renewal_runbook": False,
                "automated_deployment": False,
            },
        },
        "Renewals happen when Dave's calendar reminds him. Nothing else is written down.",
    )
    o.yaml(
        "policy.yaml",
        {
            "name": "IT rules (from an email, 2021)",
            "allowed_key_algorithms": {"RSA": {"min_size": 2048}},
            "require_owner": False,
        },
    )
    return o


def _q(v: str) -> str:
    return '"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n') else v


# ============================================================================ level 2: Northwind
def level2(w: World) -> Org:
    o = Org(w, "level2-aware", "Northwind Logistics", 2, "northwind-logistics.example")
    rng, dom, P = o.rng, o.domain, w.public
    svcs = [
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
    ]
    people = {"web-ops": ["anna.k@", "tom.b@"], "infrastructure": ["raj.p@", "lena.s@", "ops@"]}
    for name, team, crit, deps, cf, sec in svcs:
        o.service(name, people[team][0] + dom, team, crit, deps, customer_facing=cf, secrecy_years=sec)
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
    words = [
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
    regions = [
        "",
        "eu.",
        "us.",
        "uk.",
        "de.",
        "nl.",
        "pl.",
        "fr.",
        "es.",
        "it.",
        "se.",
        "cz.",
        "at.",
        "be.",
        "dk.",
        "no.",
        "fi.",
        "ie.",
        "pt.",
        "ch.",
        "hu.",
        "ro.",
        "gr.",
        "sk.",
        "si.",
    ]
    public: list[Cert] = []
    names = [f"{w_}.{r}{dom}" for r in regions for w_ in words]
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
        team = next(s[1] for s in svcs if s[0] == svc)
        has_owner = rng.random() < 0.85
        if not has_owner and rng.random() < 0.5:
            svc = None  # nobody remembers what it is for
        auto = "acme" if rng.random() < 0.27 else "manual"
        if auto == "acme":
            ca, days, key = P[rng.choice(["R10", "R11"])], 90, "RSA-2048"
        else:
            ca = pick(
                rng,
                [
                    (P["Sectigo RSA Domain Validation Secure Server CA"], 5),
                    (P["DigiCert Global G2 TLS RSA SHA256 2020 CA1"], 3),
                    (P["R11"], 2),
                ],
            )
            days = 90 if ca.name == "R11" else 0
            key = rng.choice(["RSA-2048", "EC-256"])
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
                owner=rng.choice(people[team]) + dom if has_owner else None,
                team=team if has_owner else None,
                environment="prod",
                criticality=None,
                automation=auto,
                endpoints=[f"{cn}:443"],
            )
        )
    internal = [
        o.leaf(
            inter,
            f"{h}{i}.nwl.internal",
            key="RSA-2048",
            not_before=AS_OF - timedelta(days=rng.uniform(10, 700)),
            days=730,
            service=svc,
            owner="ops@" + dom,
            team="infrastructure",
            environment="prod",
            automation="manual",
            endpoints=[f"{h}{i}.nwl.internal:443"],
        )
        for i, (h, svc) in enumerate(
            [
                ("wms", "warehouse-mgmt"),
                ("ldap", "auth"),
                ("vpn", "vpn"),
                ("edi", "partner-edi"),
                ("mail", "mail"),
            ]
            * 5
        )
    ]
    shadow = [
        o.leaf(
            rng.choice([P["R10"], P["R11"], P["E6"]]),
            f"{x}.{dom}",
            key="EC-256",
            not_before=o.age(90, automated=True),
            days=90,
            endpoints=[f"{x}.{dom}:443"],
        )
        for x in [
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
        ]
    ]
    stale = [c for c in public if c.cert.not_valid_after_utc > AS_OF][5:350:44][:8]
    listed = public + internal
    inv_cols = [
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
    ]
    o.csv("inventory.csv", o.rows(listed, "manual"), inv_cols, listed)
    scanned = [c for c in public if c not in stale] + shadow
    scanned.sort(key=lambda c: c.cn)
    scan_cols = [
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
    ]
    o.csv(
        "scan-2026-11.csv",
        o.rows(scanned, "network-scan", last_seen="2026-11-20T02:00:00Z"),
        scan_cols,
        scanned,
    )
    o.pem("ca/northwind-root-ca.pem", [o.ca_cert(root)])
    o.pem("ca/northwind-internal-ca.pem", [o.ca_cert(inter)])
    o.truth_extra["shadow"] = sorted([c.cn, c.serial] for c in shadow)
    o.truth_extra["stale"] = sorted([c.cn, c.serial] for c in stale)
    o.write_services()
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
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
    return o


# ============================================================================ level 3: Contoso Health
def level3(w: World) -> Org:
    o = Org(w, "level3-defined", "Contoso Health", 3, "contoso-health.example")
    rng, dom, P = o.rng, o.domain, w.public
    svcs = [
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
    ]
    team_people = {
        "digital": ["m.garcia", "a.chen", "digital-oncall"],
        "clinical-systems": ["r.okafor", "s.lind", "clinical-it"],
        "business-apps": ["p.novak", "bizapps"],
        "infrastructure": ["k.ito", "j.meyer", "infra-oncall"],
    }
    for name, team, crit, deps, cf, sec in svcs:
        o.service(
            name,
            f"{team_people[team][0]}@{dom}",
            team,
            crit,
            deps,
            customer_facing=cf,
            secrecy_years=sec,
            pqc_capable=False,
        )
    svc_team = {s[0]: s[1] for s in svcs}
    internal_svcs = [s[0] for s in svcs if s[0] not in ("pki",)]
    public_svcs = [s[0] for s in svcs if s[4]]
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

    def facts(svc: str) -> dict[str, Any]:
        team = svc_team[svc]
        has_owner = rng.random() < 0.985
        return {
            "service": svc,
            "team": team,
            "owner": f"{rng.choice(team_people[team])}@{dom}" if has_owner else None,
            "environment": pick(rng, [("prod", 7), ("staging", 2), ("dev", 1)]),
        }

    noncompliant: list[Cert] = []
    private: list[Cert] = []
    for i in range(820):
        svc = rng.choice(internal_svcs)
        f = facts(svc)
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
                key=rng.choice(["RSA-2048", "EC-256"]),
                not_before=o.age(days, automated=False, margin=20),
                days=days,
                automation="manual",
                endpoints=[f"{host}:443"],
                **f,
            )
            if days == 730:
                noncompliant.append(c)
        private.append(c)
    public: list[Cert] = []
    for i in range(330):
        svc = rng.choice(public_svcs)
        f = facts(svc) | {"environment": "prod"}
        sub = f"{svc}{'' if i < len(public_svcs) else '-' + str(i)}"
        wild = i % 45 == 3
        cn = f"*.{sub}.{dom}" if wild else f"{sub}.{dom}"
        if i % 3 != 2:
            ca, days, auto, key = P[rng.choice(["R10", "R11", "E6"])], 90, "acme", None
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
            noncompliant.append(c)
        public.append(c)
    cloud: list[Cert] = []
    for i in range(330):
        svc = rng.choice([*public_svcs, "lab-results", "imaging-pacs"])
        f = facts(svc) | {"environment": "prod"}
        aws = i % 3 != 0
        ca = P["Amazon RSA 2048 M02"] if aws else P["Microsoft Azure RSA TLS Issuing CA 03"]
        cn = f"{svc}-{'aws' if aws else 'az'}-{i:03d}.{dom}"
        days = 198
        c = o.leaf(
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
        cloud.append(c)
    sectigo = [
        o.leaf(
            P["Sectigo RSA Domain Validation Secure Server CA"],
            f"research-{i}.{dom}",
            key="RSA-2048",
            not_before=AS_OF - timedelta(days=rng.uniform(20, 150)),
            days=199,
            automation="manual",
            endpoints=[f"research-{i}.{dom}:443"],
            **(facts("data-warehouse") | {"environment": "prod"}),
        )
        for i in range(12)
    ]
    noncompliant += sectigo
    all_cas = [root, ca1, ca2]
    ca_certs = [o.ca_cert(c) for c in all_cas]
    pub_chain = [
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
    ]
    pub_ca_certs = [o.ca_cert(P[n]) for n in pub_chain]

    # sources
    ca_cols = [
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
    ]
    o.csv("ca-export.csv", o.rows(private, "ca-api"), ca_cols, private)
    cloud_cols = [*ca_cols, "endpoints", "tags"]
    o.csv("cloud-certificates.csv", o.rows(cloud, "cloud-api"), cloud_cols, cloud)
    scanned = (
        public
        + sectigo
        + [c for c in cloud if rng.random() < 0.8]
        + [c for c in private if rng.random() < 0.6]
    )
    scanned.sort(key=lambda c: (c.endpoints[0], c.serial))
    scan_cols = [
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
    ]
    scan_rows = o.rows(scanned, "network-scan", last_seen="2026-11-28T03:00:00Z")
    o.csv("network-scan.csv", scan_rows, scan_cols, scanned)
    reg = ca_certs + pub_ca_certs
    o.csv(
        "ca-register.csv",
        o.rows(
            reg,
            "ca-api",
            service="pki",
            owner=f"k.ito@{dom}",
            team="infrastructure",
            environment="prod",
            automation="",
        ),
        ca_cols,
        reg,
    )
    o.pem("ca/contoso-root-ca.pem", [ca_certs[0]])
    o.pem("ca/contoso-issuing-ca-1.pem", [ca_certs[1]])
    o.pem("ca/contoso-issuing-ca-2.pem", [ca_certs[2]])
    o.pem("ca/public-chains.pem", pub_ca_certs)
    o.pem("pem/vault-issued-sample.pem", [c for c in private if c.ca is ca2][:120])
    o.pem("pem/web-servers.pem", public[:60])
    o.truth_extra["policy_noncompliant"] = sorted([c.cn, c.serial] for c in noncompliant)
    o.write_services()
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
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
    return o


# ----------------------------------------------------------------- level 4: the tools' own formats
# Fabrikam's sources are exported as the tools emit them (shapes learned from real output, see
# /work/shared/formats): cert-manager objects from kubectl, AWS ACM describe-certificate and
# get-certificate JSON, and an nmap -oX scan with the ssl-cert script.
_NAME_LONG = {
    x509.NameOID.COMMON_NAME: "commonName",
    x509.NameOID.ORGANIZATION_NAME: "organizationName",
    x509.NameOID.COUNTRY_NAME: "countryName",
}
AWS_ACCOUNT = "314159265358"


def _uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _go_duration(days: float) -> str:
    return f"{round(days * 24)}h0m0s"


def _sans(c: Cert) -> list[str]:
    ext = c.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(g.value) for g in ext]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def cluster_issuers() -> list[dict[str, Any]]:
    """The ClusterIssuers of Fabrikam's clusters: Let's Encrypt (production and staging), Google Trust
    Services (the pre-approved backup ACME CA, kept warm) and the Fabrikam Kubernetes CA."""

    def acme(name: str, server: str, email: str, uid: str, eab: bool = False) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "email": email,
            "privateKeySecretRef": {"name": f"{name}-account-key"},
            "server": server,
            "solvers": [{"http01": {"ingress": {"ingressClassName": "nginx"}}}],
        }
        if eab:
            spec["externalAccountBinding"] = {
                "keyID": "fabrikam-gts-eab",
                "keySecretRef": {"key": "secret", "name": f"{name}-eab"},
            }
        return {
            "apiVersion": "cert-manager.io/v1",
            "kind": "ClusterIssuer",
            "metadata": {
                "creationTimestamp": "2024-06-03T09:12:44Z",
                "generation": 1,
                "name": name,
                "resourceVersion": "1043",
                "uid": uid,
            },
            "spec": {"acme": spec},
            "status": {
                "acme": {"lastRegisteredEmail": email, "uri": server.replace("/directory", "/acct/1")},
                "conditions": [_ready_condition("2024-06-03T09:12:46Z", "ACMEAccountRegistered")],
            },
        }

    out = [
        acme(
            "letsencrypt-prod",
            "https://acme-v02.api.letsencrypt.org/directory",
            "edge-team@fabrikam.example",
            "7c1d2e84-5b0a-4f4e-9c51-0d7a3e6b2f10",
        ),
        acme(
            "letsencrypt-staging",
            "https://acme-staging-v02.api.letsencrypt.org/directory",
            "edge-team@fabrikam.example",
            "0a8f6c13-2d47-4b9e-8e22-61c5f0b9d7a4",
        ),
        acme(
            "gts-prod",
            "https://dv.acme-v02.api.pki.goog/directory",
            "edge-team@fabrikam.example",
            "f3b5a1c9-8e6d-4c27-a0f4-2b9e7d1c5a83",
            eab=True,
        ),
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "ClusterIssuer",
            "metadata": {
                "creationTimestamp": "2024-06-01T08:00:00Z",
                "generation": 1,
                "name": "fabrikam-kubernetes-ca",
                "resourceVersion": "1011",
                "uid": "5e2c9b07-41a8-4d6f-b3e0-9a7c1f4d2e68",
            },
            "spec": {"ca": {"secretName": "fabrikam-kubernetes-ca-keypair"}},
            "status": {"conditions": [_ready_condition("2024-06-01T08:00:03Z", "KeyPairVerified")]},
        },
    ]
    return out


def _ready_condition(at: str, reason: str, message: str | None = None) -> dict[str, Any]:
    msg = message or {
        "ACMEAccountRegistered": "The ACME account was registered with the ACME server",
        "KeyPairVerified": "Signing CA verified",
    }.get(reason, "Certificate is up to date and has not expired")
    return {
        "lastTransitionTime": at,
        "message": msg,
        "observedGeneration": 1,
        "reason": reason,
        "status": "True",
        "type": "Ready",
    }


def cert_manager_objects(
    c: Cert, ns: str, name: str, issuer: str, chain: Sequence[Cert], rng: random.Random
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One cert-manager Certificate and its kubernetes.io/tls Secret (tls.crt = leaf + chain; the export
    strips tls.key, as `cmmm` would otherwise report every private key it holds)."""
    cert = c.cert
    nb, na = cert.not_valid_before_utc, cert.not_valid_after_utc
    days = (na - nb).total_seconds() / 86400
    revision = 1 + rng.randrange(12)
    created = nb - timedelta(days=days * 2 / 3 * (revision - 1), minutes=2)
    key_alg, key_size = _key(cert.public_key())
    labels = {"app": c.service, "environment": c.environment, "team": c.team}
    secret = f"{name}-tls"
    spec: dict[str, Any] = {
        "dnsNames": _sans(c),
        "duration": _go_duration(days),
        "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": issuer},
        "privateKey": {
            "algorithm": "ECDSA" if key_alg == "EC" else key_alg,
            "rotationPolicy": "Always",
            "size": int(key_size),
        },
        "renewBefore": _go_duration(days / 3),
        "secretName": secret,
        "secretTemplate": {"labels": labels},
        "usages": ["digital signature", "key encipherment", "server auth"]
        + (["client auth"] if issuer == "fabrikam-kubernetes-ca" else []),
    }
    certificate = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {
            "annotations": {"fabrikam.example/owner": c.owner},
            "creationTimestamp": iso(created),
            "generation": 1,
            "labels": labels,
            "name": name,
            "namespace": ns,
            "resourceVersion": str(rng.randrange(10_000_000, 99_999_999)),
            "uid": _uid(rng),
        },
        "spec": spec,
        "status": {
            "conditions": [_ready_condition(iso(nb + timedelta(seconds=4)), "Ready")],
            "notAfter": iso(na),
            "notBefore": iso(nb),
            "renewalTime": iso(na - timedelta(days=days / 3)),
            "revision": revision,
        },
    }
    tls_crt = b"".join(x.issued.pem for x in (c, *chain))
    ann = {
        "cert-manager.io/alt-names": ",".join(_sans(c)),
        "cert-manager.io/certificate-name": name,
        "cert-manager.io/common-name": c.cn,
        "cert-manager.io/ip-sans": "",
        "cert-manager.io/issuer-group": "cert-manager.io",
        "cert-manager.io/issuer-kind": "ClusterIssuer",
        "cert-manager.io/issuer-name": issuer,
        "cert-manager.io/uri-sans": "",
    }
    secret_obj = {
        "apiVersion": "v1",
        "data": {"tls.crt": _b64(tls_crt)},
        "kind": "Secret",
        "metadata": {
            "annotations": ann,
            "creationTimestamp": iso(created + timedelta(seconds=4)),
            "labels": {**labels, "controller.cert-manager.io/fao": "true"},
            "name": secret,
            "namespace": ns,
            "resourceVersion": str(rng.randrange(10_000_000, 99_999_999)),
            "uid": _uid(rng),
        },
        "type": "kubernetes.io/tls",
    }
    return certificate, secret_obj


def kubectl_list(items: list[dict[str, Any]]) -> str:
    """`kubectl get … -o yaml`: one List, keys sorted, base64 on one line (libyaml for speed)."""
    doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True  # kubectl writes shared values out in full: no &id001 anchors

    return str(yaml.dump(doc, Dumper=Dumper, sort_keys=True, width=1 << 20, allow_unicode=True))


def _colon_serial(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 8) // 8, "big").lstrip(b"\0") or b"\0"
    return ":".join(f"{b:02x}" for b in raw)


def acm_describe(c: Cert, region: str, in_use_by: list[str], rng: random.Random) -> dict[str, Any]:
    """`aws acm describe-certificate` (CLI v2: ISO 8601 times) with `list-tags-for-certificate` beside."""
    cert = c.cert
    nb, na = cert.not_valid_before_utc, cert.not_valid_after_utc
    key_alg, key_size = _key(cert.public_key())
    arn = f"arn:aws:acm:{region}:{AWS_ACCOUNT}:certificate/{_uid(rng)}"
    token = f"{rng.getrandbits(128):032x}"
    sans = _sans(c)
    return {
        "Certificate": {
            "CertificateArn": arn,
            "DomainName": c.cn,
            "SubjectAlternativeNames": sans,
            "DomainValidationOptions": [
                {
                    "DomainName": s,
                    "ValidationDomain": s,
                    "ValidationStatus": "SUCCESS",
                    "ResourceRecord": {
                        "Name": f"_{token}.{s}.",
                        "Type": "CNAME",
                        "Value": f"_{token[::-1]}.{token[:10]}.acm-validations.aws.",
                    },
                    "ValidationMethod": "DNS",
                }
                for s in sans
            ],
            "Serial": _colon_serial(cert.serial_number),
            "Subject": f"CN={c.cn}",
            "Issuer": "Amazon",
            "CreatedAt": (nb - timedelta(days=180, minutes=7)).isoformat(),
            "IssuedAt": (nb + timedelta(minutes=1)).isoformat(),
            "Status": "ISSUED",
            "NotBefore": nb.isoformat(),
            "NotAfter": na.isoformat(),
            "KeyAlgorithm": f"RSA-{key_size}" if key_alg == "RSA" else "EC-prime256v1",
            "SignatureAlgorithm": "SHA256WITHRSA",
            "InUseBy": in_use_by,
            "Type": "AMAZON_ISSUED",
            "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}, {"Name": "KEY_ENCIPHERMENT"}],
            "ExtendedKeyUsages": [
                {"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
                {"Name": "TLS_WEB_CLIENT_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.2"},
            ],
            "RenewalEligibility": "ELIGIBLE",
            "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
        },
        "Tags": [
            {"Key": "Service", "Value": c.service},
            {"Key": "Team", "Value": c.team},
            {"Key": "Owner", "Value": c.owner},
            {"Key": "Environment", "Value": c.environment},
            {"Key": "ManagedBy", "Value": "terraform"},
        ],
    }


def _nmap_dn(name: x509.Name) -> tuple[str, list[tuple[str, str]]]:
    pairs = [(_NAME_LONG.get(a.oid, a.oid.dotted_string), str(a.value)) for a in name if a.oid in _NAME_LONG]
    return "/".join(f"{k}={v}" for k, v in pairs), sorted(pairs)


def nmap_host(c: Cert, ip: str, start: int, rng: random.Random) -> str:
    """One <host> of `nmap -Pn -p 443 --script ssl-cert -oX`: the structured ssl-cert tables and pem."""
    cert = c.cert
    host, port = c.endpoints[0].rsplit(":", 1)
    key_alg, key_size = _key(cert.public_key())
    subj_text, subj = _nmap_dn(cert.subject)
    iss_text, iss = _nmap_dn(cert.issuer)
    sig = cert.signature_algorithm_oid._name  # OpenSSL's long name, as nmap prints it
    der = c.issued.der
    md5 = hashlib.md5(der, usedforsecurity=False).hexdigest()
    sha1 = hashlib.sha1(der, usedforsecurity=False).hexdigest()
    sha256 = hashlib.sha256(der).hexdigest()
    nb = cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%S")
    na = cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S")
    san = ", ".join(f"DNS:{s}" for s in _sans(c))
    output = (
        f"Subject: {subj_text}\nSubject Alternative Name: {san}\nIssuer: {iss_text}\n"
        f"Public Key type: {key_alg.lower()}\nPublic Key bits: {key_size}\nSignature Algorithm: {sig}\n"
        f"Not valid before: {nb}\nNot valid after:  {na}\nMD5:   {_spaced(md5)}\nSHA-1: {_spaced(sha1)}"
    )
    if key_alg == "EC":
        pub = (
            '<elem key="type">ec</elem>\n<elem key="bits">256</elem>\n<table key="ecdhparams">\n'
            '<table key="curve_params">\n<elem key="ec_curve_type">namedcurve</elem>\n'
            '<elem key="curve">prime256v1</elem>\n</table>\n</table>'
        )
    else:
        pub = f'<elem key="type">rsa</elem>\n<elem key="bits">{key_size}</elem>\n<elem key="exponent">65537</elem>'
    elems = "\n".join(f'<elem key="{k}">{escape(v)}</elem>' for k, v in subj)
    ielems = "\n".join(f'<elem key="{k}">{escape(v)}</elem>' for k, v in iss)
    end = start + rng.randrange(1, 4)
    pem = c.issued.pem.decode("ascii")
    return (
        f'<host starttime="{start}" endtime="{end}"><status state="up" reason="user-set" reason_ttl="0"/>\n'
        f'<address addr="{ip}" addrtype="ipv4"/>\n'
        f'<hostnames>\n<hostname name="{escape(host)}" type="user"/>\n</hostnames>\n'
        f'<ports><port protocol="tcp" portid="{port}"><state state="open" reason="syn-ack" '
        f'reason_ttl="{rng.choice((52, 53, 54, 241))}"/><service name="https" method="table" conf="3"/>'
        f'<script id="ssl-cert" output={quoteattr(output)}>'
        f'<table key="subject">\n{elems}\n</table>\n<table key="issuer">\n{ielems}\n</table>\n'
        f'<table key="pubkey">\n{pub}\n</table>\n<table key="extensions">\n'
        f'<table>\n<elem key="name">X509v3 Subject Alternative Name</elem>\n<elem key="value">{escape(san)}</elem>\n</table>\n'
        f'<table>\n<elem key="name">X509v3 Basic Constraints</elem>\n<elem key="value">CA:FALSE</elem>\n'
        f'<elem key="critical">true</elem>\n</table>\n</table>\n'
        f'<elem key="sig_algo">{sig}</elem>\n<table key="validity">\n<elem key="notBefore">{nb}</elem>\n'
        f'<elem key="notAfter">{na}</elem>\n</table>\n<elem key="md5">{md5}</elem>\n'
        f'<elem key="sha1">{sha1}</elem>\n<elem key="sha256">{sha256}</elem>\n'
        f'<elem key="pem">{escape(pem)}</elem>\n</script></port>\n</ports>\n'
        f'<times srtt="{rng.randrange(900, 30000)}" rttvar="{rng.randrange(200, 9000)}" to="100000"/>\n'
        "</host>\n"
    )


def _spaced(hexstr: str) -> str:
    return " ".join(hexstr[i : i + 4] for i in range(0, len(hexstr), 4))


def nmap_run(hosts: list[str], start: int, end: int, targets: int, name: str) -> str:
    # nmap writes "--" as "-&#45;" in its comment and attributes (a comment may not hold "--")
    args = f"nmap -Pn -p 443 -&#45;script ssl-cert -iL fabrikam-{name}-endpoints.txt -oX nmap-{name}.xml"
    started = datetime.fromtimestamp(start, UTC).strftime("%a %b %d %H:%M:%S %Y")
    finished = datetime.fromtimestamp(end, UTC).strftime("%a %b %d %H:%M:%S %Y")
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
        '<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>\n'
        f"<!-- Nmap 7.95 scan initiated {started} as: {args} -->\n"
        f'<nmaprun scanner="nmap" args="{args}" start="{start}" startstr="{started}" version="7.95" '
        'xmloutputversion="1.05">\n'
        '<scaninfo type="connect" protocol="tcp" numservices="1" services="443"/>\n'
        '<verbose level="0"/>\n<debugging level="0"/>\n'
    )
    tail = (
        f'<runstats><finished time="{end}" timestr="{finished}" summary="Nmap done at {finished}; '
        f'{targets} IP addresses ({targets} hosts up) scanned in {end - start:.2f} seconds" '
        f'elapsed="{end - start:.2f}" exit="success"/><hosts up="{targets}" down="0" total="{targets}"/>\n'
        "</runstats>\n</nmaprun>\n"
    )
    return head + "".join(hosts) + tail


def _tag(c: Cert, key: str) -> str:
    return dict(t.split("=", 1) for t in (c.tags or "").split(";") if "=" in t)[key]


def write_kubernetes(o: Org, mesh: Sequence[Cert], ingress: Sequence[Cert], rng: random.Random) -> None:
    """kubernetes/<namespace>.yaml: `kubectl get certificates,clusterissuers,secrets -n NS -o yaml` per
    namespace (cluster-scoped ClusterIssuers come with every namespace's listing)."""
    by_ns: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for group, issuer in ((mesh, "fabrikam-kubernetes-ca"), (ingress, "letsencrypt-prod")):
        for c in group:
            assert c.ca is not None
            chain = [o.ca_cert(c.ca)]
            ns, name = _tag(c, "namespace"), _tag(c, "secret").removesuffix("-tls")
            certificate, secret = cert_manager_objects(c, ns, name, issuer, chain, rng)
            certs, secrets = by_ns.setdefault(ns, ([], []))
            certs.append(certificate)
            secrets.append(secret)
            o.mark([c, *chain])
    issuers = cluster_issuers()
    for ns, (certs, secrets) in sorted(by_ns.items()):

        def by_name(obj: dict[str, Any]) -> str:
            return str(obj["metadata"]["name"])

        items = sorted(certs, key=by_name) + issuers + sorted(secrets, key=by_name)
        o.put(f"kubernetes/{ns}.yaml", kubectl_list(items))


def write_acm(o: Org, cloud: Sequence[Cert], rng: random.Random) -> None:
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
        describe.append(acm_describe(c, region, users, rng))
        get.append(
            {
                "Certificate": c.issued.pem.decode("ascii").strip(),
                "CertificateChain": b"".join(x.issued.pem for x in chain).decode("ascii").strip(),
            }
        )
        o.mark([c, *chain])
    for region, (describe, get) in sorted(regions.items()):
        o.put(f"aws-acm/{region}/describe-certificate.json", json.dumps(describe, indent=4) + "\n")
        o.put(f"aws-acm/{region}/get-certificate.json", json.dumps(get, indent=4) + "\n")


def write_nmap(
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
        o.put(f"network-scan/nmap-{targets}.xml", nmap_run(hosts, start, t, len(hosts), targets))
        t += 600  # the next run starts ten minutes later


# ============================================================================ level 4: Fabrikam Cloud
def level4(w: World) -> Org:
    o = Org(w, "level4-agile", "Fabrikam Cloud", 4, "fabrikam.example")
    rng, dom, P = o.rng, o.domain, w.public
    svcs = [
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
    ]
    people = {
        "platform": ["ines", "omar", "platform-team"],
        "payments-eng": ["lucia", "ben", "payments-oncall"],
        "identity": ["yuki", "sam", "identity-team"],
        "data": ["priya", "noah", "data-team"],
        "edge": ["elena", "kofi", "edge-team"],
        "sre": ["marta", "li", "sre-oncall"],
    }
    for name, team, crit, deps, cf, sec in svcs:
        o.service(
            name,
            f"{people[team][0]}@{dom}",
            team,
            crit,
            deps,
            customer_facing=cf,
            secrecy_years=sec,
            pqc_capable=name in ("pqc-pilot", "secrets"),
        )
    svc_team = {s[0]: s[1] for s in svcs}
    app_svcs = [s[0] for s in svcs if s[0] not in ("pki", "pqc-pilot")]
    public_svcs = [s[0] for s in svcs if s[4]]
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

    def facts(svc: str, env: str | None = None) -> dict[str, Any]:
        team = svc_team[svc]
        return {
            "service": svc,
            "team": team,
            "owner": f"{rng.choice(people[team])}@{dom}",
            "environment": env or pick(rng, [("prod", 6), ("staging", 2), ("dev", 1), ("test", 1)]),
            "criticality": None,
        }

    k8s: list[Cert] = []
    for i in range(1500):  # mesh / internal mTLS from cert-manager's CA issuer, 30 days
        svc = rng.choice(app_svcs)
        f = facts(svc)
        ns = f"{svc}-{f['environment']}"
        cn = f"{svc}-{i:04d}.{ns}.svc.cluster.local"
        k8s.append(
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
    ingress: list[Cert] = []
    for i in range(300):  # public ingress via cert-manager ACME issuer
        svc = rng.choice(public_svcs)
        f = facts(svc, "prod")
        wild = i % 100 == 5
        cn = f"*.{svc}-dev.{dom}" if wild else f"{svc}-{i:03d}.{dom}"
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
    acme: list[Cert] = []
    for i in range(520):
        svc = rng.choice(public_svcs)
        f = facts(svc, "prod")
        backup = i % 20 == 0  # Google Trust Services: the pre-approved backup ACME CA, kept warm
        ca = P["WE1"] if backup else pick(rng, [(P["E6"], 6), (P["R11"], 2), (P["R10"], 2)])
        days = 45 if i % 3 == 0 else 90
        cn = f"{svc}-edge-{i:03d}.{dom}"
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
    cloud: list[Cert] = []
    for i in range(480):
        svc = rng.choice([*public_svcs, "data-lake", "analytics"])
        f = facts(svc, "prod")
        cn = f"{svc}-{i:03d}.aws.{dom}"
        cloud.append(
            o.leaf(
                P["Amazon RSA 2048 M02"],
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
    vault: list[Cert] = []
    for i in range(150):
        svc = rng.choice(app_svcs)
        f = facts(svc)
        cn = f"{svc}-{i:03d}.int.{dom}"
        manual = i % 25 == 0  # vendor appliances that cannot take an agent yet
        days = 90 if manual else 14
        vault.append(
            o.leaf(
                ica,
                cn,
                key=rng.choice(["EC-256", "EC-384", "RSA-2048"]),
                not_before=o.age(days, automated=not manual, margin=20),
                days=days,
                automation="manual" if manual else "vault",
                endpoints=[f"{cn}:443"],
                **f,
            )
        )
    pq = [
        o.leaf(
            pqica,
            f"pqc-{n}.int.{dom}",
            key="ML-DSA-65",
            not_before=o.age(30, automated=True),
            days=30,
            automation="vault",
            endpoints=[f"pqc-{n}.int.{dom}:443"],
            **facts("pqc-pilot", "staging"),
        )
        for n in ("gateway", "secrets", "mesh-ingress", "signing")
    ]
    ca_certs = [o.ca_cert(c) for c in (root, ica, kca)]
    pq_ca_certs = [o.ca_cert(c) for c in (pqroot, pqica)]
    pub_names = [
        "ISRG Root X1",
        "R10",
        "R11",
        "ISRG Root X2",
        "E6",
        "Amazon Root CA 1",
        "Amazon RSA 2048 M02",
        "GTS Root R4",
        "WE1",
    ]
    pub_ca_certs = [o.ca_cert(P[n]) for n in pub_names]

    cols = [
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
    ]
    fmt_rng = random.Random(f"{SEED}|level4-agile|formats")  # ids, addresses: not the certificates
    write_kubernetes(o, k8s, ingress, fmt_rng)
    write_acm(o, cloud, fmt_rng)
    o.csv("acme-certificates.csv", o.rows(acme, "ca-api"), cols, acme)
    pq_rows = o.rows(pq, "ca-api")
    for r in pq_rows:
        r["fingerprint_sha256"] = (
            ""  # ML-DSA signatures are randomized: rows match the PEM by issuer + serial
        )
    o.csv("vault-certificates.csv", o.rows(vault, "ca-api") + pq_rows, cols, vault + pq)
    write_nmap(o, ingress, acme, cloud, fmt_rng)
    reg = ca_certs + pub_ca_certs
    reg_rows = o.rows(
        reg, "ca-api", service="pki", owner=f"yuki@{dom}", team="identity", environment="prod", automation=""
    )
    pq_reg = o.rows(
        pq_ca_certs,
        "ca-api",
        service="pqc-pilot",
        owner=f"yuki@{dom}",
        team="identity",
        environment="staging",
        automation="",
        fingerprint_sha256="",
    )
    o.csv("ca-register.csv", reg_rows + pq_reg, cols, reg + pq_ca_certs)
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
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
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
            "attested": {
                "documented_policy": True,
                "itsm_integration": True,
                "periodic_discovery": True,
                "renewal_runbook": True,
                "automated_deployment": True,
                "automated_revocation": True,
                "issuance_policy_enforced": True,
                "infrastructure_as_code": True,
                "hsm_ca_keys": True,
                "mass_revocation_plan": True,
                "last_fire_drill": date(2026, 9, 12),
                "pqc_migration_plan": True,
                "pqc_pilot": True,
                "mosca_assessed": True,
                "metrics_reviewed": True,
            },
        },
        "Everything is cert-manager, ACME, ACM or Vault; quarterly CA-distrust fire drills.",
    )
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
    return o


# ============================================================================ driver
BUILDERS = {"level1-chaos": level1, "level2-aware": level2, "level3-defined": level3, "level4-agile": level4}


def generate(out: Path, seed: int = SEED) -> dict[str, dict[str, Any]]:
    """Write all four organizations and _truth/ under `out`; files no longer generated are removed.

    A PEM or PKCS#12 file whose certificates are unchanged in structure (see _structure) keeps its old
    bytes, so regenerating does not churn the randomized ML-DSA signatures and the PFX salt.
    """
    world = World(seed)
    truths: dict[str, dict[str, Any]] = {}
    for slug in ORGS:
        org = BUILDERS[slug](world)
        target = out / slug
        stale = {p for p in target.rglob("*") if p.is_file()} if target.exists() else set()
        for rel, data in sorted(org.files.items()):
            p = target / rel
            stale.discard(p)
            if p.exists() and _same(p.read_bytes(), data, p.suffix):
                continue
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        for p in stale:
            p.unlink()
        truths[slug] = org.truth()
    (out / "_truth").mkdir(parents=True, exist_ok=True)
    for slug, t in truths.items():
        (out / "_truth" / f"{slug}.json").write_text(
            json.dumps(t, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return truths


def _same(old: bytes, new: bytes, suffix: str) -> bool:
    if old == new:
        return True
    return suffix in (".pem", ".pfx") and _structure(old, suffix) == _structure(new, suffix)


def _structure(data: bytes, suffix: str) -> list[tuple[str, ...]]:
    """Subject, issuer, serial, validity and public key of every certificate in a PEM or PKCS#12 file."""
    if suffix == ".pfx":
        p12 = pkcs12.load_pkcs12(data, None)
        certs = [c.certificate for c in ([p12.cert] if p12.cert else []) + list(p12.additional_certs)]
    else:
        certs = x509.load_pem_x509_certificates(data)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return [
        (
            c.subject.rfc4514_string(),
            c.issuer.rfc4514_string(),
            str(c.serial_number),
            iso(c.not_valid_before_utc),
            iso(c.not_valid_after_utc),
            c.public_key().public_bytes(serialization.Encoding.DER, spki).hex(),
        )
        for c in certs
    ]


def check(seed: int = SEED) -> list[str]:
    """Regenerate into a temporary folder and list every difference from the committed tree."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), seed)
        for sub in (*ORGS, "_truth"):
            new_root, old_root = Path(tmp) / sub, HERE / sub
            new = {p.relative_to(new_root) for p in new_root.rglob("*") if p.is_file()}
            old = (
                {p.relative_to(old_root) for p in old_root.rglob("*") if p.is_file()}
                if old_root.exists()
                else set()
            )
            problems += [f"missing in the tree: {sub}/{p}" for p in sorted(new - old)]
            problems += [f"not generated: {sub}/{p}" for p in sorted(old - new)]
            for rel in sorted(new & old):
                a, b = new_root / rel, old_root / rel
                if _same(b.read_bytes(), a.read_bytes(), rel.suffix):
                    continue
                problems.append(f"differs: {sub}/{rel}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--check", action="store_true", help="regenerate into a temp dir and compare with the tree"
    )
    ap.add_argument("--out", type=Path, default=HERE, help="where to write (default: this folder)")
    args = ap.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(p)
        print("sample_inventories: " + ("up to date" if not problems else f"{len(problems)} difference(s)"))
        return 1 if problems else 0
    truths = generate(args.out)
    for slug, t in truths.items():
        print(f"{slug}: {t['expected']['certificates']} certificates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
