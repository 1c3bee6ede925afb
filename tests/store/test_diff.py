"""`diff` names each change between two snapshots: certificates added, removed, renewed, re-keyed and
expired; owners and renewal methods; endpoints that gained or lost hybrid ML-KEM; criteria; the level."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pandas as pd

import cmmm
from cmmm.lab.pki import issue
from cmmm.model import Inventory
from cmmm.store import Change, CriterionState, Regression, SnapshotMetrics, diff, read_snapshot, snapshots
from tests.conftest import NOW, Chain
from tests.store.conftest import build_bundle
from tests.store.test_snapshots import put


def _state(cid: str, met: bool) -> CriterionState:
    return CriterionState(id=cid, level=3, evidence="measured", status="met" if met else "not met", met=met)


def _later(tmp_path: Path, chain: Chain, bundle: Path) -> Inventory:
    """Ninety days on: leaf 0 renewed with the same key, leaf 1 renewed with a new key, leaf 2 gone, a new
    certificate, the spreadsheet's shop certificate handed to a new owner and moved off ACME."""
    later = NOW + timedelta(days=90)
    renewed = issue(
        cn="svc0.example.test",
        sans=("svc0.example.test", "alt0.example.test"),
        not_before=later - timedelta(days=1),
        days=90,
        issuer=chain.inter,
        key=chain.leaves[0].key,
    )
    rekeyed = issue(
        cn="svc1.example.test",
        sans=("svc1.example.test", "alt1.example.test"),
        not_before=later - timedelta(days=1),
        days=90,
        issuer=chain.inter,
    )
    fresh = issue(cn="new.example.test", not_before=later - timedelta(days=1), days=90, issuer=chain.inter)
    folder = build_bundle(tmp_path / "later", chain)
    (folder / "pki" / "leaves.pem").write_bytes(renewed.pem + rekeyed.pem + fresh.pem)
    # the same nameless root as before (build_bundle makes a new one each time)
    (folder / "pki" / "nameless-root.pem").write_bytes((bundle / "pki" / "nameless-root.pem").read_bytes())
    sheet = (folder / "inventory.csv").read_text()
    (folder / "inventory.csv").write_text(
        sheet.replace("ann@example.test,web,prod,acme", "bob@example.test,web,prod,manual")
    )
    return cmmm.load([folder], now=later, workers=1)


def test_diff_names_every_kind_of_change(
    tmp_path: Path, chain: Chain, bundle: Path, inventory: Inventory
) -> None:
    store = tmp_path / "s.duckdb"
    before_metrics = SnapshotMetrics(
        level=3, score=3.4, criteria=(_state("a.met", True), _state("b.lost", False))
    )
    after_metrics = SnapshotMetrics(
        level=2, score=2.9, criteria=(_state("a.met", False), _state("b.lost", True))
    )
    put(store, inventory, metrics=before_metrics)
    put(store, _later(tmp_path, chain, bundle), days=90, metrics=after_metrics)
    a, b = snapshots(store)
    d = diff(read_snapshot(store, "1"), read_snapshot(store, "2"), a=a, b=b)
    counts = d.counts
    assert counts[Change.RENEWED] == 1
    assert counts[Change.REKEYED] == 1
    assert counts[Change.ADDED] == 1
    assert counts[Change.REMOVED] == 1  # svc2, not renewed
    rows = d.changes.set_index("kind")
    assert rows.loc["renewed", "name"] == "svc0.example.test"
    assert rows.loc["rekeyed", "name"] == "svc1.example.test"
    assert rows.loc["added", "name"] == "new.example.test"
    assert rows.loc["removed", "name"] == "svc2.example.test"
    # the spreadsheet's rows are the same certificates: their facts changed
    assert (rows.loc["owner", "before"], rows.loc["owner", "after"]) == (
        "ann@example.test",
        "bob@example.test",
    )
    assert (rows.loc["automation", "before"], rows.loc["automation", "after"]) == ("acme", "manual")
    # the leaves of NOW expire 60 days later, before the second snapshot; so do legacy and shop
    expired = set(d.changes.loc[d.changes["kind"] == "expired", "name"])
    assert expired == {
        "svc0.example.test",
        "svc1.example.test",
        "svc2.example.test",
        "legacy.example.test",
        "shop.example.test",
    }
    assert counts[Change.CRITERION_LOST] == 1 and counts[Change.CRITERION_MET] == 1
    assert d.level_change == (3, 2)
    regressions = d.regressions()
    assert regressions[Regression.LEVEL] == 1 and regressions[Regression.SCORE] == 1
    assert regressions[Regression.CRITERION] == 1
    assert regressions[Regression.EXPIRED] == 2  # legacy and shop: expired and still in the inventory


def _with_groups(inv: Inventory, groups: dict[str, str]) -> Inventory:
    obs = inv.observations.copy()
    obs["kex_groups"] = obs["location"].map(groups).astype("string")
    return dataclasses.replace(inv, observations=obs)


def test_endpoints_that_gained_or_lost_hybrid_ml_kem(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    shop, legacy = "shop.example.test:443", "legacy.example.test:8443"
    put(store, _with_groups(inventory, {shop: "x25519;secp256r1", legacy: "X25519MLKEM768;x25519"}))
    put(store, _with_groups(inventory, {shop: "X25519MLKEM768;x25519", legacy: "x25519"}), days=1)
    a, b = snapshots(store)
    d = diff(read_snapshot(store, "1"), read_snapshot(store, "2"), a=a, b=b)
    rows = d.changes.set_index("kind")
    assert rows.loc["pqc_gained", "subject"] == shop
    assert rows.loc["pqc_lost", "subject"] == legacy
    assert d.regressions()[Regression.PQC] == 1


def test_the_same_snapshot_twice_has_no_changes_and_unknown_levels_are_no_regression(
    tmp_path: Path, inventory: Inventory
) -> None:
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    put(store, inventory)
    a, b = snapshots(store)
    d = diff(read_snapshot(store, "1"), read_snapshot(store, "2"), a=a, b=b)
    assert d.changes.empty
    assert list(d.changes.columns) == ["kind", "subject", "name", "before", "after"]
    assert not any(d.regressions().values())
    assert isinstance(d.changes, pd.DataFrame)
