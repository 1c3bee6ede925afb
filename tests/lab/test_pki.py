"""cmmm.lab.pki: deterministic keys and signatures, legacy SHA-1 re-signing and SCTs that parse."""

from __future__ import annotations

from datetime import UTC, timedelta

from cryptography.hazmat.primitives.asymmetric import padding

from cmmm.ingest.x509 import certificate_row
from cmmm.lab.pki import DeterministicKeys, issue
from tests.conftest import NOW


def test_deterministic_keys_and_signatures_regenerate_identically() -> None:
    def build() -> tuple[bytes, bytes, list[int]]:
        keys = DeterministicKeys(7)
        root = issue(
            cn="R", not_before=NOW, days=10, ca=True, key=keys.make("EC-384"), serial=1, deterministic=True
        )
        leaf = issue(
            cn="l", not_before=NOW, days=5, issuer=root, key=keys.make("EC-256"), serial=2, deterministic=True
        )
        moduli = [keys.make("RSA-1024").public_key().public_numbers().n for _ in range(4)]
        return root.der, leaf.der, moduli

    a, b = build(), build()
    assert a == b
    assert len(set(a[2])) == 4  # distinct RSA keys from the prime pool
    assert (
        DeterministicKeys(7).make("ML-DSA-65").public_key()
        == DeterministicKeys(7).make("ML-DSA-65").public_key()
    )


def test_sha1_signed_and_sct_bearing_certificates_parse() -> None:
    keys = DeterministicKeys(3)
    ca = issue(cn="Old CA", not_before=NOW, days=100, ca=True, key=keys.make("RSA-1024"), digest="sha1")
    leaf = issue(cn="old.example", not_before=NOW, days=10, issuer=ca, key=keys.make("EC-256"), digest="sha1")
    assert certificate_row(ca.cert)["signature_hash"] == "sha1"
    assert certificate_row(leaf.cert)["signature_algorithm"] == "sha1WithRSAEncryption"
    ca.cert.public_key().verify(  # the re-signed signature is valid
        leaf.cert.signature,
        leaf.cert.tbs_certificate_bytes,
        padding.PKCS1v15(),
        leaf.cert.signature_hash_algorithm,
    )
    sct = issue(cn="pub.example", not_before=NOW, days=90, scts=(NOW - timedelta(minutes=1),) * 2)
    row = certificate_row(sct.cert)
    assert row["trust"] == "public" and row["sct_count"] == 2
    assert row["earliest_sct"].replace(tzinfo=UTC) == NOW - timedelta(minutes=1)  # SCT times are naive UTC
