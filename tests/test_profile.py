"""profile.yaml and the YAML loader every configuration file goes through: a wrong type is one clear error
naming the field; alias bombs are refused."""

from __future__ import annotations

import pytest

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.profile import check_profile


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
    ],
)
def test_profile_types_are_checked(doc: dict, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_profile(doc)
