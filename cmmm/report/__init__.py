"""The executive report: a view model mapped from the stages' results (cmmm.report.build), rendered as one
self-contained HTML file, a JSON document with stable keys, or Markdown."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from cmmm.errors import InputError
from cmmm.report.build import build_view
from cmmm.report.html import render_html
from cmmm.report.json_doc import render_json, render_json_text
from cmmm.report.markdown import render_markdown
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


# ---------------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------------


class ReportFormat(StrEnum):
    HTML = "html"
    JSON = "json"
    MARKDOWN = "markdown"


FORMATS: dict[ReportFormat, Callable[[ReportView], str]] = {
    ReportFormat.HTML: render_html,
    ReportFormat.JSON: render_json_text,
    ReportFormat.MARKDOWN: render_markdown,
}


def render(view: ReportView, fmt: ReportFormat) -> str:
    """The report as text in `fmt`."""
    return FORMATS[fmt](view)


def write_report(view: ReportView, path: Path, fmt: ReportFormat = ReportFormat.HTML) -> Path:
    """Write the report; returns the path written."""
    try:
        path.write_text(render(view, fmt), encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot write report: {exc.strerror}") from None
    return path
