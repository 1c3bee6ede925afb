"""The after-action report and improvement plan (HSEEP's shape) from a filled answer sheet, and the record
that makes the exercise evidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.exercises import LOG_FILE, log_document, parse_log
from cmmm.export.atomic import write_text_atomic
from cmmm.model import CorrectiveAction, Rating, RecordedExercise
from cmmm.model.exercise import RATING_TEXT
from cmmm.tabletop.answers import AnswerSheet, ModuleAnswers, PackageRef, Status

_WORST = (Rating.UNABLE, Rating.MAJOR_CHALLENGES, Rating.SOME_CHALLENGES, Rating.PERFORMED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """The team's estimate beside the simulation's p50 and p90, in one sentence."""

    key: str
    question: str
    unit: str
    team: float
    p50: float | None
    p90: float | None
    sentence: str

    @property
    def optimistic(self) -> bool:
        """The team expects better than the simulation's p50 (fewer hours, fewer certificates left)."""
        return self.p50 is not None and self.team < self.p50


@dataclass(frozen=True, slots=True, kw_only=True)
class ChecklistResult:
    id: str
    element: str
    status: str  # yes | partial | no | not discussed
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleReview:
    id: str
    title: str
    answers: ModuleAnswers
    questions: tuple[tuple[str, str, str, str], ...]  # id, role, question, what the room said


@dataclass(frozen=True, slots=True, kw_only=True)
class AfterAction:
    package: PackageRef
    sheet: AnswerSheet
    rating: Rating
    modules: tuple[ModuleReview, ...]
    comparisons: tuple[Comparison, ...]
    checklist: tuple[ChecklistResult, ...]
    gaps: tuple[str, ...]  # every gap the room named, with its module

    @property
    def rating_text(self) -> str:
        return RATING_TEXT[self.rating]

    @property
    def checklist_gaps(self) -> tuple[ChecklistResult, ...]:
        return tuple(c for c in self.checklist if c.status != Status.YES.value)


def _number(v: float, unit: str) -> str:
    n = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    if unit != "hours":
        return f"{n} certificates"
    return f"{n} h ({v / 24:,.1f} days)" if v >= 48 else f"{n} h"


def _sentence(e: Mapping[str, object], team: float) -> str:
    unit = str(e["unit"])
    p50, p90 = e.get("p50"), e.get("p90")
    head = f"the team estimated {_number(team, unit)} ({str(e['question']).lower()})"
    if not isinstance(p90, int | float) or not isinstance(p50, int | float):
        return f"{head}; the simulation has no figure for it"
    sim = f"the simulation's p50 is {_number(p50, unit)} and its p90 {_number(p90, unit)}"
    because = str(e.get("because") or "")
    tail = f" because {because}" if because and team < float(p50) else ""
    return f"{head}; {sim}{tail}"


def after_action(sheet: AnswerSheet, ref: PackageRef) -> AfterAction:
    """The after-action report of a checked answer sheet."""
    ratings = [m.rating for m in sheet.modules if m.rating is not None]
    overall = sheet.rating or next((r for r in _WORST if r in ratings), Rating.SOME_CHALLENGES)
    estimates = {str(e["key"]): e for e in ref.estimates}
    comparisons = tuple(
        Comparison(
            key=k,
            question=str(estimates[k]["question"]),
            unit=str(estimates[k]["unit"]),
            team=v,
            p50=_opt(estimates[k].get("p50")),
            p90=_opt(estimates[k].get("p90")),
            sentence=_sentence(estimates[k], v),
        )
        for m in sheet.modules
        for k, v in m.estimates.items()
    )
    reviews = tuple(
        ModuleReview(
            id=m.id,
            title=ref.module_titles[m.id],
            answers=m,
            questions=tuple(
                (
                    q,
                    str(ref.questions[q]["role"]),
                    str(ref.questions[q]["text"]),
                    m.answers.get(q, ""),
                )
                for q in ref.modules[m.id]
            ),
        )
        for m in sheet.modules
    )
    checklist = tuple(
        ChecklistResult(
            id=c["id"],
            element=c["element"],
            status=sheet.checklist[c["id"]][0].value if c["id"] in sheet.checklist else "not discussed",
            note=sheet.checklist[c["id"]][1] if c["id"] in sheet.checklist else "",
        )
        for c in ref.checklist
    )
    gaps = tuple(f"{ref.module_titles[m.id]}: {g.text}" for m in sheet.modules for g in m.gaps)
    return AfterAction(
        package=ref,
        sheet=sheet,
        rating=overall,
        modules=reviews,
        comparisons=comparisons,
        checklist=checklist,
        gaps=gaps,
    )


def _opt(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) else None


def exercise_record(aar: AfterAction) -> RecordedExercise:
    """The exercise as the log keeps it: date, scenario, snapshot, rating, findings, corrective actions."""
    s = aar.sheet
    return RecordedExercise(
        id=f"tt-{s.held_on.isoformat()}-{s.scenario}",
        held_on=s.held_on,
        scenario=s.scenario,
        snapshot=s.snapshot,
        rating=aar.rating,
        facilitator=s.facilitator,
        strengths=s.strengths,
        improvements=(
            *s.improvements,
            *aar.gaps,
            *(f"mass-revocation plan: {c.element} ({c.status})" for c in aar.checklist_gaps),
        ),
        actions=s.actions,
    )


def record(aar: AfterAction, bundle: Path) -> tuple[Path, RecordedExercise]:
    """Append the exercise to the bundle's exercise log, atomically; the records already there are kept,
    and an exercise recorded before (same date and scenario) is refused, not overwritten."""
    if not bundle.is_dir():
        raise InputError(str(bundle), "not a bundle folder (the exercise log is its exercises.yaml)")
    log = bundle / LOG_FILE
    existing = parse_log(_yaml.load_mapping(log), source=str(log)) if log.exists() else ()
    new = exercise_record(aar)
    if any(r.id == new.id for r in existing):
        raise InputError(str(log), f"exercises: {new.id} is recorded already; nothing was changed")
    header = (
        "# The tabletop exercises of this organization (cmmm tabletop record); read by the maturity\n"
        "# assessment as recorded evidence for own.fire-drill. Mark a corrective action done with its date.\n"
    )
    body = yaml.safe_dump(log_document((*existing, new)), sort_keys=False, allow_unicode=True, width=110)
    write_text_atomic(log, header + body)
    return log, new


def open_actions(actions: tuple[CorrectiveAction, ...]) -> tuple[CorrectiveAction, ...]:
    return tuple(a for a in actions if a.done is None)
