"""Build real certificate hierarchies with `cryptography`, for sample organizations, tests and benchmarks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import ip_address
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = Any  # the union of cryptography's private key types


def make_key(kind: str = "EC-256") -> PrivateKey:
    """Keys by short name: RSA-1024/2048/3072/4096, EC-256/384/521, Ed25519, ML-DSA-44/65/87."""
    family, _, size = kind.partition("-")
    if family == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=int(size))
    if family == "EC":
        curve = {"256": ec.SECP256R1(), "384": ec.SECP384R1(), "521": ec.SECP521R1()}[size]
        return ec.generate_private_key(curve)
    if kind == "Ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ML-DSA-44":
        return mldsa.MLDSA44PrivateKey.generate()
    if kind == "ML-DSA-65":
        return mldsa.MLDSA65PrivateKey.generate()
    if kind == "ML-DSA-87":
        return mldsa.MLDSA87PrivateKey.generate()
    raise ValueError(f"unknown key kind {kind!r}")


def _hash_for(key: PrivateKey, digest: str) -> Any:
    if isinstance(
        key,
        (
            ed25519.Ed25519PrivateKey,
            mldsa.MLDSA44PrivateKey,
            mldsa.MLDSA65PrivateKey,
            mldsa.MLDSA87PrivateKey,
        ),
    ):
        return None
    return {
        "sha1": hashes.SHA1(),
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }[digest]


@dataclass(frozen=True, slots=True, kw_only=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_id(self) -> str:
        return "sha256:" + hashlib.sha256(self.der).hexdigest()


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def issue(
    *,
    cn: str,
    not_before: datetime,
    days: float,
    issuer: Issued | None = None,
    key: PrivateKey | None = None,
    key_kind: str = "EC-256",
    org: str | None = None,
    ca: bool = False,
    path_len: int | None = None,
    sans: tuple[str, ...] = (),
    digest: str = "sha256",
    serial: int | None = None,
    eku_server: bool = True,
    subject: x509.Name | None = None,
) -> Issued:
    """Issue one certificate (self-signed when `issuer` is None). Leaves get SANs and serverAuth EKU."""
    key = key if key is not None else make_key(key_kind)
    subject_name = subject if subject is not None else _name(cn, org)
    issuer_name = issuer.cert.subject if issuer else subject_name
    signing_key = issuer.key if issuer else key
    pub = key.public_key()
    b = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer_name)
        .public_key(pub)
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
    )
    aki_src: Any = issuer.cert.public_key() if issuer else pub
    b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(aki_src), critical=False)
    if ca:
        b = b.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        names: list[x509.GeneralName] = []
        for s in sans or (cn,):
            try:
                names.append(x509.IPAddress(ip_address(s)))
            except ValueError:
                names.append(x509.DNSName(s))
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
        if eku_server:
            b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if digest in _LEGACY_RSA_OIDS:
        cert = _legacy_rsa_sign(b.sign(signing_key, hashes.SHA256()), signing_key, digest)
    else:
        cert = b.sign(signing_key, _hash_for(signing_key, digest))
    return Issued(cert=cert, key=key)


# cryptography refuses to sign certificates with SHA-1 or MD5, yet real inventories still hold them.
# The legacy RSA OIDs have the same length as sha256WithRSAEncryption, so the TBS is patched in place
# and signed directly with PKCS#1 v1.5 (RFC 8017 §9.2) over the legacy hash.
_SHA256_RSA_OID = bytes.fromhex("06092a864886f70d01010b")
_LEGACY_RSA_OIDS = {
    "sha1": bytes.fromhex("06092a864886f70d010105"),
    "md5": bytes.fromhex("06092a864886f70d010104"),
}


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _legacy_rsa_sign(cert: x509.Certificate, key: PrivateKey, digest: str) -> x509.Certificate:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{digest} certificates are built for RSA issuers only")
    oid = _LEGACY_RSA_OIDS[digest]
    tbs = cert.tbs_certificate_bytes.replace(_SHA256_RSA_OID, oid, 1)
    algo = hashes.SHA1() if digest == "sha1" else hashes.MD5()
    sig = key.sign(tbs, padding.PKCS1v15(), algo)
    alg_id = b"\x30" + _der_len(len(oid) + 2) + oid + b"\x05\x00"
    bit = b"\x03" + _der_len(len(sig) + 1) + b"\x00" + sig
    body = tbs + alg_id + bit
    return x509.load_der_x509_certificate(b"\x30" + _der_len(len(body)) + body)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
