"""Issue 20: every NIST PQC public-key and signature OID is named, with the right quantum-vulnerable flag."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import mlkem

from cmmm.crypto import (
    COMPOSITE_SIGNATURES,
    KEY_ALGORITHM_OIDS,
    SLH_DSA_SETS,
    key_algorithm,
    nist_quantum_level,
    quantum_vulnerable,
    signature_algorithm,
)
from cmmm.ingest.x509 import certificate_row
from tests.conftest import NOW, Chain

PQC_KEYS = {
    "2.16.840.1.101.3.4.4.1": "ML-KEM-512",
    "2.16.840.1.101.3.4.4.2": "ML-KEM-768",
    "2.16.840.1.101.3.4.4.3": "ML-KEM-1024",
    "2.16.840.1.101.3.4.3.17": "ML-DSA-44",
    "2.16.840.1.101.3.4.3.18": "ML-DSA-65",
    "2.16.840.1.101.3.4.3.19": "ML-DSA-87",
    **{f"2.16.840.1.101.3.4.3.{20 + i}": n for i, n in enumerate(SLH_DSA_SETS)},
    "1.3.6.1.5.5.7.6.37": "composite-MLDSA44-RSA2048-PSS-SHA256",
    "1.3.6.1.5.5.7.6.45": "composite-MLDSA65-ECDSA-P256-SHA512",
    "1.3.6.1.5.5.7.6.54": "composite-MLDSA87-ECDSA-P521-SHA512",
}


@pytest.mark.parametrize(("oid", "name"), sorted(PQC_KEYS.items()))
def test_pqc_public_key_oids_are_named_and_not_quantum_vulnerable(oid: str, name: str) -> None:
    assert KEY_ALGORITHM_OIDS[oid] == name
    alg = key_algorithm(oid)[0]
    assert alg == name
    assert quantum_vulnerable(pd.Series([alg], dtype="string")).tolist() == [False]


def test_every_composite_and_prehash_signature_oid_is_named() -> None:
    assert len(COMPOSITE_SIGNATURES) == 18
    for i in range(37, 55):
        sig = signature_algorithm(f"1.3.6.1.5.5.7.6.{i}")
        assert sig is not None and sig.name.startswith("composite-MLDSA"), i
        assert not sig.name.startswith("composite-1.3")
    for i, level in zip(range(32, 35), (44, 65, 87), strict=True):
        sig = signature_algorithm(f"2.16.840.1.101.3.4.3.{i}")
        assert sig is not None and sig.name == f"HashML-DSA-{level}-with-SHA512"
    for i in range(35, 47):
        sig = signature_algorithm(f"2.16.840.1.101.3.4.3.{i}")
        assert sig is not None and sig.name.startswith("HashSLH-DSA-")


@pytest.mark.parametrize(
    ("text", "vulnerable"),
    [
        ("X25519", True),
        ("1.3.101.111", True),
        ("ML-KEM-768", False),
        ("mlkem1024", False),
        ("RSA-2048", True),
    ],
)
def test_key_agreement_keys_have_the_right_flag(text: str, vulnerable: bool) -> None:
    alg = key_algorithm(text)[0]
    assert quantum_vulnerable(pd.Series([alg], dtype="string")).tolist() == [vulnerable]


def test_a_real_ml_kem_certificate_is_named(chain: Chain) -> None:
    key = mlkem.MLKEM768PrivateKey.generate().public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "kem.example.test")]))
        .issuer_name(chain.inter.cert.subject)
        .public_key(key)
        .serial_number(7)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .sign(chain.inter.key, hashes.SHA256())
    )
    row = certificate_row(cert)
    assert row["key_algorithm"] == "ML-KEM-768"
    assert quantum_vulnerable(pd.Series([row["key_algorithm"]], dtype="string")).tolist() == [False]


def test_nist_categories_of_kem_and_composite_keys() -> None:
    assert [nist_quantum_level(a) for a in ("ML-KEM-512", "ML-KEM-768", "ML-KEM-1024")] == [1, 3, 5]
    assert nist_quantum_level("1.3.6.1.5.5.7.6.45") == 3  # composite ML-DSA-65 + ECDSA P-256
    assert nist_quantum_level("composite-MLDSA87-ECDSA-P521-SHA512") == 5
