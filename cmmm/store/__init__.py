"""The DuckDB store: inventories kept as snapshots over time, read back without the raw sources.

One file holds every snapshot. Certificates and observations are content-addressed (an unchanged one is
stored once across snapshots); each snapshot is one transaction; the file carries its schema version and
older stores are upgraded when next written. Only this package imports duckdb. At scale the inventory is
also a Parquet dataset partitioned by a hash of cert_id (store.dataset), the Dask path's input.
"""

from __future__ import annotations

from cmmm.store._schema import SCHEMA_VERSION
from cmmm.store.dataset import (
    DatasetWriter,
    bucket_numbers,
    dataset_buckets,
    dedup_certificates,
    is_dataset,
    read_buckets,
    read_cas,
    read_dataset,
    read_ordered,
    write_dataset,
)
from cmmm.store.diff import CHANGE_COLUMNS, Change, Diff, Regression, diff
from cmmm.store.snapshots import (
    CriterionState,
    SnapshotInfo,
    SnapshotMetrics,
    StoredEvidence,
    is_store,
    read_snapshot,
    record_exercise,
    select,
    snapshots,
    stored_evidence,
    write_snapshot,
)

__all__ = [
    "CHANGE_COLUMNS",
    "SCHEMA_VERSION",
    "Change",
    "CriterionState",
    "DatasetWriter",
    "Diff",
    "Regression",
    "SnapshotInfo",
    "SnapshotMetrics",
    "StoredEvidence",
    "bucket_numbers",
    "dataset_buckets",
    "dedup_certificates",
    "diff",
    "is_dataset",
    "is_store",
    "read_buckets",
    "read_cas",
    "read_dataset",
    "read_ordered",
    "read_snapshot",
    "record_exercise",
    "select",
    "snapshots",
    "stored_evidence",
    "write_dataset",
    "write_snapshot",
]
