"""The report's formats as one registry: each ReportFormat to its renderer, and the writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cmmm.errors import InputError
from cmmm.export.atomic import write_text_atomic
from cmmm.report import ReportFormat
from cmmm.report.html import render_html
from cmmm.report.json_doc import render_json_text
from cmmm.report.markdown import render_markdown
from cmmm.report.view import ReportView

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
        write_text_atomic(path, render(view, fmt))
    except OSError as exc:
        raise InputError(str(path), f"cannot write report: {exc.strerror}") from None
    return path
