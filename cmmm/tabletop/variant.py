"""Scenario variants for an exercise: raise the stakes without editing YAML, and say what was changed."""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cmmm import _yaml
from cmmm.drill import Kind, Scenario, parse_scenario
from cmmm.errors import InputError, UsageError
from cmmm.model import FreezeWindow, Inventory, Profile
from cmmm.sanitize import display
from cmmm.tabletop.model import Change

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|d)\s*$", re.IGNORECASE)
_CA_TARGET = {Kind.CA_DISTRUST: "target", Kind.CA_OUTAGE: "target", Kind.ROOT_EXPIRY: "target"}
ALL_CRITICALITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    """What the facilitator changed: a shorter deadline, another CA, a change freeze, a team away."""

    deadline: str | None = None  # "12h", "2d"
    ca: str | None = None
    during_freeze: bool = False
    team_unavailable: str | None = None

    @property
    def empty(self) -> bool:
        return self == Variant()


def parse_duration(text: str) -> float:
    """ "12h" or "2d" as hours."""
    m = _DURATION.match(text)
    if not m or float(m.group(1)) <= 0:
        raise InputError("--deadline", f"{text!r:.20} is not a duration (e.g. 12h or 2d)")
    value = float(m.group(1))
    return value * 24 if m.group(2).lower() == "d" else value


def _reparse(sc: Scenario, edit: dict[str, object]) -> Scenario:
    """The scenario's own file with `edit` applied to its parameters, validated like any scenario file."""
    doc = copy.deepcopy(_yaml.load_mapping(Path(sc.path)))
    doc.setdefault("parameters", {}).update(edit)
    return parse_scenario(doc, name=sc.name, source=f"{sc.path} (--ca)")


def apply(
    variant: Variant, scenario: Scenario, inv: Inventory, now: datetime
) -> tuple[Scenario, Inventory, tuple[Change, ...]]:
    """The scenario and inventory the exercise runs on, and the changes from the catalog entry."""
    changes: list[Change] = []
    sc = scenario
    if variant.ca:
        ca = variant.ca.strip()
        if sc.kind is Kind.MASS_REVOCATION:
            before = "the catalog's issuer filter"
            sc = _reparse(sc, {"filter": {**_raw_filter(sc), "issuer": {"names": [ca]}}})
        elif sc.kind in _CA_TARGET:
            before = "the catalog's target"
            sc = _reparse(sc, {"target": {"names": [ca]}})
        else:
            raise UsageError(
                f"--ca applies to ca_distrust, ca_outage, root_expiry and mass_revocation scenarios, not {sc.kind.value}"
            )
        changes.append(Change(option="--ca", catalog=before, exercise=f"the CA named {display(ca, 80)}"))
    if variant.deadline:
        hours = parse_duration(variant.deadline)
        if sc.parameters.get("effective") is not None:
            raise UsageError(
                f"--deadline: scenario {sc.name} counts to a dated event; its deadline is that date"
            )
        changes.append(
            Change(option="--deadline", catalog=f"{sc.deadline_hours:g} h", exercise=f"{hours:g} h")
        )
        sc = dataclasses.replace(sc, deadline_hours=hours)
    profile = inv.profile
    if variant.during_freeze:
        end = now + timedelta(hours=max(sc.deadline_hours, 24.0))
        window = FreezeWindow(start=now.date(), end=end.date(), applies_to=ALL_CRITICALITIES)
        profile = dataclasses.replace(profile, change_freeze=(*profile.change_freeze, window))
        changes.append(
            Change(
                option="--during-freeze",
                catalog=f"{len(inv.profile.change_freeze)} change-freeze windows in profile.yaml",
                exercise=f"a change freeze on every service from {window.start} to {window.end}",
            )
        )
    if variant.team_unavailable:
        profile, change = _without_team(profile, variant.team_unavailable)
        changes.append(change)
    if profile is not inv.profile:
        inv = dataclasses.replace(inv, profile=profile)
    return sc, inv, tuple(changes)


def _raw_filter(sc: Scenario) -> dict[str, object]:
    doc = _yaml.load_mapping(Path(sc.path))
    raw = (doc.get("parameters") or {}).get("filter") or {}
    return dict(raw) if isinstance(raw, dict) else {}


def _without_team(profile: Profile, name: str) -> tuple[Profile, Change]:
    names = [t.name for t in profile.teams]
    gone = [t for t in profile.teams if t.name.lower() == name.strip().lower()]
    if not gone:
        raise UsageError(
            f"--team-unavailable: no team {display(name, 60)!r} in profile.yaml (teams: {', '.join(names) or 'none'})"
        )
    rest = tuple(t for t in profile.teams if t not in gone)
    if not rest:
        raise UsageError("--team-unavailable: it is the only team; nobody would be left to do the work")
    change = Change(
        option="--team-unavailable",
        catalog=f"team {gone[0].name} with {gone[0].engineers or 1:g} engineers",
        exercise=f"team {gone[0].name} unavailable: its certificates fall to team {rest[0].name}",
    )
    return dataclasses.replace(profile, teams=rest), change
