"""The DER walk in cmmm.ingest.x509 gives exactly the row cryptography's objects give, and steps aside when
unsure."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

import cmmm
from cmmm.ingest import x509 as _x509
from cmmm.lab.pki import Issued, issue, make_key
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _both(cert: x509.Certificate) -> tuple[dict[str, object], dict[str, object]]:
    der = _der(cert)
    return _x509._fast_row(cert, der), _x509._slow_row(cert, der)


def _build(subject: x509.Name, extensions: list[tuple[x509.ExtensionType, bool]]) -> x509.Certificate:
    key = make_key("EC-256")
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Odd Issuer")]))
        .public_key(key.public_key())
        .serial_number(4242)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=30))
    )
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    return builder.sign(key, hashes.SHA256())


@pytest.fixture(scope="module")
def chain() -> tuple[Issued, Issued]:
    root = issue(cn="Fast Walk Root", org="Walk Org", not_before=NOW, days=3650, ca=True, key_kind="RSA-2048")
    inter = issue(
        cn="Fast Walk Issuing CA", org="Walk Org", not_before=NOW, days=1825, ca=True, path_len=0, issuer=root
    )
    return root, inter


@pytest.mark.parametrize(
    "kind", ["RSA-1024", "RSA-2048", "RSA-3072", "EC-256", "EC-384", "EC-521", "Ed25519", "ML-DSA-65"]
)
def test_every_key_kind_gives_the_same_row(kind: str, chain: tuple[Issued, Issued]) -> None:
    leaf = issue(
        cn=f"{kind.lower()}.walk.example",
        not_before=NOW,
        days=90,
        issuer=chain[1],
        key_kind=kind,
        sans=(f"{kind.lower()}.walk.example", "10.1.2.3", "2001:db8::7"),
    )
    fast, slow = _both(leaf.cert)
    assert fast == slow
    assert fast["key_algorithm"] and fast["key_id"]
    assert "10.1.2.3" in str(fast["sans"]) and "2001:db8::7" in str(fast["sans"])


def test_odd_rsa_sizes_come_from_the_modulus(chain: tuple[Issued, Issued]) -> None:
    # the key cache learns "RSA" once per AlgorithmIdentifier: each size must still come from its own key
    rows = []
    for bits in (2048, 2056, 3072):
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        leaf = issue(cn=f"rsa{bits}.walk.example", not_before=NOW, days=30, issuer=chain[1], key=key)
        fast, slow = _both(leaf.cert)
        assert fast == slow
        rows.append(fast["key_size"])
    assert rows == [2048, 2056, 3072]


def test_cas_roots_scts_and_sha1_give_the_same_row(chain: tuple[Issued, Issued]) -> None:
    root, inter = chain
    sct = issue(
        cn="ct.walk.example",
        not_before=NOW,
        days=90,
        issuer=inter,
        scts=(NOW - timedelta(minutes=3), NOW - timedelta(seconds=1, milliseconds=250)),
    )
    legacy = issue(
        cn="old.walk.example", not_before=NOW, days=365, issuer=root, key_kind="RSA-1024", digest="sha1"
    )
    for cert in (root.cert, inter.cert, sct.cert, legacy.cert):
        fast, slow = _both(cert)
        assert fast == slow
    assert _both(root.cert)[0]["is_self_signed"] is True
    assert _both(inter.cert)[0]["path_len"] == 0 and _both(inter.cert)[0]["is_ca"] is True
    assert _both(sct.cert)[0]["sct_count"] == 2


@pytest.mark.parametrize(
    "subject",
    [
        [x509.NameAttribute(NameOID.COMMON_NAME, "comma, inside")],
        [x509.NameAttribute(NameOID.COMMON_NAME, "#hash first")],
        [x509.NameAttribute(NameOID.COMMON_NAME, "trailing ")],
        [x509.NameAttribute(NameOID.COMMON_NAME, 'quote " and <angle>')],
        [x509.NameAttribute(NameOID.EMAIL_ADDRESS, "pki@walk.example")],
        [x509.NameAttribute(NameOID.COMMON_NAME, "ünïcödé.example")],
        [x509.NameAttribute(NameOID.COMMON_NAME, "bmp.example", _type=x509.name._ASN1Type.BMPString)],
    ],
)
def test_names_needing_escapes_or_other_types_match_cryptography(subject: list[x509.NameAttribute]) -> None:
    cert = _build(x509.Name(subject), [])
    fast, slow = _both(cert)
    assert fast == slow
    assert _x509.certificate_row(cert) == slow


def test_a_multi_valued_rdn_is_left_to_cryptography() -> None:
    rdn = x509.RelativeDistinguishedName(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "multi.walk.example"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Ops"),
        ]
    )
    cert = _build(x509.Name([rdn]), [])
    with pytest.raises(_x509._Unusual):
        _x509._fast_name(cert.subject.public_bytes())
    row = _x509.certificate_row(cert)
    assert row["common_name"] == "multi.walk.example" and "+" in row["subject_dn"]


def test_other_general_names_and_empty_extensions_match() -> None:
    sans = x509.SubjectAlternativeName(
        [
            x509.DNSName("a.walk.example"),
            x509.RFC822Name("ops@walk.example"),
            x509.UniformResourceIdentifier("https://walk.example/x"),
            x509.DirectoryName(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dir")])),
            x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4")),
        ]
    )
    aki_without_key_id = x509.AuthorityKeyIdentifier(
        key_identifier=None,
        authority_cert_issuer=[x509.DNSName("issuer.walk.example")],
        authority_cert_serial_number=7,
    )
    eku = x509.ExtendedKeyUsage(
        [x509.ObjectIdentifier("1.3.6.1.5.5.7.3.1"), x509.ObjectIdentifier("1.2.3.99999")]
    )
    cert = _build(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "odd.walk.example")]),
        [(sans, False), (aki_without_key_id, False), (eku, True), (x509.BasicConstraints(False, None), True)],
    )
    fast, slow = _both(cert)
    assert fast == slow
    assert fast["sans"] == "a.walk.example;ops@walk.example;https://walk.example/x"
    assert fast["ext_key_usage"] == "serverAuth;1.2.3.99999"
    assert "authority_key_id" not in fast


def _with_duplicate_extension(cn: str) -> bytes:
    """DER of a certificate naming subjectKeyIdentifier twice (cryptography's builder refuses to)."""
    value = x509.SubjectKeyIdentifier(b"\x01" * 20)
    twin = x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.99"), value.public_bytes())
    cert = _build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]), [(value, False), (twin, False)])
    # 2.5.29.99 → 2.5.29.14 in place: the TBS now names one extension twice
    return _der(cert).replace(bytes.fromhex("0603551d63"), bytes.fromhex("0603551d0e"))


