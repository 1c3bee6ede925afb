"""`cmmm ingest -o` writes JSON, Parquet and CSV that cmmm reads back, by content, into the same
certificates, observations and services; a write that fails leaves the previous file whole."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import cmmm
from cmmm.cli import app
from cmmm.export import write_inventory
from cmmm.model import Inventory
from tests.conftest import NOW, SAMPLE_ORGS, sample

FORMATS = ("json", "parquet", "csv")
ROOT = Path(__file__).resolve().parents[2]


def reread(inv: Inventory, path: Path) -> Inventory:
    assert write_inventory(inv, path) == path.suffix[1:]
    back = cmmm.load([path], now=NOW, workers=1)
    assert [s.ingester for s in back.sources] == ["cmmm-inventory"]
    return back


def assert_same_frames(a: Inventory, b: Inventory) -> None:
    for name in ("certificates", "observations", "services"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_every_sample_organization_reads_back_the_same(tmp_path: Path, org: str, fmt: str) -> None:
    inv = sample(org)
    back = reread(inv, tmp_path / f"inv.{fmt}")
    assert not back.rejected or fmt == "json"  # JSON carries the original rejections with it
    assert_same_frames(inv, back)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_common_name_formulas_and_empty_text_survive(
    tmp_path: Path, inventory: Inventory, fmt: str
) -> None:
    certs = inventory.certificates.copy()
    assert certs["common_name"].isna().any()  # the root without a common name is kept, not rejected
    certs.loc[0, "sans"] = ""  # the empty text is not a missing value
    certs.loc[1, "issuer_org"] = "'quoted"
    inv = Inventory(certificates=certs, observations=inventory.observations, services=inventory.services)
    back = reread(inv, tmp_path / f"inv.{fmt}")
    assert_same_frames(inv, back)
    assert "=cmd|' /C calc'!A0" in set(back.certificates["common_name"].dropna())


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(tmp_path: Path, inventory: Inventory) -> None:
    path = tmp_path / "inv.csv"
    write_inventory(inventory, path)
    text = path.read_text()
    assert ",'=cmd|" in text and ",=cmd|" not in text
    assert text.startswith("record,cert_id,common_name,")


def test_the_json_document_carries_the_records(tmp_path: Path, inventory: Inventory) -> None:
    back = reread(inventory, tmp_path / "inv.json")
    assert back.private_keys == inventory.private_keys
    assert {r.reason for r in inventory.rejected} <= {r.reason for r in back.rejected}


def test_a_parquet_file_cmmm_did_not_write_is_rejected_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"common_name": ["a.example"]}), path)
    inv = cmmm.load([path], now=NOW, workers=1)
    assert len(inv) == 0
    assert [r.reason for r in inv.rejected] == [
        "a Parquet file, but not one cmmm wrote (no cmmm_inventory key)"
    ]


def test_a_damaged_cmmm_csv_is_one_rejection(tmp_path: Path, inventory: Inventory) -> None:
    path = tmp_path / "inv.csv"
    write_inventory(inventory, path)
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index("is_ca")] = "maybe"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    inv = cmmm.load([path], now=NOW, workers=1)
    assert len(inv) == 0
    assert len(inv.rejected) == 1 and "column is_ca: not true/false: 'maybe'" in inv.rejected[0].reason


def test_assess_reads_an_ingested_parquet_file(tmp_path: Path, bundle: Path) -> None:
    """The issue's report: `assess inv.parquet` said 0 certificates, level 1."""
    out = tmp_path / "inv.parquet"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(bundle), "-o", str(out), "--as-of", "2026-11-28"]).exit_code == 0
    res = runner.invoke(app, ["assess", str(out), "--format", "json", "--no-drills", "--as-of", "2026-11-28"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["certificates"] == 9


# A process that may write at most 1 KiB to any file (RLIMIT_FSIZE): the export does not fit, as on a full
# disk. SIGXFSZ is ignored so that the write fails with EFBIG instead of killing the process.
FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    from datetime import UTC, datetime
    from pathlib import Path
    import cmmm
    from cmmm.export import write_inventory

    inv = cmmm.load([Path(sys.argv[1])], now=datetime(2026, 11, 28, tzinfo=UTC), workers=1)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))
    try:
        write_inventory(inv, Path(sys.argv[2]))
    except OSError as exc:
        print("failed", exc.errno)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="needs RLIMIT_FSIZE and EFBIG as on Linux")
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_write_that_runs_out_of_space_keeps_the_previous_file(
    tmp_path: Path, bundle: Path, fmt: str
) -> None:
    out = tmp_path / "out" / f"inv.{fmt}"
    out.parent.mkdir()
    out.write_text("the previous export\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(bundle), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert proc.stdout.startswith("failed 27"), proc.stdout + proc.stderr  # EFBIG: file too large
    assert out.read_text() == "the previous export\n"
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temporary file left behind
