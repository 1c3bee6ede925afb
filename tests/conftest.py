"""Shared fixtures: a fixed clock, real certificate chains built with cryptography at test time, and the
sample organizations loaded once per test session (per xdist worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import cmmm
from cmmm.lab.pki import Issued, issue
from cmmm.model import Inventory

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "sample_inventories"
SAMPLE_ORGS = tuple(
    sorted(p.name for p in SAMPLES_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
)
_SAMPLES: dict[str, Inventory] = {}


def sample(org: str) -> Inventory:
    """A sample organization's inventory at NOW, read once per test process (inventories are immutable)."""
    if org not in _SAMPLES:
        _SAMPLES[org] = cmmm.load([SAMPLES_DIR / org], now=NOW, workers=1)
    return _SAMPLES[org]


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
