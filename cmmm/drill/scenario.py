"""Scenario files: the kinds of bad day, their parameters, and validation with file/field/reason errors."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.schedules import EVENTS_BY_ID, SUNSETS_BY_ID, RealEvent, pqc_deadline

# The catalog is the repository's top-level scenarios/ folder, installed as the package data of
# cmmm.scenarios (pyproject.toml maps the folder there), so it is read the same way from a checkout's
# editable install and from a wheel.
CATALOG_PACKAGE = "cmmm.scenarios"
MAX_SCENARIO_BYTES = 1 << 20

# The catalog drills that matter for every organization: the model's own level-5 test, the next
# validity-cap step and the PQC deadlines.
DEMO_SCENARIOS = ("primary-intermediate-compromise-24h", "validity-100-day-2027", "pqc-migration-2030-2035")


class Kind(StrEnum):
    CA_DISTRUST = "ca_distrust"
    MASS_REVOCATION = "mass_revocation"
    ALGORITHM_SUNSET = "algorithm_sunset"
    VALIDITY_CAP = "validity_cap"
    PQC_MIGRATION = "pqc_migration"
    ROOT_EXPIRY = "root_expiry"
    CA_OUTAGE = "ca_outage"


class Basis(StrEnum):
    """What a distrust cutoff is compared with (DOMAIN §6)."""

    EARLIEST_SCT = "earliest_sct"
    NOT_BEFORE = "not_before"
    REMOVAL = "removal"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """One rehearsable event. `parameters` are validated and normalized (dates are aware datetimes).
    `deadline_hours`: hours from the drill start to the deadline (for dated kinds: the remediation window
    used when the dated step has already passed). `replays`: the real event from cmmm.schedules.EVENTS."""

    name: str
    kind: Kind
    title: str
    description: str
    deadline_hours: float
    parameters: Mapping[str, Any] = field(default_factory=dict)
    replays: RealEvent | None = None
    path: str = ""


# ---------------------------------------------------------------- parameter checking
Check = Callable[[Any, str], Any]


class _Bad(Exception):
    """A parameter value that does not fit; carries the field path and the reason."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def _when(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise _Bad(where, f"not a date: {value!r} (use YYYY-MM-DD or an ISO 8601 time)") from None
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    raise _Bad(where, f"not a date: {value!r}")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Bad(where, f"expected a number, got {value!r}")
    if value > 1e6:
        raise _Bad(where, f"is implausibly large: {value!r}")
    if value < 0:
        raise _Bad(where, f"must not be negative, got {value!r}")
    return float(value)


