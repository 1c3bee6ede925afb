"""The inventory at scale: a Parquet dataset partitioned by a hash of `cert_id`, written and read here.

Layout (hive-style, so Dask's `read_parquet`, DuckDB and Spark read it as it is):

    DIR/manifest.json                          format, version, buckets, profile, policy, records, notes
    DIR/certificates/bucket=K/part-NNNNN.parquet certificates whose cert_id hashes to bucket K (with `ord`),
                                               one file per block written (`part.parquet` before blocks)
    DIR/observations/bucket=K/part-NNNNN.parquet observations of those certificates
    DIR/bodies/bucket=K/part-NNNNN.parquet       their DER bodies (cert_id, der)
    DIR/services.parquet, DIR/algorithms.parquet, DIR/lab.parquet   small tables, whole

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
from dataclasses import replace
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
        self._seen_notes: set[str] = set()
        self._exercises: tuple[Any, ...] = ()

    def __enter__(self) -> DatasetWriter:
        if self.path.exists() and not (self.path / MANIFEST).is_file():  # refused before any block is written
            raise InputError(
                str(self.path), "exists and is not a cmmm dataset (no manifest.json): not replaced"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent))
        return self

    def add(self, inv: Inventory) -> None:
        """Write one block; the first block's profile, policy and exercises are the dataset's."""
        assert self._tmp is not None, "use DatasetWriter as a context manager"
        if inv.certificates["cert_id"].isna().any():
            raise ValueError("certificate rows without a cert_id cannot be bucketed")
        if inv.exercises and self._exercises and inv.exercises != self._exercises:
            raise ValueError("two blocks carry different exercise logs")
        self._exercises = self._exercises or inv.exercises
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
            if len(table):
                self._small[name].append(table)
        self._rejected.extend(inv.rejected)
        self._private_keys.extend(inv.private_keys)
        self._sources.extend(inv.sources)
        self._notes.extend(dict.fromkeys(n for n in inv.notes if n not in self._seen_notes))
        self._seen_notes.update(inv.notes)
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
                small = _later_repeats_dropped([conform(f, columns) for f in self._small[name]], columns)
                pq.write_table(pa.Table.from_pandas(small, preserve_index=False), tmp / f"{name}.parquet")
            doc = _manifest(replace(first, exercises=self._exercises), self.buckets, self.version)
            doc["rejected"] = [{k: getattr(r, k) for k in _REJECTED} for r in self._rejected]
            doc["private_keys"] = [{k: getattr(p, k) for k in _PRIVATE_KEYS} for p in self._private_keys]
            doc["sources"] = [source_document(s) for s in self._sources]
            doc["notes"] = self._notes
            (tmp / MANIFEST).write_text(json.dumps(doc, indent=1), encoding="utf-8")
            _swap(tmp, self.path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _later_repeats_dropped(frames: list[pd.DataFrame], columns: Mapping[str, str]) -> pd.DataFrame:
    """The blocks' small tables (services, algorithms, lab) as one: a row a later block repeats exactly is
    dropped (every block may carry the bundle's service catalog); rows repeated within one block are kept,
    as a single write keeps them."""
    if not frames:
        return empty_frame(columns)
    if len(frames) == 1:
        return frames[0]
    kept = [frames[0]]
    seen = set(_rows(frames[0]))
    for f in frames[1:]:
        rows = _rows(f)
        kept.append(f[np.array([r not in seen for r in rows], dtype=bool)])
        seen.update(rows)
    return pd.concat(kept, ignore_index=True)


def _rows(f: pd.DataFrame) -> list[tuple[str, ...]]:
    """The rows of a small table as tuples of text (so a missing value equals a missing value)."""
    return [tuple(r) for r in f.astype(str).to_numpy().tolist()]


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
    path: Path,
    name: str,
    only: Iterable[int] | None,
    columns: Mapping[str, str] | None,
    filters: Any = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """A partitioned table's rows in the order written, and each row's `ord` (its place in that order)."""
    root = path / name
    folders = sorted(root.glob("bucket=*")) if only is None else [root / f"bucket={b}" for b in only]
    parts = [_parquet(f, filters) for folder in folders for f in sorted(folder.glob("part*.parquet"))]
    parts = [t for t in parts if t.num_rows] or parts[:1]
    if not parts:
        empty = pd.DataFrame({"cert_id": pd.Series(dtype="string"), "der": pd.Series(dtype=object)})
        return (conform(empty, columns) if columns is not None else empty), np.zeros(0, np.int64)
    table = parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="default")
    frame = table.to_pandas().sort_values("ord", kind="stable")
    ords = frame.pop("ord").to_numpy(dtype=np.int64)
    return (conform(frame, columns) if columns is not None else frame.reset_index(drop=True)), ords


def _parquet(file: Path, filters: Any = None) -> pa.Table:
    """One part file; a damaged or truncated one is an InputError naming it, not a traceback."""
    try:
        return pq.read_table(file, filters=filters)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(str(file), f"not a readable Parquet part of a cmmm dataset ({exc})") from None


def dedup_certificates(certs: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """One row per cert_id: a row read from a certificate body wins over a declared one, then the first
    written. Returns the rows kept (in their order) and how many were merged away. A dataset written in
    blocks holds a certificate twice when two blocks saw it; both copies share a bucket, so this runs on one
    bucket alone."""
    kept = _kept_rows(certs)
    if len(kept) == len(certs):
        return certs, 0
    return certs.iloc[kept].reset_index(drop=True), len(certs) - len(kept)


def _kept_rows(certs: pd.DataFrame) -> np.ndarray:
    """The positions dedup_certificates keeps, in order."""
    if not certs["cert_id"].duplicated().any():
        return np.arange(len(certs))
    body = certs["has_body"].fillna(False).astype(bool).to_numpy()
    order = np.lexsort((np.arange(len(certs)), ~body))  # body first, then the order written
    first = ~certs["cert_id"].iloc[order].duplicated().to_numpy()
    return np.sort(order[first])


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


def read_cas(path: Path) -> tuple[pd.DataFrame, dict[str, bytes], np.ndarray]:
    """Every CA certificate of the dataset (a few in any real inventory), their bodies and their `ord`: the
    hierarchy a bucket's leaves chain to. The ids come from a pass filtered on `is_ca`; then every row of
    those ids is read from their buckets only and deduplicated as a whole read would, so a certificate written
    once as a leaf and once as a CA is whatever the dedup keeps."""
    _read_manifest(path)
    columns = _schema.CONTENT_TABLES["certificates"]
    flagged, _ = _table(path, "certificates", None, None, [("is_ca", "==", True)])
    ids = sorted(set(flagged["cert_id"].dropna().astype(str))) if len(flagged) else []
    if not ids:
        return empty_frame(columns), {}, np.zeros(0, np.int64)
    where = sorted({int(b) for b in buckets_of(pd.Series(ids), dataset_buckets(path))})
    rows, ords = _table(path, "certificates", where, columns, [("cert_id", "in", ids)])
    kept = _kept_rows(rows)
    rows, ords = rows.iloc[kept].reset_index(drop=True), ords[kept]
    ca = rows["is_ca"].fillna(False).astype(bool).to_numpy()
    cas = rows[ca].reset_index(drop=True)
    found, _ = _table(
        path, "bodies", where, None, [("cert_id", "in", sorted(set(cas["cert_id"].astype(str))))]
    )
    bodies = {str(c): bytes(d) for c, d in zip(found["cert_id"], found["der"], strict=True)}
    return cas, bodies, ords[ca]


def read_buckets(path: Path, buckets: Iterable[int] | None = None) -> tuple[Inventory, int]:
    """read_dataset, and how many certificate rows its dedup merged (a certificate written by two blocks)."""
    inv, merged, _ = read_ordered(path, buckets)
    return inv, merged


def read_ordered(path: Path, buckets: Iterable[int] | None = None) -> tuple[Inventory, int, np.ndarray]:
    """read_buckets, and each certificate row's `ord`: its place in the whole dataset's order (what a bucket
    needs to sort the broadcast CA rows among its own as the whole inventory has them)."""
    doc = _read_manifest(path)
    only = None if buckets is None else sorted(set(buckets))
    where = str(path)
    rows, ords = _table(path, "certificates", only, _schema.CONTENT_TABLES["certificates"])
    kept = _kept_rows(rows)
    merged = len(rows) - len(kept)
    certs = rows.iloc[kept].reset_index(drop=True) if merged else rows
    obs, _ = _table(path, "observations", only, _schema.CONTENT_TABLES["observations"])
    bodies, _ = _table(path, "bodies", only, None)
    small = {  # a table the dataset's cmmm did not write yet (the lab) reads as empty
        name: conform(_parquet(path / f"{name}.parquet").to_pandas(), columns)
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
    return inv, merged, ords[kept]
