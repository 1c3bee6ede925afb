"""The census of a partitioned dataset: bucket partials merged equal the whole inventory's numbers, in this
process and on a real cluster of worker processes; a dataset written block by block reads back whole and
merges a certificate two blocks wrote."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cmmm.cli import app
from cmmm.distributed import connect
from cmmm.maturity.partial import census, merge, partial_of, with_cas
from cmmm.model import CERTIFICATE_COLUMNS, OBSERVATION_COLUMNS, Inventory, conform
from cmmm.pipeline import census_dataset
from cmmm.store import DatasetWriter, read_buckets, read_dataset, read_ordered, write_dataset
from tests.conftest import NOW, SAMPLE_ORGS, SAMPLES_DIR, sample
from tests.store.test_snapshots import assert_same
from tests.test_machine_outputs import strict_loads, validate

runner = CliRunner()


def _synthetic(n: int, seed: int = 3) -> Inventory:
    """n leaves under five issuers, 1–3 observations each, mixed keys, dates, owners and renewal."""
    rng = np.random.default_rng(seed)
    ids = pd.Series([f"sha256:syn{i:08d}" for i in range(n)], dtype="string")
    alg = rng.choice(np.array(["RSA", "EC", "ML-DSA-65", None], dtype=object), n, p=[0.5, 0.4, 0.05, 0.05])
    size = np.where(alg == "RSA", rng.choice([1024, 2048, 4096], n), np.where(alg == "EC", 256, 0))
    certs = pd.DataFrame(
        {
            "cert_id": ids,
            "common_name": [f"h{i}.example.test" for i in range(n)],
            "issuer_name": rng.choice(["R11", "E6", "Corp CA 1", "Corp CA 2", "Old CA"], n),
            "not_before": pd.Timestamp(NOW) - pd.to_timedelta(rng.integers(1, 400, n), unit="D"),
            "not_after": pd.Timestamp(NOW) + pd.to_timedelta(rng.integers(-30, 400, n), unit="D"),
            "key_algorithm": alg,
            "key_size": pd.array(np.where(size > 0, size, None), dtype="Int64"),
            "signature_hash": rng.choice(
                np.array(["sha256", "sha1", None], dtype=object), n, p=[0.9, 0.05, 0.05]
            ),
            "is_ca": False,
            "trust": rng.choice(np.array(["public", "private", None], dtype=object), n),
            "has_body": False,
        }
    )
    reps = rng.integers(1, 4, n)
    oid = ids.repeat(reps).reset_index(drop=True)
    m = len(oid)
    obs = pd.DataFrame(
        {
            "cert_id": oid,
            "source": "synthetic",
            "location": [f"h{i}:443" for i in rng.integers(0, n, m)],
            "owner": rng.choice(np.array(["a@x", "b@x", None], dtype=object), m),
            "criticality": rng.choice(["low", "high", "critical"], m),
            "automation": rng.choice(["acme", "manual", "cert-manager"], m),
            "discovered_by": rng.choice(["network-scan", "manual", "ca-api"], m),
        }
    )
    return Inventory(
        certificates=conform(certs, CERTIFICATE_COLUMNS),
        observations=conform(obs, OBSERVATION_COLUMNS),
        policy={"name": "t", "approved_issuers": ["R11", "Corp CA 1"], "wildcards": {"allowed": False}},
    )


@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_every_sample_census_is_the_same_bucket_by_bucket(tmp_path: Path, org: str) -> None:
    inv = sample(org)
    write_dataset(tmp_path / "ds", inv, buckets=8)
    whole = census(inv, now=NOW)
    parts = census_dataset(tmp_path / "ds", now=NOW)
    assert parts.buckets > 1 and whole.buckets == 1
    assert parts == whole
    assert parts.measures.certificates == len(inv.certificates)


def test_the_ca_rows_sent_to_every_bucket_decide_the_issuers(tmp_path: Path) -> None:
    """Without the broadcast CA certificates a bucket's leaves name no issuing CA node the whole does."""
    inv = sample("level4-agile")
    write_dataset(tmp_path / "ds", inv, buckets=8)
    whole = census(inv, now=NOW)
    alone = []
    for b in range(8):
        bucket, merged = read_buckets(tmp_path / "ds", [b])
        empty = inv.certificates.iloc[:0]
        alone.append(partial_of(*with_cas(bucket, empty, {}), now=NOW, merged=merged))
    assert merge(alone).measures == whole.measures  # per-certificate numbers need no CA
    assert merge(alone).top_issuers != whole.top_issuers


