"""The inventory at scale: a Parquet dataset partitioned by a hash of `cert_id`, written and read here.

Layout (hive-style, so Dask's `read_parquet`, DuckDB and Spark read it as it is):

    DIR/manifest.json                      format, version, buckets, profile, policy, records, notes
    DIR/certificates/bucket=K/part.parquet certificates whose cert_id hashes to bucket K (with `ord`)
    DIR/observations/bucket=K/part.parquet observations of those certificates
    DIR/bodies/bucket=K/part.parquet       their DER bodies (cert_id, der)
    DIR/services.parquet, DIR/algorithms.parquet   small tables, whole

A certificate, its observations and its body land in the same bucket, so dedup and per-certificate facts
run on one bucket alone (the shuffle by cert_id of docs/scaling.md is done once, when writing). `ord` keeps
the inventory's row order: reading every bucket gives back the Inventory frame by frame.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cmmm.errors import InputError
from cmmm.export import source_document
from cmmm.model import Inventory, PrivateKeyFinding, Rejected, SourceRecord, conform, empty_frame
from cmmm.store import _schema
from cmmm.store._codec import (
    decode_exercise,
    decode_policy,
    decode_profile,
    encode_exercise,
    encode_policy,
    encode_profile,
)

FORMAT = "cmmm-dataset"
VERSION = 1
DEFAULT_BUCKETS = 64
MANIFEST = "manifest.json"
PARTITIONED = ("certificates", "observations", "bodies")
_REJECTED = ("source", "locator", "reason")
_PRIVATE_KEYS = ("path", "locator", "key_type", "encrypted", "key_id", "store", "ca", "referenced")


def buckets_of(cert_id: pd.Series, buckets: int) -> np.ndarray:
    """The bucket of each cert_id: pandas' stable 64-bit hash (the one Dask partitions by) modulo `buckets`."""
    keys = cert_id.astype("string").fillna("")
    return (pd.util.hash_pandas_object(keys, index=False).to_numpy() % np.uint64(buckets)).astype(np.int64)


def write_dataset(path: Path, inv: Inventory, *, buckets: int = DEFAULT_BUCKETS, version: str = "") -> None:
    """Write `inv` as a dataset at `path`, replacing one there: built in a temporary folder beside it and
    renamed into place, so an interrupted write leaves the previous dataset whole (STYLE.md 15)."""
    with DatasetWriter(path, buckets=buckets, version=version) as out:
        out.add(inv)


