"""Algorithm knowledge: signature OIDs and aliases, key families, security strength, quantum exposure, sizes.

Sources: RFC 8017/5758/8410 (classical OIDs), FIPS 204 and 205 with RFC 9881 (ML-DSA, SLH-DSA OIDs and
sizes), draft-ietf-lamps-pq-composite-sigs (composite arc 1.3.6.1.5.5.7.6), NIST SP 800-57 Part 1 (security
strength), NIST IR 8547 ipd (quantum-vulnerable families).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmmm.model import KeyFamily, remap


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureAlgorithm:
    name: str  # canonical name (OpenSSL's long name where one exists)
    oid: str
    hash: str  # sha1, sha256, …; "none" where the scheme has no separate hash (EdDSA, ML-DSA, SLH-DSA)
    family: KeyFamily
    aliases: tuple[str, ...] = ()


SIGNATURE_ALGORITHMS: tuple[SignatureAlgorithm, ...] = (
    SignatureAlgorithm(
        name="md2WithRSAEncryption",
        oid="1.2.840.113549.1.1.2",
        hash="md2",
        family=KeyFamily.RSA,
        aliases=("md2rsa", "rsa-md2"),
    ),
    SignatureAlgorithm(
        name="md5WithRSAEncryption",
        oid="1.2.840.113549.1.1.4",
        hash="md5",
        family=KeyFamily.RSA,
        aliases=("md5rsa", "rsa-md5", "md5-rsa", "md5withrsa"),
    ),
    SignatureAlgorithm(
        name="sha1WithRSAEncryption",
        oid="1.2.840.113549.1.1.5",
        hash="sha1",
        family=KeyFamily.RSA,
        aliases=(
            "sha1rsa",
            "sha1-rsa",
            "rsa-sha1",
            "sha1withrsa",
            "1.3.14.3.2.29",
            "sha-1withrsaencryption",
            "shawithrsaencryption",
        ),
    ),
    SignatureAlgorithm(
        name="sha224WithRSAEncryption",
        oid="1.2.840.113549.1.1.14",
        hash="sha224",
        family=KeyFamily.RSA,
        aliases=("sha224rsa", "sha224-rsa", "sha224withrsa"),
    ),
    SignatureAlgorithm(
        name="sha256WithRSAEncryption",
        oid="1.2.840.113549.1.1.11",
        hash="sha256",
        family=KeyFamily.RSA,
        aliases=(
            "sha256rsa",
            "sha256-rsa",
            "rsa-sha256",
            "sha256withrsa",
            "rs256",
            "sha256_rsa",
            "rsassa-pkcs1-v1_5-sha256",
        ),
    ),
    SignatureAlgorithm(
        name="sha384WithRSAEncryption",
        oid="1.2.840.113549.1.1.12",
        hash="sha384",
        family=KeyFamily.RSA,
        aliases=("sha384rsa", "sha384-rsa", "rsa-sha384", "sha384withrsa", "rs384"),
    ),
    SignatureAlgorithm(
        name="sha512WithRSAEncryption",
        oid="1.2.840.113549.1.1.13",
        hash="sha512",
        family=KeyFamily.RSA,
        aliases=("sha512rsa", "sha512-rsa", "rsa-sha512", "sha512withrsa", "rs512"),
    ),
    SignatureAlgorithm(
        name="rsassaPss",
        oid="1.2.840.113549.1.1.10",
        hash="sha256",
        family=KeyFamily.RSA,
        aliases=("rsa-pss", "rsassa-pss", "ps256", "sha256withrsa/pss"),
    ),
    SignatureAlgorithm(
        name="dsa-with-sha1",
        oid="1.2.840.10040.4.3",
        hash="sha1",
        family=KeyFamily.DSA,
        aliases=("sha1dsa", "dsawithsha1", "dsa-sha1"),
    ),
    SignatureAlgorithm(
        name="dsa-with-sha256",
        oid="2.16.840.1.101.3.4.3.2",
        hash="sha256",
        family=KeyFamily.DSA,
        aliases=("sha256dsa", "dsa-sha256"),
    ),
    SignatureAlgorithm(
        name="ecdsa-with-SHA1",
        oid="1.2.840.10045.4.1",
        hash="sha1",
        family=KeyFamily.EC,
        aliases=("sha1ecdsa", "ecdsa-sha1", "sha1withecdsa"),
    ),
    SignatureAlgorithm(
        name="ecdsa-with-SHA224",
        oid="1.2.840.10045.4.3.1",
        hash="sha224",
        family=KeyFamily.EC,
        aliases=("sha224ecdsa", "ecdsa-sha224"),
    ),
    SignatureAlgorithm(
        name="ecdsa-with-SHA256",
        oid="1.2.840.10045.4.3.2",
        hash="sha256",
        family=KeyFamily.EC,
        aliases=(
            "sha256ecdsa",
            "ecdsa-sha256",
            "sha256withecdsa",
            "es256",
            "sha256-ecdsa",
            "ecdsawithsha256",
        ),
    ),
    SignatureAlgorithm(
        name="ecdsa-with-SHA384",
        oid="1.2.840.10045.4.3.3",
        hash="sha384",
        family=KeyFamily.EC,
        aliases=(
            "sha384ecdsa",
            "ecdsa-sha384",
            "sha384withecdsa",
            "es384",
            "sha384-ecdsa",
            "ecdsawithsha384",
        ),
    ),
    SignatureAlgorithm(
        name="ecdsa-with-SHA512",
        oid="1.2.840.10045.4.3.4",
        hash="sha512",
        family=KeyFamily.EC,
        aliases=("sha512ecdsa", "ecdsa-sha512", "sha512withecdsa", "es512"),
    ),
    SignatureAlgorithm(
        name="ED25519",
        oid="1.3.101.112",
        hash="none",
        family=KeyFamily.ED25519,
        aliases=("ed25519", "pureed25519"),
    ),
    SignatureAlgorithm(
        name="ED448", oid="1.3.101.113", hash="none", family=KeyFamily.ED448, aliases=("ed448",)
    ),
    SignatureAlgorithm(
        name="ML-DSA-44",
        oid="2.16.840.1.101.3.4.3.17",
        hash="none",
        family=KeyFamily.ML_DSA,
        aliases=("mldsa44", "id-ml-dsa-44", "dilithium2"),
    ),
    SignatureAlgorithm(
        name="ML-DSA-65",
        oid="2.16.840.1.101.3.4.3.18",
        hash="none",
        family=KeyFamily.ML_DSA,
        aliases=("mldsa65", "id-ml-dsa-65", "dilithium3"),
    ),
    SignatureAlgorithm(
        name="ML-DSA-87",
        oid="2.16.840.1.101.3.4.3.19",
        hash="none",
        family=KeyFamily.ML_DSA,
        aliases=("mldsa87", "id-ml-dsa-87", "dilithium5"),
    ),
)

# FIPS 205 parameter sets in OID order .20 – .31.
SLH_DSA_SETS = (
    "SLH-DSA-SHA2-128s",
    "SLH-DSA-SHA2-128f",
    "SLH-DSA-SHA2-192s",
    "SLH-DSA-SHA2-192f",
    "SLH-DSA-SHA2-256s",
    "SLH-DSA-SHA2-256f",
    "SLH-DSA-SHAKE-128s",
    "SLH-DSA-SHAKE-128f",
    "SLH-DSA-SHAKE-192s",
    "SLH-DSA-SHAKE-192f",
    "SLH-DSA-SHAKE-256s",
    "SLH-DSA-SHAKE-256f",
)
SIGNATURE_ALGORITHMS += tuple(
    SignatureAlgorithm(
        name=n,
        oid=f"2.16.840.1.101.3.4.3.{20 + i}",
        hash="none",
        family=KeyFamily.SLH_DSA,
        aliases=(n.lower().replace("-", ""),),
    )
    for i, n in enumerate(SLH_DSA_SETS)
)

# FIPS 204 §5.4 / FIPS 205 §10.2 pre-hash variants (NIST CSOR: id-hash-ml-dsa-44-with-sha512 = .32, …)
SIGNATURE_ALGORITHMS += tuple(
    SignatureAlgorithm(
        name=f"HashML-DSA-{level}-with-SHA512",
        oid=f"2.16.840.1.101.3.4.3.{32 + i}",
        hash="sha512",
        family=KeyFamily.ML_DSA,
        aliases=(f"id-hash-ml-dsa-{level}-with-sha512",),
    )
    for i, level in enumerate((44, 65, 87))
)
SIGNATURE_ALGORITHMS += tuple(
    SignatureAlgorithm(
        name=f"Hash{n}-with-{h.upper()}",
        oid=f"2.16.840.1.101.3.4.3.{35 + i}",
        hash=h,
        family=KeyFamily.SLH_DSA,
        aliases=(f"id-hash-{n.lower()}-with-{h}",),
    )
    for i, (n, h) in enumerate(
        zip(
            SLH_DSA_SETS,
            ("sha256", "sha256", *("sha512",) * 4, "shake128", "shake128", *("shake256",) * 4),
            strict=True,
        )
    )
)

COMPOSITE_ARC = "1.3.6.1.5.5.7.6."  # draft-ietf-lamps-pq-composite-sigs: ML-DSA paired with RSA/ECDSA/EdDSA
# draft-ietf-lamps-pq-composite-sigs §6 (OIDs 37–54 under id-alg, allocated early by IANA): each is one
# signature algorithm and the key type of a certificate that carries a composite key
COMPOSITE_SIGNATURES = (
    "MLDSA44-RSA2048-PSS-SHA256",
    "MLDSA44-RSA2048-PKCS15-SHA256",
    "MLDSA44-Ed25519-SHA512",
    "MLDSA44-ECDSA-P256-SHA256",
    "MLDSA65-RSA3072-PSS-SHA512",
    "MLDSA65-RSA3072-PKCS15-SHA512",
    "MLDSA65-RSA4096-PSS-SHA512",
    "MLDSA65-RSA4096-PKCS15-SHA512",
    "MLDSA65-ECDSA-P256-SHA512",
    "MLDSA65-ECDSA-P384-SHA512",
    "MLDSA65-ECDSA-brainpoolP256r1-SHA512",
    "MLDSA65-Ed25519-SHA512",
    "MLDSA87-ECDSA-P384-SHA512",
    "MLDSA87-ECDSA-brainpoolP384r1-SHA512",
    "MLDSA87-Ed448-SHAKE256",
    "MLDSA87-RSA3072-PSS-SHA512",
    "MLDSA87-RSA4096-PSS-SHA512",
    "MLDSA87-ECDSA-P521-SHA512",
)
SIGNATURE_ALGORITHMS += tuple(
    SignatureAlgorithm(
        name=f"composite-{n}",
        oid=f"{COMPOSITE_ARC}{37 + i}",
        hash="sha512" if "SHA512" in n else "sha256" if "SHA256" in n else "shake256",
        family=KeyFamily.COMPOSITE,
        aliases=(f"id-{n.lower()}", n.lower()),
    )
    for i, n in enumerate(COMPOSITE_SIGNATURES)
)
# FIPS 203 ML-KEM keys (RFC 9935): not signature algorithms, but certificates carry them
ML_KEM_OIDS = {
    "2.16.840.1.101.3.4.4.1": "ML-KEM-512",
    "2.16.840.1.101.3.4.4.2": "ML-KEM-768",
    "2.16.840.1.101.3.4.4.3": "ML-KEM-1024",
}

# Public-key algorithm OIDs (SubjectPublicKeyInfo), for certificates whose key cryptography cannot load.
KEY_ALGORITHM_OIDS: dict[str, str] = {
    "1.2.840.113549.1.1.1": "RSA",
    "1.2.840.113549.1.1.10": "RSA",
    "1.2.840.10045.2.1": "EC",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "1.2.840.10040.4.1": "DSA",
    "1.3.101.110": "X25519",  # RFC 8410 key-agreement keys (quantum-vulnerable like their EdDSA twins)
    "1.3.101.111": "X448",
    **{
        a.oid: a.name
        for a in SIGNATURE_ALGORITHMS
        if a.family in (KeyFamily.ML_DSA, KeyFamily.SLH_DSA, KeyFamily.COMPOSITE)
        and not a.name.startswith("Hash")
    },
    **ML_KEM_OIDS,
}

_SIG_BY_KEY: dict[str, SignatureAlgorithm] = {}
for _alg in SIGNATURE_ALGORITHMS:
    for _k in (_alg.name, _alg.oid, *_alg.aliases):
        _SIG_BY_KEY[re.sub(r"[\s_]", "", _k.lower())] = _alg
        _SIG_BY_KEY[re.sub(r"[^a-z0-9.]", "", _k.lower())] = _alg


def signature_algorithm(text: str | None) -> SignatureAlgorithm | None:
    """Look up a signature algorithm by canonical name, OID or any common alias (case-insensitive)."""
    if not text:
        return None
    t = text.strip().lower()
    for key in (re.sub(r"[\s_]", "", t), re.sub(r"[^a-z0-9.]", "", t)):
        if key in _SIG_BY_KEY:
            return _SIG_BY_KEY[key]
    if t.startswith(COMPOSITE_ARC):
        return SignatureAlgorithm(name=f"composite-{t}", oid=t, hash="none", family=KeyFamily.COMPOSITE)
    return None


CURVE_SIZES = {
    "secp256r1": 256,
    "prime256v1": 256,
    "p-256": 256,
    "p256": 256,
    "nistp256": 256,
    "secp384r1": 384,
    "p-384": 384,
    "p384": 384,
    "nistp384": 384,
    "secp521r1": 521,
    "p-521": 521,
    "p521": 521,
    "nistp521": 521,
    "secp224r1": 224,
    "p-224": 224,
    "secp256k1": 256,
    "secp192r1": 192,
    "prime192v1": 192,
    "brainpoolp256r1": 256,
    "brainpoolp384r1": 384,
    "brainpoolp512r1": 512,
}
CURVE_BY_SIZE = {256: "secp256r1", 384: "secp384r1", 521: "secp521r1"}
# Spellings of the NIST curves P-256/P-384/P-521 (SEC 2, X9.62, RFC 5656 names), normalized to secpNNNr1.
_NIST_CURVE_ALIASES = frozenset(
    n for n in CURVE_SIZES if CURVE_SIZES[n] in CURVE_BY_SIZE and "k1" not in n and "brainpool" not in n
)


def _pqc_key(raw: str, t: str) -> tuple[str | None, int | None, str | None] | None:
    """ML-DSA (levels 44/65/87), SLH-DSA parameter sets and composite names; None when not post-quantum."""
    if "ml-dsa" in t or "mldsa" in t or "dilithium" in t:
        if ("+" in t or "composite" in t) or any(c in t for c in ("rsa", "ecdsa", "ed25519", "ed448")):
            return raw, None, None
        lvl = re.search(r"(44|65|87)", t)
        return (f"ML-DSA-{lvl.group(1)}" if lvl else "ML-DSA"), None, None
    if "ml-kem" in t or "mlkem" in t or "kyber" in t:
        if "+" in t or "x25519" in t or "composite" in t:
            return raw, None, None
        lvl = re.search(r"(512|768|1024)", t)
        return (f"ML-KEM-{lvl.group(1)}" if lvl else "ML-KEM"), None, None
    if "slh-dsa" in t or "slhdsa" in t or "sphincs" in t:
        squashed = t.replace("-", "")
        name = next((n for n in SLH_DSA_SETS if n.lower().replace("-", "") in squashed), "SLH-DSA")
        return name, None, None
    return None


def _ec_key(t: str, size: int | None) -> tuple[str | None, int | None, str | None]:
    """An elliptic-curve key: the curve by name when given, else by size."""
    for cname in sorted(CURVE_SIZES, key=len, reverse=True):  # "secp256k1" before its substring "p256"
        if cname in t.replace(" ", "-") or cname in t.replace(" ", ""):
            csize = CURVE_SIZES[cname]
            return "EC", csize, CURVE_BY_SIZE[csize] if cname in _NIST_CURVE_ALIASES else cname
    return "EC", size, CURVE_BY_SIZE.get(size or 0)


def _edwards_key(t: str) -> tuple[str, int, None] | None:
    """Curve25519 and Curve448 keys: EdDSA (Ed25519, Ed448) and key agreement (X25519, X448)."""
    if t in ("x25519", "x448"):
        return ("X25519", 256, None) if t == "x25519" else ("X448", 448, None)
    if "ed25519" in t or "ed448" in t:
        return ("Ed25519", 256, None) if "ed25519" in t else ("Ed448", 456, None)
    return None


_EC_PREFIXES = ("ec", "id-ecpublickey", "secp", "prime", "p-", "nistp", "brainpool")


def key_algorithm(text: str | None) -> tuple[str | None, int | None, str | None]:
    """Normalize a key-algorithm spelling to (key_algorithm, key_size, curve).

    Accepts RSA, rsaEncryption, RSA-2048, RSA_2048, RSA 4096, EC, ECDSA, id-ecPublicKey, EC_prime256v1,
    EC-P256, ECDSA P-384, secp384r1, Ed25519, ML-DSA-65, SLH-DSA-SHA2-128s, composite names.
    """
    raw = "" if text is None else str(text).strip()
    if not raw:
        return None, None, None
    if raw in KEY_ALGORITHM_OIDS:  # a dotted OID: its digits are not a key size
        return key_algorithm(KEY_ALGORITHM_OIDS[raw]) if KEY_ALGORITHM_OIDS[raw] != raw else (raw, None, None)
    t = raw.lower().replace("_", "-")
    num = re.search(r"(\d{3,5})", t)
    size = int(num.group(1)) if num else None
    pqc = _pqc_key(raw, t)
    if pqc is not None:
        return pqc
    edwards = _edwards_key(t)
    if edwards is not None:
        return edwards
    if t.startswith("rsa") or "rsaencryption" in t:
        return "RSA", size, None
    if t.startswith(_EC_PREFIXES) or "ecdsa" in t:
        return _ec_key(t, size)
    if t.startswith("dsa"):
        return "DSA", size, None
    return KEY_ALGORITHM_OIDS.get(t, raw), (None if t in KEY_ALGORITHM_OIDS else size), None


def key_families(key_algorithms: pd.Series) -> pd.Series:
    """key_family of every cell, computed once per distinct algorithm name (a column of thousands of rows
    holds a handful of names)."""
    names = key_algorithms.astype("string")
    distinct = names.dropna().unique()
    return remap(names, {n: key_family(str(n)) for n in distinct})


def key_family(key_alg: str | None) -> KeyFamily:
    if not key_alg:
        return KeyFamily.UNKNOWN
    k = key_alg.lower()
    if k.startswith("ml-dsa") and "+" not in k:
        return KeyFamily.ML_DSA
    if k.startswith("slh-dsa"):
        return KeyFamily.SLH_DSA
    if k.startswith(("ml-kem", "mlkem", "kyber")) and "+" not in k and "x25519" not in k:
        return KeyFamily.ML_KEM
    if k in ("x25519", "x448"):  # Curve25519/Curve448 keys: the EdDSA families' quantum facts hold
        return KeyFamily.ED25519 if k == "x25519" else KeyFamily.ED448
    if "composite" in k or "+" in k:
        return KeyFamily.COMPOSITE
    for fam in (KeyFamily.RSA, KeyFamily.EC, KeyFamily.ED25519, KeyFamily.ED448, KeyFamily.DSA):
        if k == fam.value.lower():
            return fam
    return KeyFamily.UNKNOWN


# Shor's algorithm breaks these (DOMAIN §4). Composite signatures stay secure while either part does.
QUANTUM_VULNERABLE_FAMILIES = frozenset(
    {KeyFamily.RSA, KeyFamily.EC, KeyFamily.ED25519, KeyFamily.ED448, KeyFamily.DSA}
)


def quantum_vulnerable(key_alg: pd.Series) -> pd.Series:
    """Vectorized: True for RSA/ECC/EdDSA/DSA keys, False for ML-DSA/SLH-DSA/composite, NA when unknown."""
    codes, uniques = pd.factorize(key_alg, use_na_sentinel=True)
    families = [key_family(str(u)) for u in uniques]
    values = pd.array(
        [None if f is KeyFamily.UNKNOWN else f in QUANTUM_VULNERABLE_FAMILIES for f in families],
        dtype="boolean",
    )
    return pd.Series(values.take(np.asarray(codes), allow_fill=True), index=key_alg.index, dtype="boolean")


def classical_security_bits(family: KeyFamily, key_size: int | None) -> int | None:
    """Classical security strength in bits (NIST SP 800-57 Part 1 Table 2)."""
    if family in (KeyFamily.RSA, KeyFamily.DSA):
        if key_size is None:
            return None
        for size, bits in ((15360, 256), (7680, 192), (3072, 128), (2048, 112), (1024, 80)):
            if key_size >= size:
                return bits
        return 0
    if family is KeyFamily.EC:
        return None if key_size is None else key_size // 2
    return {KeyFamily.ED25519: 128, KeyFamily.ED448: 224}.get(family)


@dataclass(frozen=True, slots=True, kw_only=True)
class PqcSize:
    """Wire sizes of a signature algorithm (DOMAIN §5; FIPS 204/205, composite draft)."""

    name: str
    public_key_bytes: int
    signature_bytes: int
    nist_category: int | None  # None: quantum-vulnerable


SIZES: dict[str, PqcSize] = {
    s.name: s
    for s in (
        PqcSize(name="ML-DSA-44", public_key_bytes=1312, signature_bytes=2420, nist_category=2),
        PqcSize(name="ML-DSA-65", public_key_bytes=1952, signature_bytes=3309, nist_category=3),
        PqcSize(name="ML-DSA-87", public_key_bytes=2592, signature_bytes=4627, nist_category=5),
        PqcSize(name="SLH-DSA-SHA2-128s", public_key_bytes=32, signature_bytes=7856, nist_category=1),
        PqcSize(name="SLH-DSA-SHA2-128f", public_key_bytes=32, signature_bytes=17088, nist_category=1),
        PqcSize(name="SLH-DSA-SHA2-192s", public_key_bytes=48, signature_bytes=16224, nist_category=3),
        PqcSize(name="SLH-DSA-SHA2-192f", public_key_bytes=48, signature_bytes=35664, nist_category=3),
        PqcSize(name="SLH-DSA-SHA2-256s", public_key_bytes=64, signature_bytes=29792, nist_category=5),
        PqcSize(name="SLH-DSA-SHA2-256f", public_key_bytes=64, signature_bytes=49856, nist_category=5),
        PqcSize(name="ML-DSA-44+ECDSA-P256", public_key_bytes=1377, signature_bytes=2492, nist_category=2),
        PqcSize(name="EC-256", public_key_bytes=65, signature_bytes=72, nist_category=None),
        PqcSize(name="EC-384", public_key_bytes=97, signature_bytes=104, nist_category=None),
        PqcSize(name="RSA-2048", public_key_bytes=270, signature_bytes=256, nist_category=None),
        PqcSize(name="RSA-3072", public_key_bytes=398, signature_bytes=384, nist_category=None),
        PqcSize(name="RSA-4096", public_key_bytes=526, signature_bytes=512, nist_category=None),
        PqcSize(name="Ed25519", public_key_bytes=32, signature_bytes=64, nist_category=None),
    )
}

# A TLS handshake carries about two public keys and five signatures (DOMAIN §5): the leaf's and the
# intermediate's keys; the signatures on leaf and intermediate, CertificateVerify and two SCTs. A private
# chain carries no SCTs (Certificate Transparency is a WebPKI requirement). An initial congestion window
# of 10 segments carries about 14,600 bytes (RFC 6928).
HANDSHAKE_PUBLIC_KEYS = 2
HANDSHAKE_CHAIN_SIGNATURES = 3  # leaf and intermediate certificate signatures, CertificateVerify
HANDSHAKE_SCTS = 2  # the SCTs Chrome and Apple require of a public certificate of ≤ 180 days
HANDSHAKE_SIGNATURES = HANDSHAKE_CHAIN_SIGNATURES + HANDSHAKE_SCTS
INITIAL_WINDOW_BYTES = 14_600
# The algorithms the handshake-size comparison shows beside an organization's own (DOMAIN §5).
HANDSHAKE_CANDIDATES = ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "ML-DSA-44+ECDSA-P256")


def handshake_bytes(algorithm: str, *, scts: int = HANDSHAKE_SCTS) -> int:
    """Authentication bytes of a TLS handshake whose chain uses `algorithm` (a SIZES name): two public
    keys, the chain's signatures and CertificateVerify, plus `scts` SCT signatures (0 on a private chain)."""
    s = SIZES[algorithm]
    signatures = HANDSHAKE_CHAIN_SIGNATURES + scts
    return HANDSHAKE_PUBLIC_KEYS * s.public_key_bytes + signatures * s.signature_bytes


