"""Fixtures of the ingest tests: a folder of valid files for the bad ones to sit next to."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Chain, write


@pytest.fixture
def valid(tmp_path: Path, chain: Chain) -> Path:
    write(tmp_path / "good.pem", chain.leaves[0].pem)
    write(tmp_path / "good.csv", "cn,not_after\nok.example,2027-01-01\n")
    return tmp_path