def test_a_synthetic_inventory_on_worker_processes_equals_in_process(tmp_path: Path) -> None:
    inv = _synthetic(20_000)
    write_dataset(tmp_path / "ds", inv, buckets=16)
    whole = census(inv, now=NOW)
    hierarchy = sample("level4-agile")  # CA certificates: the rows sent to every bucket
    write_dataset(tmp_path / "cas", hierarchy, buckets=8)
    seen: list[tuple[int, int]] = []
    with connect("local:2") as engine:
        there = census_dataset(tmp_path / "ds", now=NOW, shards=engine.shards)
        counted = functools.partial(engine.shards, progress=lambda d, t: seen.append((d, t)))
        with_cas = census_dataset(tmp_path / "cas", now=NOW, shards=counted)
    assert seen == [(i, 8) for i in range(1, 9)]  # every bucket reported as it finished
    assert with_cas == census(hierarchy, now=NOW)
    assert there == whole
    m = whole.measures
    assert m.certificates == 20_000 and 0 < m.expired < 20_000
    assert (
        m.weak_key > 0 and m.deprecated_hash > 0 and 0 < m.quantum_vulnerable.count < m.quantum_vulnerable.of
    )
    assert whole.findings and whole.issuing_cas == 5
    assert sum(i.leaves for i in whole.top_issuers) == m.end_entity


def test_the_census_in_this_process_reports_each_bucket(tmp_path: Path) -> None:
    write_dataset(tmp_path / "ds", sample("level2-aware"), buckets=5)
    seen: list[tuple[int, int]] = []
    census_dataset(tmp_path / "ds", now=NOW, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, 5) for i in range(1, 6)]


def test_merging_is_the_same_in_any_order(tmp_path: Path) -> None:
    base = _synthetic(3_000)
    spelled = base.certificates["issuer_name"].where(
        np.arange(3_000) % 2 == 0, base.certificates["issuer_name"].str.upper()
    )
    inv = dataclasses.replace(base, certificates=base.certificates.assign(issuer_name=spelled))
    write_dataset(tmp_path / "ds", inv, buckets=6)
    parts = []
    for b in range(6):
        bucket, merged, order = read_ordered(tmp_path / "ds", [b])
        parts.append(partial_of(bucket, None, order, now=NOW, merged=merged))
    assert merge(parts) == merge(parts[::-1]) == census(inv, now=NOW)


def test_an_issuer_spelled_differently_is_named_as_in_the_whole_in_any_bucketing(tmp_path: Path) -> None:
    """An issuer known only by name takes the spelling of the first certificate naming it in the whole
    inventory, wherever the buckets cut; a CA's name, that of its first certificate."""
    base = _synthetic(400)
    names = np.where(np.arange(400) == 0, "Corp Issuing CA", "CORP ISSUING CA")
    certs = base.certificates.assign(issuer_name=names)
    inv = dataclasses.replace(base, certificates=certs)
    whole = census(inv, now=NOW)
    assert [i.name for i in whole.top_issuers] == ["Corp Issuing CA"]
    for k in (2, 3, 6, 7, 9):
        write_dataset(tmp_path / f"ds{k}", inv, buckets=k)
        assert census_dataset(tmp_path / f"ds{k}", now=NOW) == whole, k
    level4 = sample("level4-agile")
    for k in (3, 5):
        write_dataset(tmp_path / f"l4-{k}", level4, buckets=k)
        assert census_dataset(tmp_path / f"l4-{k}", now=NOW) == census(level4, now=NOW), k


def test_a_certificate_written_as_a_leaf_then_as_a_ca_is_what_the_dedup_keeps(tmp_path: Path) -> None:
    """The CA rows sent to the buckets are deduplicated as the whole read is: here the first-written row (a
    leaf) wins, so no bucket sees a CA the whole inventory does not have."""
    level4 = sample("level4-agile")
    cas = level4.certificates[level4.certificates["is_ca"].fillna(False).astype(bool)]
    ca = cas[cas["has_body"].fillna(False).astype(bool) == False].iloc[:1]  # noqa: E712
    if ca.empty:
        ca = cas.iloc[:1].assign(has_body=False)
    as_leaf = Inventory(certificates=ca.assign(is_ca=False), profile=level4.profile, policy=level4.policy)
    without = dataclasses.replace(
        level4, bodies={k: v for k, v in level4.bodies.items() if k not in set(ca["cert_id"])}
    )
    rows = without.certificates
    without = dataclasses.replace(
        without,
        certificates=rows.assign(
            has_body=rows["has_body"].where(~rows["cert_id"].isin(ca["cert_id"]), False)
        ),
    )
    with DatasetWriter(tmp_path / "ds", buckets=8) as out:
        out.add(as_leaf)
        out.add(without)
    back = read_dataset(tmp_path / "ds")
    kept = back.certificates[back.certificates["cert_id"] == ca["cert_id"].iloc[0]]
    assert len(kept) == 1 and not bool(kept["is_ca"].iloc[0])
    counted = census_dataset(tmp_path / "ds", now=NOW)
    assert counted.merged == 1
    assert dataclasses.replace(counted, merged=0) == census(back, now=NOW)


def test_small_tables_and_records_from_several_blocks(tmp_path: Path) -> None:
    """Every block may carry the bundle's service catalog: a later block's repeat of a row is dropped, a
    new row kept; rejected records, sources and notes of every block are kept, in block order."""
    a, b = sample("level3-defined"), sample("level1-chaos")
    with DatasetWriter(tmp_path / "ds", buckets=4) as out:
        out.add(a)
        out.add(dataclasses.replace(b, services=pd.concat([a.services, b.services], ignore_index=True)))
    back = read_dataset(tmp_path / "ds")
    expected = pd.concat([a.services, b.services], ignore_index=True)
    assert len(back.services) == len(expected.astype(str).drop_duplicates())
    assert b.rejected and back.rejected == a.rejected + b.rejected
    assert back.sources == a.sources + b.sources
    both = set(a.certificates["cert_id"]) | set(b.certificates["cert_id"])  # they share a public CA
    assert len(back.certificates) == len(both) < len(a.certificates) + len(b.certificates)


