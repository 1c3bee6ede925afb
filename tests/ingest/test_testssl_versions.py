"""Issue 20: every testssl.sh in use — 3.0 (PFS_*, the `pfs` section), 3.2/3.3 (FS_*), group text as the
list it is, and 3.3's CSV with the PEM's newlines escaped."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cmmm.ingest import load
from cmmm.ingest.testssl import groups_of
from tests.conftest import NOW, Chain, write


def _f(fid: str, finding: str) -> dict[str, str]:
    return {"id": fid, "severity": "INFO", "finding": finding}


def _target(chain: Chain, fs: list[dict[str, str]]) -> list[dict[str, str]]:
    leaf = chain.leaves[1]
    return [
        _f("TLS1_2", "offered"),
        _f("TLS1_3", "offered with final"),
        *fs,
        _f("cert <hostCert#1>", leaf.pem.decode()),
        _f("intermediate_cert <#1> <hostCert#1>", chain.inter.pem.decode()),
    ]


def test_testssl_30_pretty_json_pfs_section(tmp_path: Path, chain: Chain) -> None:
    fs = [
        _f("PFS", "offered"),
        _f("PFS_ciphers", "ECDHE-RSA-AES256-GCM-SHA384 DHE-RSA-AES256-GCM-SHA384"),
        _f("PFS_ECDHE_curves", "prime256v1 secp384r1 X25519"),
        _f("DH_groups", "RFC3526/Oakley Group 14"),
    ]
    items = _target(chain, fs)
    doc = {
        "Invocation": "testssl.sh --jsonfile-pretty x svc1.example.test",
        "version": "3.0.8 ",
        "startTime": "1795000000",
        "scanResult": [
            {
                "targetHost": "svc1.example.test",
                "ip": "10.0.0.1",
                "port": "443",
                "protocols": [i for i in items if i["id"].startswith("TLS")],
                "pfs": [i for i in items if i["id"].startswith(("PFS", "DH_"))],
                "serverDefaults": [i for i in items if "cert" in i["id"]],
            }
        ],
    }
    inv = load([write(tmp_path / "pretty.json", json.dumps(doc))], now=NOW)
    assert not inv.rejected
    leaf = inv.observations[inv.observations["cert_id"] == chain.leaves[1].cert_id].iloc[0]
    assert leaf["kex_groups"].split(";") == ["secp256r1", "secp384r1", "x25519", "RFC3526/Oakley Group 14"]


@pytest.mark.parametrize(
    ("finding", "groups"),
    [
        ("No KEMs offered", []),
        ("--", []),
        ("none", []),
        ("X25519MLKEM768 SecP256r1MLKEM768", ["X25519MLKEM768", "SecP256r1MLKEM768"]),
        (
            "prime256v1 secp384r1 secp521r1 X25519 X448",
            ["prime256v1", "secp384r1", "secp521r1", "X25519", "X448"],
        ),
        ("ffdhe2048 ffdhe3072", ["ffdhe2048", "ffdhe3072"]),
        ("RFC3526/Oakley Group 14", ["RFC3526/Oakley Group 14"]),
        ("RFC7919/ffdhe2048", ["RFC7919/ffdhe2048"]),
    ],
)
def test_group_text_is_parsed_as_the_list_it_is(finding: str, groups: list[str]) -> None:
    assert groups_of(finding) == groups


def test_testssl_33_csv_with_escaped_pem(tmp_path: Path, chain: Chain) -> None:
    rows = _target(chain, [_f("FS_KEMs", "No KEMs offered"), _f("FS_ECDHE_curves", "X25519")])
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["id", "fqdn/ip", "port", "severity", "finding", "cve", "cwe"])
    for r in rows:
        # testssl.sh 3.3 writes the PEM on one CSV line, its newlines as the two characters \n
        w.writerow(
            [
                r["id"],
                "svc1.example.test/10.0.0.1",
                "443",
                r["severity"],
                r["finding"].replace("\n", "\\n"),
                "",
                "",
            ]
        )
    inv = load([write(tmp_path / "scan.csv", out.getvalue())], now=NOW)
    assert not inv.rejected
    assert set(inv.certificates["cert_id"]) == {chain.leaves[1].cert_id, chain.inter.cert_id}
    leaf = inv.observations[inv.observations["cert_id"] == chain.leaves[1].cert_id].iloc[0]
    assert leaf["kex_groups"] == "x25519"  # "No KEMs offered" is no group
