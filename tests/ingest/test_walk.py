"""Walking the inputs: every file is read once however it is named; unreadable files and symlink loops
become rejections."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import cmmm
from tests.conftest import NOW, write


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    f = write(tmp_path / "inv.csv", "cn,not_after\na.example,2027-01-01\n")
    inv = cmmm.load([f, f, tmp_path], now=NOW)
    assert len(inv.sources) == 1 and len(inv.observations) == 1


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
