"""Write an Inventory as one snapshot of a DuckDB store, list the snapshots, read one back."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from cmmm.errors import InputError
from cmmm.model import (
    Inventory,
    PrivateKeyFinding,
    RecordedExercise,
    Rejected,
    SourceRecord,
    conform,
    empty_frame,
)
from cmmm.store import _schema
from cmmm.store._codec import (
    decode_exercise,
    decode_policy,
    decode_profile,
    encode_exercise,
    encode_policy,
    encode_profile,
)

_MAGIC_AT, _MAGIC = 8, b"DUCK"  # a DuckDB database file: "DUCK" after the 8-byte checksum
DEFAULT_WAIT = 10.0  # seconds a second process waits for the store before it gives up
ProgressFn = Callable[[str], None]


def _empty_values() -> Mapping[str, float | None]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionState:
    """One criterion's outcome in a snapshot's assessment (status as cmmm.maturity's Status values)."""

    id: str
    level: int
    evidence: str  # measured | simulated | attested
    status: str
    met: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredEvidence:
    """What one level-5 drill criterion's drill said when the snapshot was assessed (cmmm.maturity's
    SimulatedEvidence, kept): reused by an assessment of the same snapshot at the same evaluation time by the
    same cmmm, since the drill is seeded."""

    criterion_id: str
    value: float | None
    met: bool | None
    evidence: str
    not_applicable: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotMetrics:
    """What the assessment said of a snapshot when it was stored. `values` are the headline numbers
    (shares 0–1, counts; None: nothing to measure); a snapshot stored without an assessment has
    level and score None — unknown, not level 1."""

    level: int | None = None
    score: float | None = None
    values: Mapping[str, float | None] = field(default_factory=_empty_values)
    criteria: tuple[CriterionState, ...] = ()
    # the level-5 drills' evidence, with the evaluation time and cmmm version it holds for (None: not kept)
    evidence: tuple[StoredEvidence, ...] = ()
    evaluated_at: datetime | None = None
    cmmm_version: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotInfo:
    """One snapshot: its id, the as-of time it was taken at, who wrote it, how big it is."""

    id: int
    taken_at: datetime
    written_at: datetime
    cmmm_version: str
    certificates: int
    observations: int
    services: int
    rejected: int
    sources: int
    metrics: SnapshotMetrics
    # the tabletop exercises this snapshot knows (its own and the store's log up to its day), oldest first
    exercises: tuple[RecordedExercise, ...] = ()


def is_store(path: Path) -> bool:
    """True when `path` is a DuckDB database file (by content, whatever its name)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_MAGIC_AT + len(_MAGIC))
    except OSError:
        return False
    return head[_MAGIC_AT:] == _MAGIC


def _lock_holder(message: str) -> str:
    pid = re.search(r"PID (\d+)", message)
    return f"process {pid.group(1)}" if pid else "another process"


def _open(path: Path, *, write: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """A connection, waiting up to `wait` seconds while another process holds the store's lock.

    DuckDB lets one process write a database file, or several read it; the lock is the file's own
    (https://duckdb.org/docs/stable/connect/concurrency). A second writer waits, then fails with one line.
    """
    if path.exists():
        if not is_store(path):
            raise InputError(str(path), "not a cmmm store (not a DuckDB database file)")
    elif not write:
        raise InputError(str(path), "no such store")
    deadline = time.monotonic() + wait
    while True:
        try:
            con = duckdb.connect(str(path), read_only=not write)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" not in message.lower():
                raise InputError(str(path), f"cannot open the store: {message.splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                raise InputError(
                    str(path),
                    f"the store is in use by {_lock_holder(message)}; waited {wait:g} s (try again later)",
                ) from None
            time.sleep(0.1)
            continue
        except duckdb.Error as exc:  # a newer DuckDB storage format, a damaged file
            raise InputError(str(path), f"cannot open the store: {str(exc).splitlines()[0]}") from None
        con.execute("SET TimeZone = 'UTC'")
        return con


def _version(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """The store's schema version; 0 for an empty database. Not cmmm's, or newer than this cmmm: refused."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if not tables:
        return 0
    if "meta" not in tables:
        raise InputError(str(path), "a DuckDB database, but not a cmmm store (no cmmm tables)")
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("application") != _schema.APPLICATION or not str(meta.get("schema_version", "")).isdigit():
        raise InputError(str(path), "a DuckDB database, but not a cmmm store")
    version = int(meta["schema_version"])
    if version > _schema.SCHEMA_VERSION:
        raise InputError(
            str(path),
            f"store schema {version} was written by a newer cmmm (this one reads up to {_schema.SCHEMA_VERSION}); "
            "upgrade cmmm",
        )
    return version


@contextmanager
def _reading(path: Path, wait: float) -> Iterator[tuple[duckdb.DuckDBPyConnection, int]]:
    con = _open(path, write=False, wait=wait)
    try:
        version = _version(con, path)
        if version == 0:
            raise InputError(str(path), "a DuckDB database, but not a cmmm store (no cmmm tables)")
        yield con, version
    finally:
        con.close()


@contextmanager
def _writing(path: Path, wait: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """One write transaction on the store at `path` (created when missing), upgraded to the current schema
    first: committed when the block ends, rolled back on any exception, so a writer killed before the commit
    leaves the store as it was. A full disk or a read-only folder is one InputError."""
    con = _open(path, write=True, wait=wait)
    try:
        found = _version(con, path)
        con.execute("BEGIN TRANSACTION")
        try:
            if found < _schema.SCHEMA_VERSION:
                _schema.upgrade(con, found)
            yield con
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # a failed commit has rolled back already
                con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
    except (duckdb.IOException, duckdb.OutOfMemoryException) as exc:  # a full disk, a read-only folder
        raise InputError(str(path), f"cannot write the store: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table, with its row order as `ord`: DuckDB scans Arrow without a copy, and far
    faster than pandas' nullable columns."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.append_column("ord", pa.array(range(len(frame)), type=pa.int64()))


def _put_content(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, columns: Mapping[str, str], sid: int
) -> None:
    """Store the rows not stored yet, and this snapshot's list of its rows (in order).

    A row's content address is its cert_id and a 64-bit hash of every column (DuckDB's `hash`, computed
    where the rows are); each stored row gets a small integer id, which is all a snapshot's list holds.
    """
    names = [f'"{c}"' for c in columns]
    con.register("incoming_rows", _arrow(conform(frame, columns)))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE incoming AS SELECT ord, hash({', '.join(names)}) AS row_hash, "
            f"{', '.join(names)} FROM incoming_rows"
        )
        base = con.execute(f"SELECT coalesce(max(row_id), 0) FROM {table}").fetchone()[0]  # type: ignore[index]
        # identical rows within one snapshot (the same observation listed twice) are stored once: keep the
        # first; checked first because the common case, no duplicate, inserts far faster without the window
        duplicates = con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM incoming GROUP BY row_hash, cert_id HAVING count(*) > 1)"
        ).fetchone()[0]  # type: ignore[index]
        firsts = (
            "(SELECT * FROM incoming QUALIFY ord = min(ord) OVER (PARTITION BY row_hash, cert_id))"
            if duplicates
            else "incoming"
        )
        con.execute(
            f"INSERT INTO {table} (row_id, row_hash, {', '.join(names)}) "
            f"SELECT $1 + 1 + ord, row_hash, {', '.join(names)} FROM {firsts} i "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.row_hash = i.row_hash "
            "AND t.cert_id IS NOT DISTINCT FROM i.cert_id)",
            [int(base)],
        )
        con.execute(
            f"INSERT INTO snapshot_{table} SELECT $1, i.ord, t.row_id FROM incoming i JOIN {table} t "
            "ON t.row_hash = i.row_hash AND t.cert_id IS NOT DISTINCT FROM i.cert_id",
            [sid],
        )
    finally:
        con.unregister("incoming_rows")
        con.execute("DROP TABLE IF EXISTS incoming")


def _put_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, columns: list[str], sid: int
) -> None:
    if frame.empty:
        return
    rows = frame.reset_index(drop=True)
    rows.insert(0, "ord", range(len(rows)))
    rows.insert(0, "snapshot_id", sid)
    con.register("incoming", rows)
    try:
        names = ", ".join(f'"{c}"' for c in ["snapshot_id", "ord", *columns])
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM incoming")
    finally:
        con.unregister("incoming")


