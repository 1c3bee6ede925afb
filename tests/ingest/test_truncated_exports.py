"""Truncated or wrong-shaped files of each tool format are rejected with a reason, never a traceback."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

import cmmm
from cmmm.lab.pki import issue
from tests.conftest import NOW, write

ACM = {
    "Certificate": {
        "CertificateArn": "arn:aws:acm:eu-west-1:1:certificate/abc",
        "DomainName": "a.example.test",
        "NotAfter": 1800000000.0,
        "Issuer": "Amazon",
        "Serial": "0a:0b",
        "Type": "AMAZON_ISSUED",
    }
}
AZURE = [
    {
        "id": "https://kv.vault.azure.net/certificates/a",
        "x5t": "fLi3U52HunIVNXubkEnf8tP6Wbo",
        "attributes": {"enabled": True, "exp": 1800000000},
    }
]
LEAF = issue(cn="a.example.test", not_before=NOW - timedelta(days=1), days=30)
VAULT = {"data": {"certificate": LEAF.pem.decode(), "issuer_id": "x"}}
CRTSH = [
    {
        "issuer_ca_id": 1,
        "issuer_name": "CN=R11",
        "common_name": "a.example.test",
        "name_value": "a.example.test",
        "id": 1,
        "entry_timestamp": "2026-01-01T00:00:00",
        "not_before": "2026-01-01T00:00:00",
        "not_after": "2026-04-01T00:00:00",
        "serial_number": "0a",
    }
]
VENAFI = {
    "certificates": [{"subjectCN": ["a.example.test"], "validityEnd": "2027-01-01T00:00:00Z", "id": "1"}]
}
K8S = (
    "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: a\n  namespace: web\n"
    "spec:\n  secretName: a-tls\n  dnsNames: [a.example.test]\n  issuerRef: {name: x, kind: Issuer}\n"
    'status:\n  notAfter: "2027-01-01T00:00:00Z"\n'
)


def _half(text: str) -> str:
    return text[: len(text) * 2 // 3]


@pytest.mark.parametrize(
    ("name", "text", "cut_text", "reason"),
    [
        ("acm.json", json.dumps(ACM, indent=1), _half(json.dumps(ACM, indent=1)), "invalid JSON"),
        ("kv.json", json.dumps(AZURE, indent=1), _half(json.dumps(AZURE, indent=1)), "invalid JSON"),
        ("vault.json", json.dumps(VAULT, indent=1), _half(json.dumps(VAULT, indent=1)), "invalid JSON"),
        ("crtsh.json", json.dumps(CRTSH, indent=1), _half(json.dumps(CRTSH, indent=1)), "invalid JSON"),
        ("venafi.json", json.dumps(VENAFI, indent=1), _half(json.dumps(VENAFI, indent=1)), "invalid JSON"),
        ("k8s.yaml", K8S, K8S.replace("[a.example.test]", "[a.example.test"), "invalid YAML"),
    ],
)
def test_truncated_file_is_rejected(
    tmp_path: Path, now, name: str, text: str, cut_text: str, reason: str
) -> None:
    whole = cmmm.load([write(tmp_path / "whole" / name, text)], now=now)
    assert len(whole) == 1 and not whole.rejected
    cut = write(tmp_path / "cut" / name, cut_text)
    inv = cmmm.load([cut], now=now)
    assert len(inv) == 0
    assert [r.reason.split(":")[0] for r in inv.rejected] == [reason]


@pytest.mark.parametrize(
    ("name", "doc", "reason"),
    [
        (
            "acm.json",
            {"Certificate": {"CertificateArn": "arn:aws:acm:x", "DomainName": "a.test", "NotAfter": "soon"}},
            "not_after is not a date",
        ),
        ("vault.json", {"data": {"ca_chain": ["not a pem"], "issuer_id": "x"}}, "holds no PEM certificate"),
        (
            "venafi.json",
            {"certificates": [{"subjectCN": [], "validityEnd": "2027-01-01", "id": "1"}]},
            "no common_name",
        ),
        ("crtsh.json", [{**CRTSH[0], "not_after": ""}], "not_after is empty"),
        (
            "kv.json",
            [{"id": "https://kv.vault.azure.net/certificates/a", "x5t": "x", "attributes": {}}],
            "neither cer",
        ),
    ],
)
def test_wrong_shaped_record_is_rejected_with_reason(
    tmp_path: Path, now, name: str, doc: object, reason: str
) -> None:
    f = write(tmp_path / name, json.dumps(doc))
    inv = cmmm.load([f], now=now)
    assert len(inv) == 0
    assert len(inv.rejected) == 1 and reason in inv.rejected[0].reason, inv.rejected
