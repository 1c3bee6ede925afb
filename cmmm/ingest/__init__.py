"""Read inventories from files and directories, detect each file's format by content, merge them."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import pyarrow as pa

from cmmm import _yaml
from cmmm._lenient import tolerated_warnings
from cmmm.errors import InputError
from cmmm.ingest._base import SNIFF_BYTES, Batch, Ingester, ReadContext
from cmmm.ingest._merge import combine, merge
from cmmm.ingest.bundle import BUNDLE_FILES
from cmmm.ingest.registry import INGESTERS, Format
from cmmm.model import Inventory, Rejected, SourceRecord
from cmmm.profile import parse_profile

__all__ = [
    "INGESTERS",
    "Format",
    "Ingester",
    "ReadContext",
    "configure_arrow",
    "detect",
    "load",
    "read_file",
    "walk",
]

ProgressFn = Callable[[int, int], None]
_SKIP_NAMES = {
    "readme",
    "readme.md",
    "readme.txt",
    "license",
    "notice",
    ".ds_store",
    "generate.py",
    "source.txt",
    "makefile",
}
_log = logging.getLogger(__name__)
_NESTING = sys.getrecursionlimit()
MAX_DIR_DEPTH = 64  # folders below a named path: deeper trees are reported, not walked (a 1,000-level tree)
_PARALLEL_MIN_FILES = 256
_THREADED_MIN_BYTES = 4 << 20  # below this, starting threads or processes costs more than it saves
_POOLED_MIN_FILES = 16  # this many files of that much: worker processes (parsing YAML/JSON holds the GIL)


def configure_arrow() -> None:
    """Choose Arrow's memory pool for a large ingest: jemalloc where this pyarrow build has it.

    Called where a program starts (the CLI's ingesting commands, the benchmarks), never at import: the
    pool is process-wide, and a library that is imported must not change its host process.
    Normalizing a spreadsheet makes a hundred short-lived column arrays. Arrow's default mimalloc pool
    faults fresh pages for them on a process's first large ingest (250,000 rows: 2.1 s, 0.9 s once warm);
    jemalloc reuses them (1.2 s cold) and peaks lower at 1,000,000 certificates (3.3 against 3.6 GiB;
    glibc's allocator was fast but peaked at 5.9 GiB). Builds without jemalloc keep their default, and
    ARROW_DEFAULT_MEMORY_POOL, when set, still chooses. Worker processes inherit the pool by fork.
    """
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ or pa.default_memory_pool().backend_name == "jemalloc":
        return
    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def _total_bytes(files: list[str]) -> int:
    total = 0
    for f in files:
        try:
            total += os.stat(f).st_size
        except OSError:
            continue  # read_file reports it
    return total


class _NamedPath(type(Path())):  # type: ignore[misc]
    """A file whose name is not valid UTF-8 (its bytes kept by surrogateescape): opened by its real name
    (os.fspath), shown by str() with U+FFFD — so that a Latin-1 file name reaches no encoder (Arrow,
    the terminal, JSON) as a lone surrogate."""

    def __str__(self) -> str:
        return display_name(super().__str__())

    def __fspath__(self) -> str:
        return super().__str__()


def display_name(path: str) -> str:
    """A path as text every encoder accepts: bytes that were not UTF-8 become U+FFFD."""
    return path if path.isascii() else os.fsencode(path).decode("utf-8", "replace")


def _path(name: str) -> Path:
    return Path(name) if display_name(name) == name else _NamedPath(name)


def walk(paths: Iterable[Path | str], rejected: list[Rejected]) -> Iterator[Path]:
    """Every regular file under `paths`, each once: directory symlinks are followed once (loops are
    reported) and a file named twice (or reached twice, by a link) is read once."""
    return map(_path, _walk(paths, rejected))


class _Seen:
    """What a walk has visited: directories by real path, files by (device, inode) as their folder's
    listing gives them — on overlayfs a listing's inode can differ from stat's, so a file named on the
    command line is keyed through its parent's listing too (one listing per parent, cached)."""

    def __init__(self) -> None:
        self.dirs: set[str] = set()
        self.files: set[tuple[int, int]] = set()
        self._listings: dict[str, tuple[int, dict[str, int]]] = {}

    def first_time(self, key: tuple[int, int]) -> bool:
        if key in self.files:
            return False
        self.files.add(key)
        return True

    def key_of(self, path: str, st: os.stat_result) -> tuple[int, int]:
        parent, name = os.path.split(os.path.realpath(path))
        listing = self._listings.get(parent)
        if listing is None:
            try:
                listing = (os.stat(parent).st_dev, {e.name: e.inode() for e in os.scandir(parent)})
            except OSError:
                listing = (st.st_dev, {})
            self._listings[parent] = listing
        dev, inodes = listing
        return (dev, inodes[name]) if name in inodes else (st.st_dev, st.st_ino)


def _walk(paths: Iterable[Path | str], rejected: list[Rejected]) -> Iterator[str]:
    """walk() as path strings (a Path per file costs more than the listing)."""
    seen = _Seen()
    for p in paths:
        path = Path(p)
        try:
            st = path.stat()
        except OSError as exc:
            rejected.append(Rejected(source=display_name(str(path)), locator="-", reason=_os_reason(exc)))
            continue
        yield from _visit(str(path), st, seen, rejected, 0)


def _visit(path: str, st: os.stat_result, seen: _Seen, rejected: list[Rejected], depth: int) -> Iterator[str]:
    if stat.S_ISREG(st.st_mode):
        if seen.first_time(seen.key_of(path, st)):  # the same file named twice is one source, not two
            yield path
        return
    if not stat.S_ISDIR(st.st_mode):
        rejected.append(Rejected(source=display_name(path), locator="-", reason="not a regular file"))
        return
    if depth > MAX_DIR_DEPTH:
        rejected.append(
            Rejected(
                source=display_name(path),
                locator="-",
                reason=f"folder nested more than {MAX_DIR_DEPTH} levels deep (limit: folder depth); not read",
            )
        )
        return
    real = os.path.realpath(path)
    if real in seen.dirs:
        rejected.append(
            Rejected(source=display_name(path), locator="-", reason="directory symlink loop; visited once")
        )
        return
    seen.dirs.add(real)
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError as exc:
        rejected.append(Rejected(source=display_name(path), locator="-", reason=_os_reason(exc)))
        return
    for entry in entries:
        # docs/bundle.md: names starting with "." or "_" are not inventory (e.g. sample_inventories/_truth)
        if entry.name.startswith((".", "_")) or entry.name.lower() in _SKIP_NAMES:
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                # a plain file in a folder: its inode comes with the listing, no stat call per file
                if seen.first_time((st.st_dev, entry.inode())):
                    yield entry.path
                continue
            child = entry.stat()  # a directory or a link: follow it
        except OSError as exc:
            rejected.append(Rejected(source=display_name(entry.path), locator="-", reason=_os_reason(exc)))
            continue
        yield from _visit(entry.path, child, seen, rejected, depth + 1)


def _os_reason(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


def detect(path: Path, head: bytes) -> Format | None:
    """The format whose sniffer is most confident about this file, or None."""
    if head.lstrip()[:27] == b"-----BEGIN CERTIFICATE-----" and path.name.lower() not in BUNDLE_FILES:
        # A plain PEM file: no other format starts this way, and asking every sniffer costs more than
        # parsing the certificate (250,000 files in a certificate store).
        return Format.PEM
    best: tuple[int, Format | None] = (0, None)
    for key, ing in INGESTERS.items():
        score = ing.sniff(path, head)
        if score > best[0]:
            best = (score, key)
    return best[1]


def read_file(path: Path, ctx: ReadContext) -> tuple[str, Batch]:
    """Detect and read one file. Failures come back as a Batch holding one rejection, never raise."""
    head = _head(path, ctx)
    if isinstance(head, Batch):
        return "-", head
    fmt = detect(path, head[0])
    if fmt is None:
        return "-", _rejection(path, "unrecognized content: not a certificate, inventory or known export")
    return fmt.value, _read_guarded(fmt, path, head, ctx)


SPARSE_RATIO = 64  # a file holding less than 1/64 of its size on disk is sparse: holes, not data
_SPARSE_MIN_BYTES = 16 << 20


def _head(path: Path, ctx: ReadContext) -> tuple[bytes, int] | Batch:
    """The first SNIFF_BYTES and the size, or the rejection of a file that is empty, too big or sparse."""
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            size = st.st_size
            if size == 0:
                return _rejection(path, "empty file")
            if size > ctx.max_file_bytes:
                return _rejection(path, f"file is {size} bytes, over the {ctx.max_file_bytes}-byte limit")
            stored = getattr(st, "st_blocks", size // 512 + 1) * 512
            if size >= _SPARSE_MIN_BYTES and stored * SPARSE_RATIO < size:
                return _rejection(
                    path,
                    f"sparse file: {size} bytes of which {stored} are stored (limit: bytes actually stored; "
                    "a file of holes is not an inventory)",
                )
            return fh.read(SNIFF_BYTES), size
    except OSError as exc:
        return _rejection(path, _os_reason(exc))


def _read_guarded(fmt: Format, path: Path, head: tuple[bytes, int], ctx: ReadContext) -> Batch:
    """The ingester's Batch, or a rejection of the file for whatever the ingester raised."""
    ingester = INGESTERS[fmt]
    try:
        if ingester.read_data is not None and len(head[0]) == head[1]:  # the whole file is in hand already
            return ingester.read_data(path, head[0], ctx)
        return ingester.read(path, ctx)
    except InputError as exc:
        return Batch(rejected=[Rejected(source=exc.source, locator=str(exc.line or "-"), reason=exc.reason)])
    except OSError as exc:
        return _rejection(path, _os_reason(exc))
    except RecursionError:
        return _rejection(path, f"nested deeper than the nesting limit (about {_NESTING} levels)")
    except MemoryError:
        return _rejection(path, "too large to hold in memory (limit: memory)")
    except Exception as exc:  # the boundary of one file: one file a reader cannot handle is not the inventory
        # A reader that raises anything but InputError has a bug: the file is rejected, the rest of the
        # tree is read, the defect is counted in the summary and its traceback logged (cmmm --debug).
        _log.debug("defect reading %s", path, exc_info=True)
        batch = _rejection(
            path, f"could not be read: {type(exc).__name__} in the {fmt.value} reader (a defect in cmmm)"
        )
        batch.defects = 1
        return batch


def _rejection(path: Path, reason: str) -> Batch:
    return Batch(rejected=[Rejected(source=str(path), locator="-", reason=reason)])


_Source = tuple[str, str, "_Counts"]  # path, format, counts


class _Counts(NamedTuple):
    """What a source record keeps of a batch (cheap to send back from a worker process)."""

    records: int
    rejected: int
    rows: int | None
    merged: int
    defects: int


def _counts(batch: Batch) -> _Counts:
    return _Counts(batch.records, len(batch.rejected), batch.rows, batch.merged, batch.defects)


def _read_chunk(paths: list[str], ctx: ReadContext) -> tuple[list[_Source], list[Batch]]:
    """A worker's share: its files read, and their batches combined (at most two), with the row dicts turned
    into frames here — sending one frame back costs a fraction of sending 10,000 small batches."""
    sources: list[_Source] = []
    batches: list[Batch] = []
    with tolerated_warnings():  # a worker process started by spawn has its own warning filters
        for p in paths:
            fmt, batch = read_file(_path(p), ctx)
            sources.append((display_name(p), fmt, _counts(batch)))
            batches.append(batch)
    return sources, combine(batches)


class ShardMap(Protocol):
    """Runs `fn(item)` for every item, results in item order: cmmm.distributed.Engine.shards runs them on a
    Dask cluster's workers (which must see the same files: a shared or object-store-mounted folder)."""

    def __call__(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]: ...


SHARD_FILES = 64  # files per task on a cluster: enough work per task to pay for its scheduling


def load(
    paths: Sequence[Path | str],
    *,
    now: datetime | None = None,
    passwords: Sequence[str] = (),
    progress: ProgressFn | None = None,
    workers: int | None = None,
    profile: Path | None = None,
    policy: Path | None = None,
    shards: ShardMap | None = None,
) -> Inventory:
    """Ingest files and directories into one Inventory.

    Every file is detected by content; unusable files and records become `Inventory.rejected`.
    Many files are read on all local cores. `now` stamps the sources (default: the current time).
    `profile` and `policy` name a profile.yaml and a policy.yaml that replace the bundles' own, so that
    every stage sees the same organization (a what-if: more engineers, a pre-approved backup CA); they
    are read first, and a file that cannot be used raises InputError before any inventory is read.
    `shards`: parse the files in shards elsewhere (a Dask cluster); the merge stays here, in file order, so
    the inventory is the one read in this process.
    """
    override = None if profile is None else parse_profile(_yaml.load_mapping(profile), source=str(profile))
    policy_doc = None if policy is None else _yaml.load_mapping(policy)
    with tolerated_warnings():  # set here, in the calling thread, for the reader threads too
        inventory = _load(
            paths, now=now, passwords=passwords, progress=progress, workers=workers, shards=shards
        )
    if override is not None:
        inventory = dataclasses.replace(inventory, profile=override)
    if policy_doc is not None:
        inventory = dataclasses.replace(inventory, policy=policy_doc)
    return inventory


def _load(
    paths: Sequence[Path | str],
    *,
    now: datetime | None,
    passwords: Sequence[str],
    progress: ProgressFn | None,
    workers: int | None,
    shards: ShardMap | None = None,
) -> Inventory:
    now = now or datetime.now(UTC)
    ctx = ReadContext(now=now, passwords=tuple(passwords))
    walk_rejected: list[Rejected] = []
    files = list(_walk(paths, walk_rejected))
    sources: list[_Source] = []
    batches: list[Batch] = []

    def took(source: _Source, batch: Batch) -> None:
        sources.append(source)
        batches.append(batch)

    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    many = len(files) >= _PARALLEL_MIN_FILES  # then no stat per file for their sizes
    big = not many and len(files) > 1 and n_workers > 1 and _total_bytes(files) >= _THREADED_MIN_BYTES
    if shards is not None and len(files) > 1:
        chunks = [files[i : i + SHARD_FILES] for i in range(0, len(files), SHARD_FILES)]
        for part, combined in shards(functools.partial(_read_chunk, ctx=ctx), chunks):
            sources.extend(part)
            batches.extend(combined)
        if progress:
            progress(len(sources), len(files))
    elif n_workers > 1 and (many or (big and len(files) >= _POOLED_MIN_FILES)):
        size = max(4, len(files) // (n_workers * 8))
        chunks = [files[i : i + size] for i in range(0, len(files), size)]
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            for part, combined in pool.map(_read_chunk, chunks, [ctx] * len(chunks)):
                sources.extend(part)
                batches.extend(combined)
                if progress:
                    progress(len(sources), len(files))
    elif big:
        # A few large tables: one thread per file. Arrow's CSV reader and string kernels release the
        # GIL, so two spreadsheets normalize on two cores without pickling frames between processes.
        with ThreadPoolExecutor(max_workers=n_workers) as threads:
            for f, (fmt, batch) in zip(
                files, threads.map(lambda p: read_file(_path(p), ctx), files), strict=True
            ):
                took((display_name(f), fmt, _counts(batch)), batch)
                if progress:
                    progress(len(sources), len(files))
    else:
        for f in files:
            fmt, batch = read_file(_path(f), ctx)
            took((display_name(f), fmt, _counts(batch)), batch)
            if progress:
                progress(len(sources), len(files))
    base = Inventory(
        rejected=tuple(walk_rejected),
        sources=tuple(
            SourceRecord(
                path=path,
                ingester=fmt,
                records=c.records,
                rejected=c.rejected,
                read_at=now,
                rows=c.rows,
                merged=c.merged,
                defects=c.defects,
            )
            for path, fmt, c in sources
        ),
    )
    return merge(batches, base)
