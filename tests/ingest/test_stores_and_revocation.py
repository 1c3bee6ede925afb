"""Issue 20: CMS content types other than signed-data, key and trust stores (JKS/JCEKS, NSS, PKCS#12 without
keys, TRUSTED CERTIFICATE, S/MIME) and CRLs, all built at test time."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import jks
import pandas as pd
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

import cmmm
from cmmm.ingest import read_file
from cmmm.ingest._base import ReadContext
from cmmm.lab.pki import Issued, issue
from cmmm.maturity.risks import RISKS
from tests.conftest import NOW, Chain, write


def _ctx(*passwords: str) -> ReadContext:
    return ReadContext(now=NOW, passwords=passwords)


def _enveloped(recipient: Issued, encoding: serialization.Encoding) -> bytes:
    return (
        pkcs7.PKCS7EnvelopeBuilder().set_data(b"secret").add_recipient(recipient.cert).encrypt(encoding, [])
    )


def _rsa_leaf(chain: Chain) -> Issued:
    return issue(
        cn="mail.example.test",
        not_before=NOW - timedelta(days=5),
        days=90,
        issuer=chain.inter,
        key_kind="RSA-2048",
    )


# ------------------------------------------------------------------------------------------ CMS types
@pytest.mark.parametrize("name", ["env.p7m", "env.p7b", "env.der", "env.bin"])
def test_enveloped_data_is_a_rejection_naming_the_content_type(
    tmp_path: Path, chain: Chain, name: str
) -> None:
    f = write(tmp_path / name, _enveloped(_rsa_leaf(chain), serialization.Encoding.DER))
    fmt, batch = read_file(f, _ctx())
    assert not batch.certificates
    assert [r.reason for r in batch.rejected] == [
        "CMS/PKCS#7 enveloped-data (encrypted) (1.2.840.113549.1.7.3) carries no certificate list; "
        "only signed-data (.p7b/.p7c, S/MIME signatures) does"
    ], fmt


def test_enveloped_data_does_not_stop_the_rest_of_the_tree(tmp_path: Path, chain: Chain) -> None:
    leaf = _rsa_leaf(chain)
    write(tmp_path / "a" / "env.p7m", _enveloped(leaf, serialization.Encoding.DER))
    write(tmp_path / "a" / "env.pem", _enveloped(leaf, serialization.Encoding.PEM))
    write(tmp_path / "b" / "good.pem", chain.leaves[0].pem)
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    assert list(inv.certificates["common_name"]) == ["svc0.example.test"]
    assert len(inv.rejected) == 2 and all("enveloped-data" in r.reason for r in inv.rejected)


def test_cli_ingest_of_a_folder_with_enveloped_data_exits_0(tmp_path: Path, chain: Chain) -> None:
    from typer.testing import CliRunner

    from cmmm.cli import app

    write(tmp_path / "env.p7m", _enveloped(_rsa_leaf(chain), serialization.Encoding.DER))
    write(tmp_path / "good.pem", chain.leaves[0].pem)
    result = CliRunner().invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "enveloped-data" in result.output


# ------------------------------------------------------------------------------------------- S/MIME
def test_smime_signature_part_gives_its_certificates(tmp_path: Path, chain: Chain) -> None:
    leaf = _rsa_leaf(chain)
    signed = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(b"hello")
        .add_signer(leaf.cert, leaf.key, hashes.SHA256())
        .add_certificate(chain.inter.cert)
        .sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
    )
    f = write(tmp_path / "signed.eml", b"From: a@example.test\nSubject: hi\n" + signed)
    fmt, batch = read_file(f, _ctx())
    assert fmt == "smime"
    assert {r["common_name"] for r in batch.certificates} == {"mail.example.test", "Test Issuing CA 1"}


def test_encrypted_smime_message_is_a_rejection(tmp_path: Path, chain: Chain) -> None:
    msg = _enveloped(_rsa_leaf(chain), serialization.Encoding.SMIME)
    fmt, batch = read_file(write(tmp_path / "encrypted.eml", msg), _ctx())
    assert fmt == "smime" and not batch.certificates
    assert "enveloped-data" in batch.rejected[0].reason


# --------------------------------------------------------------------------- TRUSTED CERTIFICATE
def test_trusted_certificate_block_keeps_the_certificate(tmp_path: Path, chain: Chain) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    pem = subprocess.run(
        [openssl, "x509", "-addtrust", "serverAuth", "-trustout"],
        input=chain.root.pem,
        capture_output=True,
        check=True,
    ).stdout
    assert b"BEGIN TRUSTED CERTIFICATE" in pem
    _, batch = read_file(write(tmp_path / "ca-bundle.trust.crt", pem), _ctx())
    assert not batch.rejected
    assert [r["cert_id"] for r in batch.certificates] == [chain.root.cert_id]


# ------------------------------------------------------------------------------------------ JKS/JCEKS
def _pkcs8(key: object) -> bytes:
    return key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_jks_reads_trusted_and_key_entries_whatever_the_password(tmp_path: Path, chain: Chain) -> None:
    leaf = chain.leaves[0]
    store = jks.KeyStore.new(
        "jks",
        [
            jks.TrustedCertEntry.new("root", chain.root.der),
            jks.PrivateKeyEntry.new("server", [leaf.der, chain.inter.der], _pkcs8(leaf.key), "pkcs8"),
        ],
    )
    f = write(tmp_path / "keystore.jks", store.saves("s3cret-store"))
    fmt, batch = read_file(f, _ctx())  # no password: certificates are read, integrity noted
    assert fmt == "jks"
    assert {r["cert_id"] for r in batch.certificates} == {
        chain.root.cert_id,
        leaf.cert_id,
        chain.inter.cert_id,
    }
    assert any("integrity not verified" in n for n in batch.notes)
    assert batch.private_keys[0].key_type == "unknown (encrypted)"
    _, batch = read_file(f, _ctx("wrong", "s3cret-store"))
    assert not any("integrity" in n for n in batch.notes)
    key = batch.private_keys[0]
    assert (key.key_type, key.encrypted, key.store) == ("EC-secp256r1", True, "keystore")
    assert key.key_id is not None
    assert "s3cret-store" not in repr(batch)  # passwords are never logged


def test_jceks_trust_store(tmp_path: Path, chain: Chain) -> None:
    data = jks.KeyStore.new("jks", [jks.TrustedCertEntry.new("root", chain.root.der)]).saves("changeit")
    # pyjks writes JKS only: JCEKS differs in the magic number, which the integrity hash covers
    body = b"\xce\xce\xce\xce" + data[4:-20]
    digest = hashlib.sha1("changeit".encode("utf-16be") + b"Mighty Aphrodite" + body).digest()
    fmt, batch = read_file(write(tmp_path / "cacerts", body + digest), _ctx("changeit"))
    assert fmt == "jks" and not batch.notes
    assert [r["cert_id"] for r in batch.certificates] == [chain.root.cert_id]


def test_corrupt_jks_is_a_rejection(tmp_path: Path) -> None:
    fmt, batch = read_file(
        write(tmp_path / "bad.jks", b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x05"), _ctx()
    )
    assert fmt == "jks" and "unreadable JKS keystore" in batch.rejected[0].reason


# --------------------------------------------------------------------------------- PKCS#12 trust store
def test_pkcs12_trust_store_without_keys(tmp_path: Path, chain: Chain) -> None:
    data = pkcs12.serialize_key_and_certificates(
        None,
        None,
        None,
        [chain.root.cert, chain.inter.cert],
        serialization.BestAvailableEncryption(b"changeit"),
    )
    fmt, batch = read_file(write(tmp_path / "truststore.p12", data), _ctx("changeit"))
    assert fmt == "pkcs12" and not batch.private_keys
    assert {r["cert_id"] for r in batch.certificates} == {chain.root.cert_id, chain.inter.cert_id}


# ------------------------------------------------------------------------------------------------ NSS
def _nss_db(folder: Path, certs: list[Issued]) -> Path:
    """A cert9.db as NSS lays it out (nssPublic, CKA_CLASS in a0, CKA_LABEL in a3, CKA_VALUE in a11), plus a
    trust object, so the reader must tell the classes apart."""
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / "cert9.db")
    db.execute("CREATE TABLE nssPublic (id PRIMARY KEY UNIQUE ON CONFLICT ABORT, a0, a3, a11, a81)")
    for i, c in enumerate(certs):
        db.execute(
            "INSERT INTO nssPublic VALUES (?, ?, ?, ?, ?)", (i + 1, b"\0\0\0\1", b"nick%d" % i, c.der, None)
        )
    db.execute("INSERT INTO nssPublic VALUES (99, ?, ?, ?, NULL)", (b"\xceSCS", b"\xa5\x00Z", b"\xa5\x00Z"))
    db.commit()
    db.close()
    return folder / "cert9.db"


def test_nss_sql_database(tmp_path: Path, chain: Chain) -> None:
    f = _nss_db(tmp_path / "nssdb", [chain.root, chain.leaves[1]])
    fmt, batch = read_file(f, _ctx())
    assert fmt == "nss" and not batch.rejected
    assert [r["cert_id"] for r in batch.certificates] == [chain.root.cert_id, chain.leaves[1].cert_id]
    assert batch.observations[0]["source_ref"] == "object 1 (nick0)"


def test_nss_database_made_by_certutil(tmp_path: Path, chain: Chain) -> None:
    certutil = shutil.which("certutil")
    if certutil is None:
        pytest.skip("certutil (libnss3-tools) is not installed")
    db = tmp_path / "nssdb"
    db.mkdir()
    subprocess.run([certutil, "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    pem = write(tmp_path / "root.pem", chain.root.pem)
    subprocess.run(
        [certutil, "-A", "-d", f"sql:{db}", "-n", "root", "-t", "C,,", "-a", "-i", str(pem)], check=True
    )
    inv = cmmm.load([db], now=NOW, workers=1)
    assert list(inv.certificates["cert_id"]) == [chain.root.cert_id]
    assert not inv.rejected  # key4.db and pkcs11.txt are recognized too


# ------------------------------------------------------------------------------------------------ CRLs
def _crl(
    issuer: Issued,
    revoked: list[tuple[Issued, x509.ReasonFlags | None]],
    *,
    name: x509.Name | None = None,
    key_id: bytes | None = None,
    signer: Issued | None = None,
) -> x509.CertificateRevocationList:
    """A CRL of `issuer` (its name unless `name`; an authority key identifier when `key_id`), signed by
    `issuer`'s key unless `signer` (a forgery)."""
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(name if name is not None else issuer.cert.subject)
        .last_update(NOW - timedelta(days=1))
        .next_update(NOW + timedelta(days=6))
    )
    if key_id is not None:
        aki = x509.AuthorityKeyIdentifier(
            key_identifier=key_id, authority_cert_issuer=None, authority_cert_serial_number=None
        )
        b = b.add_extension(aki, critical=False)
    for cert, reason in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(cert.cert.serial_number)
            .revocation_date(NOW - timedelta(days=2))
        )
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        b = b.add_revoked_certificate(entry.build())
    return b.sign((signer or issuer).key, hashes.SHA256())