def test_a_damaged_part_is_one_line_naming_it(tmp_path: Path) -> None:
    write_dataset(tmp_path / "ds", sample("level1-chaos"), buckets=4)
    part = next((tmp_path / "ds" / "certificates").glob("bucket=*/part*.parquet"))
    part.write_bytes(b"")
    res = runner.invoke(app, ["census", str(tmp_path / "ds")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert part.name in res.stderr and "not a readable Parquet part" in res.stderr


def test_buckets_needs_a_dataset() -> None:
    res = runner.invoke(app, ["ingest", str(SAMPLES_DIR / "level1-chaos"), "--buckets", "8"])
    assert res.exit_code == 2 and "--dataset" in res.stderr


def _blocks(inv: Inventory, k: int) -> list[Inventory]:
    """`inv` cut into k blocks by certificate (observations and bodies follow); the records in the first."""
    ids = inv.certificates["cert_id"].astype(str).to_numpy()
    out = []
    for i in range(k):
        mine = set(ids[i::k])
        first = i == 0
        out.append(
            dataclasses.replace(
                inv if first else Inventory(profile=inv.profile, policy=inv.policy),
                certificates=inv.certificates[inv.certificates["cert_id"].isin(mine)],
                observations=inv.observations[inv.observations["cert_id"].isin(mine)],
                bodies={c: d for c, d in inv.bodies.items() if c in mine},
            )
        )
    return out


def test_a_dataset_written_in_blocks_reads_back_whole(tmp_path: Path) -> None:
    inv = sample("level3-defined")
    with DatasetWriter(tmp_path / "ds", buckets=8) as out:
        for block in _blocks(inv, 3):
            out.add(block)
    back = read_dataset(tmp_path / "ds")
    # rows come back in the order written: block by block
    order = pd.concat([b.certificates for b in _blocks(inv, 3)], ignore_index=True)
    pd.testing.assert_frame_equal(back.certificates, order)
    assert back.bodies == inv.bodies and back.sources == inv.sources and back.rejected == inv.rejected
    assert len(list((tmp_path / "ds" / "certificates").glob("bucket=*/part-*.parquet"))) > 8
    assert census_dataset(tmp_path / "ds", now=NOW) == census(inv, now=NOW)


def test_a_certificate_two_blocks_wrote_is_merged_keeping_its_body(tmp_path: Path) -> None:
    inv = sample("level3-defined")
    with_body = inv.certificates[inv.certificates["has_body"].fillna(False).astype(bool)].iloc[:1]
    declared = with_body.assign(has_body=False)
    first = Inventory(certificates=declared, profile=inv.profile, policy=inv.policy)
    with DatasetWriter(tmp_path / "ds", buckets=4) as out:
        out.add(first)  # the declared row first: the body-bearing row written later still wins
        out.add(inv)
    back, merged = read_buckets(tmp_path / "ds")
    assert merged == 1
    assert len(back.certificates) == len(inv.certificates)
    row = back.certificates[back.certificates["cert_id"] == with_body["cert_id"].iloc[0]]
    assert bool(row["has_body"].iloc[0])
    assert any("merged" in n for n in back.notes)
    counted = census_dataset(tmp_path / "ds", now=NOW)
    assert counted.merged == 1 and counted.measures.certificates == len(inv.certificates)
    assert dataclasses.replace(counted, merged=0) == census(back, now=NOW)


def test_an_interrupted_block_write_leaves_the_previous_dataset(tmp_path: Path) -> None:
    inv = sample("level1-chaos")
    write_dataset(tmp_path / "ds", inv, buckets=4)
    with pytest.raises(RuntimeError), DatasetWriter(tmp_path / "ds", buckets=4) as out:
        out.add(sample("level3-defined"))
        raise RuntimeError("stopped")
    assert_same(inv, read_dataset(tmp_path / "ds"))
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]  # no temporary folder left


def test_census_command_text_and_json(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    assert (
        runner.invoke(
            app, ["ingest", str(SAMPLES_DIR / "level3-defined"), "--dataset", str(ds), "--buckets", "8"]
        ).exit_code
        == 0
    )
    res = runner.invoke(app, ["census", str(ds), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = strict_loads(res.stdout)
    validate("census", doc)
    inv = sample("level3-defined")
    assert doc["certificates"] == len(inv.certificates) and doc["buckets"] == 8
    assert doc["measures"]["automated"]["of"] > 0
    text = runner.invoke(app, ["census", str(ds)])
    assert (
        text.exit_code == 0 and "issuing CAs" in text.stdout and "of the certificates checked" in text.stdout
    )
    bad = runner.invoke(app, ["census", str(tmp_path)])
    assert bad.exit_code == 2 and "not a dataset folder" in bad.output
