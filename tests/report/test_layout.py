"""The report's layout in Debian's headless Chromium: at 1,400 and 420 px no card, tile, table or chart
reaches past the page's width, and the level-1 report prints to at most 12 A4 pages.

Measured by the page itself: a copy of the report without its Content-Security-Policy gets a script that
measures every element's box after load and writes the offenders into the DOM, which `--dump-dom` returns.
Chromium's headless window is at least 500 px wide, so 420 px is laid out as a 420-px-wide document."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from cmmm import pipeline, report
from cmmm.drill.scenario import DEMO_SCENARIOS
from tests.conftest import NOW, SAMPLE_ORGS, sample
from tests.report import browser

CHROMIUM = browser.find_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
    pytest.mark.filterwarnings("ignore:Attribute's length:UserWarning"),
]
MAX_PRINTED_PAGES = 12

_MEASURE = """<script>
window.addEventListener('load', () => {
  const width = Math.min(document.documentElement.clientWidth, window.__WIDTH);
  const out = [];
  const boxes = 'section, .kpi, .risk, .badge, .answer, table, figure, svg, .drill, .step, header, nav, p, h1, h2, h3';
  for (const el of document.querySelectorAll(boxes)) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) out.push(el.tagName + '.' + el.className + ' ends at ' + Math.round(r.right));
  }
  for (const el of document.querySelectorAll('.kpi .v, .kpi .l, .answer .a, .badge .lvl')) {
    if (el.scrollWidth > el.clientWidth + 1) out.push('clipped: ' + el.textContent.trim().slice(0, 40));
  }
  const pre = document.createElement('pre'); pre.id = 'layout-measure';
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def overflowing(page: Path, width: int, workdir: Path) -> list[str]:
    """Elements wider than the page at `width` px (empty: the layout holds)."""
    assert CHROMIUM is not None
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page.read_text(encoding="utf-8"))
    text = text.replace("<head>", f"<head><style>html{{width:{width}px}}</style>", 1)
    text = text.replace("</body>", _MEASURE.replace("window.__WIDTH", str(width)) + "</body>")
    probe = workdir / f"measure-{width}.html"
    probe.write_text(text, encoding="utf-8")
    dom = subprocess.run(
        [
            CHROMIUM,
            *browser.FLAGS,
            f"--user-data-dir={workdir / 'profile-measure'}",
            f"--window-size={max(width, 500)},900",
            "--virtual-time-budget=5000",
            "--dump-dom",
            probe.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    found = re.search(r'<pre id="layout-measure">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found, "the measuring script did not run"
    result: list[str] = json.loads(html.unescape(found.group(1)))
    return result


def printed_pages(page: Path, workdir: Path) -> int:
    assert CHROMIUM is not None
    pdf = workdir / "report.pdf"
    browser.print_pdf(CHROMIUM, page, pdf, workdir)
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))


def _full_report(org: str, path: Path) -> Path:
    result = pipeline.run(sample(org), now=NOW, scenarios=DEMO_SCENARIOS, runs=60)
    return report.write_report(pipeline.report_view(result, generated_at=NOW), path)


@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_nothing_overflows_at_1400_and_420_px(org: str, tmp_path: Path) -> None:
    page = _full_report(org, tmp_path / f"{org}.html")
    for width in (1400, 420):
        assert overflowing(page, width, tmp_path) == [], (org, width)


def test_the_level_1_report_prints_to_at_most_12_pages(tmp_path: Path) -> None:
    page = _full_report("level1-chaos", tmp_path / "level1.html")
    pages = printed_pages(page, tmp_path)
    assert 3 <= pages <= MAX_PRINTED_PAGES, pages


def test_the_measure_sees_an_overflow(tmp_path: Path) -> None:
    """The layout checks are only worth something if they would notice a table wider than the page."""
    page = tmp_path / "wide.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>w</title></head><body><table><tr>"
        + "<td>unbreakable-cell-text-that-is-long</td>" * 20
        + "</tr></table></body></html>",
        encoding="utf-8",
    )
    assert overflowing(page, 420, tmp_path)
