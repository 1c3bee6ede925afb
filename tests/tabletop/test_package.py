"""The exercise package: every number an inject shows is the drill's, hostile names stay text, variants are
stated, the question bank is complete."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cmmm import drill, tabletop
from cmmm.drill import DrillResult
from cmmm.errors import UsageError
from cmmm.maturity import assess
from cmmm.tabletop.build import _facts, question_bank
from cmmm.tabletop.model import ModuleId
from tests.conftest import NOW
from tests.tabletop.conftest import HOSTILE_TEAM, Exercise, make_exercise, mass_revocation_file


def _value(result: DrillResult, source: str) -> float:
    """The drill-result field a fact names: `milestones[hours=H].p50`, `completion_hours.p90`, a column sum."""
    m = re.fullmatch(r"milestones\[hours=([\d.]+)\]\.(p10|p50|p90)", source)
    if m:
        rows = result.milestones[result.milestones["hours"] == float(m.group(1))]
        assert len(rows) == 1, f"{source}: the drill has no milestone at that hour"
        return float(rows[m.group(2)].iloc[0])
    head, _, attr = source.partition(".")
    if head == "team_workload":
        column, _, agg = attr.partition(".")
        return float(
            result.team_workload[column].max() if agg == "max" else result.team_workload[column].sum()
        )
    if source == "fallbacks.rows":
        return float(len(result.fallbacks))
    obj = getattr(result, head)
    return float(getattr(obj, attr) if attr else obj)


def test_every_inject_number_is_the_drills(exercise: Exercise) -> None:
    r, p = exercise.result, exercise.package
    assert r.affected_certificates > 0 and r.completion_hours.p90 is not None
    milestone_hours = set(r.milestones["hours"])
    facts = 0
    for module in p.modules:
        for inject in module.injects:
            assert inject.at_hours == 0 or inject.at_hours in milestone_hours, inject.clock
            for fact in inject.facts:
                assert float(fact.value) == pytest.approx(_value(r, fact.source)), fact
                shown = (
                    f"{float(fact.value):,.0f}"
                    if float(fact.value).is_integer()
                    else f"{float(fact.value):,.1f}"
                )
                if fact.key not in (
                    "deadline_hours",
                    "completion_p50",
                    "completion_p90",
                    "ca_ready_hours",
                    "busiest_clear_hours",
                    "fallbacks",
                ):
                    assert shown in inject.text, (fact, inject.text)
                facts += 1
    assert facts >= 14
    # the clock: triage at 1/8 of the deadline, replacement at half, trust at the deadline, aftermath at p90
    at = {m.id: m.at_hours for m in p.modules}
    assert at[ModuleId.TRIAGE] == pytest.approx(r.deadline_hours / 8)
    assert at[ModuleId.REPLACEMENT] == pytest.approx(r.deadline_hours / 2)
    assert at[ModuleId.TRUST_COMMS] == pytest.approx(r.deadline_hours)
    assert at[ModuleId.AFTERMATH] == pytest.approx(r.completion_hours.p90)
    est = {e.key: e for e in p.estimates}
    assert (est["all_replaced_hours"].p50, est["all_replaced_hours"].p90) == (
        r.completion_hours.p50,
        r.completion_hours.p90,
    )


def test_milestones_lie_on_the_burn_down(exercise: Exercise) -> None:
    # the milestones come from the same runs as the burn-down: remaining certificates never increase
    ms = exercise.result.milestones.sort_values("hours")
    assert (ms["p50"].diff().dropna() <= 0).all()
    assert ms["p50"].iloc[0] == exercise.result.affected_certificates


def test_questions_come_from_the_organizations_gaps(exercise: Exercise) -> None:
    qs = [q for m in exercise.package.modules for q in m.questions]
    unknown = int(exercise.result.team_workload["unknown_owner"].sum())
    owner_q = next(q for q in qs if q.criterion == "own.owner-coverage")
    assert f"{unknown} of the affected certificates have no known owner" in owner_q.text
    assert {q.role.value for q in qs} == {r.value for r in tabletop.Role}
    assert all(q.data_answer and q.strong and q.weak for q in qs)
    # questions tied to criteria that block this organization's next level say so
    assessment = assess(exercise.inv, now=NOW)
    blocking = {i.criterion_id for i in assessment.roadmap}
    for q in qs:
        assert (q.blocks_level is not None) == (q.criterion in blocking), q.id


def test_question_bank_placeholders_are_facts(exercise: Exercise) -> None:
    facts = _facts(exercise.inv, exercise.result, assess(exercise.inv, now=NOW))
    for spec in question_bank():
        assert spec.module in ModuleId and spec.role in tabletop.Role
        assert spec.when in facts, spec.text
        for text in (spec.text, spec.data):
            assert set(re.findall(r"\{(\w+)\}", text)) <= facts.keys(), text


@pytest.mark.parametrize("name", ["package.html", "guide.html"])
def test_hostile_names_are_inert_in_html(exercise: Exercise, name: str) -> None:
    html = (exercise.folder / name).read_text(encoding="utf-8")
    assert "<img" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown, as text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;*pay" in html
    assert 'href="http://evil' not in html


@pytest.mark.parametrize("name", ["package.md", "guide.md"])
def test_hostile_names_are_inert_in_markdown(exercise: Exercise, name: str) -> None:
    md = (exercise.folder / name).read_text(encoding="utf-8")
    assert "<img" not in md and "<script" not in md
    assert not re.search(r"(?<!\\)\]\(http://evil", md)  # the brackets are escaped: no link
    assert "&lt;img src=x onerror=alert(1)&gt;\\|\\[pay\\]" in md
    assert "&lt;script&gt;alert(2)&lt;/script&gt;\\*pay" in md
    assert HOSTILE_TEAM not in md and "<script>alert(2)</script>*pay" not in md


def test_answer_sheet_and_package_json(exercise: Exercise) -> None:
    import yaml

    sheet = yaml.safe_load((exercise.folder / "answers.yaml").read_text(encoding="utf-8"))
    doc = json.loads((exercise.folder / "package.json").read_text(encoding="utf-8"))
    assert sheet["package"] == doc["id"] == exercise.package.id
    assert sheet["snapshot"] == doc["snapshot"] == tabletop.snapshot_id(exercise.inv)
    assert list(sheet["modules"]) == [m.value for m in ModuleId]
    qids = {q["id"] for m in doc["modules"] for q in m["questions"]}
    assert {q for m in sheet["modules"].values() for q in (m["answers"] or {})} == qids


def test_a_filled_sheet_is_never_overwritten(exercise: Exercise, tmp_path: Path) -> None:
    folder = tmp_path / "again"
    folder.mkdir()
    (folder / "answers.yaml").write_text("held_on: 2026-11-27\n", encoding="utf-8")
    tabletop.write_package(exercise.package, folder)
    assert (folder / "answers.yaml").read_text(encoding="utf-8") == "held_on: 2026-11-27\n"


def test_variants_raise_the_stakes_and_say_so(exercise: Exercise) -> None:
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    variant = tabletop.Variant(deadline="12h", during_freeze=True, team_unavailable="platform")
    varied_sc, varied_inv, changes = tabletop.apply(variant, sc, exercise.inv, NOW)
    assert varied_sc.deadline_hours == 12
    assert [t.name for t in varied_inv.profile.teams] == [HOSTILE_TEAM]
    assert len(varied_inv.profile.change_freeze) == 1
    assert [c.option for c in changes] == ["--deadline", "--during-freeze", "--team-unavailable"]
    result = drill.run(varied_inv, varied_sc, now=NOW, runs=60, seed=3)
    package = tabletop.build_package(
        varied_inv, result, assess(exercise.inv, now=NOW), generated_at=NOW, changes=changes
    )
    assert package.deadline_hours == 12
    assert package.id != exercise.package.id
    assert any(
        q.criterion == "own.itsm-integration" for m in package.modules for q in m.questions
    )  # the freeze
    md = tabletop.render.render_package_md(package)
    assert "## Changed from the catalog" in md and "| --deadline | 24 h | 12 h |" in md


def test_variant_errors(exercise: Exercise) -> None:
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    with pytest.raises(UsageError, match="no team 'ops'"):
        tabletop.apply(tabletop.Variant(team_unavailable="ops"), sc, exercise.inv, NOW)
    with pytest.raises(Exception, match="not a duration"):
        tabletop.apply(tabletop.Variant(deadline="soon"), sc, exercise.inv, NOW)
    sunset = drill.load_scenario("sha1-end-2026")
    with pytest.raises(UsageError, match="--ca applies to"):
        tabletop.apply(tabletop.Variant(ca="Org Issuing CA 2"), sunset, exercise.inv, NOW)


def test_ca_variant_moves_the_target(exercise: Exercise) -> None:
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    varied, _, changes = tabletop.apply(tabletop.Variant(ca="Org Issuing CA 2"), sc, exercise.inv, NOW)
    before = drill.run(exercise.inv, sc, now=NOW, runs=20).affected_certificates
    after = drill.run(exercise.inv, varied, now=NOW, runs=20).affected_certificates
    assert after != before and after > 0  # CA 2 issued 30 % of the leaves, CA 1 (the primary) 70 %
    assert "Org Issuing CA 2" in changes[0].exercise


def test_planning_scenarios_are_refused(exercise: Exercise) -> None:
    result = drill.run(exercise.inv, drill.load_scenario("letsencrypt-45-day-2028"), now=NOW, runs=20)
    with pytest.raises(UsageError, match="not an incident clock"):
        tabletop.build_package(exercise.inv, result, assess(exercise.inv, now=NOW), generated_at=NOW)


def test_mass_revocation_package_carries_the_plan_checklist(tmp_path: Path) -> None:
    ex = make_exercise(tmp_path, mass_revocation_file(tmp_path), runs=40)
    ids = [c.id for c in ex.package.checklist]
    assert ids == [c.id for c in tabletop.MASS_REVOCATION_ELEMENTS] and len(ids) == 9
    md = (ex.folder / "package.md").read_text(encoding="utf-8")
    assert (
        "Mass-revocation plan checklist" in md and "Annual testing without revoking real certificates" in md
    )
    assert "checklist:" in (ex.folder / "answers.yaml").read_text(encoding="utf-8")


def test_ca_variant_on_a_mass_revocation_names_the_issuer(exercise: Exercise, tmp_path: Path) -> None:
    sc = drill.load_scenario(mass_revocation_file(tmp_path))
    varied, _, changes = tabletop.apply(tabletop.Variant(ca="Org Issuing CA 2"), sc, exercise.inv, NOW)
    assert list(varied.parameters["filter"]["issuer"]["names"]) == ["Org Issuing CA 2"]
    one = drill.run(exercise.inv, sc, now=NOW, runs=10).affected_certificates
    two = drill.run(exercise.inv, varied, now=NOW, runs=10).affected_certificates
    assert one + two == 40 and 0 < two < one  # CA 1 issued 70 % of the 40 leaves, CA 2 the rest
    assert changes[0].catalog == "the catalog's issuer filter"