# Deprecated in certificates: MD2/MD5 (RFC 6151) and SHA-1 (public TLS ended 2026-09-15, ballot SC-097;
# NIST SP 800-131A). A self-signed trust anchor's own signature is never checked, so its hash does not
# count. RSA below 2048 bits and ECDSA below 256 (BR §6.1.5, NIST SP 800-131A); DSA is withdrawn (FIPS 186-5).
DEPRECATED_HASHES = frozenset({"md2", "md5", "sha1"})
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256

# IANA TLS Supported Groups: hybrid post-quantum key exchange (draft-ietf-tls-ecdhe-mlkem).
PQC_HYBRID_GROUPS = {"X25519MLKEM768": 4588, "SecP256r1MLKEM768": 4587, "SecP384r1MLKEM1024": 4589}

# SSH key exchanges with a post-quantum half, as servers name them in KEXINIT: ML-KEM-768 + X25519
# (draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH 9.9, its default from 10.0) and Streamlined NTRU Prime +
# X25519 (draft-ietf-sshm-ntruprime-ssh; OpenSSH's default from 9.0 under its @openssh.com name).
SSH_PQC_KEX = frozenset(
    {
        "mlkem768x25519-sha256",
        "mlkem768nistp256-sha256",
        "mlkem1024nistp384-sha384",
        "sntrup761x25519-sha512",
        "sntrup761x25519-sha512@openssh.com",
    }
)