def _records(items: tuple[Any, ...], names: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{n: getattr(item, n) for n in names} for item in items], columns=names)


_PRIVATE_KEY_FIELDS = ["path", "locator", "key_type", "encrypted", "key_id", "store", "ca", "referenced"]
_SOURCE_FIELDS = ["path", "ingester", "records", "rejected", "read_at", "rows", "merged", "defects"]
_REJECTED_FIELDS = ["source", "locator", "reason"]


def write_snapshot(
    path: Path,
    inv: Inventory,
    *,
    taken_at: datetime,
    written_at: datetime,
    version: str,
    metrics: SnapshotMetrics | None = None,
    wait: float = DEFAULT_WAIT,
    progress: ProgressFn | None = None,
) -> SnapshotInfo:
    """Add `inv` to the store at `path` (created when missing) as one snapshot, in one transaction.

    `taken_at` is the inventory's as-of time, `written_at` the clock, `version` the cmmm that wrote it.
    A writer killed before the commit leaves the store as it was. `progress` hears each stage's name.
    """
    with _writing(path, wait) as con:
        _schema.add_model_columns(con)
        sid = write_inventory(con, inv, taken_at, written_at, version, progress)
        _put_metrics(con, metrics or SnapshotMetrics(), sid)
        info = _infos(con, _schema.SCHEMA_VERSION, only=sid)[0]  # the transaction sees its own rows
        if progress:
            progress("commit")
    return info