@pytest.mark.parametrize("encoding", [serialization.Encoding.DER, serialization.Encoding.PEM])
def test_crl_marks_the_certificates_of_its_issuer_revoked(
    tmp_path: Path, chain: Chain, encoding: serialization.Encoding
) -> None:
    crl = _crl(chain.inter, [(chain.leaves[0], x509.ReasonFlags.key_compromise)])
    write(tmp_path / "issuing.crl", crl.public_bytes(encoding))
    write(
        tmp_path / "certs.pem", chain.root.pem + chain.inter.pem + chain.leaves[0].pem + chain.leaves[1].pem
    )
    # a certificate of another issuer with the same serial is not revoked by this CRL
    other = issue(cn="other.example.test", not_before=NOW - timedelta(days=5), days=90, issuer=chain.root)
    certs = cmmm.load([tmp_path], now=NOW, workers=1).certificates.set_index("cert_id")
    revoked = certs.loc[chain.leaves[0].cert_id]
    assert bool(revoked["revoked"])
    assert revoked["revocation_reason"] == "keyCompromise"
    assert revoked["revoked_at"] == NOW - timedelta(days=2)
    assert not bool(certs.loc[chain.leaves[1].cert_id, "revoked"])  # its issuer's CRL does not list it
    assert pd.isna(certs.loc[chain.root.cert_id, "revoked"])  # no CRL of its issuer: unknown
    assert other.cert_id not in certs.index


