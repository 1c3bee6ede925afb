"""The presenter view in a real headless Chromium: keyboard navigation shows one slide at a time with the
incident clock, the exercise clock starts, and the page makes no network request and logs nothing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.report import browser
from tests.tabletop.conftest import Exercise

CHROMIUM = browser.find_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium, or make browser-deps)"
    ),
]

# Presses keys the way a facilitator does, after the page's own script has run, and writes what the page
# showed after each key into an attribute that --dump-dom prints.
DRIVER = """
<script>
window.addEventListener("load", function () {
  var log = [];
  function press(k) {
    document.dispatchEvent(new KeyboardEvent("keydown", {key: k, bubbles: true}));
    var shown = Array.prototype.filter.call(document.querySelectorAll("section.slide"), function (s) {
      return getComputedStyle(s).display !== "none";
    });
    log.push([k, document.body.getAttribute("data-slide"), shown.length,
              document.getElementById("incident").textContent].join("~"));
  }
  ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft", "End", "ArrowRight", "Home", "c"].forEach(press);
  document.body.setAttribute("data-test-log", log.join("|"));
  document.body.setAttribute("data-test-slides", String(document.querySelectorAll("section.slide").length));
});
</script>
"""


def _dump_dom(page: Path, workdir: Path) -> str:
    assert CHROMIUM is not None
    proc = subprocess.run(
        [
            CHROMIUM,
            *browser.FLAGS,
            f"--user-data-dir={workdir / 'profile-dom'}",
            "--window-size=1280,800",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.stdout


def test_presenter_view_navigates_by_keyboard(exercise: Exercise, tmp_path: Path) -> None:
    page = (exercise.folder / "package.html").read_text(encoding="utf-8")
    driven = tmp_path / "driven.html"
    driven.write_text(page.replace("</body>", DRIVER + "</body>"), encoding="utf-8")
    dom = _dump_dom(driven, tmp_path)
    log = re.search(r'data-test-log="([^"]*)"', dom)
    slides = re.search(r'data-test-slides="(\d+)"', dom)
    assert log and slides, dom[:500]
    n = int(slides.group(1))
    steps = [s.split("~") for s in log.group(1).split("|")]
    first_inject = exercise.package.modules[0].injects[0].clock
    assert [s[1] for s in steps] == ["2", "3", "4", "3", str(n), str(n), "1", "1"]
    assert all(s[2] == "1" for s in steps), "exactly one slide is shown at a time"
    assert steps[1][3] == first_inject  # the first inject's slide shows its time on the incident clock
    assert 'data-clock-running="yes"' in dom  # C started the exercise clock


def test_presenter_view_loads_offline_without_console_messages(exercise: Exercise, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    loaded = browser.load(CHROMIUM, exercise.folder / "package.html", tmp_path, height=800)
    assert loaded.console == [], loaded.console
    assert loaded.requests == [], loaded.requests
    assert browser.distinct_colours(loaded.screenshot) > 20, "the screenshot looks blank"


def test_guide_prints(exercise: Exercise, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    pdf = tmp_path / "guide.pdf"
    browser.print_pdf(CHROMIUM, exercise.folder / "guide.html", pdf, tmp_path)
    assert pdf.exists() and pdf.read_bytes()[:4] == b"%PDF"
