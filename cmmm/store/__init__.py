"""The DuckDB store: inventories kept as snapshots over time, read back without the raw sources.

One file holds every snapshot. Certificates and observations are content-addressed (an unchanged one is
stored once across snapshots); each snapshot is one transaction; the file carries its schema version and
older stores are upgraded when next written. Only this package imports duckdb.
"""

from __future__ import annotations

from cmmm.store._schema import SCHEMA_VERSION
from cmmm.store.diff import CHANGE_COLUMNS, Change, Diff, Regression, diff
from cmmm.store.snapshots import (
    CriterionState,
    SnapshotInfo,
    SnapshotMetrics,
    is_store,
    read_snapshot,
    record_exercise,
    select,
    snapshots,
    write_snapshot,
)

__all__ = [
    "CHANGE_COLUMNS",
    "SCHEMA_VERSION",
    "Change",
    "CriterionState",
    "Diff",
    "Regression",
    "SnapshotInfo",
    "SnapshotMetrics",
    "diff",
    "is_store",
    "read_snapshot",
    "record_exercise",
    "select",
    "snapshots",
    "write_snapshot",
]
