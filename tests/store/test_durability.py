"""Nothing lost, ever: a writer killed mid-snapshot, two writers at once, a store of the previous schema."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from cmmm.errors import InputError
from cmmm.model import Inventory
from cmmm.store import SCHEMA_VERSION, SnapshotMetrics, _schema, read_snapshot, snapshots, write_snapshot
from cmmm.store.snapshots import write_inventory
from tests.conftest import NOW
from tests.store.test_snapshots import _count, assert_same, put

ROOT = Path(__file__).resolve().parents[2]

# A second process that writes a snapshot of the bundle and stops at a stage of the write (the store's own
# progress callback), saying so on stdout: there it is killed, or there it holds the store's lock.
WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    import cmmm
    from cmmm.store import write_snapshot

    store, bundle, stage, pause = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    now = datetime(2026, 12, 28, tzinfo=UTC)
    inv = cmmm.load([bundle], now=now, workers=1)

    def progress(at):
        if at == stage:
            print("at", at, flush=True)
            time.sleep(pause)

    write_snapshot(store, inv, taken_at=now, written_at=now, version="child", progress=progress)
    print("done", flush=True)
    """
)


def _writer(store: Path, bundle: Path, stage: str, pause: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), str(bundle), stage, str(pause)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("at "), line
    return proc


def test_a_writer_killed_mid_snapshot_leaves_the_earlier_snapshots(
    tmp_path: Path, bundle: Path, inventory: Inventory
) -> None:
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    # killed after its certificates and observations are in, before the commit
    proc = _writer(store, bundle, "records", pause=60)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert [i.id for i in snapshots(store)] == [1]
    assert_same(inventory, read_snapshot(store))
    assert put(store, inventory, days=1) == 2  # and the store takes the next snapshot
    assert [i.id for i in snapshots(store)] == [1, 2]


def test_a_second_writer_fails_with_one_clear_line(
    tmp_path: Path, bundle: Path, inventory: Inventory
) -> None:
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    proc = _writer(store, bundle, "commit", pause=20)
    try:
        with pytest.raises(InputError, match=rf"in use by process {proc.pid}; waited 0.3 s") as err:
            put(store, inventory, days=1, wait=0.3)
        assert "\n" not in str(err.value)
        with pytest.raises(InputError, match="in use by process"):
            read_snapshot(store, wait=0.3)
    finally:
        proc.kill()
        proc.wait()
    assert [i.id for i in snapshots(store)] == [1]


def test_a_second_writer_waits_for_the_first(tmp_path: Path, bundle: Path, inventory: Inventory) -> None:
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    proc = _writer(store, bundle, "commit", pause=1.5)
    started = time.monotonic()
    mine = put(store, inventory, days=60, wait=60)
    assert time.monotonic() - started > 0.5  # it waited for the lock
    assert proc.wait(timeout=60) == 0
    infos = snapshots(store)
    assert sorted(i.id for i in infos) == [1, 2, 3]
    assert {i.cmmm_version for i in infos} == {"test", "child"}
    assert mine in {2, 3}


def _v1_store(path: Path, inv: Inventory) -> None:
    """A store as schema 1 wrote it: the inventory, no assessment."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("BEGIN TRANSACTION")
    _schema.upgrade(con, 0, to_version=1)
    # today's writer fills the accounting columns, the lab and exercise tables; schema 1 has none of
    # them: dropped below
    _schema.STEPS[3](con)
    _schema.STEPS[4](con)
    write_inventory(con, inv, NOW, NOW, "0.0.1")
    for column in ("rows", "merged", "defects"):
        con.execute(f'ALTER TABLE sources DROP COLUMN "{column}"')
    con.execute("DROP TABLE lab")
    con.execute("DROP TABLE exercises")
    con.execute("DROP TABLE exercise_log")
    con.execute("DROP TABLE snapshot_evidence")
    con.execute("COMMIT")
    con.close()


def _schema_version(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return int(con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])  # type: ignore[index]


def test_a_store_of_the_previous_schema_is_read_and_upgraded(tmp_path: Path, inventory: Inventory) -> None:
    store = tmp_path / "v1.duckdb"
    _v1_store(store, inventory)
    assert _schema_version(store) == 1 < SCHEMA_VERSION
    (old,) = snapshots(store)
    assert old.metrics == SnapshotMetrics()  # schema 1 kept no level: unknown
    # schema 1 kept no row accounting: its sources read back without it (unknown rows, nothing merged)
    unaccounted = dataclasses.replace(
        inventory,
        sources=tuple(dataclasses.replace(s, rows=None, merged=0, defects=0) for s in inventory.sources),
    )
    assert_same(unaccounted, read_snapshot(store))
    assert _schema_version(store) == 1  # reading does not change the file
    write_snapshot(
        store,
        inventory,
        taken_at=NOW,
        written_at=NOW,
        version="test",
        metrics=SnapshotMetrics(level=2, score=2.5),
    )
    assert _schema_version(store) == SCHEMA_VERSION
    first, second = snapshots(store)
    assert first.metrics.level is None and second.metrics.level == 2
    assert_same(unaccounted, read_snapshot(store, "1"))
    assert_same(inventory, read_snapshot(store, "2"))


def test_a_failed_write_leaves_no_partial_snapshot(tmp_path: Path, inventory: Inventory) -> None:
    """Ctrl-C inside the transaction, after the certificates and observations went in, rolls the whole
    snapshot back."""
    store = tmp_path / "s.duckdb"
    put(store, inventory)
    changed = dataclasses.replace(inventory, certificates=inventory.certificates.head(2))

    def interrupt(stage: str) -> None:
        if stage == "records":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        put(store, changed, days=1, progress=interrupt)
    assert _count(store, "snapshot_certificates") == len(inventory)
    assert [i.id for i in snapshots(store)] == [1]
    assert put(store, inventory, days=2) == 2
