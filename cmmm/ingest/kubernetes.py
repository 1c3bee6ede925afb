"""Kubernetes and cert-manager: Certificate, Issuer, ClusterIssuer and kubernetes.io/tls Secret objects.

Reads `kubectl get … -o yaml|json` (single objects or `kind: List`) and multi-document manifests with empty
documents. Certificates are joined to their Secret (the body, when `tls.crt` is present) and to their
Issuer or ClusterIssuer — looked up in the same file, then in sibling YAML/JSON files of the same directory
— which names the CA. Anything cert-manager manages is automated by cert-manager whatever the CA.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from cryptography import x509

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, text_of
from cmmm.ingest._columns import ENVIRONMENT_VALUES, squash
from cmmm.ingest._structured import (
    add_body,
    b64_der,
    combine,
    kv_tags,
    load_documents,
    mapping,
    pem_certificates,
    reject,
    rows_batch,
    seq,
)
from cmmm.ingest.x509 import private_key_facts
from cmmm.model import PrivateKeyFinding

# `[ \t]*(?:-[ \t]*)?` rather than `\s*-?\s*`: two adjacent optional runs backtrack quadratically on a
# line of spaces (found by tests/hostile/test_linear_time.py)
_KIND = re.compile(r"^[ \t]*(?:-[ \t]*)?kind[ \t]*:[ \t]*[\"']?(\w+)|\"kind\"\s*:\s*\"(\w+)\"", re.MULTILINE)
_OUR_KINDS = {"Certificate", "Issuer", "ClusterIssuer", "Secret", "List"}
_SIBLING_SUFFIXES = (".yaml", ".yml", ".json")
_SIBLING_MAX_FILES = 200
_SIBLING_MAX_BYTES = 1 << 20

# ACME directory hosts → the CA behind them (trust follows from the name; staging is never public)
_ACME_CAS = (
    ("letsencrypt.org", "Let's Encrypt"),
    ("pki.goog", "Google Trust Services"),
    ("zerossl.com", "ZeroSSL"),
    ("buypass", "Buypass"),
    ("digicert.com", "DigiCert"),
    ("sectigo.com", "Sectigo"),
    ("ssl.com", "SSL.com"),
)
_KEY_DEFAULT_SIZE = {"RSA": 2048, "ECDSA": 256}  # cert-manager's defaults when privateKey.size is unset
_KEY_NAMES = {"rsa": "RSA", "ecdsa": "EC", "ed25519": "Ed25519"}


def sniff(path: Path, head: bytes) -> int:
    text = text_of(head)
    kinds = {a or b for a, b in _KIND.findall(text)}
    if not kinds & _OUR_KINDS or "apiVersion" not in text:
        return 0
    if "cert-manager.io" in text or "kubernetes.io/tls" in text:
        return 92
    return 0


@dataclass(frozen=True, slots=True)
class _IssuerInfo:
    """What an Issuer/ClusterIssuer says about the CA behind it."""

    kind: str  # acme | ca | selfSigned | vault | venafi | external | unknown
    ca_name: str | None
    public: bool | None
    detail: str
    ca_secret: str | None = None  # a CA issuer's Secret holding the CA key pair


def _issuer_info(obj: dict[str, Any]) -> _IssuerInfo:
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        spec = {}
    if isinstance(spec.get("acme"), dict):
        server = str(spec["acme"].get("server") or "")
        host = urlparse(server).hostname or server
        name = next((ca for marker, ca in _ACME_CAS if marker in host), host or None)
        staging = "staging" in server
        if staging and name:
            name = f"{name} (staging)"
        return _IssuerInfo("acme", name, not staging if name else None, f"acme {server}")
    if "selfSigned" in spec:
        return _IssuerInfo("selfSigned", None, False, "self-signed")
    if isinstance(spec.get("ca"), dict):
        secret = spec["ca"].get("secretName")
        return _IssuerInfo(
            "ca", None, False, f"ca secret {secret}", ca_secret=str(secret) if secret else None
        )
    if isinstance(spec.get("vault"), dict):
        v = spec["vault"]
        return _IssuerInfo(
            "vault", f"Vault {v.get('path', '')}".strip(), False, f"vault {v.get('server', '')}"
        )
    if isinstance(spec.get("venafi"), dict):
        return _IssuerInfo("venafi", None, None, f"venafi zone {spec['venafi'].get('zone', '')}")
    return _IssuerInfo("unknown", None, None, "unknown issuer type")


_Resolver = Callable[[str, str, str], "_IssuerInfo | None"]


def _guess_issuer(name: str) -> _IssuerInfo | None:
    """An issuer that is not in the input but named after Let's Encrypt (the ingress-shim convention)."""
    low = name.lower()
    if "letsencrypt" in low or "lets-encrypt" in low:
        staging = "staging" in low
        ca = "Let's Encrypt (staging)" if staging else "Let's Encrypt"
        return _IssuerInfo("acme", ca, not staging, "acme (guessed from the issuer name)")
    return None


