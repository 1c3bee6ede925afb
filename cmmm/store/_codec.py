"""The profile, policy and exercise log of a snapshot as JSON: typed values (dates, tuples, nested records)
kept exact."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from cmmm.errors import InputError
from cmmm.model import (
    Attestation,
    CaChoice,
    CorrectiveAction,
    FreezeWindow,
    Profile,
    Rating,
    RecordedExercise,
    Team,
)

# No pickle: a store is a file someone may hand over, and unpickling runs code. Every value a profile
# or a policy can hold (YAML's safe types and the Profile records) has a tagged JSON form instead.
_RECORDS: dict[str, type[Any]] = {
    "Team": Team,
    "CaChoice": CaChoice,
    "FreezeWindow": FreezeWindow,
    "Attestation": Attestation,
    "RecordedExercise": RecordedExercise,
    "CorrectiveAction": CorrectiveAction,
}


def _encode(v: Any) -> Any:
    if isinstance(v, Rating):
        return {"$rating": v.value}
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list):
        return [_encode(x) for x in v]
    for kind, tag, form in _TAGGED:
        if isinstance(v, kind):
            return {tag: form(v)}
    name = type(v).__name__
    if name in _RECORDS and isinstance(v, _RECORDS[name]):
        return {"$record": name, "fields": {f.name: _encode(getattr(v, f.name)) for f in fields(v)}}
    raise TypeError(f"cannot store a {name} in a snapshot")


# type, tag, encoder; datetime before date (a datetime is a date)
_TAGGED: tuple[tuple[Any, str, Callable[[Any], Any]], ...] = (
    (datetime, "$datetime", lambda v: v.isoformat()),
    (date, "$date", lambda v: v.isoformat()),
    (bytes, "$bytes", lambda v: v.hex()),
    (tuple, "$tuple", lambda v: [_encode(x) for x in v]),
    (set | frozenset, "$set", lambda v: [_encode(x) for x in sorted(v, key=repr)]),
    (Mapping, "$map", lambda v: [[_encode(k), _encode(x)] for k, x in v.items()]),
)


def _decode(v: Any, where: str) -> Any:
    if isinstance(v, list):
        return [_decode(x, where) for x in v]
    if not isinstance(v, dict):
        return v
    for tag, form in _UNTAGGED.items():
        if tag in v:
            return form(v[tag], where)
    if v.get("$record") in _RECORDS:
        return _RECORDS[v["$record"]](**{k: _decode(x, where) for k, x in v["fields"].items()})
    raise InputError(where, f"unknown value in the stored snapshot: {sorted(v)[:3]}")


_UNTAGGED: dict[str, Callable[[Any, str], Any]] = {
    "$datetime": lambda v, _: datetime.fromisoformat(v),
    "$date": lambda v, _: date.fromisoformat(v),
    "$bytes": lambda v, _: bytes.fromhex(v),
    "$tuple": lambda v, w: tuple(_decode(x, w) for x in v),
    "$set": lambda v, w: {_decode(x, w) for x in v},
    "$map": lambda v, w: {_decode(k, w): _decode(x, w) for k, x in v},
    "$rating": lambda v, _: Rating(v),
}


def encode_profile(profile: Profile) -> str:
    return json.dumps({f.name: _encode(getattr(profile, f.name)) for f in fields(profile)}, sort_keys=True)


def decode_profile(text: str, where: str) -> Profile:
    names = {f.name for f in fields(Profile)}
    known = {
        k: _decode(v, where) for k, v in json.loads(text).items() if k in names
    }  # an older field: dropped
    if "attested" in known:
        known["attested"] = MappingProxyType(dict(known["attested"]))
    return Profile(**known)


def encode_policy(policy: Mapping[str, Any]) -> str:
    return json.dumps(_encode(policy), sort_keys=True)


def decode_policy(text: str, where: str) -> dict[str, Any]:
    value = _decode(json.loads(text), where)
    return dict(value) if isinstance(value, Mapping) else {}


def encode_exercise(record: RecordedExercise) -> str:
    return json.dumps(_encode(record), sort_keys=True)


def decode_exercise(text: str, where: str) -> RecordedExercise:
    try:
        value = _decode(json.loads(text), where)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a damaged or hand-edited store
        raise InputError(where, f"a stored exercise cannot be read: {str(exc)[:120]}") from None
    if not isinstance(value, RecordedExercise):
        raise InputError(where, "a stored exercise is not an exercise record")
    return value
