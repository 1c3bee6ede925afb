"""PKI building blocks of the sample generator: the public CA look-alikes, certificates, organizations."""

from __future__ import annotations

import csv
import hashlib
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from cmmm.crypto import signature_algorithm
from cmmm.lab.pki import DeterministicKeys, Issued, issue

AS_OF = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SEED = 20261128

# The public CA look-alikes every organization may use: (name, organization, key, valid from, valid to,
# parent). Self-generated, not the real CAs; created in this order, which fixes their keys and serials.
PUBLIC_CAS: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    ("ISRG Root X1", "Internet Security Research Group", "RSA-4096", "2015-06-04", "2035-06-04", None),
    ("R10", "Let's Encrypt", "RSA-2048", "2024-03-13", "2027-03-12", "ISRG Root X1"),
    ("R11", "Let's Encrypt", "RSA-2048", "2024-03-13", "2027-03-12", "ISRG Root X1"),
    ("ISRG Root X2", "Internet Security Research Group", "EC-384", "2020-09-04", "2040-09-17", None),
    ("E6", "Let's Encrypt", "EC-384", "2024-03-13", "2027-03-12", "ISRG Root X2"),
    ("DigiCert Global Root G2", "DigiCert Inc", "RSA-2048", "2013-08-01", "2038-01-15", None),
    (
        "DigiCert Global G2 TLS RSA SHA256 2020 CA1",
        "DigiCert Inc",
        "RSA-2048",
        "2021-03-30",
        "2031-03-29",
        "DigiCert Global Root G2",
    ),
    (
        "Microsoft Azure RSA TLS Issuing CA 03",
        "Microsoft Corporation",
        "RSA-2048",
        "2023-06-08",
        "2028-06-27",
        "DigiCert Global Root G2",
    ),
    ("Amazon Root CA 1", "Amazon", "RSA-2048", "2015-05-26", "2038-01-17", None),
    ("Amazon RSA 2048 M02", "Amazon", "RSA-2048", "2022-08-23", "2030-08-23", "Amazon Root CA 1"),
    ("GTS Root R4", "Google Trust Services LLC", "EC-384", "2016-06-22", "2036-06-22", None),
    ("WE1", "Google Trust Services", "EC-256", "2023-12-13", "2029-02-20", "GTS Root R4"),
    (
        "Go Daddy Root Certificate Authority - G2",
        "GoDaddy.com, Inc.",
        "RSA-2048",
        "2009-09-01",
        "2037-12-31",
        None,
    ),
    (
        "Go Daddy Secure Certificate Authority - G2",
        "GoDaddy.com, Inc.",
        "RSA-2048",
        "2011-05-03",
        "2031-05-03",
        "Go Daddy Root Certificate Authority - G2",
    ),
    (
        "USERTrust RSA Certification Authority",
        "The USERTRUST Network",
        "RSA-2048",
        "2010-02-01",
        "2038-01-18",
        None,
    ),
    (
        "Sectigo RSA Domain Validation Secure Server CA",
        "Sectigo Limited",
        "RSA-2048",
        "2018-11-02",
        "2030-12-31",
        "USERTrust RSA Certification Authority",
    ),
)
SERVICE_COLUMNS = (
    "service",
    "owner",
    "team",
    "criticality",
    "depends_on",
    "customer_facing",
    "secrecy_years",
    "pqc_capable",
)


def d(s: str) -> datetime:
    """An ISO date or date-time as an aware UTC datetime."""
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# profile.yaml's as_of: every command evaluates the samples at the date they were built for (docs/bundle.md),
# so their levels hold whatever day the demo runs
AS_OF_PIN = iso(AS_OF)


def pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    """One value of `(value, weight)` pairs."""
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


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

    @property
    def sans(self) -> list[str]:
        ext = self.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return [str(g.value) for g in ext]


class World:
    """Keys, serials and the public CA look-alikes, shared by all four organizations of one run."""

    def __init__(self, seed: int) -> None:
        self.keys = DeterministicKeys(seed)
        self.rng = random.Random(seed)
        self.public: dict[str, CA] = {}
        for name, org, key, start, end, parent in PUBLIC_CAS:
            self.public[name] = self.ca(
                name,
                org,
                key,
                d(start),
                d(end),
                self.public[parent] if parent else None,
                public=True,
                path_len=0 if parent else None,
            )

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
        buf = io.StringIO()
        wr = csv.DictWriter(buf, fieldnames=list(SERVICE_COLUMNS), lineterminator="\n")
        wr.writeheader()
        wr.writerows(self.services)
        self.put("services.csv", buf.getvalue())

    # -- ground truth
    def truth(self) -> dict[str, Any]:
        present = list(self.present.values())
        in_inventory = {c.own_ca.name for c in present if c.own_ca is not None}
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
            "cas": self._truth_cas(present, in_inventory),
            "self_signed": sorted([c.cn, c.serial] for c in present if c.ca is None and c.own_ca is None),
            **self.truth_extra,
        }

    def _truth_cas(self, present: list[Cert], in_inventory: set[str]) -> dict[str, dict[str, Any]]:
        """Per CA the data can name: the certificates beneath it and the services they reach."""
        by_ca: dict[str, dict[str, Any]] = {}
        for c in present:
            for depth, ca in enumerate(_chain(c)):
                e = by_ca.setdefault(ca.name, {"certificates": set(), "direct": set(), "services": set()})
                e["certificates"].add((c.cn, c.serial))
                if depth == 0:
                    e["direct"].add((c.cn, c.serial))
                if c.service:
                    e["services"].add(c.service)
        # a CA the data can name: its certificate is present, or it signed a present certificate
        named = in_inventory | {c.ca.name for c in present if c.ca is not None}
        return {
            name: {
                "in_inventory": name in in_inventory,
                "direct": sorted([list(t) for t in e["direct"]]),
                "certificates": sorted([list(t) for t in e["certificates"]]),
                "services": sorted(e["services"]),
                "affected_services": sorted(self._dependents_closure(e["services"])),
            }
            for name, e in sorted(by_ca.items())
            if name in named
        }

    def _dependents_closure(self, start: set[str]) -> set[str]:
        """`start` and every service that depends on one of them through depends_on, transitively."""
        dependents: dict[str, set[str]] = {}
        for s in self.services:
            for n in (x for x in s["depends_on"].split(";") if x):
                dependents.setdefault(n, set()).add(s["service"])
        todo, seen = list(start), set(start)
        while todo:
            for up in dependents.get(todo.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        return seen


def _chain(c: Cert) -> list[CA]:
    out, ca = [], c.ca
    while ca is not None:
        out.append(ca)
        ca = ca.parent
    return out


def key_type(pub: Any) -> tuple[str, str]:
    """The inventory's key_algorithm and key_size of a public key."""
    if isinstance(pub, rsa.RSAPublicKey):
        return "RSA", str(pub.key_size)
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return "EC", str(pub.curve.key_size)
    if isinstance(pub, ed25519.Ed25519PublicKey):
        return "Ed25519", "256"
    return "ML-DSA-65", ""


def canonical_row(c: Cert) -> dict[str, Any]:
    """Every column of the canonical CSV for one certificate (discovered_by and last_seen left empty)."""
    cert = c.cert
    key_alg, key_size = key_type(cert.public_key())
    sig = signature_algorithm(cert.signature_algorithm_oid.dotted_string)
    return {
        "common_name": c.cn,
        "sans": ";".join(c.sans if c.own_ca is None else []),
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
