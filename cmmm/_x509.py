"""Turn one X.509 certificate into a certificates-frame row: every field the model keeps."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtensionOID, NameOID

from cmmm.crypto import KEY_ALGORITHM_OIDS, signature_algorithm

_EKU_NAMES = {
    "1.3.6.1.5.5.7.3.1": "serverAuth",
    "1.3.6.1.5.5.7.3.2": "clientAuth",
    "1.3.6.1.5.5.7.3.3": "codeSigning",
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    "2.5.29.37.0": "anyExtendedKeyUsage",
}


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    vals = name.get_attributes_for_oid(oid)
    if not vals:
        return None
    v = vals[0].value
    return v if isinstance(v, str) else bytes(v).decode("utf-8", "replace")


def _dn(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:  # undecodable attribute values in hostile certificates
        return repr(name)


def _key_facts(cert: x509.Certificate) -> tuple[str | None, int | None, str | None, bytes | None]:
    """(key_algorithm, key_size, curve, SPKI DER). PQC keys cryptography cannot load fall back to the OID."""
    try:
        key = cert.public_key()
    except (ValueError, TypeError, NotImplementedError, UnsupportedAlgorithm):
        # e.g. SLH-DSA or composite keys this OpenSSL cannot load: recognized by OID instead
        oid = cert.public_key_algorithm_oid.dotted_string
        return KEY_ALGORITHM_OIDS.get(oid, oid), None, None, None
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None, spki
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name, spki
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None, spki
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None, spki
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None, spki
    oid = cert.public_key_algorithm_oid.dotted_string
    return KEY_ALGORITHM_OIDS.get(oid, oid), None, None, spki


_NAME_CACHE: dict[bytes, tuple[str, str | None, str | None]] = {}
_BC, _SAN, _EKU = (
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.EXTENDED_KEY_USAGE,
)
_SKI, _AKI = ExtensionOID.SUBJECT_KEY_IDENTIFIER, ExtensionOID.AUTHORITY_KEY_IDENTIFIER
_SCT = ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS


def _name_facts(name: x509.Name) -> tuple[str, str | None, str | None]:
    """(RFC 4514 string, CN, O) of a name; issuer names repeat, so they are cached by their DER."""
    key = name.public_bytes()
    hit = _NAME_CACHE.get(key)
    if hit is None:
        hit = (_dn(name), _attr(name, NameOID.COMMON_NAME), _attr(name, NameOID.ORGANIZATION_NAME))
        if len(_NAME_CACHE) < 100_000:
            _NAME_CACHE[key] = hit
    return hit


def certificate_row(cert: x509.Certificate, der: bytes | None = None) -> dict[str, Any]:
    """Every certificates-frame column derivable from the body (malformed extensions degrade to None)."""
    der = der if der is not None else cert.public_bytes(serialization.Encoding.DER)
    sha256 = hashlib.sha256(der).hexdigest()
    key_alg, key_size, curve, spki = _key_facts(cert)
    sig_oid = cert.signature_algorithm_oid.dotted_string
    sig = signature_algorithm(sig_oid)
    subject, issuer = cert.subject, cert.issuer
    s_dn, s_cn, s_org = _name_facts(subject)
    i_dn, i_cn, i_org = _name_facts(issuer)
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    row: dict[str, Any] = {
        "cert_id": f"sha256:{sha256}",
        "fingerprint_sha256": sha256,
        "fingerprint_sha1": hashlib.sha1(der, usedforsecurity=False).hexdigest(),
        "subject_dn": s_dn,
        "issuer_dn": i_dn,
        "common_name": s_cn,
        "subject_org": s_org,
        "issuer_name": i_cn or i_org,
        "issuer_org": i_org,
        "serial": format(cert.serial_number, "x"),
        "not_before": not_before,
        "not_after": not_after,
        "validity_days": (not_after - not_before).total_seconds() / 86400.0,
        "key_algorithm": key_alg,
        "key_size": key_size,
        "key_curve": curve,
        "signature_algorithm": sig.name if sig else sig_oid,
        "signature_hash": sig.hash if sig else None,
        "key_id": hashlib.sha256(spki).hexdigest() if spki is not None else None,
        "is_self_signed": s_dn == i_dn,
        "has_body": True,
        "is_ca": False,
        "sct_count": 0,
    }
    try:
        exts = list(cert.extensions)
    except ValueError:  # a duplicate or undecodable extension: keep the rest of the row
        exts = []
        row["is_ca"] = None
        row["sct_count"] = None
    sans: list[str] = []
    for ext in exts:
        oid, val = ext.oid, ext.value
        if oid == _BC:
            row["is_ca"] = bool(val.ca)
            row["path_len"] = val.path_length
        elif oid == _SAN:
            for gn in val:
                if isinstance(gn, (x509.DNSName, x509.RFC822Name, x509.UniformResourceIdentifier)):
                    sans.append(gn.value)
                elif isinstance(gn, x509.IPAddress):
                    sans.append(str(gn.value))
        elif oid == _EKU:
            row["ext_key_usage"] = ";".join(_EKU_NAMES.get(o.dotted_string, o.dotted_string) for o in val)
        elif oid == _SKI:
            row["subject_key_id"] = val.digest.hex()
        elif oid == _AKI:
            if val.key_identifier is not None:
                row["authority_key_id"] = val.key_identifier.hex()
        elif oid == _SCT:
            stamps: list[datetime] = [sct.timestamp for sct in val]
            row["sct_count"] = len(stamps)
            row["earliest_sct"] = min(stamps) if stamps else None
    row["sans"] = ";".join(sans) if sans else None
    if row.get("is_self_signed") and row.get("subject_key_id") and row.get("authority_key_id"):
        row["is_self_signed"] = row["subject_key_id"] == row["authority_key_id"]
    # Only publicly trusted CAs embed SCTs for browsers; a self-signed root is its own trust anchor.
    row["trust"] = "public" if row.get("sct_count") else "private"
    return row


def fingerprint_hash(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()
