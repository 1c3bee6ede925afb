"""The exercise package, the facilitator's guide and the after-action report as files: self-contained HTML
(autoescaped, inline CSS and script, no network, printable) and Markdown (every value escaped)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from cmmm._version import VERSION
from cmmm.export.atomic import write_text_atomic
from cmmm.report import charts
from cmmm.report.format import count, hours
from cmmm.report.view import BurnPoint
from cmmm.sanitize import html_class, markdown
from cmmm.tabletop.aar import AfterAction
from cmmm.tabletop.answers import ANSWERS_FILE, PACKAGE_JSON, answer_sheet, package_document
from cmmm.tabletop.model import Package

_COMMON: dict[str, Any] = {
    "loader": PackageLoader("cmmm.tabletop", "templates"),
    "undefined": StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}
_html = Environment(autoescape=True, **_COMMON)  # select_autoescape() would not cover *.html.j2


def _md_value(value: Any) -> Any:
    # Markdown has no autoescape: every {{ }} value passes through sanitize.markdown (one line, no HTML, no
    # links, emphasis or table pipes), so a hostile certificate or team name stays text.
    return markdown(value) if value is not None else ""


_md = Environment(autoescape=False, finalize=_md_value, **_COMMON)
for _env in (_html, _md):
    _env.filters.update(num=count, hrs=hours, slug=html_class)


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """The files of an exercise package."""

    package_html: Path
    package_md: Path
    guide_html: Path
    guide_md: Path
    answers: Path
    package_json: Path

    @property
    def all(self) -> tuple[Path, ...]:
        return (
            self.package_html,
            self.package_md,
            self.guide_html,
            self.guide_md,
            self.answers,
            self.package_json,
        )


def _burndown_svg(p: Package) -> Markup:
    points = [BurnPoint(hours=h, p10=a, p50=b, p90=c) for h, a, b, c in p.burndown]
    return Markup(charts.burn_down(points, p.deadline_hours, "tabletop")) if points else Markup("")


def render_package_html(p: Package) -> str:
    return _html.get_template("package.html.j2").render(
        p=p, version=VERSION, css=_css(), chart=_burndown_svg(p)
    )


def render_guide_html(p: Package) -> str:
    return _html.get_template("guide.html.j2").render(
        p=p, version=VERSION, css=_css(), chart=_burndown_svg(p)
    )


def render_package_md(p: Package) -> str:
    return _md.get_template("package.md.j2").render(p=p, version=VERSION)


def render_guide_md(p: Package) -> str:
    return _md.get_template("guide.md.j2").render(p=p, version=VERSION)


def render_aar_html(a: AfterAction) -> str:
    return _html.get_template("aar.html.j2").render(a=a, version=VERSION, css=_css())


def render_aar_md(a: AfterAction) -> str:
    return _md.get_template("aar.md.j2").render(a=a, version=VERSION)


def _css() -> Markup:
    loader = _html.loader
    assert loader is not None
    source, _, _ = loader.get_source(_html, "tabletop.css")
    return Markup(source)


def write_package(p: Package, folder: Path) -> Written:
    """Write the package into `folder` (which must exist), each file atomically."""
    w = Written(
        package_html=folder / "package.html",
        package_md=folder / "package.md",
        guide_html=folder / "guide.html",
        guide_md=folder / "guide.md",
        answers=folder / ANSWERS_FILE,
        package_json=folder / PACKAGE_JSON,
    )
    write_text_atomic(w.package_html, render_package_html(p))
    write_text_atomic(w.package_md, render_package_md(p))
    write_text_atomic(w.guide_html, render_guide_html(p))
    write_text_atomic(w.guide_md, render_guide_md(p))
    write_text_atomic(w.package_json, json.dumps(package_document(p), indent=1, ensure_ascii=False) + "\n")
    if not w.answers.exists():  # a sheet being filled in is never overwritten
        write_text_atomic(w.answers, answer_sheet(p))
    return w


def write_aar(a: AfterAction, folder: Path) -> tuple[Path, Path]:
    """Write the after-action report (aar.html, aar.md) into `folder`."""
    html, md = folder / "aar.html", folder / "aar.md"
    write_text_atomic(html, render_aar_html(a))
    write_text_atomic(md, render_aar_md(a))
    return html, md
