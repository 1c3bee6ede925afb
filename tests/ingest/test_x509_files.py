"""X.509 files: PEM with garbage, DER, PKCS#7, PKCS#12, private keys (findings, never data), PQC by OID, a
certificate whose validity runs backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509 import ObjectIdentifier

import cmmm
from cmmm.ingest.x509 import _key_facts
from cmmm.lab.pki import issue, key_pem
from cmmm.model import Inventory
from tests.conftest import NOW, Chain, write


def _notes(inv: Inventory, needle: str) -> list[str]:
    return [n for n in inv.notes if needle in n]


def _swap(der: bytes, a: bytes, b: bytes) -> bytes:
    assert der.count(a) == 1 and der.count(b) == 1 and len(a) == len(b)
    return der.replace(a, b"\0" * len(a)).replace(b, a).replace(b"\0" * len(a), b)


def test_pem_bundle_with_garbage_and_one_corrupt_block(tmp_path: Path, chain: Chain) -> None:
    a, b = chain.leaves[0].pem, chain.leaves[1].pem
    corrupt = b"-----BEGIN CERTIFICATE-----\nMIIBadBase64%%%\n-----END CERTIFICATE-----\n"
    blob = b"Bag Attributes\n    friendlyName: x\nsubject=CN = x\n" + a.replace(b"\n", b"\r\n") + b"junk\n"
    blob += corrupt + b"\n   \n" + b + b"trailing text\n-----BEGIN CERTIFICATE-----\nMIIB\n"
    write(tmp_path / "bundle.pem", blob)
    inv = cmmm.load([tmp_path], now=NOW)
    assert set(inv.certificates["cert_id"]) == {chain.leaves[0].cert_id, chain.leaves[1].cert_id}
    reasons = {r.reason.split(":")[0] for r in inv.rejected}
    assert reasons == {"CERTIFICATE block has no END line (truncated)", "corrupt certificate block"}
    assert all(r.source.endswith("bundle.pem") and r.locator.startswith("line ") for r in inv.rejected)


def test_every_column_from_a_real_certificate(tmp_path: Path, chain: Chain) -> None:
    leaf = chain.leaves[0]
    write(tmp_path / "leaf.pem", leaf.pem)
    row = cmmm.load([tmp_path], now=NOW).certificates.iloc[0]
    assert row["cert_id"] == leaf.cert_id
    assert row["common_name"] == "svc0.example.test"
    assert row["sans"] == "svc0.example.test;alt0.example.test"
    assert row["issuer_name"] == "Test Issuing CA 1" and row["issuer_org"] == "Test Org"
    assert row["serial"] == format(leaf.cert.serial_number, "x")
    assert row["key_algorithm"] == "EC" and row["key_size"] == 256 and row["key_curve"] == "secp256r1"
    assert row["signature_algorithm"] == "ecdsa-with-SHA256" and row["signature_hash"] == "sha256"
    assert row["ext_key_usage"] == "serverAuth"
    assert not row["is_ca"] and not row["is_self_signed"]
    assert row["validity_days"] == pytest.approx(90.0)
    assert len(row["fingerprint_sha1"]) == 40 and len(row["key_id"]) == 64
    assert (
        row["authority_key_id"]
        == chain.inter.cert.extensions.get_extension_for_class(
            __import__("cryptography").x509.SubjectKeyIdentifier
        ).value.digest.hex()
    )
    assert row["sct_count"] == 0 and row["trust"] == "private"
    assert bool(row["quantum_vulnerable"])


def test_legacy_and_pqc_algorithms(tmp_path: Path) -> None:
    t0 = NOW - timedelta(days=10)
    sha1 = issue(cn="old.example", not_before=t0, days=365, key_kind="RSA-1024", digest="sha1")
    pq_root = issue(cn="PQ Root", not_before=t0, days=3650, ca=True, key_kind="ML-DSA-65")
    pq_leaf = issue(cn="pq.example", not_before=t0, days=90, issuer=pq_root, key_kind="ML-DSA-44")
    write(tmp_path / "a.pem", sha1.pem + pq_root.pem + pq_leaf.pem)
    c = cmmm.load([tmp_path], now=NOW).certificates.set_index("common_name")
    assert c.loc["old.example", "signature_algorithm"] == "sha1WithRSAEncryption"
    assert c.loc["old.example", "signature_hash"] == "sha1" and c.loc["old.example", "key_size"] == 1024
    assert c.loc["pq.example", "key_algorithm"] == "ML-DSA-44"
    assert c.loc["pq.example", "signature_algorithm"] == "ML-DSA-65"
    assert not c.loc["pq.example", "quantum_vulnerable"]
    assert c.loc["pq.example", "issuer_cert_id"] == pq_root.cert_id


class _UnloadableKeyCert:
    """Stands in for a certificate whose SLH-DSA key the local OpenSSL cannot load."""

    public_key_algorithm_oid = ObjectIdentifier("2.16.840.1.101.3.4.3.20")

    def public_key(self) -> None:
        raise UnsupportedAlgorithm("no SLH-DSA here")


def test_pqc_key_recognized_by_oid_when_it_cannot_be_loaded() -> None:
    assert _key_facts(_UnloadableKeyCert())[0] == "SLH-DSA-SHA2-128s"  # type: ignore[arg-type]


def test_der_pkcs7_and_pkcs12(tmp_path: Path, chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    leaf = chain.leaves[0]
    write(tmp_path / "leaf.cer", leaf.der)
    certs = [chain.leaves[1].cert, chain.inter.cert]
    write(tmp_path / "chain.p7b", pkcs7.serialize_certificates(certs, serialization.Encoding.DER))
    write(
        tmp_path / "chain-pem.p7c",
        pkcs7.serialize_certificates([chain.root.cert], serialization.Encoding.PEM),
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"web",
        chain.leaves[2].key,
        chain.leaves[2].cert,
        [chain.inter.cert],
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    write(tmp_path / "store.pfx", p12)
    monkeypatch.setenv("CMMM_PKCS12_PASSWORDS", "wrong\ns3cret")
    from cmmm.cli import read_passwords

    inv = cmmm.load([tmp_path], now=NOW, passwords=read_passwords(None))
    ids = set(inv.certificates["cert_id"])
    assert ids == {
        leaf.cert_id,
        chain.leaves[1].cert_id,
        chain.leaves[2].cert_id,
        chain.inter.cert_id,
        chain.root.cert_id,
    }
    assert inv.rejected == ()
    assert [(k.key_type, k.encrypted) for k in inv.private_keys] == [("EC-secp256r1", True)]
    by_format = {s.path.rsplit("/", 1)[1]: s.ingester for s in inv.sources}
    assert by_format == {
        "leaf.cer": "der",
        "chain.p7b": "pkcs7",
        "chain-pem.p7c": "pkcs7",
        "store.pfx": "pkcs12",
    }


def test_private_keys_are_findings_never_data(tmp_path: Path, chain: Chain) -> None:
    from cmmm.export import inventory_document

    leaf = chain.leaves[0]
    write(tmp_path / "site.pem", leaf.pem + key_pem(leaf.key))
    enc = leaf.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    write(tmp_path / "site.key", enc)
    inv = cmmm.load([tmp_path], now=NOW)
    found = sorted((k.path.rsplit("/", 1)[1], k.encrypted) for k in inv.private_keys)
    assert found == [("site.key", True), ("site.pem", False)]
    dumped = str(inventory_document(inv))
    assert "PRIVATE KEY" not in dumped and key_pem(leaf.key).decode()[40:80] not in dumped


def test_certificate_file_with_inverted_dates_is_kept_with_a_note(tmp_path: Path) -> None:
    leaf = issue(cn="odd.test", not_before=datetime(2026, 1, 1, tzinfo=UTC), days=30)
    der = _swap(leaf.der, b"260101000000Z", b"260131000000Z")  # swap notBefore and notAfter in the TBS
    path = write(tmp_path / "odd.der", der)
    inv = cmmm.load([path], now=NOW)
    (row,) = inv.certificates.itertuples()
    assert row.not_before == pd.Timestamp("2026-01-31", tz="UTC") and row.validity_days == -30
    (note,) = _notes(inv, "notBefore")
    assert note.startswith(f"{path}: der: notBefore 2026-01-31") and "negative" in note