def write_inventory(
    con: duckdb.DuckDBPyConnection,
    inv: Inventory,
    taken_at: datetime,
    written_at: datetime,
    version: str,
    progress: ProgressFn | None = None,
) -> int:
    """The inventory's rows of a new snapshot (schema 1's part of one), inside the caller's transaction."""
    sid = int(con.execute("SELECT coalesce(max(id), 0) + 1 FROM snapshots").fetchone()[0])  # type: ignore[index]
    con.execute(
        "INSERT INTO snapshots VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        [
            sid,
            taken_at,
            written_at,
            version,
            encode_profile(inv.profile),
            encode_policy(inv.policy),
            len(inv.certificates),
            len(inv.observations),
            len(inv.services),
            len(inv.rejected),
            len(inv.sources),
        ],
    )
    for table, columns in _schema.CONTENT_TABLES.items():
        if progress:
            progress(table)
        _put_content(con, table, getattr(inv, table), columns, sid)
    for table, columns in _schema.SNAPSHOT_TABLES.items():
        _put_frame(con, table, conform(getattr(inv, table), columns), list(columns), sid)
    if progress:
        progress("records")
    _put_frame(con, "rejected", _records(inv.rejected, _REJECTED_FIELDS), _REJECTED_FIELDS, sid)
    _put_frame(con, "private_keys", _records(inv.private_keys, _PRIVATE_KEY_FIELDS), _PRIVATE_KEY_FIELDS, sid)
    _put_frame(con, "sources", _records(inv.sources, _SOURCE_FIELDS), _SOURCE_FIELDS, sid)
    _put_frame(con, "notes", pd.DataFrame({"note": list(inv.notes)}, dtype=object), ["note"], sid)
    records = [encode_exercise(e) for e in inv.exercises]
    _put_frame(con, "exercises", pd.DataFrame({"record": records}, dtype=object), ["record"], sid)
    if inv.bodies:
        bodies = pd.DataFrame({"cert_id": list(inv.bodies), "der": list(inv.bodies.values())})
        con.register("incoming", bodies)
        try:
            con.execute(
                "INSERT INTO bodies SELECT DISTINCT ON (cert_id) cert_id, der FROM incoming i "
                "WHERE NOT EXISTS (SELECT 1 FROM bodies b WHERE b.cert_id = i.cert_id)"
            )
            con.execute("INSERT INTO snapshot_bodies SELECT $1, cert_id FROM incoming", [sid])
        finally:
            con.unregister("incoming")
    return sid


