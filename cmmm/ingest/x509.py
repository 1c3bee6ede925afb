"""Turn one X.509 certificate into a certificates-frame row: every field the model keeps."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtensionOID, NameOID

from cmmm.crypto import KEY_ALGORITHM_OIDS, signature_algorithm
from cmmm.ingest._der_repair import DSA_INHERITED, repair

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


def key_type_name(key: object) -> str:
    """A short name for a private key's type: RSA-2048, EC-secp256r1, Ed25519, ML-DSA-65, …"""
    if isinstance(key, rsa.RSAPrivateKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"EC-{key.curve.name}"
    if isinstance(key, dsa.DSAPrivateKey):
        return f"DSA-{key.key_size}"
    return type(key).__name__.replace("PrivateKey", "").lstrip("_") or "unknown"


def public_key_id(key: Any) -> str | None:
    """The key_id (SHA-256 of the SubjectPublicKeyInfo) of a private key's public half, as certificates have."""
    try:
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    except (AttributeError, ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return hashlib.sha256(spki).hexdigest()


MAX_PRIVATE_KEY_BYTES = 64 * 1024  # a private key larger than this is not loaded (ML-DSA-87 PEM ≈ 7 KB)


def private_key_facts(data: bytes) -> tuple[str | None, str | None]:
    """(type name, key_id) of an unencrypted PEM or DER private key; (None, None) when it cannot be read.
    The key is only used to derive its public key's hash: nothing of it is kept."""
    if len(data) > MAX_PRIVATE_KEY_BYTES:
        return None, None
    loader = (
        serialization.load_pem_private_key
        if data.lstrip().startswith(b"-----")
        else serialization.load_der_private_key
    )
    try:
        key = loader(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None, None
    return key_type_name(key), public_key_id(key)


_NAME_CACHE: dict[bytes, tuple[str, str | None, str | None]] = {}
_BC, _SAN, _EKU = (
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.EXTENDED_KEY_USAGE,
)
_SKI, _AKI = ExtensionOID.SUBJECT_KEY_IDENTIFIER, ExtensionOID.AUTHORITY_KEY_IDENTIFIER
_SCT = ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS


def _name_text(name: x509.Name) -> tuple[str, str | None, str | None]:
    """(RFC 4514 string, CN, O) of a name."""
    return _dn(name), _attr(name, NameOID.COMMON_NAME), _attr(name, NameOID.ORGANIZATION_NAME)


def _named(der: bytes, name: Callable[[], x509.Name]) -> tuple[str, str | None, str | None]:
    """_name_text by the name's DER: issuer names repeat, so each is decoded once (`name` only on a miss)."""
    hit = _NAME_CACHE.get(der)
    if hit is None:
        hit = _name_text(name())
        if len(_NAME_CACHE) < 100_000:
            _NAME_CACHE[der] = hit
    return hit


def _name_facts(name: x509.Name) -> tuple[str, str | None, str | None]:
    return _named(name.public_bytes(), lambda: name)


def certificate_row(cert: x509.Certificate, der: bytes | None = None) -> dict[str, Any]:
    """Every certificates-frame column derivable from the body (malformed extensions degrade to None).

    cryptography has parsed and checked the certificate; the pieces it only hands out as Python objects
    (names, key, extensions) are sliced from the DER and decoded here instead, about three times faster
    (250,000 certificates in a store). Anything unusual — a duplicate extension, an undecodable value, a
    construct the walk does not know — takes the path through cryptography's objects; a test keeps both
    equal on well-formed certificates. On malformed ones the walk is the more lenient: it keeps the
    extensions it can read where cryptography drops them all, and the algorithm a key declares when the
    key itself does not load. Raises ValueError for a body too malformed to give a row.
    """
    der = der if der is not None else cert.public_bytes(serialization.Encoding.DER)
    try:
        try:
            return _fast_row(cert, der)
        except _Unusual:
            return _slow_row(cert, der)
    # cryptography parses names and extensions lazily; on a hostile body some of its errors are not
    # ValueError (a name attribute as a BIT STRING raises TypeError)
    except (OverflowError, TypeError, x509.InvalidVersion, x509.UnsupportedGeneralNameType) as exc:
        raise ValueError(f"unreadable certificate: {exc}") from None


def load_der(der: bytes) -> x509.Certificate:
    """cryptography's DER parser; every way a body can be malformed comes back as ValueError."""
    try:
        return x509.load_der_x509_certificate(der)
    except x509.InvalidVersion as exc:  # not a ValueError in cryptography
        raise ValueError(f"invalid X.509 version: {exc}") from None


def lenient_row(der: bytes) -> tuple[dict[str, Any], tuple[str, ...]]:
    """certificate_row of a body as openssl reads it: strict DER first; when cryptography refuses the body
    (or a name in it), the re-encoding of cmmm.ingest._der_repair, with the malformations it repaired.
    A repaired row keeps the identity (SHA-256, SHA-1) of the bytes given. Raises the strict ValueError
    when the repair does not help."""
    try:
        return certificate_row(load_der(der), der), ()
    except ValueError as exc:
        fixed, repairs = repair(der)
        if not repairs:
            raise
        try:
            row = certificate_row(load_der(fixed), fixed)
        except ValueError:
            raise exc from None
    if DSA_INHERITED in repairs:  # the placeholder parameters say nothing about the key
        row["key_size"], row["key_id"] = None, None
    sha256 = hashlib.sha256(der).hexdigest()
    row["cert_id"], row["fingerprint_sha256"] = f"sha256:{sha256}", sha256
    row["fingerprint_sha1"] = hashlib.sha1(der, usedforsecurity=False).hexdigest()
    return row, tuple(repairs)


def load_pem(pem: bytes) -> x509.Certificate:
    """load_der for one PEM certificate."""
    try:
        return x509.load_pem_x509_certificate(pem)
    except x509.InvalidVersion as exc:
        raise ValueError(f"invalid X.509 version: {exc}") from None


def _base_row(
    cert: x509.Certificate,
    der: bytes,
    subject: tuple[str, str | None, str | None],
    issuer: tuple[str, str | None, str | None],
    key: tuple[str | None, int | None, str | None],
    spki: bytes | None,
) -> dict[str, Any]:
    sha256 = hashlib.sha256(der).hexdigest()
    sig_oid = cert.signature_algorithm_oid.dotted_string
    sig_name, sig_hash = _signature(sig_oid)
    s_dn, s_cn, s_org = subject
    i_dn, i_cn, i_org = issuer
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    return {
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
        "key_algorithm": key[0],
        "key_size": key[1],
        "key_curve": key[2],
        "signature_algorithm": sig_name,
        "signature_hash": sig_hash,
        "key_id": hashlib.sha256(spki).hexdigest() if spki is not None else None,
        "is_self_signed": s_dn == i_dn,
        "has_body": True,
        "is_ca": False,
        "sct_count": 0,
    }


_SIGNATURES: dict[str, tuple[str, str | None]] = {}


def _signature(oid: str) -> tuple[str, str | None]:
    """(name, hash) of a signature algorithm OID; unknown OIDs keep their dotted form."""
    hit = _SIGNATURES.get(oid)
    if hit is None:
        sig = signature_algorithm(oid)
        hit = (sig.name, sig.hash) if sig else (oid, None)
        if len(_SIGNATURES) < 1000:
            _SIGNATURES[oid] = hit
    return hit


def _finish(row: dict[str, Any], sans: list[str]) -> dict[str, Any]:
    row["sans"] = ";".join(sans) if sans else None
    if row.get("is_self_signed") and row.get("subject_key_id") and row.get("authority_key_id"):
        row["is_self_signed"] = row["subject_key_id"] == row["authority_key_id"]
    # Only publicly trusted CAs embed SCTs for browsers; a self-signed root is its own trust anchor.
    row["trust"] = "public" if row.get("sct_count") else "private"
    return row


def _walked_extensions(der: bytes, row: dict[str, Any], exc: Exception) -> dict[str, Any]:
    """The row's extension columns by the DER walk with duplicates allowed, after cryptography refused the
    extensions (`exc`); each outcome is a note in row["notes"] — never a silently empty cell."""
    sans: list[str] = []
    duplicates: list[str] = []
    try:
        parts = _parts(der)
        if parts.extensions is not None:
            _fast_extensions(der, *parts.extensions, row, sans, duplicates=duplicates)
    except (_Unusual, ValueError):
        row["is_ca"] = None
        row["sct_count"] = None
        row["notes"] = [
            f"extensions could not be read ({_reason(exc)}): is_ca, SANs, key identifiers and SCTs unknown"
        ]
        return _finish(row, [])
    row["notes"] = [
        f"duplicated extension(s) {', '.join(duplicates)} (RFC 5280 §4.2 allows one of each): "
        "the names of every subjectAltName copy kept, the first copy of any other"
        if duplicates
        else f"an extension cryptography refuses ({_reason(exc)}) read by the DER walk"
    ]
    return _finish(row, sans)


def _slow_row(cert: x509.Certificate, der: bytes) -> dict[str, Any]:
    """certificate_row through cryptography's objects."""
    key_alg, key_size, curve, spki = _key_facts(cert)
    with contextlib.suppress(_Unusual):
        spki = _parts(der).spki  # the key as the certificate encodes it, as the fast path hashes it
    row = _base_row(
        cert, der, _name_facts(cert.subject), _name_facts(cert.issuer), (key_alg, key_size, curve), spki
    )
    try:
        exts = list(cert.extensions)
        for ext in exts:  # SCT timestamps decode lazily: out-of-range values surface here
            if ext.oid == _SCT:
                _ = [sct.timestamp for sct in ext.value]
    except (
        ValueError,
        OverflowError,
        TypeError,
        x509.DuplicateExtension,
        x509.UnsupportedGeneralNameType,
    ) as exc:
        # a duplicate or undecodable extension: the DER walk, duplicates allowed, else unknown with a note
        return _walked_extensions(der, row, exc)
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
    return _finish(row, sans)


# ----------------------------------------------------------------------------------------- the DER walk
class _Unusual(Exception):
    """The DER walk met something it leaves to cryptography's objects."""


def _tlv(b: bytes, i: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at offset i, which must end by `end`."""
    if i + 2 > end:
        raise _Unusual
    tag, n = b[i], b[i + 1]
    if tag & 0x1F == 0x1F:  # multi-byte tag numbers appear nowhere this walk goes
        raise _Unusual
    if n < 0x80:
        start, stop = i + 2, i + 2 + n
    else:
        k = n & 0x7F
        if not 1 <= k <= 4:
            raise _Unusual
        start = i + 2 + k
        stop = start + int.from_bytes(b[i + 2 : start], "big")
    if stop > end:
        raise _Unusual
    return tag, start, stop


@dataclass(frozen=True, slots=True)
class _Parts:
    issuer: bytes  # the Name, tag and length included
    subject: bytes
    spki: bytes
    algorithm: bytes  # the SPKI's AlgorithmIdentifier
    key_bits: tuple[int, int]  # BIT STRING content span in the DER
    extensions: tuple[int, int] | None  # the SEQUENCE OF Extension's content span


def _parts(der: bytes) -> _Parts:
    """Slice a certificate's TBS: version, serial, signature, issuer, validity, subject, SPKI, [3] extensions."""
    _, c_start, c_end = _tlv(der, 0, len(der))
    tag, t_start, t_end = _tlv(der, c_start, c_end)
    if tag != 0x30:
        raise _Unusual
    tag, _, at = _tlv(der, t_start, t_end)
    if tag == 0xA0:  # [0] version
        tag, _, at = _tlv(der, at, t_end)
    if tag != 0x02:  # serial
        raise _Unusual
    _, _, at = _tlv(der, at, t_end)  # signature algorithm
    issuer_at = at
    tag, _, at = _tlv(der, at, t_end)
    issuer = der[issuer_at:at]
    _, _, at = _tlv(der, at, t_end)  # validity
    subject_at = at
    tag2, _, at = _tlv(der, at, t_end)
    subject = der[subject_at:at]
    spki_at = at
    tag3, k_start, at = _tlv(der, at, t_end)
    if (tag, tag2, tag3) != (0x30, 0x30, 0x30):
        raise _Unusual
    spki = der[spki_at:at]
    _, _, alg_end = _tlv(der, k_start, at)
    tag, b_start, b_end = _tlv(der, alg_end, at)
    if tag != 0x03 or b_start >= b_end or der[b_start] != 0:
        raise _Unusual
    extensions = None
    while at < t_end:  # [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions
        tag, start, stop = _tlv(der, at, t_end)
        if tag == 0xA3:
            tag, e_start, e_end = _tlv(der, start, stop)
            if tag != 0x30:
                raise _Unusual
            extensions = (e_start, e_end)
        at = stop
    return _Parts(issuer, subject, spki, der[k_start:alg_end], (b_start + 1, b_end), extensions)


def _oid_text(raw: bytes) -> str:
    """Dotted text of an OBJECT IDENTIFIER's content octets."""
    if not raw or raw[-1] & 0x80:
        raise _Unusual
    arcs: list[int] = []
    value = 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, (first, arcs[0] - 40 * first, *arcs[1:])))


def _oid_bytes(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.append(0x80 | (arc & 0x7F))
        out.extend(reversed(chunk))
    return bytes(out)


_RAW_BC, _RAW_SAN, _RAW_EKU, _RAW_SKI, _RAW_AKI, _RAW_SCT = (
    _oid_bytes(o.dotted_string) for o in (_BC, _SAN, _EKU, _SKI, _AKI, _SCT)
)
_RSA_SHAPED = ("RSA", -1, None)  # cache marker: the size is in each key's modulus
_KEY_CACHE: dict[bytes, tuple[str | None, int | None, str | None]] = {}
_EKU_CACHE: dict[bytes, str] = {}
_CACHE_LIMIT = 100_000
_EPOCH = datetime(1970, 1, 1)


_RSA_OIDS = {_oid_bytes("1.2.840.113549.1.1.1"), _oid_bytes("1.2.840.113549.1.1.10")}  # rsaEncryption, PSS
_EC_OID = _oid_bytes("1.2.840.10045.2.1")


def _declared_key(algorithm: bytes) -> tuple[str | None, int | None, str | None] | None:
    """What an AlgorithmIdentifier alone says: RSA (size from each modulus) or an EC named curve; None for
    anything else. A pure function of the identifier, so caching it cannot depend on file order."""
    tag, at, stop = _tlv(algorithm, 0, len(algorithm))
    tag2, o_start, o_end = _tlv(algorithm, at, stop)
    if tag != 0x30 or tag2 != 0x06:
        raise _Unusual
    oid = algorithm[o_start:o_end]
    if oid in _RSA_OIDS:
        return _RSA_SHAPED
    if oid == _EC_OID and o_end < stop:
        tag, c_start, c_end = _tlv(algorithm, o_end, stop)
        if tag == 0x06:
            try:
                curve = ec.get_curve_for_oid(x509.ObjectIdentifier(_oid_text(algorithm[c_start:c_end])))()
            except LookupError:
                return None
            return "EC", curve.key_size, curve.name
    return None


def _integer(der: bytes, start: int, end: int) -> tuple[int, int, int]:
    """A positive, minimally encoded INTEGER: (start of its significant bytes, its end, the next offset)."""
    tag, v_start, v_end = _tlv(der, start, end)
    if tag != 0x02 or v_start == v_end or der[v_start] & 0x80:
        raise _Unusual
    if der[v_start] == 0:
        if v_end - v_start == 1 or not der[v_start + 1] & 0x80:  # zero, or a needless leading 0x00
            raise _Unusual
        v_start += 1
    return v_start, v_end, v_end


def _fast_key(cert: x509.Certificate, der: bytes, parts: _Parts) -> tuple[str | None, int | None, str | None]:
    """(key_algorithm, key_size, curve) from the SPKI: RSA from its modulus, EC from its named curve,
    anything else from cryptography once per AlgorithmIdentifier (a key it cannot load is _Unusual)."""
    facts = _KEY_CACHE.get(parts.algorithm)
    if facts is None:
        facts = _declared_key(parts.algorithm)
        if facts is None:
            alg, size, curve, spki = _key_facts(cert)
            if spki is None:  # cryptography cannot load this key: its path says what can be said
                raise _Unusual
            facts = (alg, size, curve)
        if len(_KEY_CACHE) < _CACHE_LIMIT:
            _KEY_CACHE[parts.algorithm] = facts
    if facts is not _RSA_SHAPED:
        return facts
    start, end = parts.key_bits  # RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    tag, start, stop = _tlv(der, start, end)
    if tag != 0x30 or stop != end:
        raise _Unusual
    m_start, m_end, at = _integer(der, start, stop)
    _, _, at = _integer(der, at, stop)
    if at != stop:
        raise _Unusual
    return "RSA", (m_end - m_start - 1) * 8 + der[m_start].bit_length(), None


# RFC 4514 short names, as cryptography's rfc4514_string writes them; other attributes take its path
_SHORT_NAMES = {
    _oid_bytes(oid.dotted_string): short
    for oid, short in (
        (NameOID.COMMON_NAME, "CN"),
        (NameOID.LOCALITY_NAME, "L"),
        (NameOID.STATE_OR_PROVINCE_NAME, "ST"),
        (NameOID.ORGANIZATION_NAME, "O"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "OU"),
        (NameOID.COUNTRY_NAME, "C"),
        (NameOID.STREET_ADDRESS, "STREET"),
        (NameOID.DOMAIN_COMPONENT, "DC"),
        (NameOID.USER_ID, "UID"),
    )
}
_STRING_TAGS = {0x0C, 0x13, 0x16}  # UTF8String, PrintableString, IA5String
_NEEDS_ESCAPE = re.compile(r'[\\"+,;<>\x00]|^[# ]|[ ]$')


def _fast_name(raw: bytes) -> tuple[str, str | None, str | None]:
    """(RFC 4514 string, CN, O) of a plain Name — one attribute per RDN, well-known attributes, values
    that need no escaping — exactly as cryptography writes it; anything else is _Unusual."""
    tag, at, stop = _tlv(raw, 0, len(raw))
    if tag != 0x30:
        raise _Unusual
    pairs: list[str] = []
    cn = org = None
    while at < stop:
        tag, r_start, at = _tlv(raw, at, stop)  # RDN: SET OF AttributeTypeAndValue
        _, a_start, a_end = _tlv(raw, r_start, at)
        if tag != 0x31 or a_end != at:
            raise _Unusual  # a multi-valued RDN
        tag, o_start, o_end = _tlv(raw, a_start, a_end)
        short = _SHORT_NAMES.get(raw[o_start:o_end])
        v_tag, v_start, v_end = _tlv(raw, o_end, a_end)
        if tag != 0x06 or short is None or v_tag not in _STRING_TAGS or v_end != a_end:
            raise _Unusual
        value_raw = raw[v_start:v_end]
        if not value_raw.isascii() and v_tag != 0x0C:
            raise _Unusual
        value = value_raw.decode("utf-8")  # ASCII is UTF-8; a bad UTF8String raises ValueError
        if not value or _NEEDS_ESCAPE.search(value) or (short == "C" and len(value) != 2):
            raise _Unusual
        pairs.append(f"{short}={value}")
        if short == "CN" and cn is None:
            cn = value
        elif short == "O" and org is None:
            org = value
    return ",".join(reversed(pairs)), cn, org


def _fast_row(cert: x509.Certificate, der: bytes) -> dict[str, Any]:
    parts = _parts(der)
    issuer = _named(parts.issuer, lambda: cert.issuer)
    if parts.subject == parts.issuer:
        subject = issuer
    else:
        try:
            subject = _fast_name(parts.subject)
        except (_Unusual, ValueError):
            subject = _name_text(cert.subject)
    row = _base_row(cert, der, subject, issuer, _fast_key(cert, der, parts), parts.spki)
    sans: list[str] = []
    if parts.extensions is not None:
        _fast_extensions(der, *parts.extensions, row, sans)
    return _finish(row, sans)


def _reason(exc: Exception) -> str:
    return (str(exc).splitlines()[0][:120] if str(exc) else "") or type(exc).__name__


_EXTENSION_NAMES = {
    _RAW_SAN: "subjectAltName",
    _RAW_BC: "basicConstraints",
    _RAW_AKI: "authorityKeyIdentifier",
}


def _fast_extensions(
    der: bytes,
    at: int,
    end: int,
    row: dict[str, Any],
    sans: list[str],
    *,
    duplicates: list[str] | None = None,
) -> None:
    """The extensions the row keeps. A duplicated extension is _Unusual (cryptography's objects decide),
    unless `duplicates` collects them: then every subjectAltName copy adds its names and the first copy
    of any other extension counts."""
    seen: set[bytes] = set()
    while at < end:
        _, e_start, at = _tlv(der, at, end)  # Extension ::= SEQUENCE { extnID, critical, extnValue }
        tag, o_start, o_end = _tlv(der, e_start, at)
        oid = der[o_start:o_end]
        if tag != 0x06:
            raise _Unusual
        if oid in seen:
            if duplicates is None:
                raise _Unusual
            duplicates.append(_EXTENSION_NAMES.get(oid) or _oid_text(oid))
            if oid != _RAW_SAN:
                continue
        seen.add(oid)
        tag, v_start, v_end = _tlv(der, o_end, at)
        if tag == 0x01:
            tag, v_start, v_end = _tlv(der, v_end, at)
        if tag != 0x04:
            raise _Unusual
        _extension(der, oid, v_start, v_end, row, sans)


def _extension(
    der: bytes, oid: bytes, v_start: int, v_end: int, row: dict[str, Any], sans: list[str]
) -> None:
    """One extension value (the OCTET STRING's content) into the row."""
    if oid == _RAW_SAN:
        _san(der, v_start, v_end, sans)
    elif oid == _RAW_BC:
        _basic_constraints(der, v_start, v_end, row)
    elif oid == _RAW_AKI:
        tag, start, stop = _tlv(der, v_start, v_end)
        if tag != 0x30:
            raise _Unusual
        if start < stop:
            tag, k_start, k_end = _tlv(der, start, stop)
            if tag == 0x80:  # [0] keyIdentifier
                row["authority_key_id"] = der[k_start:k_end].hex()
    elif oid == _RAW_SKI:
        tag, start, stop = _tlv(der, v_start, v_end)
        if tag != 0x04:
            raise _Unusual
        row["subject_key_id"] = der[start:stop].hex()
    elif oid == _RAW_EKU:
        row["ext_key_usage"] = _eku(der[v_start:v_end])
    elif oid == _RAW_SCT:
        _scts(der, v_start, v_end, row)


def _san(der: bytes, start: int, end: int, sans: list[str]) -> None:
    tag, at, stop = _tlv(der, start, end)
    if tag != 0x30:
        raise _Unusual
    while at < stop:
        tag, v_start, at = _tlv(der, at, stop)
        if tag in (0x81, 0x82, 0x86):  # rfc822Name, dNSName, uniformResourceIdentifier (IA5String)
            value = der[v_start:at]
            if not value.isascii():
                raise _Unusual
            sans.append(value.decode("ascii"))
        elif tag == 0x87:  # iPAddress
            if at - v_start not in (4, 16):
                raise _Unusual
            sans.append(str(ipaddress.ip_address(der[v_start:at])))


def _basic_constraints(der: bytes, start: int, end: int, row: dict[str, Any]) -> None:
    tag, at, stop = _tlv(der, start, end)
    if tag != 0x30:
        raise _Unusual
    ca, path_len = False, None
    if at < stop:
        tag, v_start, v_end = _tlv(der, at, stop)
        if tag == 0x01:
            ca = der[v_start:v_end] != b"\x00"
            at = v_end
    if at < stop:
        tag, v_start, v_end = _tlv(der, at, stop)
        if tag != 0x02 or v_end != stop:
            raise _Unusual
        path_len = int.from_bytes(der[v_start:v_end], "big", signed=True)
        if path_len < 0 or not ca:  # cryptography refuses these: let it say so
            raise _Unusual
    row["is_ca"] = ca
    row["path_len"] = path_len


def _eku(raw: bytes) -> str:
    hit = _EKU_CACHE.get(raw)
    if hit is None:
        tag, at, stop = _tlv(raw, 0, len(raw))
        if tag != 0x30:
            raise _Unusual
        names: list[str] = []
        while at < stop:
            tag, o_start, at = _tlv(raw, at, stop)
            if tag != 0x06:
                raise _Unusual
            dotted = _oid_text(raw[o_start:at])
            names.append(_EKU_NAMES.get(dotted, dotted))
        hit = ";".join(names)
        if len(_EKU_CACHE) < _CACHE_LIMIT:
            _EKU_CACHE[raw] = hit
    return hit


def _scts(der: bytes, start: int, end: int, row: dict[str, Any]) -> None:
    """SignedCertificateTimestampList (RFC 6962 §3.3), TLS-encoded inside an OCTET STRING."""
    tag, at, stop = _tlv(der, start, end)
    if tag != 0x04 or stop - at < 2 or int.from_bytes(der[at : at + 2], "big") != stop - at - 2:
        raise _Unusual
    at += 2
    stamps: list[datetime] = []
    while at < stop:
        if at + 2 > stop:
            raise _Unusual
        size = int.from_bytes(der[at : at + 2], "big")
        sct_at, at = at + 2, at + 2 + size
        if at > stop or size < 41 or der[sct_at] != 0:  # v1: version, log id, timestamp, …
            raise _Unusual
        millis = int.from_bytes(der[sct_at + 33 : sct_at + 41], "big")
        try:
            stamps.append(_EPOCH + timedelta(milliseconds=millis))
        except OverflowError:  # past year 9999: cryptography's objects decide
            raise _Unusual from None
    row["sct_count"] = len(stamps)
    row["earliest_sct"] = min(stamps) if stamps else None


def content_type_oid(der: bytes) -> str | None:
    """The dotted contentType of a CMS ContentInfo (SEQUENCE { OID, [0] ... }, DER or BER with an
    indefinite length), None when the bytes do not start like one."""
    if len(der) < 4 or der[0] != 0x30:
        return None
    n = der[1]
    at = 2 if n <= 0x80 else 2 + (n & 0x7F)  # 0x80: BER indefinite length
    if at + 2 > len(der) or der[at] != 0x06 or der[at + 1] >= 0x80:
        return None
    raw = der[at + 2 : at + 2 + der[at + 1]]
    try:
        return _oid_text(raw)
    except (_Unusual, IndexError):
        return None


def first_element(der: bytes) -> bytes:
    """The first DER element of `der` (OpenSSL's TRUSTED CERTIFICATE appends its trust settings to the
    certificate). Raises ValueError when it does not fit."""
    try:
        _, _, end = _tlv(der, 0, len(der))
    except _Unusual:
        raise ValueError("not a DER element") from None
    return der[:end]


def fingerprint_hash(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()