# Organizations operating publicly trusted TLS CAs (CCADB), matched case-insensitively against the issuer
# name or organization of rows that do not say whether they are public. Used only when `trust` is empty.
PUBLIC_CA_MARKERS = (
    "let's encrypt",
    "lets encrypt",
    "isrg",
    "digicert",
    "sectigo",
    "comodo",
    "globalsign",
    "entrust",
    "godaddy",
    "go daddy",
    "starfield",
    "amazon",
    "google trust services",
    "gts ",
    "microsoft azure tls",
    "buypass",
    "certum",
    "actalis",
    "zerossl",
    "ssl.com",
    "harica",
    "quovadis",
    "thawte",
    "geotrust",
    "rapidssl",
    "symantec",
    "verisign",
    "identrust",
    "trustcor",
    "chunghwa",
    "netlock",
    "affirmtrust",
    "swisssign",
    "d-trust",
    "telia",
    "secom",
    "trustwave",
    "usertrust",
    "baltimore",
    "cybertrust",
)


# NIST PQC security categories of the KEMs (FIPS 203) and the classical strength NIST equates with each
# category (category 1 ≈ AES-128 … 5 ≈ AES-256; NIST PQC call for proposals §4.A.5).
ML_KEM_CATEGORIES = {"ML-KEM-512": 1, "ML-KEM-768": 3, "ML-KEM-1024": 5}
CATEGORY_CLASSICAL_BITS = {1: 128, 2: 128, 3: 192, 4: 192, 5: 256}
_PQC_NAME = re.compile(r"ml-?kem|kyber|ml-?dsa|dilithium|slh-?dsa|sphincs|falcon|fn-?dsa|xmss|lms|hss", re.I)


