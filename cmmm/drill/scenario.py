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
from cmmm.schedules import EVENTS_BY_ID, SUNSETS_BY_ID, RealEvent, lets_encrypt_profile_on, pqc_deadline

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
    ALGORITHM_SWAP = "algorithm_swap"


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
        # Roots by the age of their key (Chrome's 15-year term limit): created on or after / before.
        "roots_created_from": (_when, False),
        "roots_created_before": (_when, False),
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
    "eku_any": (_texts, False),  # extended key usages, any of them (serverAuth, clientAuth, …)
    "eku_all": (_texts, False),  # extended key usages, all of them (a dual-purpose serverAuth + clientAuth)
}
_FILTER = _mapping(_FILTER_SPEC)


def _sunset_rule(value: Any, where: str) -> dict[str, Any]:
    rule = _mapping(
        {
            "sunset": (_text, False),
            "date": (_when, False),
            "filter": (_FILTER, True),
            "at_renewal": (_bool, False),
        }
    )(value, where)
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


# The algorithms an algorithm swap can move to: the names of cmmm.crypto.SIZES, whose handshake sizes the
# drill knows. Listed here because the catalog loads without pandas (cmmm.crypto needs it);
# tests/test_drill_catalog.py keeps the two lists equal.
SWAP_TARGETS = (
    "RSA-2048",
    "RSA-3072",
    "RSA-4096",
    "EC-256",
    "EC-384",
    "Ed25519",
    "ML-DSA-44",
    "ML-DSA-65",
    "ML-DSA-87",
    "ML-DSA-44+ECDSA-P256",
    "SLH-DSA-SHA2-128s",
    "SLH-DSA-SHA2-128f",
    "SLH-DSA-SHA2-192s",
    "SLH-DSA-SHA2-192f",
    "SLH-DSA-SHA2-256s",
    "SLH-DSA-SHA2-256f",
)
# What a public TLS certificate may use today (CA/B Forum BR §6.1.5): RSA ≥ 2048 bits and ECDSA on
# P-256/P-384/P-521. No ML-DSA, SLH-DSA, composite or EdDSA (DOMAIN §3, §5): a swap of public certificates
# to them is refused, never planned.
PUBLIC_TLS_TARGETS = frozenset({"RSA-2048", "RSA-3072", "RSA-4096", "EC-256", "EC-384"})
# The filter conditions that name an algorithm: a swap's `from` needs at least one.
SWAP_ALGORITHM_CONDITIONS = ("key_algorithm", "max_key_size", "signature_hash", "quantum_vulnerable")
# ACME Renewal Information is an ACME extension (RFC 9773): only automation that speaks ACME can react.
ARI_AUTOMATION = ("acme", "cert-manager")


def _swap_target(value: Any, where: str) -> str:
    name = _text(value, where)
    for target in SWAP_TARGETS:
        if target.lower() == name.lower():
            return target
    raise _Bad(where, f"unknown algorithm {name!r} (one of {', '.join(SWAP_TARGETS)})")


def _ari_clients(value: Any, where: str) -> tuple[str, ...]:
    names = tuple(v.lower() for v in _texts(value, where))
    for i, n in enumerate(names):
        if n not in ARI_AUTOMATION:
            raise _Bad(
                f"{where}[{i}]",
                f"{n!r} cannot react to ARI, an ACME extension (RFC 9773): use {' or '.join(ARI_AUTOMATION)}",
            )
    return names


