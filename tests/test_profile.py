"""profile.yaml and the YAML loader every configuration file goes through: a wrong type is one clear error
naming the field; alias bombs are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.profile import check_profile, parse_profile


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    with pytest.raises(_yaml.YamlError, match="aliases"):
        _yaml.load("\n".join(lines))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"teams": 5}, "teams: expected a list"),
        ({"teams": [{"name": "x", "engineers": "many"}]}, "teams[0].engineers: expected a number"),
        ({"ca_onboarding_days": -30}, "ca_onboarding_days: expected a number from 0"),
        ({"backup_cas": [{"name": "B", "pre_approved": "yes"}]}, "backup_cas[0].pre_approved"),
        ({"as_of": "next week"}, "as_of: expected a date"),
        ({"as_of": "2026-13-40T00:00:00"}, "as_of: expected a date or an ISO date-time"),
        ({"as_of": "1900-01-01"}, "as_of: 1900-01-01 is outside"),
    ],
)
def test_profile_types_are_checked(doc: dict, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_profile(doc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (date(2026, 11, 28), datetime(2026, 11, 28, tzinfo=UTC)),  # a date: midnight UTC
        ("2026-11-28", datetime(2026, 11, 28, tzinfo=UTC)),
        ("2026-11-28T12:00:00Z", datetime(2026, 11, 28, 12, tzinfo=UTC)),
        (datetime(2026, 11, 28, 12), datetime(2026, 11, 28, 12, tzinfo=UTC)),  # naive: UTC
        ("2026-11-28T13:00:00+01:00", datetime(2026, 11, 28, 12, tzinfo=UTC)),
    ],
)
def test_profile_as_of_pins_an_aware_utc_date(value: object, expected: datetime | None) -> None:
    as_of = parse_profile({"as_of": value}).as_of
    assert as_of == expected
    assert as_of is None or as_of.tzinfo is UTC
