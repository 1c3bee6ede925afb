"""Bad and hostile files: each case is rejected with file, locator and reason and the valid records around it
are kept; mutated certificates become rows or rejections, never a crash."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

import cmmm
from cmmm.cli import app
from cmmm.lab.pki import issue
from tests.conftest import NOW, Chain, write
from tests.ingest.test_der_walk import _build, _der

CASES = {
    "truncated.pem": (lambda c: c.leaves[1].pem[:300], "CERTIFICATE block has no END line"),
    "junk.bin": (lambda c: bytes(range(256)) * 40, "unrecognized content"),
    "empty.csv": (lambda c: b"", "empty file"),
    "unknown-columns.csv": (lambda c: b"foo,bar,baz\n1,2,3\n", "no header row with recognizable columns"),
    "one-long-line.pem": (lambda c: b"A" * 10_000_000, "unrecognized content"),
    "store.pfx": (
        lambda c: pkcs12.serialize_key_and_certificates(
            b"x", c.leaves[2].key, c.leaves[2].cert, None, serialization.BestAvailableEncryption(b"right")
        ),
        "PKCS#12 could not be opened: wrong password",
    ),
    "broken.json": (lambda c: b'{"certificates": [ {"cn": "x", ', "invalid JSON"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_file_is_rejected_and_the_rest_kept(valid: Path, chain: Chain, name: str) -> None:
    make, reason = CASES[name]
    write(valid / name, make(chain))
    inv = cmmm.load([valid], now=NOW)
    assert {"ok.example", "svc0.example.test"} <= set(inv.certificates["common_name"])
    bad = [r for r in inv.rejected if r.source.endswith(name)]
    assert len(bad) == 1, inv.rejected
    assert bad[0].reason.startswith(reason), bad[0].reason
    assert bad[0].locator


def test_invalid_dates_are_rejected_per_row(valid: Path) -> None:
    """A bad not_after rejects its row; a bad (optional) not_before is ignored with a note."""
    write(
        valid / "dates.csv",
        "cn,not_after,not_before\na.example,2027-13-45,\nb.example,2027-01-01,yesterday-ish\n",
    )
    inv = cmmm.load([valid], now=NOW)
    got = sorted((r.locator, r.reason.split(":")[0]) for r in inv.rejected)
    assert got == [("line 2", "not_after is not a date")]
    assert "b.example" in set(inv.certificates["common_name"])
    assert any(
        n.endswith("line 3: not_before is not a date: 'yesterday-ish' (cell ignored)") for n in inv.notes
    )


def test_oversized_cell_is_rejected(valid: Path) -> None:
    write(valid / "big.csv", "cn,not_after\n" + "x" * 70_000 + ",2027-01-01\nfine.example,2027-01-01\n")
    inv = cmmm.load([valid], now=NOW)
    assert "fine.example" in set(inv.certificates["common_name"])
    assert [r.reason for r in inv.rejected if r.source.endswith("big.csv")] == [
        "a cell exceeds 65536 characters"
    ]


def test_cli_exit_codes_on_bad_input(valid: Path, chain: Chain) -> None:
    write(valid / "truncated.pem", chain.leaves[1].pem[:300])
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(valid)])
    assert res.exit_code == 0
    assert "truncated.pem" in res.output and "no END line" in res.output
    res = runner.invoke(app, ["ingest", str(valid), "--strict"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["ingest", str(valid / "missing")])
    assert res.exit_code == 2 and "no such file or directory" in res.output
    assert "Traceback" not in res.output


def test_impossible_yaml_date_is_a_rejection_and_the_rest_is_kept(tmp_path: Path) -> None:
    write(tmp_path / "inv.yaml", "certificates:\n- common_name: a.example\n  not_after: 2026-02-30\n")
    write(tmp_path / "ok.csv", "cn,not_after\nok.example,2027-01-01\n")
    inv = cmmm.load([tmp_path], now=NOW)
    assert list(inv.certificates["common_name"]) == ["ok.example"]
    assert [r.reason for r in inv.rejected] == ["invalid value in YAML: day is out of range for month"]


def test_mutated_certificates_are_rows_or_rejections_never_crashes(tmp_path: Path) -> None:
    # Seeded byte flips in real certificates (an SCT-bearing leaf and an RSA root), written as PEM and
    # DER files: each file ingests to certificates or rejections; nothing raises, nothing leaks a warning.
    import random

    root = issue(cn="Fuzz Root", org="Fuzz", not_before=NOW, days=3650, ca=True, key_kind="RSA-2048")
    leaf = issue(
        cn="fuzz.example",
        not_before=NOW,
        days=90,
        issuer=root,
        sans=("fuzz.example", "10.0.0.1"),
        scts=(NOW - timedelta(minutes=1),),
    )
    seeds = [_der(root.cert), _der(leaf.cert)]
    rng = random.Random(7)
    parsed = 0
    for i in range(400):
        der = bytearray(seeds[i % 2])
        for _ in range(rng.randint(1, 4)):
            der[rng.randrange(len(der))] = rng.randrange(256)
        try:
            x509.load_der_x509_certificate(bytes(der))
            parsed += 1
        except (ValueError, x509.InvalidVersion):
            pass
        if i % 2:
            (tmp_path / f"m{i}.der").write_bytes(bytes(der))
        else:
            body = base64.encodebytes(bytes(der)).decode()
            (tmp_path / f"m{i}.pem").write_text(
                f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n"
            )
    assert parsed > 100  # enough of them get past the parser to reach the row extraction
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    assert len(inv.sources) == 400
    assert all(s.records + s.rejected >= 1 for s in inv.sources), [
        s.path for s in inv.sources if not s.records + s.rejected
    ]


def test_a_name_attribute_as_bit_string_is_a_rejection(tmp_path: Path) -> None:
    # cryptography raises TypeError (not ValueError) for a CN encoded as a BIT STRING: still a rejection
    cert = _build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leafx")]), [])
    der = bytearray(_der(cert))
    at = der.find(b"\x0c\x05leafx")
    der[at], der[at + 2] = 0x03, 0  # BIT STRING, no unused bits
    (tmp_path / "odd.der").write_bytes(bytes(der))
    (tmp_path / "fine.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    assert list(inv.certificates["common_name"]) == ["leafx"]
    assert [r.source.endswith("odd.der") for r in inv.rejected] == [True]
    assert "unreadable certificate" in inv.rejected[0].reason


def test_an_object_where_a_date_goes_is_no_date() -> None:
    import pandas as pd

    from cmmm.ingest._dates import parse_dates

    parsed, _ = parse_dates(pd.Series([{"a": 1}, ["2026-01-01"], "2026-12-31T00:00:00Z"], dtype=object))
    assert parsed.isna().tolist() == [True, True, False]
