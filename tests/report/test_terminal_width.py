"""The terminal reads at 80 columns: catalog tables and a drill fit, the ids one copies are never split,
plurals agree with their numbers, and result frames are shown for people (no DataFrame dump)."""

from __future__ import annotations

import io
import re

import pandas as pd
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from cmmm.cli import app
from cmmm.drill.scenario import catalog
from cmmm.maturity import load_catalog
from cmmm.report.terminal.frames import render_frame
from tests.conftest import SAMPLES_DIR

runner = CliRunner()


def _run(args: list[str]) -> str:
    res = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    return res.stdout


def _fits(text: str) -> None:
    wide = [line for line in text.splitlines() if cell_len(line) > 80]
    assert not wide, wide[:3]


def test_scenarios_fit_80_columns_with_whole_names() -> None:
    text = _run(["scenarios"])
    _fits(text)
    lines = text.splitlines()
    for s in catalog():
        assert any(line.startswith(s.name + " ") for line in lines), s.name  # the name, whole, on one line


def test_checks_fit_80_columns_with_whole_ids() -> None:
    text = _run(["checks"])
    _fits(text)
    starts = {line.split(" ")[0] for line in text.splitlines()}
    for c in load_catalog().criteria:
        assert c.id in starts, c.id


def test_a_drill_reads_at_80_columns_with_plurals_right() -> None:
    text = _run(
        [
            "drill",
            str(SAMPLES_DIR / "level1-chaos"),
            "--scenario",
            "primary-intermediate-compromise-24h",
            "--runs",
            "30",
            "--as-of",
            "2026-11-28",
        ]
    )
    _fits(text)
    assert not re.search(r"\b1 (critical services|certificates|runs|steps)\b", text)
    assert re.search(r"\b1 critical service\b", text)  # level-1's 24-hour drill leaves one exposed


def test_result_frames_are_shown_for_people() -> None:
    frame = pd.DataFrame(
        {
            "issuing_ca": ["Contoso Issuing CA 1"],
            "certificates": [14600.0],
            "over_budget": [True],
            "deadline": [pd.Timestamp("2030-12-31", tz="UTC")],
            "budget_bytes": [pd.NA],
        }
    )
    buf = io.StringIO()
    render_frame(Console(file=buf, width=80), "public_webpki", frame)
    text = buf.getvalue()
    assert "14,600" in text and "14600.0" not in text
    assert "yes" in text and "True" not in text
    assert "2030-12-31" in text and "00:00" not in text
    assert "—" in text and "<NA>" not in text
    assert "issuing_ca" not in text and "public webpki" in text


def test_long_steps_show_what_they_do_on_a_terminal_only() -> None:
    from cmmm.report.terminal.progress import working

    for is_terminal in (True, False):
        buf = io.StringIO()
        with working(Console(file=buf, force_terminal=is_terminal), "assessing"):
            pass
        assert ("assessing" in buf.getvalue()) is is_terminal
