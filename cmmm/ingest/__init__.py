"""Read inventories from files and directories, detect each file's format by content, merge them."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from cmmm.errors import InputError
from cmmm.ingest._base import SNIFF_BYTES, Batch, Ingester, ReadContext
from cmmm.ingest._merge import merge
from cmmm.ingest.bundle import BUNDLE_FILES
from cmmm.ingest.registry import INGESTERS, Format
from cmmm.model import Inventory, Rejected, SourceRecord

__all__ = ["INGESTERS", "Format", "Ingester", "ReadContext", "detect", "load", "read_file", "walk"]

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
_PARALLEL_MIN_FILES = 256
_THREADED_MIN_BYTES = 4 << 20  # below this, starting threads costs more than it saves


def _total_bytes(files: list[Path]) -> int:
    total = 0
    for f in files:
        try:
            total += f.stat().st_size
        except OSError:
            continue  # read_file reports it
    return total


def walk(paths: Iterable[Path | str], rejected: list[Rejected]) -> Iterator[Path]:
    """Every regular file under `paths`, each once: directory symlinks are followed once (loops are
    reported) and a file named twice (or reached twice) is read once."""
    seen: set[str] = set()
    for p in paths:
        yield from _visit(Path(p), seen, rejected)


def _visit(path: Path, seen: set[str], rejected: list[Rejected]) -> Iterator[Path]:
    try:
        st = path.stat()
    except OSError as exc:
        rejected.append(Rejected(source=str(path), locator="-", reason=_os_reason(exc)))
        return
    real = os.path.realpath(path)
    if stat.S_ISDIR(st.st_mode):
        if real in seen:
            rejected.append(
                Rejected(source=str(path), locator="-", reason="directory symlink loop; visited once")
            )
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            rejected.append(Rejected(source=str(path), locator="-", reason=_os_reason(exc)))
            return
        for entry in entries:
            # docs/bundle.md: names starting with "." or "_" are not inventory (e.g. sample_inventories/_truth)
            if entry.name.startswith((".", "_")) or entry.name.lower() in _SKIP_NAMES:
                continue
            yield from _visit(Path(entry.path), seen, rejected)
    elif stat.S_ISREG(st.st_mode):
        if real not in seen:  # the same file named twice is one source, not two
            seen.add(real)
            yield path
    else:
        rejected.append(Rejected(source=str(path), locator="-", reason="not a regular file"))


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
    try:
        size = path.stat().st_size
        if size == 0:
            return "-", Batch(rejected=[Rejected(source=str(path), locator="-", reason="empty file")])
        if size > ctx.max_file_bytes:
            return "-", Batch(
                rejected=[
                    Rejected(
                        source=str(path),
                        locator="-",
                        reason=f"file is {size} bytes, over the {ctx.max_file_bytes}-byte limit",
                    )
                ]
            )
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        return "-", Batch(rejected=[Rejected(source=str(path), locator="-", reason=_os_reason(exc))])
    fmt = detect(path, head)
    if fmt is None:
        return "-", Batch(
            rejected=[
                Rejected(
                    source=str(path),
                    locator="-",
                    reason="unrecognized content: not a certificate, inventory or known export",
                )
            ]
        )
    try:
        return fmt.value, INGESTERS[fmt].read(path, ctx)
    except InputError as exc:
        return fmt.value, Batch(
            rejected=[Rejected(source=exc.source, locator=str(exc.line or "-"), reason=exc.reason)]
        )
    except OSError as exc:
        return fmt.value, Batch(rejected=[Rejected(source=str(path), locator="-", reason=_os_reason(exc))])


def _read_chunk(paths: list[Path], ctx: ReadContext) -> list[tuple[Path, str, Batch]]:
    return [(p, *read_file(p, ctx)) for p in paths]


def load(
    paths: Sequence[Path | str],
    *,
    now: datetime | None = None,
    passwords: Sequence[str] = (),
    progress: ProgressFn | None = None,
    workers: int | None = None,
) -> Inventory:
    """Ingest files and directories into one Inventory.

    Every file is detected by content; unusable files and records become `Inventory.rejected`.
    Many files are read on all local cores. `now` stamps the sources (default: the current time).
    """
    now = now or datetime.now(UTC)
    ctx = ReadContext(now=now, passwords=tuple(passwords))
    inventory = Inventory()
    files = list(walk(paths, inventory.rejected))
    results: list[tuple[Path, str, Batch]] = []
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if len(files) >= _PARALLEL_MIN_FILES and n_workers > 1:
        size = max(16, len(files) // (n_workers * 8))
        chunks = [files[i : i + size] for i in range(0, len(files), size)]
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            done = 0
            for part in pool.map(_read_chunk, chunks, [ctx] * len(chunks)):
                results.extend(part)
                done += len(part)
                if progress:
                    progress(done, len(files))
    elif len(files) > 1 and n_workers > 1 and _total_bytes(files) >= _THREADED_MIN_BYTES:
        # A few large tables: one thread per file. Arrow's CSV reader and string kernels release the
        # GIL, so two spreadsheets normalize on two cores without pickling frames between processes.
        with ThreadPoolExecutor(max_workers=n_workers) as threads:
            for i, (f, (fmt, batch)) in enumerate(
                zip(files, threads.map(lambda p: read_file(p, ctx), files), strict=True)
            ):
                results.append((f, fmt, batch))
                if progress:
                    progress(i + 1, len(files))
    else:
        for i, f in enumerate(files):
            results.append((f, *read_file(f, ctx)))
            if progress:
                progress(i + 1, len(files))
    batches: list[Batch] = []
    for path, fmt, batch in results:
        inventory.sources.append(
            SourceRecord(
                path=str(path), ingester=fmt, records=batch.records, rejected=len(batch.rejected), read_at=now
            )
        )
        inventory.notes.extend(batch.notes)
        batches.append(batch)
    return merge(batches, inventory)
