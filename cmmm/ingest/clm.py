"""Certificate lifecycle managers' JSON: Venafi TPP (`/vedsdk/certificates`), Venafi Cloud (certificatesearch),
Netflix Lemur (`GET /api/1/certificates`) and Keyfactor Command (`GET /Certificates`).

Each record is flattened onto the canonical columns and normalized like a spreadsheet row (their CSV
exports go through the tabular ingester's header aliases). When the export carries the body (Lemur
`body`, Keyfactor `ContentBytes`) the certificate comes from it and the CLM's fields (owner, policy
folder, template, locations) become observations. Records that are only listings (TPP search without
CertificateDetails) are noted, not counted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext
from cmmm.ingest._structured import (
    add_body,
    b64_der,
    combine,
    json_keys,
    kv_tags,
    load_json,
    mapping,
    parse_der,
    pem_certificates,
    rows_batch,
    seq,
)

_FRACTION = re.compile(r"(\.\d{6})\d+")  # .NET prints 7 fractional digits; ISO 8601 parsers take 6


def sniff(path: Path, head: bytes) -> int:
    keys = json_keys(head)
    if not keys:
        return 0
    if "CertificateDetails" in keys or {"Certificates", "Guid", "SchemaClass"} <= keys:
        return 93
    if {"subjectCN", "validityEnd"} <= keys:
        return 93
    if {"notAfter", "cn"} <= keys and keys & {"authority", "destinations", "rotation"}:
        return 93
    if {"IssuedCN", "NotAfter"} <= keys and keys & {"CertStateString", "KeyTypeString", "IssuerDN"}:
        return 93
    return 0


def _first(v: Any) -> Any:
    return v[0] if isinstance(v, list) and v else (None if isinstance(v, list) else v)


def _date(v: Any) -> Any:
    return _FRACTION.sub(r"\1", v) if isinstance(v, str) else v


def _hex_serial(v: Any, *, decimal: bool = False) -> str | None:
    if v is None or v == "":
        return None
    s = str(v).strip()
    if decimal:
        return format(int(s), "x") if s.isdigit() else None
    return s


class _Out:
    """Collects body-less rows (with locator and location) and body observations of one file."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.locs: list[str] = []
        self.locations: list[str | None] = []
        self.batch = Batch()

    def row(self, row: dict[str, Any], loc: str, location: str | None) -> None:
        self.rows.append(row)
        self.locs.append(loc)
        self.locations.append(location)

    def body(self, der: bytes | None, pem: str | None, obs: dict[str, Any]) -> bool:
        if der is not None:
            cert = parse_der(der)
            if cert is not None:
                add_body(self.batch, cert, der, obs)
                return True
        if pem:
            found, _ = pem_certificates(pem)
            if found:
                add_body(self.batch, found[0][0], found[0][1], obs)
                return True
        return False


def _venafi_tpp(rec: dict[str, Any], loc: str, src: str, out: _Out) -> bool:
    d = rec.get("CertificateDetails")
    if not isinstance(d, dict):
        return False
    custom = {
        str(f.get("Name")): ",".join(str(x) for x in seq(f.get("Value")))
        for f in seq(rec.get("CustomFields"))
        if isinstance(f, dict)
    }
    tags = kv_tags(
        {"management_type": rec.get("ManagementType"), "template": d.get("TemplateName"), **custom}
    )
    sans = [*seq(d.get("SubjectAltNameDNS")), *seq(d.get("SubjectAltNameIPAddress"))]
    out.row(
        {
            "common_name": d.get("CN") or rec.get("Name"),
            "sans": sans,
            "subject_dn": d.get("Subject"),
            "subject_org": d.get("O"),
            "issuer": d.get("Issuer"),
            "serial": d.get("Serial"),
            "not_before": _date(d.get("ValidFrom")),
            "not_after": _date(d.get("ValidTo")),
            "key_algorithm": d.get("KeyAlgorithm"),
            "key_size": d.get("KeySize"),
            "signature_algorithm": d.get("SignatureAlgorithmOID") or d.get("SignatureAlgorithm"),
            "fingerprint_sha1": d.get("Thumbprint"),
            "subject_key_id": str(d.get("SKIKeyIdentifier") or "").lower() or None,
            "authority_key_id": str(d.get("AIAKeyIdentifier") or "").lower() or None,
            "ext_key_usage": d.get("EnhancedKeyUsage"),
            "discovered_by": "ca-api",
            "tags": tags,
        },
        loc,
        str(rec.get("DN") or src),
    )
    return True


def _venafi_cloud(rec: dict[str, Any], loc: str, out: _Out) -> None:
    by_type = mapping(rec.get("subjectAlternativeNamesByType"))
    sans = [
        *seq(by_type.get("dNSName") or rec.get("subjectAlternativeNameDns")),
        *seq(by_type.get("iPAddress")),
    ]
    ctype = str(rec.get("certificateType") or "")
    base = {
        "common_name": _first(rec.get("subjectCN")),
        "sans": sans,
        "subject_org": _first(rec.get("subjectO")),
        "issuer": _first(rec.get("issuerCN")),
        "serial": rec.get("serialNumber"),
        "not_before": rec.get("validityStart"),
        "not_after": rec.get("validityEnd"),
        "key_algorithm": rec.get("encryptionType"),
        "key_size": rec.get("keyStrength"),
        "key_curve": rec.get("keyCurve"),
        "signature_algorithm": rec.get("signatureAlgorithm"),
        "fingerprint_sha1": rec.get("fingerprint"),
        "is_ca": ctype in ("ROOT", "INTERMEDIATE") if ctype else None,
        "is_self_signed": rec.get("selfSigned"),
        "owner": rec.get("ownerUsername"),
        "discovered_by": "ca-api",
        "tags": kv_tags({"certificate_source": rec.get("certificateSource"), "id": rec.get("id")}),
    }
    instances = [i for i in seq(rec.get("instances")) if isinstance(i, dict)]
    if not instances:
        out.row(base, loc, f"venafi-cloud:{rec.get('id')}")
    for n, inst in enumerate(instances):
        host = str(inst.get("hostname") or "").strip() or str(inst.get("ipAddress") or "").strip()
        port = inst.get("port")
        endpoint = f"{host}:{port}" if host and isinstance(port, int) and port > 0 else host or None
        out.row({**base, "endpoints": endpoint}, f"{loc} instance {n}", endpoint)


