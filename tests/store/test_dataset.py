"""The partitioned Parquet dataset: every part of an Inventory comes back exactly, a certificate and its
observations and body share a bucket, a bucket reads alone, and what is not a dataset is refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from cmmm.cli import app
from cmmm.errors import InputError
from cmmm.model import Inventory
from cmmm.store.dataset import buckets_of, dataset_buckets, read_dataset, write_dataset
from tests.conftest import SAMPLE_ORGS, SAMPLES_DIR, sample
from tests.store.test_snapshots import assert_same


def test_every_part_of_the_inventory_comes_back_exactly(tmp_path: Path, inventory: Inventory) -> None:
    inv = dataclasses.replace(inventory, notes=("a value outside the vocabulary was kept",))
    assert inv.rejected and inv.private_keys and inv.bodies
    write_dataset(tmp_path / "ds", inv, buckets=4)
    assert_same(inv, read_dataset(tmp_path / "ds"))
    assert dataset_buckets(tmp_path / "ds") == 4


@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_every_sample_organization_round_trips(tmp_path: Path, org: str) -> None:
    inv = sample(org)
    write_dataset(tmp_path / "ds", inv, buckets=8)
    assert_same(inv, read_dataset(tmp_path / "ds"))


def test_buckets_partition_by_cert_id_and_read_alone(tmp_path: Path) -> None:
    inv = sample("level3-defined")
    write_dataset(tmp_path / "ds", inv, buckets=8)
    parts = [read_dataset(tmp_path / "ds", [b]) for b in range(8)]
    assert sum(len(p.certificates) for p in parts) == len(inv.certificates)
    assert sum(len(p.observations) for p in parts) == len(inv.observations)
    for b, p in enumerate(parts):
        assert set(p.observations["cert_id"]) <= set(p.certificates["cert_id"]) | set(
            inv.certificates["cert_id"]
        )
        assert (buckets_of(p.certificates["cert_id"], 8) == b).all()
        assert (buckets_of(p.observations["cert_id"], 8) == b).all()
        assert set(p.bodies) <= set(p.certificates["cert_id"])
    # hive layout: other engines read the same files with the bucket as a column
    table = ds.dataset(tmp_path / "ds" / "certificates", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == len(inv.certificates) and "bucket" in table.column_names


def test_a_second_write_replaces_the_first(tmp_path: Path) -> None:
    write_dataset(tmp_path / "ds", sample("level1-chaos"), buckets=4)
    inv = sample("level2-aware")
    write_dataset(tmp_path / "ds", inv, buckets=4)
    assert_same(inv, read_dataset(tmp_path / "ds"))
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]  # nothing left beside it


def test_what_is_not_a_dataset_is_refused(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("x")
    with pytest.raises(InputError, match="not a cmmm dataset"):
        read_dataset(tmp_path / "other")
    with pytest.raises(InputError, match="not replaced"):
        write_dataset(tmp_path / "other", sample("level1-chaos"))
    assert (tmp_path / "other" / "keep.txt").is_file()


def test_ingest_writes_a_dataset_every_command_reads_back(tmp_path: Path) -> None:
    runner = CliRunner()
    bundle = str(SAMPLES_DIR / "level2-aware")
    res = runner.invoke(app, ["ingest", bundle, "--dataset", str(tmp_path / "ds")])
    assert res.exit_code == 0, res.output
    args = ["assess", "--format", "json", "--no-drills"]
    from_files = runner.invoke(app, [*args, bundle])
    from_dataset = runner.invoke(app, [*args, str(tmp_path / "ds")])
    assert from_dataset.exit_code == 0, from_dataset.output
    assert from_dataset.stdout == from_files.stdout
