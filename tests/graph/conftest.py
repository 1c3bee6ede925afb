"""Fixtures of the graph tests: Acme (tests/graph/acme.py), written and read once per test process."""

from __future__ import annotations

import pytest

import cmmm
from cmmm.model import Inventory
from tests.conftest import NOW
from tests.graph.acme import Org, build_acme


@pytest.fixture(scope="session")
def org(tmp_path_factory: pytest.TempPathFactory) -> Org:
    return build_acme(tmp_path_factory.mktemp("acme"))


@pytest.fixture(scope="session")
def inv(org: Org) -> Inventory:
    return cmmm.load([org.path], now=NOW)
