"""Shared fixtures: a fixed clock, real certificate chains built with cryptography at test time, and the
sample organizations read once per test session.

`sample(org)` keeps each organization for the whole process. Under pytest-xdist the workers also share it:
the first worker to need an organization reads it and leaves a pickle in the session's temporary folder,
where the others find it (a file lock keeps them from reading it twice), so `pytest -n 2` reads each
organization once."""

from __future__ import annotations

import copyreg
import io
import os
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest

import cmmm
from cmmm.lab.pki import Issued, issue
from cmmm.model import Inventory

try:
    import fcntl
except ImportError:  # not POSIX: no sharing between workers
    fcntl = None  # type: ignore[assignment]

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "sample_inventories"
SAMPLE_ORGS = tuple(
    sorted(p.name for p in SAMPLES_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
)
_SAMPLES: dict[str, Inventory] = {}
_SHARED: dict[str, Path] = {}  # under xdist, "dir": a folder of this session that every worker sees


def sample(org: str) -> Inventory:
    """A sample organization's inventory at NOW, read once per test session (inventories are immutable:
    build a changed copy with dataclasses.replace)."""
    if org not in _SAMPLES:
        shared = _SHARED.get("dir")
        _SAMPLES[org] = _read_shared(org, shared) if shared is not None else _read(org)
    return _SAMPLES[org]


def _read(org: str) -> Inventory:
    return cmmm.load([SAMPLES_DIR / org], now=NOW, workers=1)


def _read_shared(org: str, shared: Path) -> Inventory:
    pickled = shared / f"{org}.pickle"
    with (shared / f"{org}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if pickled.exists():
            return pickle.loads(pickled.read_bytes())  # written below, by another worker of this session
        inv = _read(org)
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
        # a profile's mappings are read-only proxies, which pickle does not take as they are
        pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: _reduce_proxy}
        pickler.dump(inv)
        pickled.with_suffix(".tmp").write_bytes(buf.getvalue())
        pickled.with_suffix(".tmp").replace(pickled)
        return inv


def _reduce_proxy(proxy: MappingProxyType[str, object]) -> tuple[object, tuple[dict[str, object]]]:
    return _proxy, (dict(proxy),)


def _proxy(mapping: dict[str, object]) -> MappingProxyType[str, object]:
    return MappingProxyType(mapping)


@pytest.fixture(scope="session", autouse=True)
def _share_samples(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Under xdist, point sample() at the folder above the workers' own temporary folders (fresh for each
    session); without xdist, or without POSIX file locks, each process reads the samples itself."""
    if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None:
        shared = tmp_path_factory.getbasetemp().parent / "samples"
        shared.mkdir(exist_ok=True)
        _SHARED["dir"] = shared


@pytest.fixture
def now() -> datetime:
    return NOW


@dataclass(frozen=True)
class Chain:
    root: Issued
    inter: Issued
    leaves: list[Issued]


@pytest.fixture(scope="session")
def chain() -> Chain:
    t0 = NOW - timedelta(days=400)
    root = issue(cn="Test Root CA", org="Test Org", not_before=t0, days=3650, ca=True, key_kind="EC-384")
    inter = issue(cn="Test Issuing CA 1", org="Test Org", not_before=t0, days=1825, ca=True, issuer=root)
    leaves = [
        issue(
            cn=f"svc{i}.example.test",
            not_before=NOW - timedelta(days=30),
            days=90,
            issuer=inter,
            sans=(f"svc{i}.example.test", f"alt{i}.example.test"),
        )
        for i in range(3)
    ]
    return Chain(root=root, inter=inter, leaves=leaves)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/report/golden/* from the current output",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
