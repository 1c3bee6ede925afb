"""Every CSV cmmm writes is formula-proof: a formula after any line break inside a cell stays text, in
Python's csv module and in LibreOffice Calc's own CSV import (issue 19)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

import cmmm
from cmmm.drill.plan import plan_csv
from cmmm.export import write_inventory
from cmmm.lab.pki import issue
from cmmm.scan import Endpoint, EndpointResult, ScanResult, Status, write_scan
from tests.conftest import NOW
from tests.hostile.spreadsheet import LIBREOFFICE, hostile_values, live_formulas, unsafe_cells

needs_libreoffice = pytest.mark.skipif(
    LIBREOFFICE is None, reason="LibreOffice (libreoffice-calc) not installed"
)


def _records(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def hostile_inventory_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ingest -o inv.csv` of real certificates whose subject CN is hostile (what a scanned server can
    choose), the way they reach an inventory."""
    folder = tmp_path_factory.mktemp("hostile-inv")
    root = issue(cn="Root", not_before=NOW - timedelta(days=10), days=3650, ca=True)
    pem = b"".join(
        issue(cn=v, not_before=NOW - timedelta(days=1), days=90, issuer=root, sans=(f"h{i}.example",)).pem
        for i, v in enumerate(hostile_values())
    )
    (folder / "certs.pem").write_bytes(pem)
    out = folder / "inv.csv"
    write_inventory(cmmm.load([folder / "certs.pem"], now=NOW), out)
    return out


def test_inventory_csv_keeps_every_row_and_no_formula(hostile_inventory_csv: Path) -> None:
    rows = _records(hostile_inventory_csv)
    # cmmm's own record table: a header, then one certificate row per certificate (its observations after)
    certs = [r for r in rows[1:] if r[rows[0].index("record")] == "certificate"]
    assert len(certs) == len(hostile_values())  # no row split off
    assert all(len(r) == len(rows[0]) for r in rows)
    assert unsafe_cells(hostile_inventory_csv) == []
    names = {r[rows[0].index("common_name")] for r in certs}
    assert "'=41+1" in names
    assert "bob\r'=cmd|'/c calc'!A1" in names


def test_plan_and_scan_csv_neutralize_after_every_break(tmp_path: Path) -> None:
    values = hostile_values()
    plan = tmp_path / "plan.csv"
    plan.write_text(plan_csv(pd.DataFrame({"owner": values, "n": range(len(values))})), encoding="utf-8")
    scan_out = tmp_path / "scan.csv"
    results = tuple(
        EndpointResult(endpoint=Endpoint(host=v, port=443), status=Status.REFUSED, error=v) for v in values
    )
    write_scan(ScanResult(started_at=NOW, targets=(), ports=(443,), results=results), scan_out)
    for path in (plan, scan_out):
        assert len(_records(path)) == 1 + len(values), path
        assert unsafe_cells(path) == [], path


@needs_libreoffice
def test_libreoffice_finds_no_live_formula(hostile_inventory_csv: Path, tmp_path: Path) -> None:
    # The probe itself: the same cells written the naive way do reach LibreOffice as formulas.
    naive = tmp_path / "naive.csv"
    pd.DataFrame({"cn": ["bob\r=41+1"]}).to_csv(naive, index=False)
    assert live_formulas(naive, tmp_path) == ["of:=41+1"]
    values = hostile_values()
    scan_out = tmp_path / "scan.csv"
    results = tuple(
        EndpointResult(endpoint=Endpoint(host=v, port=443), status=Status.REFUSED, error=v) for v in values
    )
    write_scan(ScanResult(started_at=NOW, targets=(), ports=(443,), results=results), scan_out)
    plan = tmp_path / "plan.csv"
    plan.write_text(plan_csv(pd.DataFrame({"owner": values})), encoding="utf-8", newline="")
    for path in (hostile_inventory_csv, plan, scan_out):
        assert live_formulas(path, tmp_path) == [], path
