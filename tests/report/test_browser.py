"""The rendered report in a real headless Chromium: no console messages, no network requests, a page that
actually shows something, and a PDF when printed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import cmmm
from cmmm import report
from tests.conftest import NOW, SAMPLE_ORGS
from tests.report import browser
from tests.report.report_bundle import sample_view, view_of
from tests.report.test_html_is_inert import write_hostile_bundle

CHROMIUM = browser.find_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # a headless Chromium per test
    pytest.mark.skipif(
        CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium, or make browser-deps)"
    ),
    pytest.mark.filterwarnings("ignore:Attribute's length:UserWarning"),
]


def _sample_orgs() -> list[object]:
    # CMMM_BROWSER_SAMPLES=0 skips the sample organizations (e.g. on a slow machine).
    if os.environ.get("CMMM_BROWSER_SAMPLES", "1") == "0":
        return [pytest.param(None, marks=pytest.mark.skip(reason="CMMM_BROWSER_SAMPLES=0"))]
    return list(SAMPLE_ORGS) or [
        pytest.param(None, marks=pytest.mark.skip(reason="no sample_inventories/ organizations"))
    ]


def _render(inv: cmmm.Inventory, out: Path) -> Path:
    return report.write_report(view_of(inv, NOW), out)


def _check(page: Path, workdir: Path) -> None:
    assert CHROMIUM is not None
    loaded = browser.load(CHROMIUM, page, workdir)
    assert loaded.console == [], loaded.console
    assert loaded.requests == [], loaded.requests
    assert loaded.screenshot.exists()
    assert browser.distinct_colours(loaded.screenshot) > 50, "the screenshot looks blank"


@pytest.mark.parametrize("org", _sample_orgs())
def test_sample_report_loads_cleanly(org: str, tmp_path: Path) -> None:
    _check(report.write_report(sample_view(org), tmp_path / f"{org}.html"), tmp_path)


def test_fixture_report_loads_and_prints(inv: cmmm.Inventory, tmp_path: Path) -> None:
    page = _render(inv, tmp_path / "contoso.html")
    _check(page, tmp_path / "load")
    assert CHROMIUM is not None
    pdf = tmp_path / "contoso.pdf"
    browser.print_pdf(CHROMIUM, page, pdf, tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages >= 5, pages  # the print stylesheet starts each section on a new page


def test_hostile_report_stays_inert_in_a_browser(tmp_path: Path) -> None:
    page = _render(
        cmmm.load([write_hostile_bundle(tmp_path / "hostile")], now=NOW), tmp_path / "hostile.html"
    )
    _check(page, tmp_path / "load")


def test_harness_sees_console_messages_and_requests(tmp_path: Path) -> None:
    """The checks above are only worth something if the harness would notice a request or a message."""
    assert CHROMIUM is not None
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><html><body><p>leak</p><img src="http://127.0.0.1:9/pixel.png"></body></html>',
        encoding="utf-8",
    )
    loaded = browser.load(CHROMIUM, page, tmp_path / "load", height=400)
    assert loaded.requests == ["http://127.0.0.1:9/pixel.png"]
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '</head><body><img src="http://127.0.0.1:9/pixel.png"></body></html>',
        encoding="utf-8",
    )
    loaded = browser.load(CHROMIUM, page, tmp_path / "load2", height=400)
    assert loaded.requests == [] and any("Content Security Policy" in m for m in loaded.console)