class DatasetWriter:
    """Write a dataset block by block, so no process holds more than one block of a large inventory.

    Each `add(block)` hashes the block's certificates, observations and bodies into their buckets and writes
    one Parquet file per bucket and table (`bucket=K/part-NNNNN.parquet`); the small tables, records, sources
    and notes are gathered and written with the manifest when the writer closes. Everything is written into a
    temporary folder beside `path` and renamed into place on a clean exit (an exception leaves the previous
    dataset whole). A certificate in two blocks is kept twice on disk and merged when read (see
    `dedup_certificates`): the shuffle by cert_id puts both copies in the same bucket.
    """

    def __init__(self, path: Path, *, buckets: int = DEFAULT_BUCKETS, version: str = "") -> None:
        if buckets < 1:
            raise ValueError("buckets must be at least 1")
        self.path, self.buckets, self.version = path, buckets, version
        self._tmp: Path | None = None
        self._blocks = 0
        self._rows = dict.fromkeys(PARTITIONED, 0)
        self._first: Inventory | None = None
        self._small: dict[str, list[pd.DataFrame]] = {name: [] for name in _schema.SNAPSHOT_TABLES}
        self._rejected: list[Rejected] = []
        self._private_keys: list[PrivateKeyFinding] = []
        self._sources: list[SourceRecord] = []
        self._notes: list[str] = []

    def __enter__(self) -> DatasetWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent))
        return self

    def add(self, inv: Inventory) -> None:
        """Write one block; the first block's profile, policy and exercises are the dataset's."""
        assert self._tmp is not None, "use DatasetWriter as a context manager"
        bodies = pd.DataFrame({"cert_id": list(inv.bodies), "der": list(inv.bodies.values())})
        tables: dict[str, pd.DataFrame] = {
            "certificates": conform(inv.certificates, _schema.CONTENT_TABLES["certificates"]),
            "observations": conform(inv.observations, _schema.CONTENT_TABLES["observations"]),
            "bodies": bodies.astype({"cert_id": "string"}),
        }
        for name, frame in tables.items():
            start = self._rows[name]
            frame = frame.assign(ord=np.arange(start, start + len(frame), dtype=np.int64))
            self._rows[name] = start + len(frame)
            where = buckets_of(frame["cert_id"], self.buckets)
            for b in np.unique(where):
                folder = self._tmp / name / f"bucket={int(b)}"
                folder.mkdir(parents=True, exist_ok=True)
                part = pa.Table.from_pandas(frame[where == b], preserve_index=False)
                pq.write_table(part, folder / f"part-{self._blocks:05d}.parquet")
        for name in self._small:
            table = getattr(inv, name)
            if len(table) or not self._small[name]:
                self._small[name].append(table)
        self._rejected.extend(inv.rejected)
        self._private_keys.extend(inv.private_keys)
        self._sources.extend(inv.sources)
        self._notes.extend(n for n in inv.notes if n not in self._notes)
        if self._first is None:
            self._first = inv
        self._blocks += 1

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        tmp = self._tmp
        assert tmp is not None
        if exc is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            return
        try:
            first = self._first or Inventory()
            for name, columns in _schema.SNAPSHOT_TABLES.items():
                frames = [conform(f, columns) for f in self._small[name]] or [empty_frame(columns)]
                small = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
                if len(frames) > 1:
                    small = small.drop_duplicates(ignore_index=True)
                pq.write_table(pa.Table.from_pandas(small, preserve_index=False), tmp / f"{name}.parquet")
            doc = _manifest(first, self.buckets, self.version)
            doc["rejected"] = [{k: getattr(r, k) for k in _REJECTED} for r in self._rejected]
            doc["private_keys"] = [{k: getattr(p, k) for k in _PRIVATE_KEYS} for p in self._private_keys]
            doc["sources"] = [source_document(s) for s in self._sources]
            doc["notes"] = self._notes
            (tmp / MANIFEST).write_text(json.dumps(doc, indent=1), encoding="utf-8")
            _swap(tmp, self.path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _swap(tmp: Path, path: Path) -> None:
    """Put the finished folder `tmp` at `path`; a previous dataset is moved aside first, then removed."""
    if path.exists():
        if not (path / MANIFEST).is_file():
            raise InputError(str(path), "exists and is not a cmmm dataset (no manifest.json): not replaced")
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
        os.replace(path, old / "dataset")
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, path)


def _manifest(inv: Inventory, buckets: int, version: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "cmmm": version,
        "buckets": buckets,
        "profile": encode_profile(inv.profile),
        "policy": encode_policy(inv.policy),
        "rejected": [{k: getattr(r, k) for k in _REJECTED} for r in inv.rejected],
        "private_keys": [{k: getattr(p, k) for k in _PRIVATE_KEYS} for p in inv.private_keys],
        "sources": [source_document(s) for s in inv.sources],
        "notes": list(inv.notes),
        "exercises": [encode_exercise(e) for e in inv.exercises],
    }


def is_dataset(path: Path) -> bool:
    """A folder written by write_dataset."""
    return (path / MANIFEST).is_file()


def dataset_buckets(path: Path) -> int:
    """How many buckets the dataset at `path` was written with."""
    return int(_read_manifest(path)["buckets"])


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        doc: dict[str, Any] = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), "not a cmmm dataset (no manifest.json)") from None
    except json.JSONDecodeError as exc:
        raise InputError(str(path / MANIFEST), f"not JSON: {exc.msg}", exc.lineno) from None
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise InputError(str(path / MANIFEST), f"not a {FORMAT} version {VERSION} manifest")
    return doc


def _table(
    path: Path, name: str, only: Iterable[int] | None, columns: Mapping[str, str] | None
) -> pd.DataFrame:
    root = path / name
    folders = sorted(root.glob("bucket=*")) if only is None else [root / f"bucket={b}" for b in only]
    parts = [pq.read_table(f) for folder in folders for f in sorted(folder.glob("part*.parquet"))]
    if not parts:
        empty = pd.DataFrame({"cert_id": pd.Series(dtype="string"), "der": pd.Series(dtype=object)})
        return conform(empty, columns) if columns is not None else empty
    table = parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="default")
    frame = table.to_pandas().sort_values("ord", kind="stable").drop(columns="ord")
    return conform(frame, columns) if columns is not None else frame.reset_index(drop=True)


