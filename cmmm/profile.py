"""profile.yaml parsed and validated once into a frozen Profile (schema: docs/bundle.md)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from types import MappingProxyType
from typing import Any

from cmmm.errors import InputError
from cmmm.model.profile import Attestation, CaChoice, FreezeWindow, Profile, Team

__all__ = ["Attestation", "CaChoice", "FreezeWindow", "Profile", "Team", "check_profile", "parse_profile"]

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
_CA_TYPES = frozenset({"acme", "public", "private", "cloud"})


def _number(v: Any, field: str, bounds: tuple[float, float], source: str) -> float | None:
    if v is None:
        return None
    lo, hi = bounds
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and lo <= v <= hi
    if not ok:
        raise InputError(source, f"{field}: expected a number from {lo:g} to {hi:g}, got {str(v)[:40]!r}")
    return float(v)


def _text(v: Any, field: str, source: str) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, str | int | float):
        raise InputError(source, f"{field}: expected text, got {str(v)[:40]!r}")
    text = str(v).strip()
    return text or None


def _date(v: Any, field: str, source: str) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v.strip()[:10])
        except ValueError:
            pass
    raise InputError(source, f"{field}: expected a date (YYYY-MM-DD), got {str(v)[:40]!r}")


def _as_of(v: Any, source: str) -> datetime | None:
    """as_of: a date (midnight UTC) or an ISO date-time (naive means UTC), as an aware UTC datetime."""
    if v is None:
        return None
    if isinstance(v, str) and "T" in v:
        try:
            dt = datetime.fromisoformat(v.strip())
        except ValueError:
            raise InputError(source, f"as_of: expected a date or an ISO date-time, got {v[:40]!r}") from None
    elif isinstance(v, datetime):
        dt = v
    else:
        dt = datetime.combine(_date(v, "as_of", source), time())
    dt = dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)
    if not 1970 <= dt.year <= 2200:
        raise InputError(source, f"as_of: {dt.date()} is outside 1970–2200")
    return dt


def _error_rates(v: Any, source: str) -> dict[str, float | None]:
    """renewal_error_rate: {manual: 0.01} — the chance a manual renewal ends in an incident, 0 to 1."""
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise InputError(source, "renewal_error_rate: expected {manual: share}")
    rate = _number(v.get("manual"), "renewal_error_rate.manual", (0.0, 1.0), source)
    return {"renewal_error_rate_manual": rate}


def _flag(v: Any, field: str, source: str) -> bool:
    if v is None:
        return False
    if not isinstance(v, bool):
        raise InputError(source, f"{field}: expected true or false, got {str(v)[:40]!r}")
    return v


def _list(v: Any, field: str, what: str, source: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise InputError(source, f"{field}: expected a list of {what}, got {v!r:.40}")
    return v


def _teams(doc: Mapping[str, Any], source: str) -> tuple[Team, ...]:
    out = []
    for i, t in enumerate(_list(doc.get("teams"), "teams", "{name, engineers, hours_per_day}", source)):
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) or not t["name"].strip():
            raise InputError(source, f"teams[{i}]: expected a mapping with a name")
        n = {k: _number(t.get(k), f"teams[{i}].{k}", b, source) for k, b in _TEAM_NUMBERS.items()}
        out.append(
            Team(
                name=t["name"].strip(),
                engineers=n["engineers"],
                hours_per_day=n["hours_per_day"],
                incident_hours_per_day=n["incident_hours_per_day"],
                timezone=_text(t.get("timezone"), f"teams[{i}].timezone", source),
            )
        )
    return tuple(out)


def _cas(doc: Mapping[str, Any], group: str, source: str) -> tuple[CaChoice, ...]:
    out = []
    for i, ca in enumerate(_list(doc.get(group), group, "{name, type}", source)):
        if not isinstance(ca, dict) or not isinstance(ca.get("name"), str) or not ca["name"].strip():
            raise InputError(source, f"{group}[{i}]: expected a mapping with a name")
        for flag in ("pre_approved", "pqc", "pqc_capable"):
            if flag in ca and not isinstance(ca[flag], bool):
                raise InputError(source, f"{group}[{i}].{flag}: expected true or false")
        kind = _text(ca.get("type"), f"{group}[{i}].type", source)
        if kind is not None and kind.lower() not in _CA_TYPES:
            raise InputError(
                source, f"{group}[{i}].type: expected one of {', '.join(sorted(_CA_TYPES))}, got {kind!r:.40}"
            )
        out.append(
            CaChoice(
                name=ca["name"].strip(),
                type=kind.lower() if kind else None,
                pre_approved=bool(ca.get("pre_approved")),
                pqc=bool(ca.get("pqc") or ca.get("pqc_capable")),
                issuance_per_hour=_number(
                    ca.get("issuance_per_hour"), f"{group}[{i}].issuance_per_hour", (0.01, 1e9), source
                ),
                tested=_date(ca["tested"], f"{group}[{i}].tested", source) if ca.get("tested") else None,
            )
        )
    return tuple(out)


_ATTESTATION_KEYS = frozenset({"answer", "date", "evidence"})
MAX_ATTESTATIONS = 200


def _attestation(key: str, v: Any, source: str) -> Attestation:
    """A bare answer (undated) or {answer, date, evidence}."""
    if not isinstance(v, dict):
        if isinstance(v, list):
            raise InputError(source, f"attested.{key}: expected an answer or {{answer, date, evidence}}")
        return Attestation(key=key, answer=v)
    unknown = sorted(str(k) for k in v if k not in _ATTESTATION_KEYS)
    if unknown:
        raise InputError(
            source, f"attested.{key}: unknown field(s) {', '.join(unknown)} (answer, date, evidence)"
        )
    if "answer" not in v:
        raise InputError(source, f"attested.{key}: an answer is needed beside the date and evidence")
    answer = v["answer"]
    if isinstance(answer, dict | list):
        raise InputError(source, f"attested.{key}.answer: expected yes/no, a text or a date")
    on = _date(v["date"], f"attested.{key}.date", source) if v.get("date") is not None else None
    return Attestation(
        key=key, answer=answer, on=on, evidence=_text(v.get("evidence"), f"attested.{key}.evidence", source)
    )


def _attestations(v: Any, source: str) -> Mapping[str, Attestation]:
    if v is None:
        return MappingProxyType({})
    if not isinstance(v, dict):
        raise InputError(source, "attested: expected a mapping of question → answer")
    if len(v) > MAX_ATTESTATIONS:
        raise InputError(source, f"attested: more than {MAX_ATTESTATIONS} answers")
    return MappingProxyType({str(k): _attestation(str(k), a, source) for k, a in v.items()})


def _freezes(doc: Mapping[str, Any], source: str) -> tuple[FreezeWindow, ...]:
    out = []
    for i, w in enumerate(
        _list(doc.get("change_freeze"), "change_freeze", "{start, end, applies_to}", source)
    ):
        if not isinstance(w, dict) or "start" not in w or "end" not in w:
            raise InputError(source, f"change_freeze[{i}]: expected start and end dates")
        applies = w.get("applies_to", ["critical"])
        if isinstance(applies, str):
            applies = [applies]
        if not isinstance(applies, list) or not all(isinstance(a, str) for a in applies):
            raise InputError(source, f"change_freeze[{i}].applies_to: expected a list of criticalities")
        out.append(
            FreezeWindow(
                start=_date(w["start"], f"change_freeze[{i}].start", source),
                end=_date(w["end"], f"change_freeze[{i}].end", source),
                applies_to=tuple(a.strip().lower() for a in applies),
            )
        )
    return tuple(out)


def parse_profile(doc: Mapping[str, Any], *, source: str = "profile.yaml") -> Profile:
    """The Profile of a profile.yaml mapping; InputError naming the field when a value has the wrong type
    or range."""
    numbers = {k: _number(doc.get(k), k, b, source) for k, b in _NUMBERS.items()}
    domains = doc.get("domains")
    if domains is not None and not (isinstance(domains, list) and all(isinstance(d, str) for d in domains)):
        raise InputError(source, "domains: expected a list of domain names")
    return Profile(
        organization=_text(doc.get("organization") or doc.get("name"), "organization", source),
        industry=_text(doc.get("industry"), "industry", source),
        domains=tuple(d.strip().lower() for d in domains or () if d.strip()),
        teams=_teams(doc, source),
        approved_cas=_cas(doc, "approved_cas", source),
        backup_cas=_cas(doc, "backup_cas", source),
        ca_onboarding_days=numbers["ca_onboarding_days"],
        acme_rate_limit_per_hour=numbers["acme_rate_limit_per_hour"],
        change_freeze=_freezes(doc, source),
        migration_years=numbers["migration_years"],
        quantum_threat_years=numbers["quantum_threat_years"],
        shared_on_call=_flag(doc.get("shared_on_call"), "shared_on_call", source),
        **_error_rates(doc.get("renewal_error_rate"), source),
        attested=_attestations(doc.get("attested"), source),
        as_of=_as_of(doc.get("as_of"), source),
        source=source,
    )


def check_profile(doc: Mapping[str, Any], *, source: str = "profile.yaml") -> Mapping[str, Any]:
    """Validate a profile.yaml mapping (InputError naming the field); return it unchanged."""
    parse_profile(doc, source=source)
    return doc