def _put_metrics(con: duckdb.DuckDBPyConnection, metrics: SnapshotMetrics, sid: int) -> None:
    values = {"level": metrics.level, "score": metrics.score, **metrics.values}
    rows = [(sid, name, None if v is None else float(v)) for name, v in values.items()]
    con.executemany("INSERT INTO snapshot_metrics VALUES ($1, $2, $3)", rows)
    if metrics.criteria:
        con.executemany(
            "INSERT INTO snapshot_criteria VALUES ($1, $2, $3, $4, $5)",
            [(sid, c.id, c.level, c.evidence, c.status) for c in metrics.criteria],
        )
    if metrics.evidence and metrics.evaluated_at is not None and metrics.cmmm_version:
        con.executemany(
            "INSERT INTO snapshot_evidence VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                (
                    sid,
                    e.criterion_id,
                    metrics.evaluated_at,
                    metrics.cmmm_version,
                    e.value,
                    e.met,
                    e.evidence,
                    e.not_applicable,
                )
                for e in metrics.evidence
            ],
        )


def stored_evidence(
    path: Path, which: str, *, evaluated_at: datetime, cmmm_version: str, wait: float = DEFAULT_WAIT
) -> dict[str, StoredEvidence]:
    """The level-5 drills' evidence kept with a snapshot's assessment, when it was made at `evaluated_at` by
    cmmm `cmmm_version`; empty otherwise (another time or version: the drills must run again)."""
    with _reading(path, wait) as (con, version):
        if version < _schema.TABLE_SINCE["snapshot_evidence"]:
            return {}
        info = select(tuple(_infos(con, version)), which, str(path))
        rows = con.execute(
            "SELECT criterion_id, value, met, evidence, not_applicable FROM snapshot_evidence "
            "WHERE snapshot_id = $1 AND evaluated_at = $2 AND cmmm_version = $3",
            [info.id, evaluated_at, cmmm_version],
        ).fetchall()
    return {
        cid: StoredEvidence(criterion_id=cid, value=value, met=met, evidence=text, not_applicable=na)
        for cid, value, met, text, na in rows
    }


def _metrics(con: duckdb.DuckDBPyConnection, version: int, sids: list[int]) -> dict[int, SnapshotMetrics]:
    if version < 2 or not sids:  # schema 1 kept no assessment: unknown
        return {}
    values: dict[int, dict[str, float | None]] = {}
    for sid, name, value in con.execute(
        "SELECT snapshot_id, name, value FROM snapshot_metrics WHERE snapshot_id IN "
        "(SELECT unnest($1::BIGINT[]))",
        [sids],
    ).fetchall():
        values.setdefault(sid, {})[name] = value
    criteria: dict[int, list[CriterionState]] = {}
    for sid, cid, level, evidence, status, met in con.execute(
        "SELECT snapshot_id, criterion_id, level, evidence, status, status IN ('met', 'attested', "
        "'not applicable') FROM snapshot_criteria WHERE snapshot_id IN (SELECT unnest($1::BIGINT[])) "
        "ORDER BY snapshot_id, level, criterion_id",
        [sids],
    ).fetchall():
        criteria.setdefault(sid, []).append(
            CriterionState(id=cid, level=int(level), evidence=evidence, status=status, met=bool(met))
        )
    out: dict[int, SnapshotMetrics] = {}
    for sid in sids:
        v = dict(values.get(sid, {}))
        level, score = v.pop("level", None), v.pop("score", None)
        out[sid] = SnapshotMetrics(
            level=None if level is None else int(level),
            score=score,
            values=MappingProxyType(v),
            criteria=tuple(criteria.get(sid, ())),
        )
    return out


def _infos(con: duckdb.DuckDBPyConnection, version: int, only: int | None = None) -> list[SnapshotInfo]:
    where = "" if only is None else f"WHERE id = {int(only)}"
    rows = con.execute(
        "SELECT id, taken_at, written_at, cmmm_version, certificates, observations, services, rejected, "
        f"sources FROM snapshots {where} ORDER BY id"
    ).fetchall()
    metrics = _metrics(con, version, [int(r[0]) for r in rows])
    exercises = _exercises(con, version, [(int(r[0]), r[1].astimezone(UTC)) for r in rows], "store")
    return [
        SnapshotInfo(
            id=int(r[0]),
            taken_at=r[1].astimezone(UTC),
            written_at=r[2].astimezone(UTC),
            cmmm_version=r[3],
            certificates=int(r[4]),
            observations=int(r[5]),
            services=int(r[6]),
            rejected=int(r[7]),
            sources=int(r[8]),
            metrics=metrics.get(int(r[0]), SnapshotMetrics()),
            exercises=exercises.get(int(r[0]), ()),
        )
        for r in rows
    ]


