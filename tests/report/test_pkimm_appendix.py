"""The report's appendix table "PKIMM 1.0.0 categories": the view maps the analysis's PkimmView without
recomputing it, and HTML, Markdown and JSON all carry it."""

from __future__ import annotations

import html as html_lib
import re

import cmmm
from cmmm import report
from cmmm.maturity import assess
from cmmm.maturity.pkimm import categorize
from tests.conftest import NOW
from tests.report.report_bundle import view_of


def test_the_section_is_the_analysis_result(inv: cmmm.Inventory) -> None:
    v = view_of(inv, NOW)
    pk = categorize(assess(inv, now=NOW))
    s = v.pkimm
    assert s is not None
    assert (s.version, s.score, s.score_ceiling) == ("1.0.0", pk.score, pk.score_ceiling)
    assert (s.assessed_weight, s.total_weight) == (pk.assessed_weight, 47)
    assert [r.id for r in s.categories] == [c.category.id for c in pk.categories]
    for row, c in zip(s.categories, pk.categories, strict=True):
        assert (row.level, row.ceiling, row.met, row.not_met, row.unknown) == (
            c.level,
            c.ceiling,
            c.met,
            c.not_met,
            c.unknown,
        )
        assert row.criteria == tuple(m.id for m in c.criteria)
        assert row.level_name == ("" if c.level is None else pk.level_name(c.level))
    assert pk.floor_category is not None
    assert s.floor.startswith(f"{pk.floor_category.name} ({pk.floor_category.id}): {pk.floor} ")


def test_html_markdown_and_json_carry_the_table(inv: cmmm.Inventory) -> None:
    v = view_of(inv, NOW)
    assert v.pkimm is not None
    page = report.render_html(v)
    appendix = page[page.index('<section id="appendix">') :]
    assert "<h3>PKIMM 1.0.0 categories</h3>" in appendix
    table = appendix[appendix.index("<h3>PKIMM 1.0.0 categories</h3>") :]
    table = table[: table.index("</table>")]
    assert len(re.findall(r"<tr><td>", table)) == 15
    assert html_lib.escape("M.6 Certificate management") in table and "not assessed" in table
    md = report.render_markdown(v)
    section = md[md.index("## PKIMM 1.0.0 categories") : md.index("## Method notes")]
    assert section.count("\n| ") == 16  # header and fifteen categories
    assert "| Resources | R.13 Sourcing | 4 |" in section
    doc = report.render_json(v)
    assert doc["pkimm"]["version"] == "1.0.0" and len(doc["pkimm"]["categories"]) == 15
    assert list(doc).index("pkimm") == list(doc).index("ladder") + 1