def _share(value: Any, where: str) -> float:
    v = _number(value, where)
    if v > 1:
        raise _Bad(where, f"a share between 0 and 1, got {value!r}")
    return v


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(where, f"expected true or false, got {value!r}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(where, f"expected text, got {value!r}")
    return value.strip()


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _Bad(where, f"expected a list of names, got {value!r}")
    return tuple(_text(v, f"{where}[{i}]") for i, v in enumerate(value))


def _one_of(*allowed: str) -> Check:
    def check(value: Any, where: str) -> str:
        if value not in allowed:
            raise _Bad(where, f"{value!r} is not one of {', '.join(allowed)}")
        return str(value)

    return check


def _mapping(spec: Mapping[str, tuple[Check, bool]]) -> Check:
    def check(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Bad(where, f"expected a mapping, got {value!r}")
        return _fields(value, spec, where)

    return check


def _fields(doc: Mapping[str, Any], spec: Mapping[str, tuple[Check, bool]], where: str) -> dict[str, Any]:
    unknown = sorted(set(doc) - set(spec))
    if unknown:
        raise _Bad(f"{where}.{unknown[0]}", f"unknown field (expected one of {', '.join(sorted(spec))})")
    out: dict[str, Any] = {}
    for name, (check, required) in spec.items():
        if name not in doc or doc[name] is None:
            if required:
                raise _Bad(f"{where}.{name}", "missing required field")
            continue
        out[name] = check(doc[name], f"{where}.{name}")
    return out


_TARGET = _mapping(
    {
        "primary": (_bool, False),
        "names": (_texts, False),
        "fingerprints": (_texts, False),
        "organizations": (_texts, False),
        "automation": (_texts, False),
        "trust": (_one_of("public", "private"), False),
        "soonest_root": (_bool, False),
        "acme_ca": (_bool, False),
    }
)

_FILTER_SPEC: dict[str, tuple[Check, bool]] = {
    "issuer": (_TARGET, False),
    "trust": (_one_of("public", "private"), False),
    "issued_from": (_when, False),
    "issued_to": (_when, False),
    "issued_within_days": (_number, False),
    "key_algorithm": (_texts, False),
    "max_key_size": (_number, False),
    "signature_hash": (_texts, False),
    "quantum_vulnerable": (_bool, False),
    "automation": (_texts, False),
    "environment": (_texts, False),
    "tags_any": (_texts, False),
}
_FILTER = _mapping(_FILTER_SPEC)


def _sunset_rule(value: Any, where: str) -> dict[str, Any]:
    rule = _mapping({"sunset": (_text, False), "date": (_when, False), "filter": (_FILTER, True)})(
        value, where
    )
    if "sunset" in rule:
        s = SUNSETS_BY_ID.get(rule["sunset"])
        if s is None:
            raise _Bad(f"{where}.sunset", f"unknown sunset {rule['sunset']!r} (see cmmm.schedules.SUNSETS)")
        rule["date"] = _when(s.date, where)
        rule["title"] = s.title
        rule["source"] = s.source
    elif "date" not in rule:
        raise _Bad(where, "needs a `sunset` id or a `date`")
    return rule


def _deadline_rule(value: Any, where: str) -> dict[str, Any]:
    rule = _mapping(
        {"authority": (_text, True), "category": (_text, True), "when": (_FILTER_OR_CRIT, False)}
    )(value, where)
    d = pqc_deadline(rule["authority"], rule["category"])
    if d is None:
        raise _Bad(
            where, f"no PQC deadline for {rule['authority']!r} / {rule['category']!r} in cmmm.schedules"
        )
    rule["date"] = _when(d.exclusive_by, where)
    rule["source"] = d.source
    return rule


_FILTER_OR_CRIT = _mapping({**_FILTER_SPEC, "criticality": (_texts, False)})


def _list_of(check: Check) -> Check:
    def inner(value: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(value, list) or not value:
            raise _Bad(where, "expected a non-empty list")
        return tuple(check(v, f"{where}[{i}]") for i, v in enumerate(value))

    return inner


# Parameters per kind: name → (check, required). Kept beside the kinds so that the catalog test can
# assert every kind has a schema, a selector and a docstring.
PARAMETERS: dict[Kind, dict[str, tuple[Check, bool]]] = {
    Kind.CA_DISTRUST: {
        "target": (_TARGET, True),
        "basis": (_one_of(*(b.value for b in Basis)), True),
        "cutoff": (_when, False),
        "distrusted": (_one_of("issued_after", "issued_before"), False),
        "clients": (_texts, False),
    },
    Kind.MASS_REVOCATION: {
        "filter": (_FILTER, True),
        "extension_share": (_share, False),
        "extension_hours": (_number, False),
        "reason": (_text, False),
    },
    Kind.ALGORITHM_SUNSET: {"rules": (_list_of(_sunset_rule), True)},
    Kind.VALIDITY_CAP: {
        "cap_effective": (_when, False),
        "cap_days": (_number, False),
        "scope": (_FILTER, False),
        "renew_at_fraction": (_share, False),
        "label": (_text, False),
    },
    Kind.PQC_MIGRATION: {
        "deadlines": (_list_of(_deadline_rule), True),
        "target_algorithm": (_text, False),
        "handshake_budget_bytes": (_number, False),
    },
    Kind.ROOT_EXPIRY: {"target": (_TARGET, True)},
    Kind.CA_OUTAGE: {"target": (_TARGET, True), "outage_days": (_number, True)},
}

_TOP: dict[str, tuple[Check, bool]] = {
    "kind": (_text, True),
    "title": (_text, True),
    "description": (_text, True),
    "deadline_hours": (_number, True),
    "replays": (_text, False),
    "parameters": (lambda v, w: v, True),
}


def parse_scenario(doc: Mapping[str, Any], *, name: str, source: str) -> Scenario:
    """Validate a scenario document; raises InputError(source, "field: reason")."""
    try:
        top = _fields(doc, _TOP, "scenario")
        try:
            kind = Kind(top["kind"])
        except ValueError:
            raise _Bad(
                "scenario.kind", f"unknown kind {top['kind']!r} (one of {', '.join(k.value for k in Kind)})"
            ) from None
        raw = top["parameters"]
        if not isinstance(raw, dict):
            raise _Bad("scenario.parameters", "expected a mapping")
        params = _fields(raw, PARAMETERS[kind], "parameters")
        if kind is Kind.CA_DISTRUST and params["basis"] != Basis.REMOVAL and "cutoff" not in params:
            raise _Bad("parameters.cutoff", f"required when basis is {params['basis']}")
        if kind is Kind.VALIDITY_CAP and not ({"cap_effective", "cap_days"} & set(params)):
            raise _Bad("parameters", "validity_cap needs cap_effective or cap_days")
        event = None
        if "replays" in top:
            event = EVENTS_BY_ID.get(top["replays"])
            if event is None:
                raise _Bad(
                    "scenario.replays", f"unknown event {top['replays']!r} (see cmmm.schedules.EVENTS)"
                )
    except _Bad as bad:
        raise InputError(source, f"{bad.where}: {bad.reason}") from None
    return Scenario(
        name=name,
        kind=kind,
        title=top["title"],
        description=" ".join(top["description"].split()),
        deadline_hours=top["deadline_hours"],
        parameters=params,
        replays=event,
        path=source,
    )


def catalog_folder() -> Traversable:
    """The scenario catalog's folder (a package resource: a directory in any ordinary install)."""
    return files(CATALOG_PACKAGE)


def _catalog_files(folder: Traversable) -> list[Traversable]:
    return sorted(
        (f for f in folder.iterdir() if f.name.endswith(".yaml") and f.is_file()), key=lambda f: f.name
    )


def _parse_file(source: Traversable, name: str) -> Scenario:
    return parse_scenario(_yaml.load_mapping(source), name=name, source=str(source))


def load_scenario(path_or_name: str | Path) -> Scenario:
    """A scenario by catalog name (the file stem in scenarios/) or by the path of a YAML file."""
    p = Path(path_or_name)
    if not p.suffix and not p.exists():
        entries = {f.name.removesuffix(".yaml"): f for f in _catalog_files(catalog_folder())}
        entry = entries.get(str(path_or_name))
        if entry is None:
            names = ", ".join(entries)
            raise InputError("--scenario", f"no scenario named {str(path_or_name)!r} (catalog: {names})")
        return _parse_file(entry, str(path_or_name))
    if not p.is_file():
        raise InputError(str(p), "no such scenario file")
    if p.stat().st_size > MAX_SCENARIO_BYTES:
        raise InputError(str(p), "scenario file larger than 1 MiB")
    return _parse_file(p, p.stem)


def catalog(folder: Traversable | None = None) -> list[Scenario]:
    """Every scenario in the catalog (or in `folder`), sorted by name."""
    return [
        _parse_file(f, f.name.removesuffix(".yaml"))
        for f in _catalog_files(catalog_folder() if folder is None else folder)
    ]