def _exercises(
    con: duckdb.DuckDBPyConnection, version: int, taken: list[tuple[int, datetime]], where: str
) -> dict[int, tuple[RecordedExercise, ...]]:
    """Each snapshot's exercises: its own, then those of the store's log held on or before the day it was
    taken (an exercise recorded in both is counted once), oldest first."""
    if version < _schema.TABLE_SINCE["exercises"] or not taken:
        return {}
    ids = [sid for sid, _ in taken]
    own: dict[int, list[RecordedExercise]] = {}
    for sid, record in con.execute(
        "SELECT snapshot_id, record FROM exercises WHERE snapshot_id IN (SELECT unnest($1::BIGINT[])) "
        "ORDER BY snapshot_id, ord",
        [ids],
    ).fetchall():
        own.setdefault(int(sid), []).append(decode_exercise(record, where))
    log = [decode_exercise(r, where) for (r,) in con.execute("SELECT record FROM exercise_log").fetchall()]
    out: dict[int, tuple[RecordedExercise, ...]] = {}
    for sid, at in taken:
        mine = own.get(sid, [])
        seen = {e.id for e in mine}
        later = [e for e in log if e.held_on <= at.date() and e.id not in seen]
        out[sid] = tuple(sorted([*mine, *later], key=lambda e: (e.held_on, e.id)))
    return out


def record_exercise(
    path: Path, record: RecordedExercise, *, recorded_at: datetime, wait: float = DEFAULT_WAIT
) -> None:
    """Add a tabletop exercise to the store's exercise log (one transaction): every snapshot taken on or
    after its day reads it. An exercise of the same id already in the store is refused, not replaced."""
    if not path.is_file():
        raise InputError(str(path), "no such store (cmmm ingest … --store creates one)")
    with _writing(path, wait) as con:
        known = con.execute("SELECT count(*) FROM exercise_log WHERE id = $1", [record.id]).fetchone()[0]  # type: ignore[index]
        known += sum(
            decode_exercise(r, str(path)).id == record.id
            for (r,) in con.execute("SELECT record FROM exercises").fetchall()
        )
        if known:
            raise InputError(str(path), f"exercise {record.id} is recorded already; nothing was changed")
        con.execute(
            "INSERT INTO exercise_log VALUES ($1, $2, $3, $4)",
            [record.id, record.held_on, recorded_at, encode_exercise(record)],
        )


def snapshots(path: Path, *, wait: float = DEFAULT_WAIT) -> tuple[SnapshotInfo, ...]:
    """Every snapshot in the store, oldest id first."""
    with _reading(path, wait) as (con, version):
        return tuple(_infos(con, version))


def select(infos: tuple[SnapshotInfo, ...], which: str, where: str) -> SnapshotInfo:
    """`latest`, a snapshot id, or a date (YYYY-MM-DD or an ISO datetime): the last snapshot taken at or
    before it (a date means that whole day, UTC)."""
    if not infos:
        raise InputError(where, "the store has no snapshots yet (cmmm ingest … --store FILE)")
    key = which.strip().lower()
    if key in ("", "latest"):
        return infos[-1]
    if key.isdigit():
        for info in infos:
            if info.id == int(key):
                return info
        raise InputError(where, f"no snapshot {key} (the store has {_ids(infos)})")
    try:
        at = datetime.fromisoformat(which.strip())
    except ValueError:
        raise InputError(where, f"--snapshot {which!r}: use latest, a snapshot id or a date") from None
    if len(which.strip()) == 10:  # a date: the whole day
        at = datetime.combine(at.date(), dtime.max)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    taken = [i for i in infos if i.taken_at <= at]
    if not taken:
        raise InputError(
            where, f"no snapshot taken on or before {which} (the first is {infos[0].taken_at:%Y-%m-%d})"
        )
    return max(taken, key=lambda i: (i.taken_at, i.id))


