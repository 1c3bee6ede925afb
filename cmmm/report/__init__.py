"""The executive report: a view model mapped from the stages' results (cmmm.report.build), rendered as one
self-contained HTML file, a JSON document with stable keys, or Markdown; and the terminal renderers.

`ReportFormat` is defined here; the other names are resolved on first use (PEP 562), so the command line
can name the formats without loading jinja2 and matplotlib.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cmmm.report.build import build_view
    from cmmm.report.html import render_html
    from cmmm.report.json_doc import render_json
    from cmmm.report.markdown import render_markdown
    from cmmm.report.output import FORMATS, render, write_report
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
        clean_text,
    )


class ReportFormat(StrEnum):
    HTML = "html"
    JSON = "json"
    MARKDOWN = "markdown"


# Public name → the module that defines it.
_LAZY = {
    "FORMATS": "cmmm.report.output",
    "render": "cmmm.report.output",
    "write_report": "cmmm.report.output",
    "build_view": "cmmm.report.build",
    "render_html": "cmmm.report.html",
    "render_json": "cmmm.report.json_doc",
    "render_markdown": "cmmm.report.markdown",
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