def dedup_certificates(certs: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """One row per cert_id: a row read from a certificate body wins over a declared one, then the first
    written. Returns the rows kept (in their order) and how many were merged away. A dataset written in
    blocks holds a certificate twice when two blocks saw it; both copies share a bucket, so this runs on one
    bucket alone."""
    if not certs["cert_id"].duplicated().any():
        return certs, 0
    certs = certs.reset_index(drop=True)
    body = certs["has_body"].fillna(False).astype(bool).to_numpy()
    order = np.lexsort((np.arange(len(certs)), ~body))  # body first, then the order written
    chosen = certs["cert_id"].iloc[order].drop_duplicates().index.to_numpy()
    kept = certs.iloc[np.sort(chosen)].reset_index(drop=True)
    return kept, len(certs) - len(kept)


def _merged_note(merged: int) -> tuple[str, ...]:
    if not merged:
        return ()
    return (f"dataset: {merged:,} certificate rows written by more than one block merged into one each",)


def read_dataset(path: Path, buckets: Iterable[int] | None = None) -> Inventory:
    """The Inventory of the dataset at `path`; with `buckets`, only those buckets' certificates, observations
    and bodies (a partition a worker can take on its own) and the small tables whole."""
    return read_buckets(path, buckets)[0]


def bucket_numbers(path: Path) -> list[int]:
    """The buckets holding certificates, in order."""
    _read_manifest(path)
    found = (f.name.partition("=")[2] for f in (path / "certificates").glob("bucket=*"))
    return sorted(int(b) for b in found if b.isdigit())


def read_cas(path: Path) -> tuple[pd.DataFrame, dict[str, bytes]]:
    """Every CA certificate of the dataset (a few in any real inventory) and their bodies: the hierarchy a
    bucket's leaves chain to, read with a filter on `is_ca` so the leaves stay on disk."""
    _read_manifest(path)
    files = sorted((path / "certificates").glob("bucket=*/part*.parquet"))
    parts = [pq.read_table(f, filters=[("is_ca", "==", True)]) for f in files]
    columns = _schema.CONTENT_TABLES["certificates"]
    if not parts:
        return empty_frame(columns), {}
    frame = pa.concat_tables(parts, promote_options="default").to_pandas()
    frame = frame.sort_values("ord", kind="stable").drop(columns="ord")
    cas, _ = dedup_certificates(conform(frame, columns))
    ids = set(cas["cert_id"].astype(str))
    bodies: dict[str, bytes] = {}
    if not ids:
        return cas, bodies
    for f in sorted((path / "bodies").glob("bucket=*/part*.parquet")):
        t = pq.read_table(f, filters=[("cert_id", "in", sorted(ids))])
        for c, d in zip(t.column("cert_id").to_pylist(), t.column("der").to_pylist(), strict=True):
            bodies.setdefault(str(c), bytes(d))
    return cas, bodies


def read_buckets(path: Path, buckets: Iterable[int] | None = None) -> tuple[Inventory, int]:
    """read_dataset, and how many certificate rows its dedup merged (a certificate written by two blocks)."""
    doc = _read_manifest(path)
    only = None if buckets is None else sorted(set(buckets))
    where = str(path)
    certs, merged = dedup_certificates(
        _table(path, "certificates", only, _schema.CONTENT_TABLES["certificates"])
    )
    obs = _table(path, "observations", only, _schema.CONTENT_TABLES["observations"])
    bodies = _table(path, "bodies", only, None)
    small = {  # a table the dataset's cmmm did not write yet (the lab) reads as empty
        name: conform(pq.read_table(path / f"{name}.parquet").to_pandas(), columns)
        if (path / f"{name}.parquet").is_file()
        else empty_frame(columns)
        for name, columns in _schema.SNAPSHOT_TABLES.items()
    }
    inv = Inventory(
        certificates=certs,
        observations=obs,
        services=small["services"],
        algorithms=small["algorithms"],
        rejected=tuple(Rejected(**r) for r in doc["rejected"]),
        private_keys=tuple(PrivateKeyFinding(**p) for p in doc["private_keys"]),
        sources=tuple(
            SourceRecord(
                path=s["path"],
                ingester=s["ingester"],
                records=int(s["records"]),
                rejected=int(s["rejected"]),
                read_at=datetime.fromisoformat(s["read_at"]),
                rows=None if s.get("rows") is None else int(s["rows"]),
                merged=int(s.get("merged") or 0),
                defects=int(s.get("defects") or 0),
            )
            for s in doc["sources"]
        ),
        bodies={str(c): bytes(d) for c, d in zip(bodies["cert_id"], bodies["der"], strict=True)},
        profile=decode_profile(doc["profile"], where),
        policy=decode_policy(doc["policy"], where),
        notes=(*doc["notes"], *_merged_note(merged)),
        lab=small["lab"],
        exercises=tuple(decode_exercise(e, where) for e in doc.get("exercises", [])),
    )
    return inv, merged
