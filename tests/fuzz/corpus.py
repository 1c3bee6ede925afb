"""Seed files for the fuzz suite: one or more valid files of every format, generated with cryptography at
test time, plus the reference samples of ../shared/formats when that folder is present."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

import cmmm
from cmmm.export import write_inventory
from cmmm.lab.pki import issue
from cmmm.scan import Endpoint, EndpointResult, ScanResult, Status
from tests.conftest import NOW

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "formats"


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