def _objects(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        return []
    if doc.get("kind") == "List" or (isinstance(doc.get("items"), list) and "kind" not in doc):
        return [o for o in seq(doc.get("items")) if isinstance(o, dict)]
    return [doc]


def _meta(obj: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    md = mapping(obj.get("metadata"))
    labels = mapping(md.get("labels"))
    return (
        str(md.get("namespace") or "default"),
        str(md.get("name") or "?"),
        {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
    )


def _issuer_key(kind: str, ns: str, name: str) -> tuple[str, str, str]:
    return (kind, "" if kind == "ClusterIssuer" else ns, name)


@dataclass(frozen=True, slots=True)
class _Siblings:
    """Issuers and TLS Secrets defined in the other small YAML/JSON files of the same directory, so that
    `kubectl get certificates -o yaml > certs.yaml` and `… secrets … > secrets.yaml` still join."""

    issuers: dict[tuple[str, str, str], _IssuerInfo]
    secrets: dict[tuple[str, str], tuple[str, str]]  # (namespace, name) → (file name, tls.crt value)


@functools.lru_cache(maxsize=64)
def _sibling_objects(directory: str, listing: tuple[tuple[str, int, int], ...]) -> _Siblings:
    """Read once per directory listing (names, mtimes, sizes): the cache key changes when a file does."""
    found = _Siblings({}, {})
    for name, _mtime, _size in listing:
        p = Path(directory) / name
        try:
            data = p.read_bytes()
            if b"Issuer" not in data and b"kubernetes.io/tls" not in data:
                continue
            docs = load_documents(p)
        except (OSError, InputError):
            continue
        for doc in docs:
            for obj in _objects(doc):
                kind = obj.get("kind")
                ns, nm, _ = _meta(obj)
                if kind in ("Issuer", "ClusterIssuer"):
                    found.issuers[_issuer_key(str(kind), ns, nm)] = _issuer_info(obj)
                elif kind == "Secret" and obj.get("type") == "kubernetes.io/tls":
                    crt = mapping(obj.get("data")).get("tls.crt")
                    if crt:
                        found.secrets[(ns, nm)] = (name, str(crt))
    return found


def _siblings(path: Path) -> _Siblings:
    try:
        entries = sorted(
            (e.name, e.stat().st_mtime_ns, e.stat().st_size)
            for e in path.parent.iterdir()
            if e.suffix.lower() in _SIBLING_SUFFIXES and e != path and e.is_file()
        )
    except OSError:
        return _Siblings({}, {})
    entries = [e for e in entries if e[2] <= _SIBLING_MAX_BYTES][:_SIBLING_MAX_FILES]
    return _sibling_objects(str(path.parent), tuple(entries))


def _environment(ns: str, labels: dict[str, str]) -> str | None:
    for key in ("environment", "env", "app.kubernetes.io/environment", "stage"):
        if key in labels and squash(labels[key]) in ENVIRONMENT_VALUES:
            return ENVIRONMENT_VALUES[squash(labels[key])]
    for token in re.split(r"[-_.]", ns.lower()):
        if token in ENVIRONMENT_VALUES:
            return ENVIRONMENT_VALUES[token]
    return None


def _annotated(annotations: dict[str, Any], key: str) -> str | None:
    """An annotation `key` or `<prefix>/key` (e.g. fabrikam.example/owner): label values cannot hold
    an e-mail address, so owners and contacts usually live in annotations."""
    for k, v in annotations.items():
        if v and (k == key or str(k).endswith(f"/{key}")):
            return str(v)
    return None


def _people(labels: dict[str, str], annotations: dict[str, Any] | None = None) -> dict[str, str | None]:
    ann = annotations or {}
    return {
        "owner": labels.get("owner")
        or labels.get("app.kubernetes.io/owner")
        or _annotated(ann, "owner")
        or _annotated(ann, "contact"),
        "team": labels.get("team") or labels.get("app.kubernetes.io/team") or _annotated(ann, "team"),
        "service": labels.get("app.kubernetes.io/part-of")
        or labels.get("app.kubernetes.io/name")
        or labels.get("app"),
    }


def _ready(status: dict[str, Any]) -> str | None:
    for c in seq(status.get("conditions")):
        if isinstance(c, dict) and c.get("type") == "Ready":
            return str(c.get("status"))
    return None


def _names(spec: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key in ("dnsNames", "ipAddresses", "uris", "emailAddresses"):
        vals = spec.get(key) or []
        if isinstance(vals, list):
            out.extend(str(v) for v in vals)
    return out


@dataclass(frozen=True, slots=True)
class _Objects:
    """The objects of one file by kind: issuers by key, Certificates by (namespace, secretName), TLS Secrets,
    and how many objects of other kinds."""

    issuers: dict[tuple[str, str, str], _IssuerInfo]
    certificates: dict[tuple[str, str], tuple[str, dict[str, Any]]]
    secrets: list[tuple[str, dict[str, Any]]]
    other: int


def read(path: Path, ctx: ReadContext) -> Batch:
    objs = _by_kind(_kube_objects(path))
    siblings = functools.cache(lambda: _siblings(path))  # listed once per file, and only when needed
    resolve = _resolver(objs.issuers, siblings)
    batch = Batch()
    joined: set[tuple[str, str]] = set()
    for ref, sec in objs.secrets:
        ns, name, labels = _meta(sec)
        ann = mapping(mapping(sec.get("metadata")).get("annotations"))
        secret = _SecretRef(ref=ref, ns=ns, name=name, labels=labels, annotations=ann)
        if _secret_body(
            path, secret, mapping(sec.get("data")), objs.certificates.get((ns, name)), resolve, batch
        ):
            joined.add((ns, name))
    notes: list[str] = []
    rows, locs, locations = _certificate_rows(path, objs, joined, siblings, resolve, batch, notes)
    batch.private_keys.extend(_ca_issuer_keys(path, objs.issuers))
    out = combine(path, [batch, rows_batch(rows, locs, locations, path, ctx)])
    n_iss = len(objs.issuers)
    if n_iss and not objs.certificates and not objs.secrets:
        notes.append(f"{path}: {n_iss} issuer(s) read; the file holds no certificates")
    if objs.other:
        notes.append(
            f"{path}: skipped {objs.other} Kubernetes object(s) that are not certificates or issuers"
        )
    out.notes.extend(notes)
    return out


def _kube_objects(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every object of the file's documents (List items one by one) with its locator."""
    docs = load_documents(path)
    objs: list[tuple[str, dict[str, Any]]] = []
    for d_i, doc in enumerate(docs):
        items = _objects(doc)
        many = len(items) > 1 or (isinstance(doc, dict) and doc.get("kind") == "List")
        for i, obj in enumerate(items):
            ref = f"document {d_i}" + (f" item {i}" if many else "")
            objs.append((ref, obj))
    if not objs:
        raise InputError(str(path), "no Kubernetes objects (expected apiVersion/kind documents or a List)")
    if not any(str(o.get("kind")) in _OUR_KINDS - {"List"} for _, o in objs):
        raise InputError(
            str(path), "no Certificate, Issuer, ClusterIssuer or kubernetes.io/tls Secret objects"
        )
    return objs


def _by_kind(objs: list[tuple[str, dict[str, Any]]]) -> _Objects:
    issuers: dict[tuple[str, str, str], _IssuerInfo] = {}
    certs: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}  # (ns, secretName) → Certificate
    secrets: list[tuple[str, dict[str, Any]]] = []
    other = 0
    for ref, obj in objs:
        kind = obj.get("kind")
        ns, name, _ = _meta(obj)
        if kind in ("Issuer", "ClusterIssuer"):
            issuers[_issuer_key(str(kind), ns, name)] = _issuer_info(obj)
        elif kind == "Certificate":
            spec = obj.get("spec") or {}
            secret = str(spec.get("secretName") or name) if isinstance(spec, dict) else name
            certs[(ns, secret)] = (ref, obj)
        elif kind == "Secret" and obj.get("type") == "kubernetes.io/tls":
            secrets.append((ref, obj))
        else:
            other += 1
    return _Objects(issuers=issuers, certificates=certs, secrets=secrets, other=other)


def _resolver(
    issuers: dict[tuple[str, str, str], _IssuerInfo], siblings: Callable[[], _Siblings]
) -> _Resolver:
    """Issuers of this file, then of its sibling files (added to `issuers` on the first miss), then a guess
    from the name."""

    def resolve(kind: str, ns: str, name: str) -> _IssuerInfo | None:
        key = _issuer_key(kind, ns, name)
        if key not in issuers:
            issuers.update({k: v for k, v in siblings().issuers.items() if k not in issuers})
        return issuers.get(key) or _guess_issuer(name)

    return resolve


def _certificate_rows(
    path: Path,
    objs: _Objects,
    joined: set[tuple[str, str]],
    siblings: Callable[[], _Siblings],
    resolve: _Resolver,
    batch: Batch,
    notes: list[str],
) -> tuple[list[dict[str, Any]], list[str], list[str | None]]:
    """Certificates whose Secret was not in the file: the body from a sibling file's Secret when there is
    one (added to `batch`), else a row from spec and status (rows, locators, locations)."""
    rows: list[dict[str, Any]] = []
    locs: list[str] = []
    locations: list[str | None] = []
    for (ns, secret), (ref, obj) in objs.certificates.items():
        if (ns, secret) in joined:
            continue
        _, name, labels = _meta(obj)
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        if not isinstance(spec, dict) or not isinstance(status, dict):
            batch.rejected.append(reject(path, ref, f"Certificate {ns}/{name}: spec/status is not a mapping"))
            continue
        if _sibling_body(path, (ref, obj), ns, secret, siblings().secrets.get((ns, secret)), resolve, batch):
            continue
        if not status.get("notAfter"):
            notes.append(
                f"{path}: Certificate {ns}/{name} has no status.notAfter "
                "(not issued yet, or exported without status): not counted"
            )
            continue
        ann = mapping(mapping(obj.get("metadata")).get("annotations"))
        rows.append(_certificate_row(spec, status, ns, name, labels, ann, resolve))
        locs.append(f"{ref} Certificate {ns}/{name}")
        locations.append(f"k8s:{ns}/secret/{secret}")
    return rows, locs, locations


def _sibling_body(
    path: Path,
    cert_obj: tuple[str, dict[str, Any]],
    ns: str,
    secret: str,
    sibling: tuple[str, str] | None,
    resolve: _Resolver,
    batch: Batch,
) -> bool:
    """Add the body a sibling file's Secret holds for this Certificate; True when it had one (what cannot be
    read there is dropped: the Certificate still counts by its spec and status)."""
    if sibling is None:
        return False
    ref, obj = cert_obj
    _, name, labels = _meta(obj)
    where = f"{ref} Certificate {ns}/{name} (Secret in {sibling[0]})"
    probe = Batch()
    found = _SecretRef(ref=where, ns=ns, name=secret, labels=labels, annotations={})
    if not _secret_body(path, found, {"tls.crt": sibling[1]}, cert_obj, resolve, probe):
        return False
    assert isinstance(batch.certificates, list) and isinstance(batch.observations, list)
    batch.certificates.extend(probe.certificates)
    batch.observations.extend(probe.observations)
    batch.bodies.update(probe.bodies)
    return True


def _automation_tags(
    info: _IssuerInfo | None, issuer_kind: str, issuer_name: str, extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        "issuer_ref": f"{issuer_kind}/{issuer_name}",
        "issuer_type": info.kind if info else "unresolved",
        "issuer_detail": info.detail if info else None,
        **extra,
    }


def _certificate_row(
    spec: dict[str, Any],
    status: dict[str, Any],
    ns: str,
    name: str,
    labels: dict[str, str],
    annotations: dict[str, Any],
    resolve: _Resolver,
) -> dict[str, Any]:
    ref = mapping(spec.get("issuerRef"))
    ikind, iname = str(ref.get("kind") or "Issuer"), str(ref.get("name") or "?")
    info: _IssuerInfo | None = resolve(ikind, ns, iname)
    names = _names(spec)
    cn = spec.get("commonName") or (names[0] if names else name)
    pk = spec.get("privateKey") or {}
    alg = str(pk.get("algorithm") or "RSA") if isinstance(pk, dict) else "RSA"
    size = (pk.get("size") if isinstance(pk, dict) else None) or _KEY_DEFAULT_SIZE.get(alg.upper())
    issuer_name = info.ca_name if info else None
    if info is not None and info.kind == "selfSigned":
        issuer_name = cn
    row: dict[str, Any] = {
        "common_name": cn,
        "sans": names,
        "not_before": status.get("notBefore"),
        "not_after": status.get("notAfter"),
        "key_algorithm": _KEY_NAMES.get(alg.lower(), alg),
        "key_size": size,
        "is_ca": bool(spec.get("isCA", False)),
        "issuer": issuer_name,
        "automation": "cert-manager",
        "discovered_by": "kubernetes",
        "environment": _environment(ns, labels),
        "tags": kv_tags(
            _automation_tags(
                info,
                ikind,
                iname,
                {
                    "k8s_certificate": f"{ns}/{name}",
                    "ready": _ready(status),
                    "renewal_time": status.get("renewalTime"),
                    "revision": status.get("revision"),
                },
            )
        ),
        **_people(labels, annotations),
    }
    if info is not None and info.public is not None:
        row["trust"] = "public" if info.public else "private"
    return row


@dataclass(frozen=True, slots=True)
class _SecretRef:
    """A TLS Secret as met in the input: the locator before it, namespace, name, labels and annotations."""

    ref: str
    ns: str
    name: str
    labels: dict[str, str]
    annotations: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.ref} Secret {self.ns}/{self.name}"


def _secret_body(
    path: Path,
    secret: _SecretRef,
    data: dict[str, Any],
    cert_obj: tuple[str, dict[str, Any]] | None,
    resolve: _Resolver,
    batch: Batch,
) -> bool:
    """Add the certificates of a TLS Secret's `data` (tls.crt); True when a body was found."""
    where = secret.where
    found = _tls_crt(path, secret, data.get("tls.crt"), batch)
    if data.get("tls.key"):
        # an exported Secret carries its private key: a finding (the key itself is never kept)
        holds_ca = bool(found) and _is_ca(found[0][0])
        batch.private_keys.append(_private_key(path, f"{where} tls.key", str(data["tls.key"]), ca=holds_ca))
    if not found:
        return False
    leaf = _leaf_facts(secret, cert_obj, resolve)
    for i, (cert, der) in enumerate(found):
        obs: dict[str, Any] = {
            "source": str(path),
            "source_ref": f"{where} tls.crt cert {i}",
            "location": f"k8s:{secret.ns}/secret/{secret.name}",
            "discovered_by": "kubernetes",
        }
        if i == 0:
            # the workload's labels describe the leaf; the CA certificates after it in the chain
            # belong to whoever runs the CA, not to this namespace's team
            obs |= leaf
        add_body(batch, cert, der, obs)
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):
        return False


def _private_key(path: Path, locator: str, value: str, *, ca: bool) -> PrivateKeyFinding:
    """The finding for a tls.key value: its key type, whether it is encrypted, its public key's hash, and
    whether the Secret holds a CA (whose key then lives in the cluster, not in an HSM)."""
    key = b64_der(value) or b""
    label = re.search(rb"-----BEGIN ([A-Z ]*)PRIVATE KEY-----", key)
    encrypted = b"ENCRYPTED" in key
    kind, key_id = (None, None) if encrypted else private_key_facts(key)
    return PrivateKeyFinding(
        path=str(path),
        locator=locator,
        key_type=kind or ((label.group(1).decode().strip() or "PKCS#8") if label else "unknown"),
        encrypted=encrypted,
        key_id=key_id,
        store="kubernetes-secret",
        ca=ca,
    )


def _ca_issuer_keys(path: Path, issuers: dict[tuple[str, str, str], _IssuerInfo]) -> list[PrivateKeyFinding]:
    """A cert-manager CA issuer signs with a CA key kept in a Kubernetes Secret (spec.ca.secretName)."""
    out = []
    for (kind, ns, name), info in issuers.items():
        if info.kind == "ca" and info.ca_secret:
            where = f"{kind} {ns + '/' if ns else ''}{name}"
            out.append(
                PrivateKeyFinding(
                    path=str(path),
                    locator=f"{where} spec.ca.secretName {info.ca_secret}",
                    key_type="CA key",
                    encrypted=False,
                    store="kubernetes-secret",
                    ca=True,
                    referenced=True,
                )
            )
    return out


def _tls_crt(path: Path, secret: _SecretRef, raw: Any, batch: Batch) -> list[tuple[x509.Certificate, bytes]]:
    """The certificates of a tls.crt value (PEM, or base64 of PEM); what cannot be read is rejected."""
    where = secret.where
    if not raw:
        batch.notes.append(f"{path}: Secret {secret.ns}/{secret.name} has an empty tls.crt")
        return []
    pem = str(raw).encode() if str(raw).lstrip().startswith("-----BEGIN") else b64_der(str(raw))
    if pem is None:
        batch.rejected.append(reject(path, where, "tls.crt is not valid base64 (truncated or redacted?)"))
        return []
    found, problems = pem_certificates(pem.decode("latin-1"))
    for p in problems:
        batch.rejected.append(reject(path, where, f"tls.crt: {p}"))
    if not found and not problems:
        batch.rejected.append(reject(path, where, "tls.crt holds no PEM certificate"))
    return found


def _leaf_facts(
    secret: _SecretRef, cert_obj: tuple[str, dict[str, Any]] | None, resolve: _Resolver
) -> dict[str, Any]:
    """What the Secret and its Certificate say about the leaf: environment, people, automation and tags."""
    spec: dict[str, Any] = {}
    status: dict[str, Any] = {}
    cert_labels: dict[str, str] = {}
    cert_ann: dict[str, Any] = {}
    if cert_obj is not None:
        c = cert_obj[1]
        spec = mapping(c.get("spec"))
        status = mapping(c.get("status"))
        _, _, cert_labels = _meta(c)
        cert_ann = mapping(mapping(c.get("metadata")).get("annotations"))
    ann = secret.annotations
    managed = cert_obj is not None or any(str(k).startswith("cert-manager.io/") for k in ann)
    ref_spec = mapping(spec.get("issuerRef"))
    ikind = str(ref_spec.get("kind") or ann.get("cert-manager.io/issuer-kind") or "Issuer")
    iname = str(ref_spec.get("name") or ann.get("cert-manager.io/issuer-name") or "")
    info = resolve(ikind, secret.ns, iname) if managed and iname else None
    all_labels = {**secret.labels, **cert_labels}
    tags: dict[str, Any] = {"k8s_secret": f"{secret.ns}/{secret.name}"}
    if managed:
        tags = _automation_tags(info, ikind, iname, tags)
        cert_name = ann.get("cert-manager.io/certificate-name") or (
            _meta(cert_obj[1])[1] if cert_obj else None
        )
        tags.update(
            {
                "k8s_certificate": f"{secret.ns}/{cert_name}" if cert_name else None,
                "ready": _ready(status),
                "renewal_time": status.get("renewalTime"),
            }
        )
    return {
        "environment": _environment(secret.ns, all_labels),
        **_people(all_labels, {**ann, **cert_ann}),
        "automation": "cert-manager" if managed else None,
        "tags": kv_tags(tags),
    }