def test_a_duplicate_extension_is_read_by_the_walk_with_a_note() -> None:
    der = _with_duplicate_extension("dup.walk.example")
    patched = x509.load_der_x509_certificate(der)
    with pytest.raises(_x509._Unusual):
        _x509._fast_row(patched, der)
    row = _x509.certificate_row(patched, der)
    # issue 20: no longer every extension lost (is_ca and SCTs unknown) — the first copy counts, and a note says so
    assert row["is_ca"] is False and row["sct_count"] == 0
    assert row["subject_key_id"] == "01" * 20
    assert row["notes"] == [
        "duplicated extension(s) 2.5.29.14 (RFC 5280 §4.2 allows one of each): the names of every "
        "subjectAltName copy kept, the first copy of any other"
    ]
    assert row["common_name"] == "dup.walk.example" and row["key_id"]


def test_every_sample_certificate_gives_the_same_row() -> None:
    certs = []
    for path in sorted((ROOT / "sample_inventories").rglob("*.pem")):
        try:
            certs.extend(x509.load_pem_x509_certificates(path.read_bytes()))
        except ValueError:
            continue  # the chaos organization keeps a deliberately broken file
    assert len(certs) > 100
    walked = 0
    for cert in certs:
        der = _der(cert)
        slow = _x509._slow_row(cert, der)
        try:
            fast = _x509._fast_row(cert, der)
        except _x509._Unusual:
            continue
        walked += 1
        assert fast == slow, cert.subject.rfc4514_string()
    assert walked == len(certs)  # the samples are ordinary certificates: none needs the slow path


def test_a_certificate_with_a_duplicate_extension_is_ingested(tmp_path: Path) -> None:
    der = _with_duplicate_extension("dup2.walk.example")
    pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
    (tmp_path / "dup.pem").write_bytes(pem)
    inv = cmmm.load([tmp_path], now=NOW)
    assert list(inv.certificates["common_name"]) == ["dup2.walk.example"]
    assert not inv.rejected


def test_a_negative_serial_is_kept_quietly(tmp_path: Path) -> None:
    key = make_key("EC-256")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "appliance.walk.example")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    der = _der(cert).replace(bytes.fromhex("02021234"), bytes.fromhex("02029234"), 1)  # sign bit set
    (tmp_path / "appliance.der").write_bytes(der)
    inv = cmmm.load([tmp_path], now=NOW)
    assert list(inv.certificates["serial"]) == [format(-0x6DCC, "x")]
    # pytest records warnings its own way: ask a real process whether anything reaches the terminal
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "cmmm", "ingest", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0 and run.stdout.startswith("1 certificate, 1 observation from 1 file")
    assert "Warning" not in run.stderr, run.stderr