def nist_quantum_level(algorithm: str | None) -> int | None:
    """NIST quantum security category of a key or KEM algorithm: 0 when Shor breaks it (RSA, ECC, EdDSA,
    DSA, DH), 1–5 for the standardized post-quantum algorithms, None when unknown."""
    if not algorithm:
        return None
    name, _, _ = key_algorithm(algorithm)
    if name in SIZES and SIZES[name].nist_category is not None:
        return SIZES[name].nist_category
    kem = re.search(r"(?:ML-?KEM|KYBER)-?(512|768|1024)", algorithm.upper().replace("_", "-"))
    if kem:
        return ML_KEM_CATEGORIES[f"ML-KEM-{kem.group(1)}"]
    fam = key_family(name)
    if fam in QUANTUM_VULNERABLE_FAMILIES:
        return 0
    composite = re.match(r"composite-MLDSA(44|65|87)-", name or "")
    if composite:  # secure while its ML-DSA part is: that part's category
        return {"44": 2, "65": 3, "87": 5}[composite.group(1)]
    if fam in (KeyFamily.ML_DSA, KeyFamily.SLH_DSA) or _PQC_NAME.search(algorithm):
        return None  # post-quantum, parameter set not recognized
    if re.fullmatch(r"(ec)?dhe?|ecdh|x25519|x448|eddsa|ecdsa", algorithm.strip().lower()):
        return 0
    return None
