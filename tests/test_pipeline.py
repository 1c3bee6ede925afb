"""The pipeline (cmmm.pipeline): the drills that answer the maturity model's simulated criteria."""

from __future__ import annotations

from pathlib import Path

import pytest

import cmmm
from cmmm.maturity import Status, assess
from cmmm.maturity.catalog import EvidenceKind
from cmmm.pipeline import drill_evidence
from tests.conftest import NOW
from tests.maturity_org import write_example_bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example_bundle(tmp_path_factory.mktemp("org"))


def test_drills_answer_the_simulated_criteria(bundle: Path) -> None:
    inv = cmmm.load([bundle], now=NOW)
    a = assess(inv, now=NOW, simulate=drill_evidence)
    sim = [r for r in a.criteria if r.criterion.evidence is EvidenceKind.SIMULATED]
    assert all(r.status is not Status.NOT_EVALUATED for r in sim)
    assert all("drill " in r.evidence for r in sim)
