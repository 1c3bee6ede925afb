"""Seed files for the fuzz suite: one or more valid files of every format, generated with cryptography at
test time, plus the reference samples of ../shared/formats when that folder is present."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import jks
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from openpyxl import Workbook

import cmmm
from cmmm.export import write_inventory
from cmmm.lab.pki import Issued, issue
from cmmm.scan import Endpoint, EndpointResult, ScanResult, Status
from tests.conftest import NOW

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "formats"


def _newer_formats(root: Issued, leaves: list[Issued]) -> dict[str, bytes | str]:
    """Seeds of the readers added for real exports: a workbook, Windows exports, a Java keystore, CRLs and
    an S/MIME message."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Certificate inventory, exported 2026-11-30"])
    sheet.append([])
    sheet.append(["Allgemeiner Name", "Gültig bis", "Schlüssellänge", "Auto-Renew", "Owner"])
    sheet.append(["a.example", 46387, "2.048", "yes", "o"])
    sheet.append(["b.example", "31.12.2026", "4096", "no", None])
    buffer = io.BytesIO()
    book.save(buffer)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.cert.subject)
        .last_update(NOW - timedelta(days=1))
        .next_update(NOW + timedelta(days=6))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(leaves[0].cert.serial_number)
            .revocation_date(NOW - timedelta(days=2))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        .sign(root.key, hashes.SHA256())
    )
    thumb = leaves[0].cert.fingerprint(hashes.SHA1()).hex().upper()
    powershell = (
        "#TYPE System.Security.Cryptography.X509Certificates.X509Certificate2\r\n"
        '"Subject","Issuer","NotAfter","NotBefore","Thumbprint","SerialNumber","FriendlyName"\r\n'
        f'"CN=f0.example, O=Fuzz","CN=Fuzz Root","12/31/2026 11:59:59 PM","11/1/2026 12:00:00 AM","{thumb}",'
        '"0A1B","web"\r\n'
    )
    smime = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(b"Content-Type: text/plain\r\n\r\nsigned\r\n")
        .add_signer(leaves[1].cert, leaves[1].key, hashes.SHA256())
        .sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
    )
    return {
        "inventory.xlsx": buffer.getvalue(),
        "certs-utf16.csv": "common_name;not_after;key_size\r\na.example;31.12.2026;2.048\r\n".encode(
            "utf-16"
        ),
        "powershell.csv": powershell,
        "keystore.jks": jks.KeyStore.new("jks", [jks.TrustedCertEntry.new("root", root.der)]).saves(
            "changeit"
        ),
        "root.crl": crl.public_bytes(serialization.Encoding.DER),
        "root.crl.pem": crl.public_bytes(serialization.Encoding.PEM),
        "signed.eml": smime,
    }


def seeds(folder: Path) -> list[Path]:
    """Write the generated seeds into `folder`; return them with the shared samples (when present)."""
    folder.mkdir(parents=True, exist_ok=True)
    root = issue(cn="Fuzz Root", not_before=NOW - timedelta(days=100), days=3650, ca=True)
    leaves = [
        issue(
            cn=f"f{i}.example",
            not_before=NOW - timedelta(days=5),
            days=90,
            issuer=root,
            sans=(f"f{i}.example",),
        )
        for i in range(3)
    ]
    pem = b"".join(leaf.pem for leaf in leaves) + root.pem
    rows = [
        {
            "common_name": "a.example",
            "not_after": "2027-01-01",
            "owner": "o",
            "sans": "a.example;b.example",
            "key_algorithm": "RSA",
            "key_size": 2048,
            "serial": "0a1b",
            "endpoints": "a.example:443",
        },
        {
            "common_name": "c.example",
            "not_after": "2026-12-01",
            "issuer": "CN=Some CA, O=Org",
            "tags": ["x", "y"],
        },
    ]
    files = {
        "inv.csv": "common_name,not_after,owner,issuer,serial,endpoints\n"
        'a.example,2027-01-01,o,"CN=CA, O=Org",0a,a.example:443\nb.example,2026-12-31,p,CA,0b,b.example\n',
        "inv.json": json.dumps({"certificates": rows}),
        "inv.yaml": yaml.safe_dump({"certificates": rows}),
        "bundle.pem": pem,
        "leaf.der": leaves[0].cert.public_bytes(serialization.Encoding.DER),
        "chain.p7b": pkcs7.serialize_certificates([leaf.cert for leaf in leaves], serialization.Encoding.DER),
        "store.p12": pkcs12.serialize_key_and_certificates(
            b"x", leaves[0].key, leaves[0].cert, [root.cert], serialization.NoEncryption()
        ),
        "scan.json": json.dumps(
            ScanResult(
                started_at=NOW,
                targets=("a.example",),
                ports=(443,),
                results=(
                    EndpointResult(
                        endpoint=Endpoint(host="a.example", port=443),
                        status=Status.OK,
                        chain=(leaves[0].cert, root.cert),
                        tls_versions=("TLSv1.3",),
                    ),
                ),
            ).to_document()
        ),
        "k8s.yaml": yaml.safe_dump_all(
            [
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "type": "kubernetes.io/tls",
                    "metadata": {"name": "s", "namespace": "n"},
                    "data": {"tls.crt": __import__("base64").b64encode(leaves[1].pem).decode()},
                },
                {
                    "apiVersion": "cert-manager.io/v1",
                    "kind": "Certificate",
                    "metadata": {"name": "c"},
                    "spec": {"dnsNames": ["c.example"], "issuerRef": {"name": "le"}},
                    "status": {"notAfter": "2027-01-01T00:00:00Z"},
                },
            ]
        ),
        "vault.json": json.dumps({"data": {"certificate": leaves[2].pem.decode(), "serial_number": "aa:bb"}}),
        **_newer_formats(root, leaves),
    }
    out = []
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        out.append(path)
    inv = cmmm.load([folder / "bundle.pem", folder / "inv.csv"], now=NOW)
    for name in ("cbom.cdx.json",):
        write_inventory(inv, folder / name)
        out.append(folder / name)
    if SHARED.is_dir():
        out += sorted(
            p
            for p in SHARED.rglob("*")
            if p.is_file() and p.name not in ("SOURCE.txt", "README.md") and p.stat().st_size < 400_000
        )
    return out
