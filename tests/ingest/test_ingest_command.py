"""`cmmm ingest`: summary, JSON keys, outputs by extension, and 1,000 files with corrupted ones among them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cmmm.cli import app
from cmmm.lab.pki import issue
from tests.conftest import NOW, Chain, write

runner = CliRunner()


def test_help_teaches() -> None:
    res = runner.invoke(app, ["ingest", "--help"])
    assert res.exit_code == 0
    for word in ("--output", "--format", "--strict", "--password-file", "PKCS#12"):
        assert word in res.output


def test_json_has_stable_keys(tmp_path: Path, chain: Chain) -> None:
    write(tmp_path / "c.pem", chain.leaves[0].pem)
    res = runner.invoke(app, ["ingest", str(tmp_path), "--format", "json", "--as-of", "2026-11-28"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert set(doc) >= {"certificates", "observations", "rejected", "sources"}
    assert doc["certificates"][0]["cert_id"] == chain.leaves[0].cert_id
    assert doc["certificates"][0]["not_after"].endswith("+00:00")


@pytest.mark.parametrize("ext", ["parquet", "csv", "json"])
def test_output_by_extension(tmp_path: Path, chain: Chain, ext: str) -> None:
    write(tmp_path / "in" / "c.pem", chain.leaves[0].pem + chain.inter.pem)
    out = tmp_path / f"inv.{ext}"
    res = runner.invoke(app, ["ingest", str(tmp_path / "in"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    # Parquet and CSV: one table, certificate rows first, then observation and service rows (docs/store.md)
    if ext == "parquet":
        assert (pd.read_parquet(out)["record"] == "certificate").sum() == 2
    elif ext == "csv":
        assert (pd.read_csv(out)["record"] == "certificate").sum() == 2
    else:
        assert len(json.loads(out.read_text())["certificates"]) == 2


def test_csv_output_neutralizes_formulas(tmp_path: Path) -> None:
    write(tmp_path / "in.csv", 'cn,not_after,owner\n=HYPERLINK("http://x"),2027-01-01,@evil\n')
    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["ingest", str(tmp_path / "in.csv"), "-o", str(out)]).exit_code == 0
    text = out.read_text()
    assert "'=HYPERLINK" in text and "'@evil" in text


def test_thousand_pem_files_with_corrupted_ones(tmp_path: Path, chain: Chain) -> None:
    d = tmp_path / "store"
    d.mkdir()
    t0 = NOW - timedelta(days=10)
    for i in range(1000):
        c = issue(cn=f"h{i}.example", not_before=t0, days=90, issuer=chain.inter)
        (d / f"{i:04d}.pem").write_bytes(c.pem)
    corrupted = {"0007.pem", "0500.pem", "0999.pem"}
    for name in corrupted:
        pem = (d / name).read_bytes()
        (d / name).write_bytes(pem[:200] + b"!!!" + pem[203:])
    (d / "zz-truncated.pem").write_bytes(chain.leaves[0].pem[:150])
    res = runner.invoke(app, ["ingest", str(d), "--format", "json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert len(doc["certificates"]) == 997
    assert {Path(r["source"]).name for r in doc["rejected"]} == corrupted | {"zz-truncated.pem"}
    assert all(r["locator"].startswith("line ") and r["reason"] for r in doc["rejected"])
    assert runner.invoke(app, ["ingest", str(d), "--strict"]).exit_code == 2
