"""The inventory written back out (cmmm.export): CSV that reads back as the same certificates, notes carried
into the JSON document."""

from __future__ import annotations

from pathlib import Path

import cmmm
from tests.conftest import NOW, write


def test_exported_csv_reads_back(tmp_path: Path, chain) -> None:
    src = tmp_path / "src"
    write(src / "c.pem", chain.leaves[0].pem + chain.inter.pem)
    inv = cmmm.load([src], now=NOW)
    from cmmm.export import write_inventory

    out = tmp_path / "out.csv"
    write_inventory(inv, out)
    again = cmmm.load([out], now=NOW)
    assert set(again.certificates["cert_id"]) == set(inv.certificates["cert_id"])
    assert set(again.certificates["key_algorithm"]) == {"EC"}


def test_notes_reach_the_json_document(tmp_path: Path) -> None:
    from cmmm.export import inventory_document

    (tmp_path / "inv.csv").write_text(
        "common_name,not_after,not_before,criticality\na.example,2027-01-01,garbage,ultra\n", encoding="utf-8"
    )
    doc = inventory_document(cmmm.load([tmp_path], now=NOW))
    assert len(doc["certificates"]) == 1
    assert any("not_before is not a date" in n for n in doc["notes"])
    assert any("not in the vocabulary" in n for n in doc["notes"])
