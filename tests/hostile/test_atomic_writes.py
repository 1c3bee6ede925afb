"""Every writer replaces its target only when the new file is complete: a full disk (a file-size limit on
the process: EFBIG where ENOSPC would come on a full disk) or SIGTERM during a long write leaves the previous
file whole and no temporary file behind (issue 19)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cmmm.export.atomic import replacing, write_text_atomic

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = b"previous good output\n"


def _rows(n: int) -> str:
    lines = ["common_name,not_after,owner,key_algorithm,key_size,serial,issuer"]
    lines += [
        f"host{i}.example,2027-0{1 + i % 9}-15,team{i % 7},RSA,2048,{1000 + i},CN=CA {i % 3}"
        for i in range(n)
    ]
    return "\n".join(lines) + "\n"


def _cmmm(args: list[str], cwd: Path, fsize: int | None = None) -> subprocess.Popen[bytes]:
    def limit() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "cmmm", *args],
        cwd=cwd,
        env=env,
        preexec_fn=limit,  # noqa: PLW1509 - the test process starts no threads before it
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "src", "-o", "out.csv"],
        ["ingest", "src", "-o", "out.json"],
        ["ingest", "src", "-o", "out.parquet"],
        ["ingest", "src", "-o", "out.cdx.json"],
        ["report", "src", "-o", "out.html"],
        ["graph", "src", "--export", "out.graphml"],
    ],
    ids=lambda a: a[-1],
)
def test_a_full_disk_leaves_the_previous_file_whole(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "inv.csv").write_text(_rows(3000), encoding="utf-8")
    target = tmp_path / args[-1]
    target.write_bytes(PREVIOUS)
    proc = _cmmm(args, tmp_path, fsize=32 * 1024)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 2, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert args[-1] in stderr.decode()  # the message names the output, not a temporary file
    assert target.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src", args[-1]])  # no temporary left


@pytest.mark.slow
def test_sigterm_during_a_long_write_leaves_old_or_new_never_partial(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "inv.csv").write_text(_rows(60_000), encoding="utf-8")
    target = tmp_path / "out.csv"
    complete = _cmmm(["ingest", "src", "-o", "out.csv"], tmp_path)
    complete.communicate(timeout=300)
    new = target.read_bytes()
    start = time.monotonic()
    complete_run = _cmmm(["ingest", "src", "-o", "again.csv"], tmp_path)
    complete_run.communicate(timeout=300)
    full = time.monotonic() - start
    (tmp_path / "again.csv").unlink()
    outcomes = set()
    for fraction in (0.55, 0.7, 0.8, 0.9, 0.97):
        target.write_bytes(PREVIOUS)
        proc = _cmmm(["ingest", "src", "-o", "out.csv"], tmp_path)
        time.sleep(full * fraction)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=300)
        got = target.read_bytes()
        assert got in (PREVIOUS, new), (fraction, len(got))
        outcomes.add(got == new)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "src"]  # the temporary is removed
    assert False in outcomes  # at least one signal arrived before the rename: the old file stayed


def test_an_exception_inside_the_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_bytes(PREVIOUS)
    os.chmod(target, 0o640)
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("boom")
    assert target.read_bytes() == PREVIOUS
    write_text_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)  # the previous file's permissions are kept
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]