def test_crl_note_and_empty_crl(tmp_path: Path, chain: Chain) -> None:
    f = write(tmp_path / "empty.crl.pem", _crl(chain.root, []).public_bytes(serialization.Encoding.PEM))
    fmt, batch = read_file(f, _ctx())
    assert fmt == "pem" and not batch.rejected
    assert "CRL of CN=Test Root CA,O=Test Org" in batch.notes[0] and "(no entries)" in batch.notes[0]


def test_revoked_but_deployed_is_a_finding(tmp_path: Path, chain: Chain) -> None:
    leaf = chain.leaves[2]
    write(
        tmp_path / "issuing.crl", _crl(chain.inter, [(leaf, None)]).public_bytes(serialization.Encoding.DER)
    )
    write(tmp_path / "chain.pem", chain.inter.pem + leaf.pem)
    write(
        tmp_path / "inventory.csv",
        f"common_name,not_after,fingerprint_sha256,endpoints\n{leaf.cert.subject.rfc4514_string()[3:]},"
        f"{leaf.cert.not_valid_after_utc.isoformat()},{leaf.cert_id[7:]},svc2.example.test:443\n",
    )
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    result = cmmm.assess(inv, now=NOW)
    codes = {f.code: f for f in result.risks}
    assert "risk.revoked-deployed" in RISKS
    assert codes["risk.revoked-deployed"].count == 1
    assert codes["risk.revoked-deployed"].examples == ("svc2.example.test",)


