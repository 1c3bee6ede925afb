"""Bad input: each case is rejected with file, locator and reason; the valid records around it are kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from typer.testing import CliRunner

import cmmm
from cmmm.cli import app
from tests.conftest import NOW, Chain, write


@pytest.fixture
def valid(tmp_path: Path, chain: Chain) -> Path:
    write(tmp_path / "good.pem", chain.leaves[0].pem)
    write(tmp_path / "good.csv", "cn,not_after\nok.example,2027-01-01\n")
    return tmp_path


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


def test_unreadable_file_and_symlink_loop(valid: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = write(valid / "sub" / "secret.pem", b"-----BEGIN CERTIFICATE-----\n")
    os.symlink(valid, valid / "sub" / "loop")
    os.symlink(valid / "sub" / "self", valid / "sub" / "self")
    real_open = Path.open

    def deny(self: Path, *args, **kwargs):  # root can read anything: simulate EACCES
        if self == secret:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    inv = cmmm.load([valid], now=NOW)
    reasons = {Path(r.source).name: r.reason for r in inv.rejected}
    assert reasons["secret.pem"] == "cannot read: Permission denied"
    assert reasons["loop"] == "directory symlink loop; visited once"
    assert reasons["self"].startswith("cannot read")
    assert {"ok.example", "svc0.example.test"} <= set(inv.certificates["common_name"])


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
