"""Shared fixtures: a fixed clock and real certificate chains built with cryptography at test time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cmmm.lab.pki import Issued, issue

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


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
        help="rewrite tests/golden/* from the current output",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