def test_ad_cs_revoked_rows_count_as_revoked(tmp_path: Path) -> None:
    header = (
        '"Request ID","Request Disposition","Issued Common Name","Certificate Effective Date",'
        '"Certificate Expiration Date","Serial Number","Revocation Date","Revocation Reason"\n'
    )
    rows = (
        '"12","20 -- Issued","web01.corp.example","2026-01-02 10:00","2027-01-02 10:00","6100000012","EMPTY","EMPTY"\n'
        '"13","21 -- Revoked","web02.corp.example","2026-01-02 10:00","2027-01-02 10:00","6100000013",'
        '"2026-03-15 09:00","0x1 -- Key Compromise"\n'
    )
    inv = cmmm.load([write(tmp_path / "adcs.csv", header + rows)], now=NOW, workers=1)
    certs = inv.certificates.set_index("common_name")
    assert not certs.at["web01.corp.example", "revoked"]
    assert bool(certs.at["web02.corp.example", "revoked"])
    assert certs.at["web02.corp.example", "revocation_reason"] == "keyCompromise"
    assert str(certs.at["web02.corp.example", "revoked_at"]) == "2026-03-15 09:00:00+00:00"


def test_truncated_keystore_and_corrupt_crl_entry_are_rejections(tmp_path: Path, chain: Chain) -> None:
    data = jks.KeyStore.new("jks", [jks.TrustedCertEntry.new("root", chain.root.der)]).saves("changeit")
    _, batch = read_file(write(tmp_path / "cut.jks", data[:-7]), _ctx("changeit"))  # its hash cut short
    assert [r["cert_id"] for r in batch.certificates] == [chain.root.cert_id]
    assert any("integrity not verified" in n for n in batch.notes)
    der = _crl(chain.inter, [(chain.leaves[0], None)]).public_bytes(serialization.Encoding.DER)
    when = (NOW - timedelta(days=2)).strftime("%y%m%d%H%M%SZ").encode()
    assert der.count(when) == 1
    fmt, batch = read_file(write(tmp_path / "bad.crl", der.replace(when, b"99AB99999999Z")), _ctx())
    assert fmt == "der" and batch.rejected[0].reason.startswith("unreadable CRL")


def test_a_crl_that_does_not_verify_is_ignored(tmp_path: Path, chain: Chain) -> None:
    """A CRL naming the inventory's issuing CA but signed by another key (forged, or another CA of the same
    name) revokes nothing, and nothing is known not revoked on its word."""
    forged_issuer = issue(cn="forger", not_before=NOW - timedelta(days=5), days=90, ca=True)
    forged = _crl(chain.inter, [(chain.leaves[0], None)], signer=forged_issuer)
    write(tmp_path / "issuing.crl", forged.public_bytes(serialization.Encoding.DER))
    write(
        tmp_path / "certs.pem", chain.root.pem + chain.inter.pem + chain.leaves[0].pem + chain.leaves[1].pem
    )
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    certs = inv.certificates.set_index("cert_id")
    assert pd.isna(certs.loc[chain.leaves[0].cert_id, "revoked"])
    assert pd.isna(certs.loc[chain.leaves[1].cert_id, "revoked"])
    assert any("does not verify" in n and "1 entries are ignored" in n for n in inv.notes), inv.notes


