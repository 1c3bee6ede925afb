"""Atomic file writes: a temporary file in the target's folder, flushed and fsynced, then renamed over it."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def _mode_for(path: Path) -> int:
    """The permissions the new file gets: the previous file's, else what the umask leaves of 0o666
    (mkstemp makes 0o600, which would silently lock out the group that read the old report)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` for a writer that wants a file name (pandas, pyarrow, networkx,
    matplotlib); when the block ends normally the file is fsynced and renamed over `path`.

    A full disk, an exception or a signal that unwinds the stack (SIGINT, and SIGTERM once the CLI has
    turned it into SystemExit) removes the temporary file and leaves the previous `path` whole
    (STYLE.md 15)."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.filename in (None, str(tmp)):
            # name the file the user asked for, not the temporary one: "inv.csv: No space left on device"
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; some filesystems refuse to open a folder, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_text_atomic(path: Path, text: str, *, newline: str | None = None) -> None:
    """Write `text` (UTF-8) to `path` so that a full disk, an exception or a signal leaves the previous file
    whole: the new content appears under the name only once it is on disk (STYLE.md 15)."""
    with replacing(path) as tmp, tmp.open("w", encoding="utf-8", newline=newline) as fh:
        fh.write(text)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """`write_text_atomic` for bytes."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write `path` through (for writers that want a file object): renamed over it only when
    the block ends without an exception (see `replacing`); otherwise the previous file stays as it was."""
    with replacing(path) as tmp, tmp.open("wb") as fh:
        yield fh
