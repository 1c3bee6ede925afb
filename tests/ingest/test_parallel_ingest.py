"""Reading on both cores (threads for a few large tables, worker processes for many files) gives exactly the
inventory that reading the files one by one gives."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

import cmmm
from cmmm import ingest
from tests.conftest import SAMPLES_DIR, sample


@pytest.mark.parametrize(
    ("org", "pooled"),
    [
        ("level3-defined", False),
        ("level1-chaos", True),
        ("level3-defined", True),
        pytest.param("level4-agile", True, marks=pytest.mark.slow),
    ],
)
def test_parallel_ingest_reads_the_same_inventory(
    monkeypatch: pytest.MonkeyPatch, now: datetime, org: str, pooled: bool
) -> None:
    # A few large tables go to threads; many files to worker processes, whose batches come back combined
    # per chunk. Either way: the same certificates, observations, facts, sources, notes and rejections,
    # row for row and in the same order, as reading the files one by one (tests.conftest.sample: workers=1).
    bundle = SAMPLES_DIR / org
    monkeypatch.setattr(ingest, "_THREADED_MIN_BYTES", 0)
    monkeypatch.setattr(ingest, "_POOLED_MIN_FILES", 2 if pooled else 10**9)
    serial = sample(org)
    parallel = cmmm.load([bundle], now=now, workers=2)
    pd.testing.assert_frame_equal(serial.certificates, parallel.certificates)
    pd.testing.assert_frame_equal(serial.observations, parallel.observations)
    pd.testing.assert_frame_equal(serial.certificate_facts(), parallel.certificate_facts())
    assert [s.path for s in serial.sources] == [s.path for s in parallel.sources]
    assert serial.rejected == parallel.rejected and serial.notes == parallel.notes
    assert serial.private_keys == parallel.private_keys and serial.profile == parallel.profile
