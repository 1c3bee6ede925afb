"""The answer sheet: what the room said and did per module, written by the package and read back checked.

Every problem names the file, the field and the reason, one line (InputError): an answer sheet for another
scenario or another inventory snapshot, a module without answers, a role that is not one of the exercise's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.exercises import MAX_TEXT, parse_action
from cmmm.model import CorrectiveAction, Rating
from cmmm.sanitize import display
from cmmm.tabletop.model import ROLES, ModuleId, Package, Role

ANSWERS_FILE = "answers.yaml"
PACKAGE_JSON = "package.json"
MAX_ANSWERS_BYTES = 1 << 20


class Decision(StrEnum):
    """What the room decided for what would be late (the plan's fallbacks, docs/drills.md)."""

    EXTENSION = "extension"  # ask the CA / root program for more time
    ACCEPT_EXPOSURE = "accept-exposure"  # a named person signs the risk
    EMERGENCY_CHANGE = "emergency-change"  # bypass the freeze / normal change process
    OTHER = "other"


class Status(StrEnum):
    """How a mass-revocation plan element held up in the exercise."""

    YES = "yes"
    PARTIAL = "partial"
    NO = "no"


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageRef:
    """What an answer sheet is checked against: the package's ids, modules, questions and estimates."""

    id: str
    scenario: str
    scenario_title: str
    kind: str
    snapshot: str
    organization: str
    as_of: str
    modules: Mapping[str, tuple[str, ...]]  # module id → question ids
    module_titles: Mapping[str, str]
    questions: Mapping[str, Mapping[str, Any]]  # question id → role, text, criterion
    estimates: tuple[Mapping[str, Any], ...]
    checklist: tuple[Mapping[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    text: str
    role: str | None = None
    kind: str | None = None  # decisions: the Decision


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleAnswers:
    id: str
    rating: Rating | None
    estimates: Mapping[str, float]
    decisions: tuple[Note, ...]
    gaps: tuple[Note, ...]
    observations: tuple[Note, ...]
    answers: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerSheet:
    source: str
    package: str
    scenario: str
    snapshot: str
    held_on: date
    facilitator: str
    participants: tuple[tuple[str, str], ...]  # name, role
    modules: tuple[ModuleAnswers, ...]
    strengths: tuple[str, ...]
    improvements: tuple[str, ...]
    actions: tuple[CorrectiveAction, ...]
    checklist: Mapping[str, tuple[Status, str]]
    rating: Rating | None


# ---------------------------------------------------------------- the package's side
def package_document(p: Package) -> dict[str, Any]:
    """The package as JSON (stable keys): what `cmmm tabletop report` checks an answer sheet against."""
    return {
        "id": p.id,
        "organization": p.organization,
        "scenario": p.scenario,
        "scenario_title": p.scenario_title,
        "kind": p.kind,
        "snapshot": p.snapshot,
        "as_of": p.as_of.isoformat(),
        "generated_at": p.generated_at.isoformat(),
        "deadline_hours": p.deadline_hours,
        "verdict": p.verdict,
        "affected": p.affected,
        "changes": [{"option": c.option, "catalog": c.catalog, "exercise": c.exercise} for c in p.changes],
        "modules": [
            {
                "id": m.id.value,
                "title": m.title,
                "at_hours": m.at_hours,
                "minutes": m.minutes,
                "injects": [
                    {
                        "id": i.id,
                        "at_hours": i.at_hours,
                        "headline": i.headline,
                        "text": i.text,
                        "facts": [{"key": f.key, "value": f.value, "source": f.source} for f in i.facts],
                    }
                    for i in m.injects
                ],
                "questions": [
                    {
                        "id": q.id,
                        "role": q.role.value,
                        "text": q.text,
                        "data_answer": q.data_answer,
                        "criterion": q.criterion,
                        "blocks_level": q.blocks_level,
                    }
                    for q in m.questions
                ],
            }
            for m in p.modules
        ],
        "estimates": [
            {
                "key": e.key,
                "module": e.module.value,
                "question": e.question,
                "unit": e.unit,
                "p50": e.p50,
                "p90": e.p90,
                "because": e.because,
            }
            for e in p.estimates
        ],
        "checklist": [{"id": c.id, "element": c.element, "check": c.check} for c in p.checklist],
    }


def load_package(path: Path) -> PackageRef:
    """package.json of an exercise package (a folder or the file)."""
    file = path / PACKAGE_JSON if path.is_dir() else path
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(file), f"cannot read the exercise package: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(str(file), f"not a package.json: {exc}") from None
    try:
        return PackageRef(
            id=str(doc["id"]),
            scenario=str(doc["scenario"]),
            scenario_title=str(doc["scenario_title"]),
            kind=str(doc["kind"]),
            snapshot=str(doc["snapshot"]),
            organization=str(doc["organization"]),
            as_of=str(doc["as_of"]),
            modules={m["id"]: tuple(q["id"] for q in m["questions"]) for m in doc["modules"]},
            module_titles={m["id"]: str(m["title"]) for m in doc["modules"]},
            questions={q["id"]: q for m in doc["modules"] for q in m["questions"]},
            estimates=tuple(doc["estimates"]),
            checklist=tuple(doc["checklist"]),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(str(file), f"not a cmmm exercise package: missing {exc}") from None


def _scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML flow scalar


def _comment(text: str) -> str:
    return display(text, 160)  # one line: no newline can end the comment early


def answer_sheet(p: Package) -> str:
    """The blank answer sheet (YAML with comments) the facilitator fills in."""
    roles = ", ".join(r.value for r in Role)
    lines = [
        f"# cmmm tabletop answer sheet: {_comment(p.organization)}: {_comment(p.scenario_title)}",
        "# Fill in during and after the exercise. Then:",
        "#   cmmm tabletop report answers.yaml -o DIR           (after-action report and improvement plan)",
        "#   cmmm tabletop record answers.yaml --bundle BUNDLE  (the exercise becomes evidence)",
        "# Leave package, scenario and snapshot as they are: they tie this sheet to its package.",
        f"package: {_scalar(p.id)}",
        f"scenario: {_scalar(p.scenario)}",
        f"snapshot: {_scalar(p.snapshot)}",
        "held_on:            # YYYY-MM-DD, the day of the exercise",
        'facilitator: ""',
        "rating:             # the whole exercise: P, S, M or U (HSEEP); default the worst module rating",
        f"participants:       # name and role ({roles})",
        *(f'  - {{name: "", role: {_scalar(r.value)}}}' for r in Role),
        "modules:",
    ]
    for m in p.modules:
        lines += [
            f"  {m.id.value}:     # {m.clock}, {m.minutes} minutes",
            "    rating:         # P performed, S some challenges, M major challenges, U unable",
            "    estimates:      # the team's own numbers, before they see the simulation's",
        ]
        for e in (e for e in p.estimates if e.module is m.id):
            lines.append(f"      {e.key}:     # {_comment(e.question)} ({e.unit})")
        lines += [
            "    decisions: []   # {decision: extension | accept-exposure | emergency-change | other, by: ROLE, note: ...}",
            "    gaps: []        # {gap: ..., role: ROLE}: what was missing (an owner, a contact, a runbook)",
            "    observations: []  # {note: ..., role: ROLE}",
            "    answers:        # what the room said, per question",
        ]
        for q in m.questions:
            lines.append(f'      {q.id}: ""     # {q.role.value}: {_comment(q.text)}')
    lines += [
        "strengths: []      # what went well",
        "improvements: []   # areas for improvement",
        "actions: []        # {action: ..., owner: ..., due: YYYY-MM-DD, criterion: own.owner-coverage}",
    ]
    if p.checklist:
        lines.append("checklist:         # the mass-revocation plan (BR §5.7.1.2): yes | partial | no")
        for c in p.checklist:
            lines.append(f'  {c.id}: {{status: "", note: ""}}     # {_comment(c.check)}')
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- reading it back
def _text(value: Any, where: str, source: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(source, f"{where}: expected text, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise InputError(source, f"{where}: longer than {MAX_TEXT} characters")
    return text


def _role(value: Any, where: str, source: str, *, required: bool = False) -> str | None:
    text = _text(value, where, source)
    if not text:
        if required:
            raise InputError(source, f"{where}: missing (one of {', '.join(r.value for r in Role)})")
        return None
    for r in ROLES:
        if text.lower() == r.value.lower():
            return r.value
    raise InputError(
        source,
        f"{where}: {display(text, 40)!r} is not a role of the exercise ({', '.join(r.value for r in Role)})",
    )


def _rating(value: Any, where: str, source: str) -> Rating | None:
    text = _text(value, where, source).upper()
    if not text:
        return None
    try:
        return Rating(text[:1]) if len(text) == 1 else Rating(text)
    except ValueError:
        raise InputError(source, f"{where}: {display(text, 20)!r} is not P, S, M or U") from None


def _notes(raw: Any, where: str, source: str, field: str) -> tuple[Note, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(source, f"{where}: expected a list")
    out = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if isinstance(item, str):
            if item.strip():
                out.append(Note(text=_text(item, at, source)))
            continue
        if not isinstance(item, Mapping):
            raise InputError(source, f"{at}: expected text or a mapping with {field}")
        kind = None
        if field == "decision":
            kind = _text(item.get("decision"), f"{at}.decision", source).lower()
            if kind not in {d.value for d in Decision}:
                raise InputError(
                    source,
                    f"{at}.decision: {display(kind, 30)!r} is not one of {', '.join(d.value for d in Decision)}",
                )
            text = _text(item.get("note"), f"{at}.note", source)
            role = _role(item.get("by"), f"{at}.by", source)
        else:
            text = _text(item.get(field), f"{at}.{field}", source)
            if not text:
                raise InputError(source, f"{at}.{field}: missing")
            role = _role(item.get("role"), f"{at}.role", source)
        out.append(Note(text=text, role=role, kind=kind))
    return tuple(out)


def _estimates(raw: Any, where: str, source: str, allowed: set[str]) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError(source, f"{where}: expected a mapping of estimate → number")
    out = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if key not in allowed:
            raise InputError(
                source,
                f"{where}.{display(key, 40)}: not an estimate of this module ({', '.join(sorted(allowed)) or 'none'})",
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InputError(source, f"{where}.{key}: expected a number ≥ 0, got {display(value, 20)!r}")
        out[str(key)] = float(value)
    return out


def _module(raw: Any, mid: str, ref: PackageRef, source: str) -> ModuleAnswers:
    where = f"modules.{mid}"
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise InputError(source, f"{where}: expected a mapping")
    allowed = {str(e["key"]) for e in ref.estimates if e["module"] == mid}
    answers_raw = raw.get("answers") or {}
    if not isinstance(answers_raw, Mapping):
        raise InputError(source, f"{where}.answers: expected a mapping of question id → answer")
    answers = {}
    for qid, text in answers_raw.items():
        if qid not in ref.modules[mid]:
            raise InputError(source, f"{where}.answers.{display(qid, 20)}: not a question of this module")
        said = _text(text, f"{where}.answers.{qid}", source)
        if said:
            answers[str(qid)] = said
    m = ModuleAnswers(
        id=mid,
        rating=_rating(raw.get("rating"), f"{where}.rating", source),
        estimates=_estimates(raw.get("estimates"), f"{where}.estimates", source, allowed),
        decisions=_notes(raw.get("decisions"), f"{where}.decisions", source, "decision"),
        gaps=_notes(raw.get("gaps"), f"{where}.gaps", source, "gap"),
        observations=_notes(raw.get("observations"), f"{where}.observations", source, "note"),
        answers=answers,
    )
    if not (m.rating or m.estimates or m.decisions or m.gaps or m.observations or m.answers):
        raise InputError(
            source,
            f"{where}: no answers (give a rating, estimates, decisions, gaps, observations or answers)",
        )
    return m


def _date(value: Any, where: str, source: str) -> date:
    if isinstance(value, date):
        return value
    text = _text(value, where, source)
    if not text:
        raise InputError(source, f"{where}: missing (YYYY-MM-DD, the day of the exercise)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(source, f"{where}: not a date (YYYY-MM-DD): {display(text, 20)!r}") from None


def _matches(doc: Mapping[str, Any], ref: PackageRef, source: str) -> None:
    for key, want in (("scenario", ref.scenario), ("snapshot", ref.snapshot), ("package", ref.id)):
        got = _text(doc.get(key), key, source)
        if got != want:
            raise InputError(
                source,
                f"{key}: this answer sheet is for {display(got, 60)!r}, the package is for {display(want, 60)!r}"
                + (" (another inventory snapshot)" if key == "snapshot" else ""),
            )


def _checklist(raw: Any, ref: PackageRef, source: str) -> dict[str, tuple[Status, str]]:
    if raw is None:
        return {}
    if not ref.checklist:
        raise InputError(source, "checklist: this package has no mass-revocation checklist")
    if not isinstance(raw, Mapping):
        raise InputError(source, "checklist: expected a mapping of element → {status, note}")
    known = {c["id"] for c in ref.checklist}
    out = {}
    for key, item in raw.items():
        if key not in known:
            raise InputError(
                source, f"checklist.{display(key, 30)}: not an element ({', '.join(sorted(known))})"
            )
        item = item if isinstance(item, Mapping) else {"status": item}
        status = _text(item.get("status"), f"checklist.{key}.status", source).lower()
        if not status:
            continue
        if status not in {s.value for s in Status}:
            raise InputError(
                source, f"checklist.{key}.status: {display(status, 20)!r} is not yes, partial or no"
            )
        out[str(key)] = (Status(status), _text(item.get("note"), f"checklist.{key}.note", source))
    return out


def _participants(raw: Any, source: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(source, "participants: expected a list of {name, role}")
    out = []
    for i, p in enumerate(raw):
        if not isinstance(p, Mapping):
            raise InputError(source, f"participants[{i}]: expected {{name, role}}")
        name = _text(p.get("name"), f"participants[{i}].name", source)
        role = _role(p.get("role"), f"participants[{i}].role", source, required=True)
        if name and role:
            out.append((name, role))
    return tuple(out)


def _texts(raw: Any, where: str, source: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(source, f"{where}: expected a list")
    return tuple(t for i, v in enumerate(raw) if (t := _text(v, f"{where}[{i}]", source)))


def read_answers(path: Path, ref: PackageRef) -> AnswerSheet:
    """An answer sheet, checked against its package: InputError(file, "field: reason") on the first problem."""
    source = str(path)
    try:
        if path.stat().st_size > MAX_ANSWERS_BYTES:
            raise InputError(source, "answer sheet larger than 1 MiB")
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror}") from None
    doc = _yaml.load_mapping(path)
    _matches(doc, ref, source)
    raw_modules = doc.get("modules") or {}
    if not isinstance(raw_modules, Mapping):
        raise InputError(source, "modules: expected a mapping of module → answers")
    for key in raw_modules:
        if key not in ref.modules:
            raise InputError(
                source, f"modules.{display(key, 30)}: not a module of this package ({', '.join(ref.modules)})"
            )
    modules = tuple(_module(raw_modules.get(mid), mid, ref, source) for mid in ref.modules)
    actions_raw = doc.get("actions") or []
    if not isinstance(actions_raw, list):
        raise InputError(source, "actions: expected a list of {action, owner, due}")
    return AnswerSheet(
        source=source,
        package=ref.id,
        scenario=ref.scenario,
        snapshot=ref.snapshot,
        held_on=_date(doc.get("held_on"), "held_on", source),
        facilitator=_text(doc.get("facilitator"), "facilitator", source),
        participants=_participants(doc.get("participants"), source),
        modules=modules,
        strengths=_texts(doc.get("strengths"), "strengths", source),
        improvements=_texts(doc.get("improvements"), "improvements", source),
        actions=tuple(parse_action(a, f"actions[{i}]", source) for i, a in enumerate(actions_raw)),
        checklist=_checklist(doc.get("checklist"), ref, source),
        rating=_rating(doc.get("rating"), "rating", source),
    )


MODULE_IDS = tuple(m.value for m in ModuleId)
