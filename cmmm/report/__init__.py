"""The executive report: a view model mapped from the stages' results (cmmm.report.build), rendered as one
self-contained HTML file, a JSON document with stable keys, or Markdown; and the terminal renderers.

`ReportFormat` is defined here; the other names are resolved on first use (PEP 562), so the command line
can name the formats without loading jinja2 and matplotlib.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmmm.errors import UsageError

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


# What `-o` can be named, and the format each name means (`--format` may only agree with it).
REPORT_EXTENSIONS: dict[str, ReportFormat] = {
    ".html": ReportFormat.HTML,
    ".htm": ReportFormat.HTML,
    ".json": ReportFormat.JSON,
    ".md": ReportFormat.MARKDOWN,
    ".markdown": ReportFormat.MARKDOWN,
}


def format_for(path: Path, fmt: ReportFormat | None = None) -> ReportFormat:
    """The report format a file name asks for: never HTML under a .pdf name. `fmt`, when given, must agree
    with the extension; an extension cmmm cannot write is a UsageError naming the ones it can."""
    known = REPORT_EXTENSIONS.get(path.suffix.lower())
    if known is None:
        names = ", ".join(REPORT_EXTENSIONS)
        hint = " (print the HTML report to PDF from a browser)" if path.suffix.lower() == ".pdf" else ""
        raise UsageError(
            f"{path}: cannot write a {path.suffix or 'extension-less'} report; use {names}{hint}"
        )
    if fmt is not None and fmt is not known:
        raise UsageError(f"{path}: --format {fmt.value} does not match the {path.suffix} extension")
    return known


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
    "REPORT_EXTENSIONS",
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
    "format_for",
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
