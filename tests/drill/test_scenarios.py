"""The scenario catalog and its schema: every kind has parameters and a documented selector, the catalog
replays real events, bad scenario files name file, field and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cmmm import drill
from cmmm.drill.scenario import PARAMETERS, Kind
from cmmm.drill.selection import SELECTORS
from cmmm.errors import InputError
from tests.drill.orgs import scenario_file


def test_every_kind_has_a_schema_and_a_documented_selector() -> None:
    for kind in Kind:
        assert kind in PARAMETERS, kind
        assert kind in SELECTORS, kind
        assert (SELECTORS[kind].__doc__ or "").strip(), kind


def test_catalog_replays_real_events() -> None:
    scenarios = drill.catalog()
    names = {s.name for s in scenarios}
    assert len(scenarios) >= 10
    for required in (
        "primary-intermediate-compromise-24h",
        "entrust-2024",
        "chunghwa-netlock-2025",
        "symantec-phase1-2018",
        "symantec-phase2-2018",
        "trustcor-2022",
        "digicert-dcv-2024",
        "letsencrypt-caa-2020",
        "dst-root-ca-x3-2021",
        "sha1-end-2026",
        "validity-100-day-2027",
        "validity-47-day-2029",
        "pqc-migration-2030-2035",
        "mass-revocation-5d",
    ):
        assert required in names
    assert {s.kind for s in scenarios} == set(Kind)
    entrust = drill.load_scenario("entrust-2024")
    assert entrust.parameters["cutoff"].isoformat() == "2024-11-11T23:59:59+00:00"
    assert entrust.replays is not None and entrust.replays.source
    for s in scenarios:
        assert s.description and s.title
        if s.name not in {
            "primary-intermediate-compromise-24h",
            "acme-ca-outage-7d",
            "swap-rsa2048-to-p256-48h",
            "swap-private-to-mldsa65-7d",
        }:
            assert s.replays is not None, s.name


@pytest.mark.parametrize(
    ("doc", "field", "reason"),
    [
        ({"kind": "ca_meltdown"}, "scenario.kind", "unknown kind 'ca_meltdown'"),
        ({"title": None}, "scenario.title", "missing required field"),
        ({"parameters": {"basis": "removal"}}, "parameters.target", "missing required field"),
        (
            {"parameters": {"target": {"primary": True}, "basis": "notBefore"}},
            "parameters.basis",
            "is not one of",
        ),
        (
            {"parameters": {"target": {"primary": True}, "basis": "earliest_sct", "cutoff": "2024-13-45"}},
            "parameters.cutoff",
            "not a date",
        ),
        (
            {"parameters": {"target": {"primary": True}, "basis": "earliest_sct"}},
            "parameters.cutoff",
            "required when basis",
        ),
        ({"deadline_hours": "soon"}, "scenario.deadline_hours", "expected a number"),
        ({"replays": "nope-2099"}, "scenario.replays", "unknown event"),
        (
            {"parameters": {"target": {"primry": True}, "basis": "removal"}},
            "parameters.target.primry",
            "unknown field",
        ),
    ],
)
def test_bad_scenarios_name_file_field_and_reason(
    tmp_path: Path, doc: dict[str, Any], field: str, reason: str
) -> None:
    base: dict[str, Any] = {
        "kind": "ca_distrust",
        "title": "t",
        "description": "d",
        "deadline_hours": 24,
        "parameters": {"target": {"primary": True}, "basis": "removal"},
    }
    base.update(doc)
    base = {k: v for k, v in base.items() if v is not None}
    path = scenario_file(tmp_path, base)
    with pytest.raises(InputError) as info:
        drill.load_scenario(path)
    msg = str(info.value)
    assert msg.startswith(str(path)) and field in msg and reason in msg


def test_unknown_scenario_name_lists_the_catalog() -> None:
    with pytest.raises(InputError, match="entrust-2024"):
        drill.load_scenario("no-such-drill")
