"""Deterministic output: the same view renders byte for byte, and the small inventory's JSON and Markdown
match their golden files (--update-golden rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

import cmmm
from cmmm import report
from tests.conftest import NOW
from tests.report.report_bundle import view_of

GOLDEN = Path(__file__).parent / "golden"


def _golden(path: Path, text: str, update: bool) -> None:
    if update:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing; create it with --update-golden"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; rerun with --update-golden if intended"
    )


def test_render_is_deterministic(inv: cmmm.Inventory) -> None:
    a = report.render_html(view_of(inv, NOW))
    b = report.render_html(view_of(inv, NOW))
    assert a == b


def test_golden_small_inventory(update_golden: bool) -> None:
    inv = cmmm.load([GOLDEN / "report_small"], now=NOW)
    v = view_of(inv, NOW)
    _golden(
        GOLDEN / "report_small.json",
        json.dumps(report.render_json(v), indent=1, ensure_ascii=False) + "\n",
        update_golden,
    )
    _golden(GOLDEN / "report_small.md", report.render_markdown(v), update_golden)
