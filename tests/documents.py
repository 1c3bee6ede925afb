"""Every JSON document cmmm writes, built for a sample organization the way the commands build them: the
strict-JSON, schema and no-NaN tests read them all (tests/test_machine_outputs.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmmm import drill, graph, pipeline, report
from cmmm.drill.plan import plan_json
from cmmm.drill.scenario import DEMO_SCENARIOS, catalog
from cmmm.export import inventory_document
from cmmm.maturity import load_catalog
from cmmm.maturity.partial import census
from cmmm.maturity.pkimm import categorize
from cmmm.model import Inventory
from cmmm.report.assessment import assessment_document, checks_document
from cmmm.report.census import census_document
from cmmm.report.documents import blast_document, summary_document
from cmmm.report.pkimm import pkimm_document
from cmmm.report.sarif import sarif_document
from cmmm.report.terminal.catalog import scenarios_document
from tests.conftest import NOW

# One drill of each shape beside the report's three: a CA distrust with steps, a validity cap, a PQC plan.
DRILLS = ("primary-intermediate-compromise-24h", "validity-100-day-2027", "mass-revocation-5d")


def organization_documents(inv: Inventory) -> Iterator[tuple[str, Any]]:
    """(schema name, document) for every JSON output of one organization."""
    result = pipeline.run(inv, now=NOW, scenarios=DEMO_SCENARIOS, runs=60)
    yield "inventory", inventory_document(inv)
    yield "assessment", assessment_document(result.assessment)
    yield "pkimm", pkimm_document(result.assessment, categorize(result.assessment))
    yield "graph", summary_document(result.graph)
    top = result.graph.riskiest
    if len(top):
        yield "blast-radius", blast_document(graph.blast_radius(inv, str(top.iloc[0]["ca_id"])))
    for name in DRILLS:
        r = drill.run(inv, drill.load_scenario(name), now=NOW, runs=60, seed=0)
        yield "drill", drill.drill_document(r)
        yield "plan", plan_json(r)
    for r in result.drills:
        yield "drill", drill.drill_document(r)
    yield "report", report.render_json(pipeline.report_view(result, generated_at=NOW))
    yield "sarif", sarif_document(inv, result.assessment)
    yield "census", census_document(census(inv, now=NOW))


def catalog_documents() -> Iterator[tuple[str, Any]]:
    """The documents that need no inventory."""
    yield "checks", checks_document(load_catalog())
    yield "scenarios", scenarios_document(catalog())
