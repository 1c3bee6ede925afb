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


def _ext(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> Any:
    try:
        return cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None


def certificate_row(cert: x509.Certificate, der: bytes | None = None) -> dict[str, Any]:
    """Every certificates-frame column derivable from the body (malformed extensions degrade to None)."""
    der = der if der is not None else cert.public_bytes(serialization.Encoding.DER)
    sha256 = hashlib.sha256(der).hexdigest()
    key_alg, key_size, curve, spki = _key_facts(cert)
    sig_oid = cert.signature_algorithm_oid.dotted_string
    sig = signature_algorithm(sig_oid)
    row: dict[str, Any] = {
        "cert_id": f"sha256:{sha256}",
        "fingerprint_sha256": sha256,
        "fingerprint_sha1": hashlib.sha1(der, usedforsecurity=False).hexdigest(),
        "subject_dn": _dn(cert.subject),
        "issuer_dn": _dn(cert.issuer),
        "common_name": _attr(cert.subject, NameOID.COMMON_NAME),
        "subject_org": _attr(cert.subject, NameOID.ORGANIZATION_NAME),
        "issuer_name": _attr(cert.issuer, NameOID.COMMON_NAME)
        or _attr(cert.issuer, NameOID.ORGANIZATION_NAME),
        "issuer_org": _attr(cert.issuer, NameOID.ORGANIZATION_NAME),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "key_algorithm": key_alg,
        "key_size": key_size,
        "key_curve": curve,
        "signature_algorithm": sig.name if sig else sig_oid,
        "signature_hash": sig.hash if sig else None,
        "key_id": hashlib.sha256(spki).hexdigest() if spki is not None else None,
        "is_self_signed": cert.subject == cert.issuer,
        "has_body": True,
    }
    row["validity_days"] = (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() / 86400.0
    try:
        exts = cert.extensions
    except ValueError:  # a duplicate or undecodable extension: keep the rest of the row
        exts = None
    sans: list[str] = []
    if exts is not None:
        bc = _ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
        row["is_ca"] = bool(bc.ca) if bc is not None else False
        row["path_len"] = bc.path_length if bc is not None else None
        san = _ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        if san is not None:
            for gn in san:
                if isinstance(gn, (x509.DNSName, x509.RFC822Name, x509.UniformResourceIdentifier)):
                    sans.append(gn.value)
                elif isinstance(gn, x509.IPAddress):
                    sans.append(str(gn.value))
        eku = _ext(cert, ExtensionOID.EXTENDED_KEY_USAGE)
        if eku is not None:
            row["ext_key_usage"] = ";".join(_EKU_NAMES.get(o.dotted_string, o.dotted_string) for o in eku)
        ski = _ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
        if ski is not None:
            row["subject_key_id"] = ski.digest.hex()
        aki = _ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
        if aki is not None and aki.key_identifier is not None:
            row["authority_key_id"] = aki.key_identifier.hex()
        scts = _ext(cert, ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS)
        if scts is not None:
            stamps: list[datetime] = [s.timestamp for s in scts]
            row["sct_count"] = len(stamps)
            row["earliest_sct"] = min(stamps) if stamps else None
        else:
            row["sct_count"] = 0
    row["sans"] = ";".join(sans) if sans else None
    if row.get("is_self_signed") and row.get("subject_key_id") and row.get("authority_key_id"):
        row["is_self_signed"] = row["subject_key_id"] == row["authority_key_id"]
    # Only publicly trusted CAs embed SCTs for browsers; a self-signed root is its own trust anchor.
    row["trust"] = "public" if row.get("sct_count") else "private"
    return row


def fingerprint_hash(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()