def test_a_crl_whose_issuer_is_not_in_the_inventory_only_marks_what_it_lists(
    tmp_path: Path, chain: Chain
) -> None:
    write(
        tmp_path / "issuing.crl",
        _crl(chain.inter, [(chain.leaves[0], None)]).public_bytes(serialization.Encoding.DER),
    )
    write(tmp_path / "leaves.pem", chain.leaves[0].pem + chain.leaves[1].pem)  # the issuing CA is absent
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    certs = inv.certificates.set_index("cert_id")
    assert bool(certs.loc[chain.leaves[0].cert_id, "revoked"])  # a revocation claim is never hidden
    assert pd.isna(certs.loc[chain.leaves[1].cert_id, "revoked"])  # unknown, not "not revoked"
    assert any("signature not verified" in n for n in inv.notes), inv.notes


def test_ingest_prints_the_revoked_count(tmp_path: Path, chain: Chain) -> None:
    from typer.testing import CliRunner

    from cmmm.cli import app

    write(
        tmp_path / "issuing.crl",
        _crl(chain.inter, [(chain.leaves[0], None)]).public_bytes(serialization.Encoding.DER),
    )
    write(
        tmp_path / "certs.pem", chain.root.pem + chain.inter.pem + chain.leaves[0].pem + chain.leaves[1].pem
    )
    result = CliRunner().invoke(app, ["ingest", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # the leaves' issuer's CRL was read (2 known, 1 revoked); the root and the issuing CA: unknown
    assert (
        "revoked 1 of the 2 certificates whose issuer's CRL or CA export was read (the other 2: unknown)"
        in (" ".join(result.output.split()))
    )


@pytest.mark.parametrize("claim", ["real name, made-up key id", "made-up name, real key id"])
def test_a_forged_crl_cannot_borrow_a_name_or_a_key_identifier(
    tmp_path: Path, chain: Chain, claim: str
) -> None:
    """A CRL signed by another key names the inventory's CA by its name (with another key identifier) or by
    its key identifier (under another name, read from any leaf): it revokes nothing."""
    forger = issue(cn="forger", not_before=NOW - timedelta(days=5), days=90, ca=True)
    real_ski = chain.inter.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    name = (
        chain.inter.cert.subject
        if claim.startswith("real name")
        else x509.Name.from_rfc4514_string("CN=nobody")
    )
    key_id = b"\x01" * 20 if claim.startswith("real name") else real_ski
    forged = _crl(chain.inter, [(chain.leaves[0], None)], name=name, key_id=key_id, signer=forger)
    write(tmp_path / "forged.crl", forged.public_bytes(serialization.Encoding.DER))
    write(tmp_path / "certs.pem", chain.root.pem + chain.inter.pem + chain.leaves[0].pem)
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    assert pd.isna(inv.certificates.set_index("cert_id").loc[chain.leaves[0].cert_id, "revoked"])
    assert any("does not verify" in n for n in inv.notes), inv.notes


def test_a_genuine_crl_with_a_key_identifier_marks_by_it(tmp_path: Path, chain: Chain) -> None:
    ski = chain.inter.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    crl = _crl(chain.inter, [(chain.leaves[0], None)], key_id=ski.digest)
    write(tmp_path / "issuing.crl", crl.public_bytes(serialization.Encoding.DER))
    write(
        tmp_path / "certs.pem", chain.root.pem + chain.inter.pem + chain.leaves[0].pem + chain.leaves[1].pem
    )
    certs = cmmm.load([tmp_path], now=NOW, workers=1).certificates.set_index("cert_id")
    assert bool(certs.loc[chain.leaves[0].cert_id, "revoked"])
    assert not bool(certs.loc[chain.leaves[1].cert_id, "revoked"])
