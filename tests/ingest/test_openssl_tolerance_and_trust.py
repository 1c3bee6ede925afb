"""Issue 20: certificates openssl reads and cryptography's strict parser refuses are kept with a note naming
the malformation; trust from Mozilla's root store; Kubernetes YAML through libyaml's loader."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import certifi
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.x509.oid import NameOID

import cmmm
from cmmm import _yaml
from cmmm.ingest import _roots, read_file
from cmmm.ingest._base import ReadContext
from cmmm.ingest._der_repair import repair
from cmmm.lab.pki import issue, make_key
from tests.conftest import NOW, Chain, write

CTX = ReadContext(now=NOW)


# ----------------------------------------------------------------------------- DER surgery helpers
def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def _split(b: bytes) -> list[tuple[int, bytes]]:
    out, i = [], 0
    while i < len(b):
        tag, n = b[i], b[i + 1]
        if n < 0x80:
            start, length = i + 2, n
        else:
            start = i + 2 + (n & 0x7F)
            length = int.from_bytes(b[i + 2 : start], "big")
        out.append((tag, b[start : start + length]))
        i = start + length
    return out


def _good(sans: tuple[str, ...] = ("odd.example.test",)) -> bytes:
    key = make_key("EC-256")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "odd.example.test")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )


def _surgery(der: bytes, tbs_fix=None, alg_fix=None) -> bytes:  # type: ignore[no-untyped-def]
    ((_, cert),) = _split(der)
    (_, tbs), (_, alg), (_, sig) = _split(cert)
    parts = _split(tbs)  # version, serial, signature, issuer, validity, subject, spki, [3] extensions
    if tbs_fix:
        parts = tbs_fix(parts)
    if alg_fix:
        alg = alg_fix(alg)
    body = b"".join(_tlv(t, c) for t, c in parts)
    return _tlv(0x30, _tlv(0x30, body) + _tlv(0x30, alg) + _tlv(0x03, sig))


def _empty_rdn(p: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    p[5] = (0x30, p[5][1] + b"\x31\x00")
    return p


def _long_serial(p: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    p[1] = (0x02, b"\x00\x00" + p[1][1])
    return p


def _null_tbs(p: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    p[2] = (0x30, p[2][1] + b"\x05\x00")
    return p


def _dup_san(p: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    ((_, seq),) = _split(p[7][1])
    second = _tlv(
        0x30, _tlv(0x06, bytes.fromhex("551d11")) + _tlv(0x04, _tlv(0x30, _tlv(0x82, b"second.example.test")))
    )
    p[7] = (0xA3, _tlv(0x30, seq + second))
    return p


MALFORMED = {
    "an empty RDN SET in a Name": lambda d: _surgery(d, _empty_rdn),
    "an INTEGER with needless leading octets (not minimal DER)": lambda d: _surgery(d, _long_serial),
    "NULL parameters in an ECDSA or DSA algorithm identifier": lambda d: _surgery(
        d, _null_tbs, lambda a: a + b"\x05\x00"
    ),
}


@pytest.mark.parametrize("malformation", sorted(MALFORMED))
@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_what_openssl_reads_is_kept_with_a_note(tmp_path: Path, malformation: str, encoding: str) -> None:
    der = MALFORMED[malformation](_good())
    with pytest.raises(ValueError):  # cryptography refuses the body or its name
        cmmm.ingest.x509.certificate_row(x509.load_der_x509_certificate(der), der)
    data = (
        der
        if encoding == "der"
        else b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
    )
    _, batch = read_file(write(tmp_path / f"odd.{encoding}", data), CTX)
    assert not batch.rejected, batch.rejected
    [row] = batch.certificates
    assert row["common_name"] == "odd.example.test" and row["sans"] == "odd.example.test"
    assert row["serial"] == "1234" and row["key_algorithm"] == "EC"
    assert row["cert_id"] == "sha256:" + hashlib.sha256(der).hexdigest()  # the identity of the bytes on disk
    assert not batch.bodies  # its signature covers bytes cryptography cannot read
    [note] = [n for n in batch.notes if "openssl" in n]
    assert malformation in note


def test_repair_leaves_good_certificates_alone() -> None:
    der = _good()
    assert repair(der) == (der, [])
    assert repair(b"\x30\x80garbage") == (b"\x30\x80garbage", [])


def test_a_duplicated_san_extension_keeps_every_name(tmp_path: Path) -> None:
    der = _surgery(_good(), _dup_san)
    _, batch = read_file(write(tmp_path / "dup.der", der), CTX)
    [row] = batch.certificates
    assert row["sans"] == "odd.example.test;second.example.test"
    assert row["is_ca"] is False
    assert any("duplicated extension(s) subjectAltName" in n for n in batch.notes)
    assert row["cert_id"] in batch.bodies  # cryptography reads the body: its signature can be checked


def test_unreadable_der_says_what_failed(tmp_path: Path) -> None:
    der = _good()
    broken = der[:40] + b"\xff" + der[41:]
    _, batch = read_file(write(tmp_path / "broken.der", broken), CTX)
    assert "(as a certificate:" in batch.rejected[0].reason


# ------------------------------------------------------------------------------- root programs
def test_a_mozilla_root_is_public(tmp_path: Path) -> None:
    bundle = Path(certifi.where()).read_bytes()
    first = bundle[bundle.index(b"-----BEGIN CERTIFICATE-----") :]
    first = first[: first.index(b"-----END CERTIFICATE-----") + 25]
    inv = cmmm.load([write(tmp_path / "root.pem", first)], now=NOW, workers=1)
    assert list(inv.certificates["trust"]) == ["public"]


def test_chains_to_a_store_root_are_public_and_a_forged_name_is_not(
    tmp_path: Path, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = chain.root.cert
    store = (
        frozenset({hashlib.sha256(chain.root.der).hexdigest()}),
        {root.subject.rfc4514_string(): (root,)},
    )
    monkeypatch.setattr(_roots, "root_store", lambda: store)
    # a private CA calling itself by the root's name, with a key of its own
    forged_root = issue(
        cn="Test Root CA", org="Test Org", not_before=NOW - timedelta(days=9), days=3650, ca=True
    )
    forged_inter = issue(
        cn="Forged CA", not_before=NOW - timedelta(days=9), days=900, ca=True, issuer=forged_root
    )
    forged_leaf = issue(
        cn="forged.example.test", not_before=NOW - timedelta(days=9), days=90, issuer=forged_inter
    )
    # the intermediate and leaves of the store's root, without the root itself
    write(tmp_path / "chain.pem", chain.inter.pem + chain.leaves[0].pem)
    write(tmp_path / "forged.pem", forged_inter.pem + forged_leaf.pem)
    certs = cmmm.load([tmp_path], now=NOW, workers=1).certificates.set_index("cert_id")
    assert certs.at[chain.inter.cert_id, "trust"] == "public"  # its signature verifies under the root
    assert certs.at[chain.leaves[0].cert_id, "trust"] == "public"  # down the issuer link
    assert certs.at[forged_inter.cert_id, "trust"] == "private"
    assert certs.at[forged_leaf.cert_id, "trust"] == "private"


def test_root_store_reads_certifi() -> None:
    fingerprints, by_subject = _roots.root_store()
    assert len(fingerprints) >= 100 and by_subject


# ------------------------------------------------------------------------------------------ YAML
def test_kubernetes_yaml_uses_libyaml_and_keeps_the_alias_limit() -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    plain = "apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n  metadata: {name: a}\n"
    assert _yaml._loader(plain) is yaml.CSafeLoader
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\n" + "".join(f"c{i}: *b\n" for i in range(80))
    assert _yaml._loader(bomb) is _yaml._CountingLoader
    with pytest.raises(_yaml.YamlError, match="aliases"):
        _yaml.load_all(bomb)


def _dsa_inherited() -> bytes:
    """A DSA certificate whose key names no parameters (RFC 3279 §2.3.2: its issuer's are inherited)."""
    key = dsa.generate_private_key(1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dsa.example.test")])
    der = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(5)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=30))
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )

    def strip(p: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
        (_, alg), (_, bits) = _split(p[6][1])
        p[6] = (0x30, _tlv(0x30, _tlv(0x06, _split(alg)[0][1])) + _tlv(0x03, bits))
        return p

    return _surgery(der, strip)


def test_dsa_with_inherited_parameters(tmp_path: Path) -> None:
    der = _dsa_inherited()
    with pytest.raises(ValueError):
        x509.load_der_x509_certificate(der)
    _, batch = read_file(write(tmp_path / "dsa.der", der), CTX)
    [row] = batch.certificates
    assert (row["common_name"], row["key_algorithm"], row["key_size"], row["key_id"]) == (
        "dsa.example.test",
        "DSA",
        None,
        None,
    )
    assert any("DSA key without parameters" in n for n in batch.notes)


def test_pkcs12_that_opens_but_holds_an_unreadable_certificate_is_not_a_wrong_password(
    tmp_path: Path,
) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    pem = write(
        tmp_path / "dsa.pem",
        b"-----BEGIN CERTIFICATE-----\n"
        + base64.encodebytes(_dsa_inherited())
        + b"-----END CERTIFICATE-----\n",
    )
    p12 = tmp_path / "store" / "dsa.p12"
    p12.parent.mkdir()
    subprocess.run(
        [
            openssl,
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            str(pem),
            "-passout",
            "pass:s3cret",
            "-out",
            str(p12),
        ],
        check=True,
        capture_output=True,
    )
    _, batch = read_file(p12, ReadContext(now=NOW, passwords=("s3cret",)))
    assert batch.rejected[0].reason.startswith("PKCS#12 opened, but its contents cannot be read")
    _, batch = read_file(p12, CTX)  # without the password it is what it was
    assert "wrong password" in batch.rejected[0].reason
