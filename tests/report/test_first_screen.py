"""The report answers first: beside the level, would the organization survive its most important drill
(verdict, p90 against the deadline); fewer than three risks say why."""

from __future__ import annotations

import dataclasses
import re

from cmmm import report
from tests.conftest import NOW, sample
from tests.report.report_bundle import sample_view, view_of


def _first_screen(html: str) -> str:
    hero = html[html.index('<div class="hero">') : html.index("<h3>The three biggest risks</h3>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", hero))


def test_the_first_screen_answers_the_24_hour_drill_beside_the_level() -> None:
    view = view_of(sample("level1-chaos"), NOW, scenarios=("primary-intermediate-compromise-24h",))
    h = view.summary.headline
    assert h is not None and h.scenario == "primary-intermediate-compromise-24h"
    assert h.answer == "no" and h.p90_hours is not None and h.p90_hours > h.deadline_hours == 24
    first = _first_screen(report.render_html(view))
    assert "CMMM level 1" in first and "Would we survive it?" in first
    assert "no" in first.lower() and "against a 24 h deadline" in first
    md = report.render_markdown(view)
    assert md.index("Would we survive it?") < md.index("### The biggest risks")


def test_no_drill_no_headline() -> None:
    view = sample_view("level1-chaos")
    assert view.summary.headline is None
    assert "Would we survive it?" not in report.render_html(view)


def test_fewer_than_three_risks_say_why() -> None:
    view = sample_view("level1-chaos")
    one = dataclasses.replace(view.summary, risks=view.summary.risks[:1])
    assert len(view.summary.risks) == 3 and view.summary.risks_note == ""
    from cmmm.report.build import _risks_note

    note = _risks_note(1)
    assert "only 1 risk finding" in note and "cmmm checks" in note
    html = report.render_html(dataclasses.replace(view, summary=dataclasses.replace(one, risks_note=note)))
    assert note in html
