"""Build real certificate hierarchies with `cryptography`, for sample organizations, tests and benchmarks."""

from __future__ import annotations

import hashlib
import math
import random
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from ipaddress import ip_address
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

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
    eku_client: bool = False,
    subject: x509.Name | None = None,
    scts: tuple[datetime, ...] = (),
    deterministic: bool = False,
) -> Issued:
    """Issue one certificate (self-signed when `issuer` is None). Leaves get SANs and serverAuth EKU (plus
    clientAuth with `eku_client`, the dual-purpose profile public CAs issued until 2026).

    `scts` embeds a (syntactically valid, unverifiable) SCT list with those timestamps, as publicly
    trusted CAs do; `deterministic` signs ECDSA per RFC 6979 so that the same inputs give the same bytes.
    """
    key = key if key is not None else make_key(key_kind)
    subject_name = subject if subject is not None else _name(cn, org)
    pub = key.public_key()
    b = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer.cert.subject if issuer else subject_name)
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
        b = b.add_extension(_CA_KEY_USAGE, critical=True)
    else:
        b = _leaf_extensions(b, sans or (cn,), eku_server=eku_server, eku_client=eku_client)
    if scts:
        b = b.add_extension(
            x509.UnrecognizedExtension(
                ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS, _sct_list(scts, subject_name)
            ),
            critical=False,
        )
    return Issued(cert=_sign(b, issuer.key if issuer else key, digest, deterministic=deterministic), key=key)


_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _leaf_extensions(
    b: x509.CertificateBuilder, sans: tuple[str, ...], *, eku_server: bool, eku_client: bool = False
) -> x509.CertificateBuilder:
    """SubjectAlternativeName (IP addresses as such, anything else a DNS name) and the serverAuth EKU
    (and clientAuth when asked)."""
    names: list[x509.GeneralName] = []
    for s in sans:
        try:
            names.append(x509.IPAddress(ip_address(s)))
        except ValueError:
            names.append(x509.DNSName(s))
    b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    usages = [ExtendedKeyUsageOID.SERVER_AUTH] if eku_server else []
    if eku_client:
        usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
    if usages:
        b = b.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    return b


def _sign(
    b: x509.CertificateBuilder, signing_key: PrivateKey, digest: str, *, deterministic: bool
) -> x509.Certificate:
    """Sign with `digest`; SHA-1 and MD5 RSA signatures are made by hand (cryptography refuses them)."""
    if digest in _LEGACY_RSA_OIDS:
        return _legacy_rsa_sign(b.sign(signing_key, hashes.SHA256()), signing_key, digest)
    ecdsa_det = True if deterministic and isinstance(signing_key, ec.EllipticCurvePrivateKey) else None
    return b.sign(signing_key, _hash_for(signing_key, digest), ecdsa_deterministic=ecdsa_det)


def _sct_list(times: tuple[datetime, ...], subject: x509.Name) -> bytes:
    """RFC 6962 §3.3 SignedCertificateTimestampList in an OCTET STRING; log ids and signatures are fake."""
    items = b""
    for i, t in enumerate(times):
        seed = hashlib.sha256(f"{subject.rfc4514_string()}|{i}|{t.isoformat()}".encode()).digest()
        log_id = hashlib.sha256(b"log" + bytes([i])).digest()
        sig = b"\x30\x44\x02\x20" + seed + b"\x02\x20" + hashlib.sha256(seed).digest()
        sct = (
            b"\x00"
            + log_id
            + struct.pack(">Q", int(t.timestamp() * 1000))
            + b"\x00\x00"  # no CT extensions
            + b"\x04\x03"  # sha256 / ecdsa
            + struct.pack(">H", len(sig))
            + sig
        )
        items += struct.pack(">H", len(sct)) + sct
    tls = struct.pack(">H", len(items)) + items
    return b"\x04" + _der_len(len(tls)) + tls


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


# ------------------------------------------------------------------------------ deterministic keys
_SMALL_PRIMES_PRODUCT = math.prod(
    p for p in range(3, 20000, 2) if all(p % q for q in range(3, int(p**0.5) + 1, 2))
)
_EC_CURVES: dict[str, ec.EllipticCurve] = {
    "256": ec.SECP256R1(),
    "384": ec.SECP384R1(),
    "521": ec.SECP521R1(),
}


def _probable_prime(n: int, rng: random.Random, rounds: int) -> bool:
    """Miller–Rabin with random bases (FIPS 186-5 table B.1 round counts for random candidates)."""
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


@dataclass(slots=True)
class DeterministicKeys:
    """Keys derived from a seed, so that sample inventories regenerate byte-identically.

    EC keys come from `ec.derive_private_key` on seeded scalars and Ed25519/ML-DSA keys from seeded
    bytes: every key is distinct. RSA keys are the product of two primes drawn from a seeded pool
    (pure-Python prime search is slow): each key has a distinct modulus, but keys built from the same
    pool share a prime factor, so they are for samples and tests only, never for real use.
    """

    seed: int
    _rng: random.Random = field(init=False)
    _primes: dict[int, list[int]] = field(init=False, default_factory=dict)
    _pairs: dict[int, list[tuple[int, int]]] = field(init=False, default_factory=dict)
    _used: dict[int, int] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def make(self, kind: str) -> PrivateKey:
        """The next key of `kind` (same names as make_key)."""
        family, _, size = kind.partition("-")
        rng = self._rng
        if family == "EC":
            curve = _EC_CURVES[size]
            return ec.derive_private_key(rng.randrange(1, 1 << (curve.key_size - 1)), curve)
        if family == "RSA":
            return self._rsa(int(size))
        if kind == "Ed25519":
            return ed25519.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        if kind == "ML-DSA-44":
            return mldsa.MLDSA44PrivateKey.from_seed_bytes(rng.randbytes(32))
        if kind == "ML-DSA-65":
            return mldsa.MLDSA65PrivateKey.from_seed_bytes(rng.randbytes(32))
        if kind == "ML-DSA-87":
            return mldsa.MLDSA87PrivateKey.from_seed_bytes(rng.randbytes(32))
        raise ValueError(f"unknown key kind {kind!r}")

    def _prime(self, bits: int) -> int:
        rng = random.Random(f"{self.seed}|prime|{bits}|{len(self._primes.get(bits, []))}")
        while True:
            n = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
            if math.gcd(n, _SMALL_PRIMES_PRODUCT) != 1 or (n - 1) % 65537 == 0:
                continue
            if _probable_prime(n, rng, 4 if bits >= 1024 else 8):
                return n

    def _rsa(self, bits: int) -> rsa.RSAPrivateKey:
        half = bits // 2
        primes = self._primes.setdefault(half, [])
        pairs = self._pairs.setdefault(half, [])
        used = self._used.get(half, 0)
        while used >= len(pairs):
            new = self._prime(half)
            pairs.extend((old, new) for old in primes)
            primes.append(new)
        self._used[half] = used + 1
        p, q = pairs[used]
        e = 65537
        d = pow(e, -1, (p - 1) * (q - 1))
        numbers = rsa.RSAPrivateNumbers(
            p=p,
            q=q,
            d=d,
            dmp1=rsa.rsa_crt_dmp1(d, p),
            dmq1=rsa.rsa_crt_dmq1(d, q),
            iqmp=rsa.rsa_crt_iqmp(p, q),
            public_numbers=rsa.RSAPublicNumbers(e, p * q),
        )
        return numbers.private_key(unsafe_skip_rsa_key_validation=True)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
