"""The executive report: a view model aggregated from the inventory and the other stages' results,
rendered as one self-contained HTML file, a JSON document with stable keys, or Markdown.

`ReportFormat` is defined here; the other names are resolved on first use (PEP 562), so the CLI can
name the formats without loading jinja2 and matplotlib (cmmm.report.executive renders).
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cmmm.report.executive import (
        FORMATS,
        prepare,
        render,
        render_html,
        render_json,
        render_markdown,
        write_report,
    )
    from cmmm.report.view import (
        BurnPoint,
        CaRow,
        CriterionRow,
        DependencySection,
        DrillSection,
        MaturitySection,
        PlanRow,
        ReportView,
        RoadmapRow,
        build_view,
        clean_text,
    )


class ReportFormat(StrEnum):
    HTML = "html"
    JSON = "json"
    MARKDOWN = "markdown"


# Public name → the module that defines it.
_LAZY = {
    **dict.fromkeys(
        ("FORMATS", "prepare", "render", "render_html", "render_json", "render_markdown", "write_report"),
        "cmmm.report.executive",
    ),
    **dict.fromkeys(
        (
            "BurnPoint",
            "CaRow",
            "CriterionRow",
            "DependencySection",
            "DrillSection",
            "MaturitySection",
            "PlanRow",
            "ReportView",
            "RoadmapRow",
            "build_view",
            "clean_text",
        ),
        "cmmm.report.view",
    ),
}

__all__ = [
    "FORMATS",
    "BurnPoint",
    "CaRow",
    "CriterionRow",
    "DependencySection",
    "DrillSection",
    "MaturitySection",
    "PlanRow",
    "ReportFormat",
    "ReportView",
    "RoadmapRow",
    "build_view",
    "clean_text",
    "prepare",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "write_report",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
