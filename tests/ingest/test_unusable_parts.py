"""Parts of a record that cannot be used are rejected or noted, and the rest of the file still counts."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd

import cmmm
from tests.conftest import NOW, Chain, write


def _tls_secret(name: str, crt: str, key: str = "") -> str:
    return f"""apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: {name}
  namespace: shop
data:
  tls.crt: '{crt}'
  tls.key: '{key}'
"""


def test_kubernetes_secrets_with_unusable_tls_crt(tmp_path: Path, chain: Chain) -> None:
    good = base64.b64encode(chain.leaves[0].pem).decode()
    key = base64.b64encode(b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n").decode()
    docs = [
        _tls_secret("good", good, key),
        _tls_secret("empty", ""),
        _tls_secret("garbled", "not base64 at all!"),
        _tls_secret("text", base64.b64encode(b"hello, no certificate here").decode()),
    ]
    path = write(tmp_path / "secrets.yaml", "---\n".join(docs))
    inv = cmmm.load([path], now=NOW)
    assert list(inv.certificates["common_name"]) == ["svc0.example.test"]
    reasons = {r.locator: r.reason for r in inv.rejected}
    assert reasons == {
        "document 2 Secret shop/garbled": "tls.crt is not valid base64 (truncated or redacted?)",
        "document 3 Secret shop/text": "tls.crt holds no PEM certificate",
    }
    assert any("Secret shop/empty has an empty tls.crt" in n for n in inv.notes)
    (finding,) = inv.private_keys
    assert finding.locator == "document 0 Secret shop/good tls.key"
    assert (finding.key_type, finding.encrypted) == ("EC", False)


def test_sslyze_servers_that_were_not_scanned(tmp_path: Path) -> None:
    doc = {
        "invalid_server_strings": ["bad host:99999"],
        "server_scan_results": [
            "not an object",
            {
                "server_location": {"hostname": "down.example", "port": 443},
                "scan_status": "ERROR_NO_CONNECTIVITY",
                "connectivity_error_trace": "Traceback ...\nConnectionRefusedError: refused\n",
                "scan_result": None,
            },
            {
                "server_location": {"hostname": "nocert.example", "port": 443},
                "scan_status": "COMPLETED",
                "scan_result": {"tls_1_3_cipher_suites": {"status": "COMPLETED", "result": {}}},
            },
        ],
    }
    path = write(tmp_path / "sslyze.json", json.dumps(doc))
    inv = cmmm.load([path], now=NOW)
    assert inv.certificates.empty
    reasons = {r.locator: r.reason for r in inv.rejected}
    assert reasons == {
        "invalid_server_strings": "sslyze could not use 'bad host:99999'",
        "server 0": "not an object",
        "server 1 (down.example:443)": (
            "sslyze did not scan this server (ERROR_NO_CONNECTIVITY): ConnectionRefusedError: refused"
        ),
    }
    assert any(
        "server 2 (nocert.example:443): no certificate_info result (COMPLETED)" in n for n in inv.notes
    )


def test_implausible_key_sizes_are_ignored_with_a_note(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sheet.csv",
        "common_name,not_after,key_algorithm,key_size\n"
        "a.example,2027-01-01,RSA,99999999999999999999\n"
        "b.example,2027-01-01,RSA,-2048\n"
        "c.example,2027-01-01,EC,384\n"
        "d.example,2027-01-01,RSA 4096,\n",
    )
    inv = cmmm.load([path], now=NOW)
    sizes = dict(zip(inv.certificates["common_name"], inv.certificates["key_size"], strict=True))
    assert sizes["c.example"] == 384 and sizes["d.example"] == 4096
    assert pd.isna(sizes["a.example"]) and pd.isna(sizes["b.example"])
    assert any("key_size: 2 value(s) outside 1–65536 ignored" in n for n in inv.notes)
    curves = dict(zip(inv.certificates["common_name"], inv.certificates["key_curve"], strict=True))
    assert curves["c.example"] == "secp384r1"  # an EC key without a curve gets the curve of its size