def _ids(infos: tuple[SnapshotInfo, ...]) -> str:
    ids = [i.id for i in infos]
    return f"snapshot {ids[0]}" if len(ids) == 1 else f"snapshots {ids[0]}–{ids[-1]}"


_ARROW_TYPES: dict[pa.DataType, Any] = {
    pa.string(): pd.StringDtype(),
    pa.large_string(): pd.StringDtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    pa.float64(): pd.Float64Dtype(),
}


def _frame(con: duckdb.DuckDBPyConnection, query: str, params: list[Any]) -> pd.DataFrame:
    table = con.sql(query, params=params).to_arrow_table()
    return table.to_pandas(types_mapper=_ARROW_TYPES.get)


def read_snapshot(path: Path, which: str = "latest", *, wait: float = DEFAULT_WAIT) -> Inventory:
    """The Inventory of one snapshot (see `select` for `which`), exactly as it was written."""
    with _reading(path, wait) as (con, version):
        info = select(tuple(_infos(con, version)), which, str(path))
        return dataclasses.replace(_read(con, info.id, str(path), version), exercises=info.exercises)


def _read(con: duckdb.DuckDBPyConnection, sid: int, where: str, version: int) -> Inventory:
    frames: dict[str, pd.DataFrame] = {}
    for table, columns in _schema.CONTENT_TABLES.items():
        names = ", ".join(f't."{c}"' for c in columns)
        frames[table] = conform(
            _frame(
                con,
                f"SELECT {names} FROM snapshot_{table} s JOIN {table} t USING (row_id) "
                "WHERE s.snapshot_id = $1 ORDER BY s.ord",
                [sid],
            ),
            columns,
        )
    for table, columns in _schema.SNAPSHOT_TABLES.items():
        if version < _schema.TABLE_SINCE.get(
            table, 1
        ):  # an older store never held it (a read never migrates)
            frames[table] = empty_frame(columns)
            continue
        names = ", ".join(f'"{c}"' for c in columns)
        frames[table] = conform(
            _frame(con, f"SELECT {names} FROM {table} WHERE snapshot_id = $1 ORDER BY ord", [sid]), columns
        )
    profile, policy = con.execute("SELECT profile, policy FROM snapshots WHERE id = $1", [sid]).fetchone()  # type: ignore[misc]

    def rows(table: str, names: list[str]) -> list[tuple[Any, ...]]:
        # a column an older schema lacks reads as NULL (a read never changes the file)
        have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        cols = ", ".join(f'"{n}"' if n in have else f'NULL AS "{n}"' for n in names)
        return con.execute(
            f"SELECT {cols} FROM {table} WHERE snapshot_id = $1 ORDER BY ord", [sid]
        ).fetchall()

    bodies = con.execute(
        "SELECT b.cert_id, b.der FROM snapshot_bodies s JOIN bodies b USING (cert_id) WHERE s.snapshot_id = $1",
        [sid],
    ).fetchall()
    return Inventory(
        certificates=frames["certificates"],
        observations=frames["observations"],
        services=frames["services"],
        algorithms=frames["algorithms"],
        rejected=tuple(
            Rejected(**dict(zip(_REJECTED_FIELDS, r, strict=True)))
            for r in rows("rejected", _REJECTED_FIELDS)
        ),
        private_keys=tuple(
            PrivateKeyFinding(**dict(zip(_PRIVATE_KEY_FIELDS, r, strict=True)))
            for r in rows("private_keys", _PRIVATE_KEY_FIELDS)
        ),
        sources=tuple(
            SourceRecord(
                path=p,
                ingester=i,
                records=int(n),
                rejected=int(r),
                read_at=at.astimezone(UTC),
                rows=None if pd.isna(read) else int(read),  # a store of schema 2 did not keep the accounting
                merged=0 if pd.isna(merged) else int(merged),
                defects=0 if pd.isna(defects) else int(defects),
            )
            for p, i, n, r, at, read, merged, defects in rows("sources", _SOURCE_FIELDS)
        ),
        bodies={cid: bytes(der) for cid, der in bodies},
        profile=decode_profile(profile, where),
        policy=decode_policy(policy, where),
        notes=tuple(n for (n,) in rows("notes", ["note"])),
        lab=frames["lab"],
    )
