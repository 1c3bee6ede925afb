"""Recorded exercises as evidence: the newest tabletop exercise of the log decides `own.fire-drill`.

A recorded exercise is evidence the data holds (who ran what, when, with what result), not a statement: it
is judged as measured (`met`), before and instead of an attested date. It lapses after the criterion's
`max_age_days` (EXERCISE_VALID_DAYS by default: the BR's yearly test, ballot SC-089).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cmmm.exercises import EXERCISE_VALID_DAYS
from cmmm.maturity.attest import Judgement
from cmmm.maturity.catalog import Criterion
from cmmm.maturity.result import Status
from cmmm.model import RATING_TEXT_BY_CODE, RecordedExercise


def judge_recorded(c: Criterion, exercises: Sequence[RecordedExercise], now: datetime) -> Judgement | None:
    """The criterion judged on the newest exercise held by `now`; None when none is recorded (the
    attestation is read then)."""
    today = now.date()
    held = [e for e in exercises if e.held_on <= today]
    if not held:
        return None
    last = max(held, key=lambda e: (e.held_on, e.id))
    age = (today - last.held_on).days
    limit = c.max_age_days or EXERCISE_VALID_DAYS
    open_ = [a for a in last.actions if a.done is None]
    late = [a for a in open_ if a.overdue(today)]
    said = (
        f"recorded: exercise {last.id} on {last.held_on} ({age} days ago), scenario {last.scenario}, "
        f"rated {last.rating.value} ({RATING_TEXT_BY_CODE[last.rating.value]}); "
        f"{len(last.actions)} corrective actions, {len(open_)} open, {len(late)} past due"
    )
    if age > limit:
        return Judgement(
            status=Status.LAPSED, value=float(age), evidence=f"{said}; lapsed after {limit} days"
        )
    return Judgement(status=Status.MET, value=float(age), evidence=said)
