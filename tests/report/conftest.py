"""Fixtures of the report tests: the Contoso bundle (tests/report/report_bundle.py), written and read once
per test process."""

from __future__ import annotations

from pathlib import Path

import pytest

import cmmm
from tests.conftest import NOW
from tests.report.report_bundle import write_bundle


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(tmp_path_factory.mktemp("report") / "contoso", NOW)


@pytest.fixture(scope="session")
def inv(bundle: Path) -> cmmm.Inventory:
    return cmmm.load([bundle], now=NOW)
