"""Contracts of the report: every output format has a documented renderer, and docs/report.md lists every
key of the JSON document."""

from __future__ import annotations

import re
from pathlib import Path

from cmmm import report


def test_every_format_has_a_renderer_with_a_docstring() -> None:
    for fmt in report.ReportFormat:
        assert report.FORMATS[fmt].__doc__, fmt


def test_docs_list_every_json_key() -> None:
    import dataclasses

    from cmmm.report import view as view_module

    doc = (Path(__file__).parents[2] / "docs" / "report.md").read_text(encoding="utf-8")
    entries = dict(re.findall(r"- \*\*(\w+)\*\*[^:]*: (.*?)(?=\n- \*\*|\Z)", doc, flags=re.DOTALL))
    for name, text in entries.items():
        cls = getattr(view_module, name)
        documented = re.findall(r"^`(\w+)`|[,(] ?`(\w+)`", " ".join(text.split()))
        keys = [a or b for a, b in documented]
        assert [f.name for f in dataclasses.fields(cls) if f.name in keys] == [
            f.name for f in dataclasses.fields(cls)
        ], name
    reachable = {
        "ReportView",
        "Summary",
        "Finding",
        "InventorySection",
        "PqcSection",
        "DrillSection",
        "MaturitySection",
    }
    assert reachable <= set(entries)
