"""A recorded tabletop exercise: when it ran, on which scenario and snapshot, how it went, what must change.

The exercise log (a bundle's `exercises.yaml`, parsed by cmmm.exercises) holds these records; the maturity
assessment reads them as recorded evidence for `own.fire-drill`, and corrective actions past their due
date are a risk finding (`risk.exercise-actions-overdue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Rating(StrEnum):
    """HSEEP's rating of how a capability was performed in an exercise (after-action report, Appendix A)."""

    PERFORMED = "P"  # performed without challenges
    SOME_CHALLENGES = "S"  # performed with some challenges
    MAJOR_CHALLENGES = "M"  # performed with major challenges
    UNABLE = "U"  # unable to be performed


RATING_TEXT = {
    Rating.PERFORMED: "performed without challenges",
    Rating.SOME_CHALLENGES: "performed with some challenges",
    Rating.MAJOR_CHALLENGES: "performed with major challenges",
    Rating.UNABLE: "unable to be performed",
}
RATING_TEXT_BY_CODE = {r.value: t for r, t in RATING_TEXT.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectiveAction:
    """One line of the improvement plan: what to do, who owns it, by when; `done` once it is done."""

    action: str
    owner: str
    due: date
    done: date | None = None
    criterion: str | None = None  # the maturity criterion it works toward, when one fits

    def overdue(self, today: date) -> bool:
        return self.done is None and self.due < today


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedExercise:
    """One exercise run by people: its date, scenario, the inventory snapshot its package was built from,
    the rating of the whole exercise, the areas for improvement and the corrective actions."""

    id: str
    held_on: date
    scenario: str
    snapshot: str  # the package's inventory fingerprint (cmmm.tabletop), later the store's snapshot id
    rating: Rating
    facilitator: str = ""
    strengths: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()
    actions: tuple[CorrectiveAction, ...] = ()
    source: str = ""  # the log file it was read from
