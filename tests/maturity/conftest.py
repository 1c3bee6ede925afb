"""Fixtures of the maturity tests: a small bundle of real certificates (tests/maturity_org.py), written once
per test process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.maturity_org import write_example_bundle


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example_bundle(tmp_path_factory.mktemp("org"))
