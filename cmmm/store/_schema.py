"""The store's tables, its schema version, and the migrations from each earlier version."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb

from cmmm.model import (
    ALGORITHM_COLUMNS,
    CERTIFICATE_COLUMNS,
    LAB_COLUMNS,
    OBSERVATION_COLUMNS,
    SERVICE_COLUMNS,
    UTC_DT,
)

APPLICATION = "cmmm"
SCHEMA_VERSION = 4

_SQL_TYPES = {
    "string": "VARCHAR",
    UTC_DT: "TIMESTAMPTZ",
    "Float64": "DOUBLE",
    "Int64": "BIGINT",
    "boolean": "BOOLEAN",
}

# The model's frames, stored under these tables. Certificates and observations are content-addressed
# (a row is stored once, keyed by its cert_id and a hash of the whole row, and each snapshot lists the
# rows it holds): an unchanged certificate costs one membership row per snapshot, not a copy.
CONTENT_TABLES: dict[str, Mapping[str, str]] = {
    "certificates": CERTIFICATE_COLUMNS,
    "observations": OBSERVATION_COLUMNS,
}
_V1_SNAPSHOT_TABLES: dict[str, Mapping[str, str]] = {
    "services": SERVICE_COLUMNS,
    "algorithms": ALGORITHM_COLUMNS,
}
# Frames stored per snapshot as they are, and the schema version that added each table.
SNAPSHOT_TABLES: dict[str, Mapping[str, str]] = {**_V1_SNAPSHOT_TABLES, "lab": LAB_COLUMNS}
TABLE_SINCE: dict[str, int] = {"lab": 4, "exercises": 4, "snapshot_evidence": 4}


def sql_type(dtype: str) -> str:
    return _SQL_TYPES[dtype]


def _columns(columns: Mapping[str, str]) -> str:
    return ", ".join(f'"{name}" {sql_type(dtype)}' for name, dtype in columns.items())


def _snapshot_table(con: duckdb.DuckDBPyConnection, table: str, columns: Mapping[str, str]) -> None:
    con.execute(
        f"CREATE TABLE {table} (snapshot_id BIGINT NOT NULL, ord BIGINT NOT NULL, {_columns(columns)})"
    )


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    """The first schema: the inventory of each snapshot, nothing derived from it."""
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute(
        "CREATE TABLE snapshots (id BIGINT PRIMARY KEY, taken_at TIMESTAMPTZ NOT NULL, "
        "written_at TIMESTAMPTZ NOT NULL, cmmm_version VARCHAR NOT NULL, profile VARCHAR NOT NULL, "
        "policy VARCHAR NOT NULL, certificates BIGINT NOT NULL, observations BIGINT NOT NULL, "
        "services BIGINT NOT NULL, rejected BIGINT NOT NULL, sources BIGINT NOT NULL)"
    )
    for table, columns in CONTENT_TABLES.items():
        con.execute(
            f"CREATE TABLE {table} (row_id BIGINT NOT NULL, row_hash UBIGINT NOT NULL, {_columns(columns)})"
        )
        con.execute(
            f"CREATE TABLE snapshot_{table} (snapshot_id BIGINT NOT NULL, ord BIGINT NOT NULL, "
            "row_id BIGINT NOT NULL)"
        )
    for table, columns in _V1_SNAPSHOT_TABLES.items():
        _snapshot_table(con, table, columns)
    con.execute(
        "CREATE TABLE rejected (snapshot_id BIGINT NOT NULL, ord BIGINT NOT NULL, source VARCHAR, "
        "locator VARCHAR, reason VARCHAR)"
    )
    con.execute(
        "CREATE TABLE private_keys (snapshot_id BIGINT NOT NULL, ord BIGINT NOT NULL, path VARCHAR, "
        "locator VARCHAR, key_type VARCHAR, encrypted BOOLEAN, key_id VARCHAR, store VARCHAR, ca BOOLEAN, "
        "referenced BOOLEAN)"
    )
    con.execute(
        "CREATE TABLE sources (snapshot_id BIGINT NOT NULL, ord BIGINT NOT NULL, path VARCHAR, "
        "ingester VARCHAR, records BIGINT, rejected BIGINT, read_at TIMESTAMPTZ)"
    )
    con.execute("CREATE TABLE notes (snapshot_id BIGINT NOT NULL, ord BIGINT NOT NULL, note VARCHAR)")
    con.execute("CREATE TABLE bodies (cert_id VARCHAR NOT NULL, der BLOB NOT NULL)")
    con.execute("CREATE TABLE snapshot_bodies (snapshot_id BIGINT NOT NULL, cert_id VARCHAR NOT NULL)")


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2: what the assessment said of each snapshot, for `history`, `diff` and the trend."""
    con.execute(
        "CREATE TABLE snapshot_metrics (snapshot_id BIGINT NOT NULL, name VARCHAR NOT NULL, value DOUBLE)"
    )
    con.execute(
        "CREATE TABLE snapshot_criteria (snapshot_id BIGINT NOT NULL, criterion_id VARCHAR NOT NULL, "
        "level BIGINT, evidence VARCHAR, status VARCHAR NOT NULL)"
    )


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """Version 3: the row accounting of tabular sources (rows read, merged duplicates, reader defects)."""
    for column in ("rows", "merged", "defects"):
        con.execute(f'ALTER TABLE sources ADD COLUMN "{column}" BIGINT')


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    """Version 4: the PQC lab's measured handshakes, the level-5 drills' evidence of each snapshot's
    assessment, and tabletop exercises, each exercise one JSON record
    (cmmm.store._codec): `exercises` holds a snapshot's own (its bundle's exercises.yaml), `exercise_log`
    those recorded into the store afterwards (cmmm tabletop record --store), which every snapshot taken on or
    after the exercise's day reads as well."""
    _snapshot_table(con, "lab", LAB_COLUMNS)
    con.execute("CREATE TABLE exercises (snapshot_id BIGINT NOT NULL, ord BIGINT NOT NULL, record VARCHAR)")
    con.execute(
        "CREATE TABLE exercise_log (id VARCHAR PRIMARY KEY, held_on DATE NOT NULL, "
        "recorded_at TIMESTAMPTZ NOT NULL, record VARCHAR NOT NULL)"
    )
    # what each level-5 drill of the snapshot's assessment said, at which evaluation time and by which cmmm:
    # `assess --store` at that time reads it instead of running the drill again (same seed, same answer)
    con.execute(
        "CREATE TABLE snapshot_evidence (snapshot_id BIGINT NOT NULL, criterion_id VARCHAR NOT NULL, "
        "evaluated_at TIMESTAMPTZ NOT NULL, cmmm_version VARCHAR NOT NULL, value DOUBLE, met BOOLEAN, "
        "evidence VARCHAR NOT NULL, not_applicable VARCHAR)"
    )


# version → the step that brings a store of the version before it to this one. Creating a store runs
# every step from 1; opening an older store for writing runs the missing ones, in one transaction.
STEPS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _v1, 2: _v2, 3: _v3, 4: _v4}


def upgrade(con: duckdb.DuckDBPyConnection, from_version: int, to_version: int = SCHEMA_VERSION) -> None:
    """Run the steps after `from_version` up to `to_version` (0: a new store) and record the version."""
    for version in range(from_version + 1, to_version + 1):
        STEPS[version](con)
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('application', $1), ('schema_version', $2)",
        [APPLICATION, str(to_version)],
    )


def add_model_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Columns the model gained since the store was written, added empty (older rows lack the field)."""
    for table, columns in {**CONTENT_TABLES, **SNAPSHOT_TABLES}.items():
        have = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
        for name, dtype in columns.items():
            if name not in have:
                con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {sql_type(dtype)}')