# Parameters per kind: name → (check, required). Kept beside the kinds so that the catalog test can
# assert every kind has a schema, a selector and a docstring.
PARAMETERS: dict[Kind, dict[str, tuple[Check, bool]]] = {
    Kind.CA_DISTRUST: {
        "target": (_TARGET, True),
        "basis": (_one_of(*(b.value for b in Basis)), True),
        "cutoff": (_when, False),
        "distrusted": (_one_of("issued_after", "issued_before"), False),
        "clients": (_texts, False),
        # When the distrust takes effect (a dated removal): the deadline is then, not `deadline_hours`.
        "effective": (_when, False),
    },
    Kind.MASS_REVOCATION: {
        "filter": (_FILTER, True),
        "extension_share": (_share, False),
        "extension_hours": (_number, False),
        "reason": (_text, False),
        # Automation whose ACME clients honour a CA-shortened ARI renewal window, and how often they poll.
        "ari_reacts": (_ari_clients, False),
        "ari_check_hours": (_number, False),
    },
    Kind.ALGORITHM_SUNSET: {"rules": (_list_of(_sunset_rule), True), "action": (_text, False)},
    Kind.VALIDITY_CAP: {
        "cap_effective": (_when, False),
        "cap_days": (_number, False),
        "schedule": (_one_of("public-tls", "lets-encrypt"), False),
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
    Kind.ALGORITHM_SWAP: {
        "from": (_FILTER, True),
        "to": (_swap_target, True),
        "scope": (_one_of("public", "private"), False),
        "include_cas": (_bool, False),
    },
}


def _check_distrust(params: dict[str, Any]) -> None:
    if params["basis"] != Basis.REMOVAL and "cutoff" not in params:
        raise _Bad("parameters.cutoff", f"required when basis is {params['basis']}")


def _check_revocation(params: dict[str, Any]) -> None:
    if "ari_check_hours" in params and "ari_reacts" not in params:
        raise _Bad("parameters.ari_check_hours", "needs ari_reacts (the automation that polls ARI)")


def _check_validity(params: dict[str, Any]) -> None:
    """A cap needs a date or a length; `schedule: lets-encrypt` takes the length from Let's Encrypt's
    published schedule (cmmm.schedules.LETS_ENCRYPT_SCHEDULE) at `cap_effective`, never from a literal."""
    schedule = params.get("schedule")
    if schedule is None:
        if not {"cap_effective", "cap_days"} & set(params):
            raise _Bad("parameters", "validity_cap needs cap_effective or cap_days")
        return
    if "cap_days" in params:
        raise _Bad("parameters.cap_days", f"give cap_days or schedule ({schedule}), not both")
    if "cap_effective" not in params:
        raise _Bad("parameters.cap_effective", f"required with schedule {schedule}")
    if schedule == "lets-encrypt":
        profile = lets_encrypt_profile_on(params["cap_effective"].date())
        params["cap_days"] = float(profile.default_days)
        params.setdefault("label", f"Let's Encrypt default profile, {profile.default_days} days")


def _check_swap(params: dict[str, Any]) -> None:
    """A swap names the algorithm it replaces, and never moves public certificates to an algorithm public
    TLS does not allow (BR §6.1.5)."""
    source = params["from"]
    if not set(source) & set(SWAP_ALGORITHM_CONDITIONS):
        raise _Bad(
            "parameters.from", f"name the algorithm to replace ({', '.join(SWAP_ALGORITHM_CONDITIONS)})"
        )
    trusts = {params.get("scope"), source.get("trust"), source.get("issuer", {}).get("trust")} - {None}
    if len(trusts) > 1:
        raise _Bad("parameters.scope", f"scope and from.trust disagree ({' vs '.join(sorted(trusts))})")
    if "public" in trusts and params["to"] not in PUBLIC_TLS_TARGETS:
        raise _Bad(
            "parameters.to",
            f"{params['to']} is not allowed in public TLS: BR §6.1.5 allows only RSA ≥ 2048 and ECDSA "
            "P-256/P-384/P-521 (no ML-DSA today); scope the swap to private certificates",
        )
    if "public" in trusts and params.get("include_cas"):
        raise _Bad("parameters.include_cas", "only a private hierarchy's CA certificates are ours to re-key")


_CROSS_CHECKS = {
    Kind.CA_DISTRUST: _check_distrust,
    Kind.MASS_REVOCATION: _check_revocation,
    Kind.VALIDITY_CAP: _check_validity,
    Kind.ALGORITHM_SWAP: _check_swap,
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
        if kind in _CROSS_CHECKS:
            _CROSS_CHECKS[kind](params)
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
    # by scenario name (the stem): "entrust-2024" before "entrust-2024-mozilla"
    return sorted(
        (f for f in folder.iterdir() if f.name.endswith(".yaml") and f.is_file()),
        key=lambda f: f.name.removesuffix(".yaml"),
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