def _lemur(rec: dict[str, Any], loc: str, src: str, out: _Out) -> None:
    domains = [d.get("name") for d in seq(rec.get("domains")) if isinstance(d, dict)]
    authority = mapping(rec.get("authority"))
    tags = kv_tags(
        {
            "lemur_name": rec.get("name"),
            "authority": authority.get("name"),
            "rotation": rec.get("rotation"),
            "destinations": len(seq(rec.get("destinations"))) or None,
        }
    )
    location = f"lemur:{rec.get('id')}"
    obs = {
        "source": src,
        "source_ref": loc,
        "location": location,
        "owner": rec.get("owner"),
        "discovered_by": "ca-api",
        "tags": tags,
    }
    if out.body(None, rec.get("body") if isinstance(rec.get("body"), str) else None, obs):
        return
    out.row(
        {
            "common_name": rec.get("cn") or _first(domains),
            "sans": domains,
            "issuer": rec.get("issuer"),
            "serial": _hex_serial(rec.get("serial"), decimal=True),  # Lemur prints serials in decimal
            "not_before": rec.get("notBefore"),
            "not_after": rec.get("notAfter"),
            "key_size": rec.get("bits"),
            "signature_algorithm": rec.get("signingAlgorithm"),
            "owner": rec.get("owner"),
            "discovered_by": "ca-api",
            "tags": tags,
        },
        loc,
        location,
    )


def _keyfactor(rec: dict[str, Any], loc: str, src: str, out: _Out) -> None:
    meta = mapping(rec.get("Metadata"))
    owner = next((v for k, v in meta.items() if k.lower() in ("owner", "email-contact", "contact")), None)
    tags = kv_tags(
        {
            "state": rec.get("CertStateString"),
            "template": rec.get("TemplateName"),
            "ca": rec.get("CertificateAuthorityName"),
            **meta,
        }
    )
    places = [
        f"{p.get('StoreMachine')}:{p.get('StorePath')}"
        for p in seq(rec.get("Locations"))
        if isinstance(p, dict) and p.get("StoreMachine")
    ] or [f"keyfactor:{rec.get('Id')}"]
    der = b64_der(str(rec["ContentBytes"])) if rec.get("ContentBytes") else None
    for n, place in enumerate(places):
        obs = {
            "source": src,
            "source_ref": f"{loc} location {n}",
            "location": place,
            "owner": owner,
            "discovered_by": "ca-api",
            "tags": tags,
        }
        if der is not None and out.body(der, None, obs):
            continue
        sans = [e.get("Value") for e in seq(rec.get("SubjectAltNameElements")) if isinstance(e, dict)]
        out.row(
            {
                "common_name": rec.get("IssuedCN") or _first(sans),
                "sans": sans,
                "subject_dn": rec.get("IssuedDN"),
                "issuer_dn": rec.get("IssuerDN"),
                "serial": rec.get("SerialNumber"),
                "not_before": rec.get("NotBefore"),
                "not_after": rec.get("NotAfter"),
                "key_algorithm": rec.get("KeyTypeString"),  # KeyType is a numeric enum
                "key_size": rec.get("KeySizeInBits"),
                "key_curve": rec.get("Curve"),
                "signature_algorithm": rec.get("SigningAlgorithm"),
                "fingerprint_sha1": rec.get("Thumbprint"),
                "owner": owner,
                "discovered_by": "ca-api",
                "tags": tags,
            },
            f"{loc} location {n}",
            place,
        )


def read(path: Path, ctx: ReadContext) -> Batch:
    doc = load_json(path)
    src = str(path)
    out = _Out()
    listing = 0
    if isinstance(doc, dict) and "CertificateDetails" in doc:
        _venafi_tpp(doc, "document", src, out)
    elif isinstance(doc, dict) and isinstance(doc.get("Certificates"), list):
        for i, rec in enumerate(doc["Certificates"]):
            if isinstance(rec, dict) and not _venafi_tpp(rec, f"Certificates[{i}]", src, out):
                listing += 1
    elif isinstance(doc, dict) and isinstance(doc.get("certificates"), list):
        for i, rec in enumerate(doc["certificates"]):
            if isinstance(rec, dict):
                _venafi_cloud(rec, f"certificates[{i}]", out)
    elif isinstance(doc, dict) and isinstance(doc.get("items"), list):
        for i, rec in enumerate(doc["items"]):
            if isinstance(rec, dict):
                _lemur(rec, f"items[{i}]", src, out)
    elif isinstance(doc, list) and doc and isinstance(doc[0], dict) and "IssuedCN" in doc[0]:
        for i, rec in enumerate(doc):
            if isinstance(rec, dict):
                _keyfactor(rec, f"record {i}", src, out)
    else:
        raise InputError(src, "not a Venafi, Lemur or Keyfactor certificate export")
    if listing:
        out.batch.notes.append(
            f"{src}: {listing} Venafi TPP search result(s) without CertificateDetails "
            "(request them, or read /vedsdk/certificates/{guid} for each); not counted"
        )
    rows = rows_batch(out.rows, out.locs, out.locations, path, ctx, hex_serials=True)
    return combine(path, [out.batch, rows])
