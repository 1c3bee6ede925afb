"""The answer sheet read back, the after-action report, and the exercise as evidence for own.fire-drill."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import cmmm
from cmmm import tabletop
from cmmm.cli import app
from cmmm.errors import InputError
from cmmm.maturity import Status, assess
from tests.conftest import NOW
from tests.tabletop.conftest import Exercise, filled, make_exercise, mass_revocation_file, write_sheet


def _aar(ex: Exercise, path: Path) -> tabletop.AfterAction:
    ref = tabletop.load_package(ex.folder)
    return tabletop.after_action(tabletop.read_answers(path, ref), ref)


def test_the_report_sets_estimates_beside_the_simulation(exercise: Exercise) -> None:
    aar = _aar(exercise, write_sheet(exercise, filled(exercise)))
    r = exercise.result
    assert aar.rating.value == "M"  # the worst module rating
    [c] = aar.comparisons
    assert (c.team, c.p50, c.p90) == (8.0, r.completion_hours.p50, r.completion_hours.p90)
    unknown = int(r.team_workload["unknown_owner"].sum())
    assert c.sentence.startswith("the team estimated 8 h")
    assert f"the simulation's p50 is {r.completion_hours.p50:,.1f} h" in c.sentence
    assert f"and its p90 {r.completion_hours.p90:,.1f} h" in c.sentence
    assert f"because {unknown} certificates have no owner" in c.sentence
    html, md = tabletop.write_aar(aar, exercise.folder)
    text = md.read_text(encoding="utf-8")
    for part in (
        "## Strengths",
        "## Areas for improvement",
        "## Improvement plan",
        "Triage: no owner for the legacy",
    ):
        assert part in text
    assert "| pre-approve a backup CA | Sam | 2026-11-01 |" in text
    assert "the team estimated 8 h" in html.read_text(encoding="utf-8")


def test_mass_revocation_report_is_checked_element_by_element(tmp_path: Path) -> None:
    ex = make_exercise(tmp_path, mass_revocation_file(tmp_path), runs=40)
    doc = filled(ex)
    doc["checklist"] = {
        "activation-criteria": {"status": "yes", "note": "the CISO activates"},
        "customer-contacts": {"status": "no", "note": "no contact list"},
    }
    aar = _aar(ex, write_sheet(ex, doc))
    status = {c.id: c.status for c in aar.checklist}
    assert len(status) == 9
    assert status["activation-criteria"] == "yes" and status["customer-contacts"] == "no"
    assert status["post-test-updates"] == "not discussed"
    assert [c.id for c in aar.checklist_gaps][:1] == ["customer-contacts"]
    md = tabletop.render.render_aar_md(aar)
    assert "| Customer (subscriber) contacts | no | no contact list |" in md
    rec = tabletop.exercise_record(aar)
    assert "mass-revocation plan: Customer (subscriber) contacts (no)" in rec.improvements


def _without(doc: dict[str, Any], module: str) -> dict[str, Any]:
    doc["modules"][module] = {"rating": None, "estimates": None, "decisions": [], "gaps": [], "answers": {}}
    doc["modules"][module]["observations"] = []
    return doc


BAD: list[tuple[str, Any, str]] = [
    (
        "other scenario",
        lambda d: {**d, "scenario": "mass-revocation-5d"},
        "scenario: this answer sheet is for",
    ),
    ("other snapshot", lambda d: {**d, "snapshot": "inv-0000"}, "snapshot: .*another inventory snapshot"),
    ("module without answers", lambda d: _without(d, "triage"), r"modules\.triage: no answers"),
    (
        "unknown role",
        lambda d: {**d, "participants": [{"name": "Lee", "role": "DBA"}]},
        r"participants\[0\]\.role: 'DBA' is not a role",
    ),
    ("bad rating", lambda d: {**d, "rating": "X"}, "rating: 'X' is not P, S, M or U"),
    ("no date", lambda d: {**d, "held_on": None}, "held_on: missing"),
    (
        "action without owner",
        lambda d: {**d, "actions": [{"action": "x", "due": "2027-01-01"}]},
        r"actions\[0\]\.owner: missing",
    ),
    (
        "unknown module",
        lambda d: {**d, "modules": {**d["modules"], "recovery": {}}},
        "modules.recovery: not a module",
    ),
    (
        "estimate of another module",
        lambda d: {
            **d,
            "modules": {**d["modules"], "notification": {"estimates": {"all_replaced_hours": 3}}},
        },
        r"modules\.notification\.estimates\.all_replaced_hours: not an estimate of this module",
    ),
]


@pytest.mark.parametrize(("case", "edit", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_answer_sheets_name_file_field_and_reason(
    exercise: Exercise, case: str, edit: Any, reason: str
) -> None:
    path = write_sheet(exercise, edit(filled(exercise)), name="bad.yaml")
    with pytest.raises(InputError, match=reason) as err:
        _aar(exercise, path)
    assert str(err.value).startswith(str(path))
    # the command line: one line on stderr, exit 2, nothing recorded
    res = CliRunner().invoke(app, ["tabletop", "record", str(path), "--bundle", str(exercise.bundle)])
    assert res.exit_code == 2, res.output
    assert not (exercise.bundle / "exercises.yaml").exists()


def _fire_drill(bundle: Path, now: Any) -> Any:
    inv = cmmm.load([bundle], now=now)
    return next(c for c in assess(inv, now=now).criteria if c.id == "own.fire-drill")


def test_a_recorded_exercise_moves_the_fire_drill_from_attested_to_measured(tmp_path: Path) -> None:
    ex = make_exercise(tmp_path, runs=40)
    profile = yaml.safe_load((ex.bundle / "profile.yaml").read_text(encoding="utf-8"))
    profile["attested"] = {
        "last_fire_drill": {"answer": "2026-06-01", "date": "2026-06-01", "evidence": "TT-1"}
    }
    (ex.bundle / "profile.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    before = _fire_drill(ex.bundle, NOW)
    assert before.status is Status.ATTESTED and before.evidence.startswith("attested")

    sheet = write_sheet(ex, filled(ex))
    res = CliRunner().invoke(app, ["tabletop", "record", str(sheet), "--bundle", str(ex.bundle)])
    assert res.exit_code == 0, res.output
    after = _fire_drill(ex.bundle, NOW)
    assert after.status is Status.MET
    assert after.evidence.startswith("recorded: exercise tt-2026-11-27-primary-intermediate-compromise-24h")
    assert "2 corrective actions, 2 open, 1 past due" in after.evidence

    # a year and a day later the exercise has lapsed (EXERCISE_VALID_DAYS = 365 from the exercise's day)
    lapsed = _fire_drill(ex.bundle, NOW + timedelta(days=366))
    assert lapsed.status is Status.LAPSED and "lapsed after 365 days" in lapsed.evidence

    # the overdue corrective action is a risk finding with its catalog code
    inv = cmmm.load([ex.bundle], now=NOW)
    [risk] = [r for r in assess(inv, now=NOW).risks if r.code == "risk.exercise-actions-overdue"]
    assert risk.count == 1 and risk.population == 2 and "pre-approve a backup CA" in risk.examples[0]

    # recording it again is refused and the log keeps what it had
    log = (ex.bundle / "exercises.yaml").read_text(encoding="utf-8")
    again = CliRunner().invoke(app, ["tabletop", "record", str(sheet), "--bundle", str(ex.bundle)])
    assert again.exit_code == 2 and "recorded already" in again.output
    assert (ex.bundle / "exercises.yaml").read_text(encoding="utf-8") == log


def test_a_second_exercise_keeps_the_first(tmp_path: Path) -> None:
    ex = make_exercise(tmp_path, runs=40)
    for day in ("2026-06-01", "2026-11-27"):
        tabletop.record(_aar(ex, write_sheet(ex, filled(ex, held_on=day))), ex.bundle)
    inv = cmmm.load([ex.bundle], now=NOW)
    assert [e.held_on.isoformat() for e in inv.exercises] == ["2026-06-01", "2026-11-27"]
    assert not inv.rejected


def test_cli_package_report_record(tmp_path: Path) -> None:
    ex = make_exercise(tmp_path, runs=40)
    out = tmp_path / "pkg"
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "tabletop",
            str(ex.bundle),
            "--scenario",
            "primary-intermediate-compromise-24h",
            "--deadline",
            "12h",
            "--runs",
            "30",
            "--as-of",
            NOW.isoformat(),
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "changed: --deadline: 24 h → 12 h" in res.output
    assert {p.name for p in out.iterdir()} == {
        "package.html",
        "package.md",
        "guide.html",
        "guide.md",
        "answers.yaml",
        "package.json",
    }
    doc = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))
    doc.update(held_on="2026-11-27")
    doc["modules"] = {k: {"rating": "S"} for k in doc["modules"]}
    (out / "answers.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    res = runner.invoke(app, ["tabletop", "report", str(out / "answers.yaml")])
    assert res.exit_code == 0, res.output
    assert (out / "aar.html").exists() and (out / "aar.md").exists()
    help_text = runner.invoke(app, ["tabletop", "--help"]).output
    assert "cmmm tabletop report exercise/answers.yaml" in help_text
