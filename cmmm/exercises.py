"""The exercise log: a bundle's `exercises.yaml`, every tabletop exercise recorded with its findings.

    exercises:
      - id: tt-2026-12-05-primary-intermediate-compromise-24h
        held_on: 2026-12-05
        scenario: primary-intermediate-compromise-24h
        snapshot: inv-3f2a…            # the inventory the package was built from
        rating: M                      # HSEEP: P, S, M or U
        facilitator: A. Facilitator
        strengths: [...]
        improvements: [...]
        actions:
          - {action: "...", owner: "...", due: 2027-01-31, done: null, criterion: own.owner-coverage}

`cmmm tabletop record` appends to it (cmmm.tabletop); ingest reads it with the bundle (Inventory.exercises);
the maturity assessment reads the records (cmmm.maturity.exercises). A store (issue 21) keeps the same
records beside its snapshot: `parse_log` and `log_document` are the format both sides share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from cmmm.errors import InputError
from cmmm.model.exercise import CorrectiveAction, Rating, RecordedExercise

LOG_FILE = "exercises.yaml"
# An exercise counts for a year: the BR's annual tabletop test of a mass-revocation plan (ballot SC-089,
# BR §5.7.1.2) and the yearly rhythm of CMMM's fire drills.
EXERCISE_VALID_DAYS = 365
MAX_TEXT = 2000  # one finding or action; longer text is a pasted document, not a line of a plan


def _date(value: Any, where: str, source: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(source, f"{where}: not a date (YYYY-MM-DD): {value!r:.40}")


def _text(value: Any, where: str, source: str, *, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(source, f"{where}: missing")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InputError(source, f"{where}: expected text, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise InputError(source, f"{where}: longer than {MAX_TEXT} characters")
    return text


def _texts(value: Any, where: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(source, f"{where}: expected a list")
    return tuple(t for i, v in enumerate(value) if (t := _text(v, f"{where}[{i}]", source, required=False)))


def parse_action(raw: Any, where: str, source: str) -> CorrectiveAction:
    """One corrective action: action, owner and due are required; done and criterion optional."""
    if not isinstance(raw, Mapping):
        raise InputError(source, f"{where}: expected a mapping with action, owner, due")
    done = raw.get("done")
    criterion = raw.get("criterion")
    return CorrectiveAction(
        action=_text(raw.get("action"), f"{where}.action", source),
        owner=_text(raw.get("owner"), f"{where}.owner", source),
        due=_date(raw.get("due"), f"{where}.due", source),
        done=None if done in (None, False, "") else _date(done, f"{where}.done", source),
        criterion=_text(criterion, f"{where}.criterion", source, required=False) or None,
    )


def parse_record(raw: Any, where: str, source: str) -> RecordedExercise:
    """One recorded exercise of the log."""
    if not isinstance(raw, Mapping):
        raise InputError(source, f"{where}: expected a mapping")
    rating = _text(raw.get("rating"), f"{where}.rating", source).upper()
    try:
        rated = Rating(rating)
    except ValueError:
        raise InputError(
            source, f"{where}.rating: {rating!r:.20} is not an HSEEP rating (P, S, M or U)"
        ) from None
    actions = raw.get("actions") or []
    if not isinstance(actions, list):
        raise InputError(source, f"{where}.actions: expected a list")
    return RecordedExercise(
        id=_text(raw.get("id"), f"{where}.id", source),
        held_on=_date(raw.get("held_on"), f"{where}.held_on", source),
        scenario=_text(raw.get("scenario"), f"{where}.scenario", source),
        snapshot=_text(raw.get("snapshot"), f"{where}.snapshot", source),
        rating=rated,
        facilitator=_text(raw.get("facilitator"), f"{where}.facilitator", source, required=False),
        strengths=_texts(raw.get("strengths"), f"{where}.strengths", source),
        improvements=_texts(raw.get("improvements"), f"{where}.improvements", source),
        actions=tuple(parse_action(a, f"{where}.actions[{i}]", source) for i, a in enumerate(actions)),
        source=source,
    )


def parse_log(doc: Any, *, source: str) -> tuple[RecordedExercise, ...]:
    """The records of an exercise log, oldest first; an empty file is an empty log. Ids are unique."""
    if doc is None:
        return ()
    if not isinstance(doc, Mapping) or not isinstance(doc.get("exercises", []), list):
        raise InputError(source, "expected a mapping with an 'exercises' list")
    records = [parse_record(r, f"exercises[{i}]", source) for i, r in enumerate(doc.get("exercises") or [])]
    seen: set[str] = set()
    for i, r in enumerate(records):
        if r.id in seen:
            raise InputError(source, f"exercises[{i}].id: {r.id!r:.60} is recorded twice")
        seen.add(r.id)
    return tuple(sorted(records, key=lambda r: (r.held_on, r.id)))


def action_document(a: CorrectiveAction) -> dict[str, Any]:
    return {
        "action": a.action,
        "owner": a.owner,
        "due": a.due.isoformat(),
        "done": a.done.isoformat() if a.done else None,
        "criterion": a.criterion,
    }


def record_document(r: RecordedExercise) -> dict[str, Any]:
    """A record as the log stores it (the inverse of parse_record)."""
    return {
        "id": r.id,
        "held_on": r.held_on.isoformat(),
        "scenario": r.scenario,
        "snapshot": r.snapshot,
        "rating": r.rating.value,
        "facilitator": r.facilitator,
        "strengths": list(r.strengths),
        "improvements": list(r.improvements),
        "actions": [action_document(a) for a in r.actions],
    }


def log_document(records: Sequence[RecordedExercise]) -> dict[str, Any]:
    """The whole log, oldest first (the inverse of parse_log)."""
    ordered = sorted(records, key=lambda r: (r.held_on, r.id))
    return {"exercises": [record_document(r) for r in ordered]}
