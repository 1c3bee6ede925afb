"""The criteria catalog is a contract: every measured criterion has a metric, every criterion is documented
in docs/maturity.md, levels and dimensions are all covered."""

from __future__ import annotations

import re
from pathlib import Path

from cmmm.maturity.catalog import EvidenceKind, load_catalog
from cmmm.report.assessment import catalog_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "maturity.md"


def test_catalog_contract_metrics_and_docs() -> None:
    from cmmm.maturity.metrics import CONTEXT, METRICS
    from cmmm.policy import CATALOG

    catalog = load_catalog()
    measured = {c.id for c in catalog.criteria if c.evidence is EvidenceKind.MEASURED}
    assert set(METRICS) == measured
    assert all(fn.__doc__ for fn in METRICS.values())
    attested = {c.id for c in catalog.criteria if c.evidence is EvidenceKind.ATTESTED}
    assert set(CONTEXT) <= attested and all(fn.__doc__ for fn in CONTEXT.values())
    for c in catalog.criteria:
        assert c.title and c.measures and c.action, c.id
        if c.evidence is EvidenceKind.SIMULATED:
            assert c.scenario, c.id
    text = DOC.read_text(encoding="utf-8")
    assert catalog_markdown(catalog) in text, "docs/maturity.md is stale: regenerate its tables"
    documented = set(re.findall(r"`((?:inv|disc|own|pol|auto|agi)\.[a-z0-9-]+)`", text))
    assert documented == {c.id for c in catalog.criteria}
    for code in CATALOG:
        assert f"`{code.value}`" in text
    attested_keys = {c.attested for c in catalog.criteria if c.attested}
    bundle_doc = (DOC.parent / "bundle.md").read_text(encoding="utf-8")
    assert all(f"  {k}:" in bundle_doc for k in attested_keys)


def test_readme_level_table_counts_the_catalog() -> None:
    """The README's criteria count and its level table's measured / attested / simulated split are the
    catalog's, level by level."""
    catalog = load_catalog()
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"against {len(catalog.criteria)} criteria" in readme
    for level in (2, 3, 4, 5):
        kinds = [c.evidence for c in catalog.criteria if c.level == level]
        split = " / ".join(
            str(kinds.count(k))
            for k in (EvidenceKind.MEASURED, EvidenceKind.ATTESTED, EvidenceKind.SIMULATED)
        )
        row = next(line for line in readme.splitlines() if line.startswith(f"| {level} "))
        assert f"({split})" in row, (level, split)


def test_catalog_spread() -> None:
    catalog = load_catalog()
    assert len(catalog.criteria) >= 25
    assert {c.level for c in catalog.criteria} == {2, 3, 4, 5}
    assert {c.dimension for c in catalog.criteria} == set(catalog.dimension_titles)
