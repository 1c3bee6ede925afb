"""The scan document (`cmmm scan --format json`, `-o scan.json`) is strict JSON valid against its schema."""

from __future__ import annotations

from cmmm._json import dumps
from cmmm.scan import ScanResult, compare
from tests.conftest import sample
from tests.test_machine_outputs import spelled_unknowns, strict_loads, validate


def test_the_scan_document_alone_and_with_its_comparison_is_strict_and_valid(scanned: ScanResult) -> None:
    alone = strict_loads(dumps(scanned.to_document()))
    merged = strict_loads(
        dumps({**scanned.to_document(), "comparison": compare(scanned, sample("level2-aware")).to_document()})
    )
    for doc in (alone, merged):
        validate("scan", doc)
        assert not spelled_unknowns(doc)
    assert merged["comparison"] is not None and len(alone["endpoints"]) == 8
