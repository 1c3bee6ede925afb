"""Columns a spreadsheet has and cmmm does not read are named in one note, with the closest canonical name."""

from __future__ import annotations

from pathlib import Path

import cmmm
from cmmm.ingest._columns import closest_columns
from tests.conftest import NOW


def test_unused_columns_are_noted_with_the_closest_canonical_name(tmp_path: Path) -> None:
    sheet = tmp_path / "certs.csv"
    sheet.write_text(
        "Name,Expiry,Key,Auto-renew,Owner,Colour\nwww.a.example,2027-01-01,RSA 2048,yes,alice,blue\n",
        encoding="utf-8",
    )
    inv = cmmm.load([sheet], now=NOW)
    assert len(inv) == 1
    notes = [n for n in inv.notes if "columns not used" in n]
    assert len(notes) == 1
    note = notes[0]
    assert "'Key' (closest: key_id, key_algorithm, key_size)" in note
    assert "Auto-renew" not in note  # read: a yes/no renewal column is the automation
    assert "'Colour'" in note and "'Colour' (closest" not in note
    assert "Owner" not in note and "Expiry" not in note  # the columns it reads are not listed


def test_a_sheet_that_uses_every_column_has_no_such_note(tmp_path: Path) -> None:
    sheet = tmp_path / "certs.csv"
    sheet.write_text("common_name,not_after,owner\nwww.a.example,2027-01-01,alice\n", encoding="utf-8")
    assert not [n for n in cmmm.load([sheet], now=NOW).notes if "columns not used" in n]


def test_closest_columns() -> None:
    assert closest_columns("Expiry Dat") == ["not_after"]
    assert closest_columns("zzz") == []
