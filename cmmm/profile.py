"""profile.yaml, checked: the organization's capacity, CAs and attested answers (schema: docs/bundle.md)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from cmmm.errors import InputError

_NUMBERS = {
    "ca_onboarding_days": (0.0, 3650.0),
    "acme_rate_limit_per_hour": (1.0, 1e9),
    "migration_years": (0.0, 100.0),
    "quantum_threat_years": (0.0, 100.0),
}
_TEAM_NUMBERS = {
    "engineers": (1.0, 1e6),
    "hours_per_day": (0.25, 24.0),
    "incident_hours_per_day": (0.25, 24.0),
}


def _number(v: Any, field: str, bounds: tuple[float, float], source: str) -> None:
    lo, hi = bounds
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and lo <= v <= hi
    if not ok:
        raise InputError(source, f"{field}: expected a number from {lo:g} to {hi:g}, got {str(v)[:40]!r}")


def check_profile(doc: Mapping[str, Any], *, source: str = "profile.yaml") -> Mapping[str, Any]:
    """Raise InputError naming the field when a value has the wrong type or range; return `doc` unchanged."""
    for key, bounds in _NUMBERS.items():
        if doc.get(key) is not None:
            _number(doc[key], key, bounds, source)
    teams = doc.get("teams")
    if teams is not None:
        if not isinstance(teams, list):
            raise InputError(
                source, f"teams: expected a list of {{name, engineers, hours_per_day}}, got {teams!r:.40}"
            )
        for i, t in enumerate(teams):
            if not isinstance(t, dict) or not isinstance(t.get("name"), str) or not t["name"].strip():
                raise InputError(source, f"teams[{i}]: expected a mapping with a name")
            for key, bounds in _TEAM_NUMBERS.items():
                if t.get(key) is not None:
                    _number(t[key], f"teams[{i}].{key}", bounds, source)
    for group in ("approved_cas", "backup_cas"):
        cas = doc.get(group)
        if cas is None:
            continue
        if not isinstance(cas, list):
            raise InputError(source, f"{group}: expected a list of {{name, type}}, got {cas!r:.40}")
        for i, ca in enumerate(cas):
            if not isinstance(ca, dict) or not isinstance(ca.get("name"), str):
                raise InputError(source, f"{group}[{i}]: expected a mapping with a name")
            if "pre_approved" in ca and not isinstance(ca["pre_approved"], bool):
                raise InputError(source, f"{group}[{i}].pre_approved: expected true or false")
    freeze = doc.get("change_freeze")
    if freeze is not None:
        if not isinstance(freeze, list):
            raise InputError(source, "change_freeze: expected a list of {start, end, applies_to}")
        for i, w in enumerate(freeze):
            if not isinstance(w, dict) or not all(isinstance(w.get(k), date | str) for k in ("start", "end")):
                raise InputError(source, f"change_freeze[{i}]: expected start and end dates")
    attested = doc.get("attested")
    if attested is not None and not isinstance(attested, dict):
        raise InputError(source, "attested: expected a mapping of question → answer")
    domains = doc.get("domains")
    if domains is not None and not (isinstance(domains, list) and all(isinstance(d, str) for d in domains)):
        raise InputError(source, "domains: expected a list of domain names")
    return doc
