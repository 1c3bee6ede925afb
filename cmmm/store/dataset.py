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
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        bodies = pd.DataFrame({"cert_id": list(inv.bodies), "der": list(inv.bodies.values())})
        tables: dict[str, pd.DataFrame] = {
            "certificates": conform(inv.certificates, _schema.CONTENT_TABLES["certificates"]),
            "observations": conform(inv.observations, _schema.CONTENT_TABLES["observations"]),
            "bodies": bodies.astype({"cert_id": "string"}),
        }
        for name, frame in tables.items():
            frame = frame.assign(ord=np.arange(len(frame), dtype=np.int64))
            where = buckets_of(frame["cert_id"], buckets)
            for b in np.unique(where):
                folder = tmp / name / f"bucket={int(b)}"
                folder.mkdir(parents=True)
                part = pa.Table.from_pandas(frame[where == b], preserve_index=False)
                pq.write_table(part, folder / "part.parquet")
        for name, columns in _schema.SNAPSHOT_TABLES.items():
            table = pa.Table.from_pandas(conform(getattr(inv, name), columns), preserve_index=False)
            pq.write_table(table, tmp / f"{name}.parquet")
        (tmp / MANIFEST).write_text(json.dumps(_manifest(inv, buckets, version), indent=1), encoding="utf-8")
        _swap(tmp, path)
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
    parts = [pq.read_table(f / "part.parquet") for f in folders if (f / "part.parquet").is_file()]
    if not parts:
        empty = pd.DataFrame({"cert_id": pd.Series(dtype="string"), "der": pd.Series(dtype=object)})
        return conform(empty, columns) if columns is not None else empty
    frame = pa.concat_tables(parts).to_pandas().sort_values("ord", kind="stable").drop(columns="ord")
    return conform(frame, columns) if columns is not None else frame.reset_index(drop=True)


def read_dataset(path: Path, buckets: Iterable[int] | None = None) -> Inventory:
    """The Inventory of the dataset at `path`; with `buckets`, only those buckets' certificates, observations
    and bodies (a partition a worker can take on its own) and the small tables whole."""
    doc = _read_manifest(path)
    only = None if buckets is None else sorted(set(buckets))
    where = str(path)
    certs = _table(path, "certificates", only, _schema.CONTENT_TABLES["certificates"])
    obs = _table(path, "observations", only, _schema.CONTENT_TABLES["observations"])
    bodies = _table(path, "bodies", only, None)
    small = {  # a table the dataset's cmmm did not write yet (the lab) reads as empty
        name: conform(pq.read_table(path / f"{name}.parquet").to_pandas(), columns)
        if (path / f"{name}.parquet").is_file()
        else empty_frame(columns)
        for name, columns in _schema.SNAPSHOT_TABLES.items()
    }
    return Inventory(
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
        notes=tuple(doc["notes"]),
        lab=small["lab"],
        exercises=tuple(decode_exercise(e, where) for e in doc.get("exercises", [])),
    )
