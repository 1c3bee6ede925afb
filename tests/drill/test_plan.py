"""The drill's plan: each certificate's own team next to the team whose capacity does the work, the same
columns for every scenario kind, and a replacement-CA reason that is true for each branch."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

import cmmm
from cmmm import drill
from cmmm.model import Inventory
from cmmm.profile import parse_profile
from tests.conftest import NOW
from tests.drill.orgs import build_org


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    root = build_org(
        tmp_path_factory.mktemp("plan") / "org",
        leaves=30,
        automated_share=0.0,
        unknown_owner_share=0.2,
        teams=[{"name": "it", "engineers": 1, "hours_per_day": 4}, {"name": "growth"}],
        backup_pre_approved=None,
        onboarding_days=30,
    )
    profile = yaml.safe_load((root / "profile.yaml").read_text(encoding="utf-8"))
    profile["teams"] = [{"name": "Pki", "engineers": 2, "hours_per_day": 4}, {"name": "IT", "engineers": 1}]
    profile["approved_cas"] = [
        {"name": "Org Issuing CA 1", "type": "private"},
        {"name": "Second Private CA", "type": "private"},
    ]
    (root / "profile.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    return cmmm.load([root], now=NOW)


def test_plan_shows_the_certificates_own_team_and_the_capacity_team(org: Inventory) -> None:
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    res = drill.run(org, sc, now=NOW, runs=20)
    plan = res.plan.set_index("cert_id")
    assert list(res.plan.columns) == list(drill.PLAN_COLUMNS)
    assert drill.PLAN_COLUMNS.index("capacity_team") == drill.PLAN_COLUMNS.index("team") + 1
    own = org.certificate_facts().set_index("cert_id").loc[plan.index, "team"]
    assert plan["team"].astype("string").equals(own.astype("string").rename("team"))
    assert set(plan["team"].dropna()) == {"it", "growth"} and plan["team"].isna().any()
    cap = plan["capacity_team"]
    assert set(cap[plan["team"] == "it"]) == {"IT"}  # matched case-insensitively
    assert set(cap[plan["team"] == "growth"]) == {"Pki"}  # pooled into the first team
    assert set(cap[plan["team"].isna()]) == {"Pki"}
    loads = res.team_workload.set_index("team")["certificates"]
    assert loads["Pki"] == int((cap == "Pki").sum()) and loads["IT"] == int((cap == "IT").sum())


def test_cap_plan_has_the_same_columns(org: Inventory) -> None:
    sc = drill.load_scenario("validity-100-day-2027")
    certs = org.certificates.copy()
    certs["trust"] = "public"  # a copy: an Inventory's frames are never changed in place
    res = drill.run(dataclasses.replace(org, certificates=certs), sc, now=NOW, runs=10)
    assert list(res.plan.columns) == list(drill.PLAN_COLUMNS) and len(res.plan)
    assert set(res.plan.loc[res.plan["team"] == "growth", "capacity_team"]) == {"Pki"}


@pytest.mark.parametrize(
    ("profile_change", "expected"),
    [
        (
            {},
            "replacements come from Second Private CA, a CA already approved for issuance that the scenario "
            "does not affect (no onboarding delay); no backup CA is pre-approved",
        ),
        (
            {"backup_cas": [{"name": "Backup Issuing CA", "type": "private", "pre_approved": True}]},
            "replacements come from the pre-approved backup CA Backup Issuing CA: no onboarding delay",
        ),
        (
            {"backup_cas": [{"name": "Backup Public CA", "type": "public", "pre_approved": True}]},
            "replacements come from Second Private CA, a CA already approved for issuance that the scenario "
            "does not affect (no onboarding delay); the pre-approved backup CA is affected or does not fit "
            "these certificates",
        ),
        (
            {"approved_cas": [{"name": "Org Issuing CA 1", "type": "private"}]},
            "no pre-approved backup CA and no approved CA that this scenario leaves usable: 30 days of "
            "onboarding before the first reissue",
        ),
        (
            {
                "approved_cas": [{"name": "Org Issuing CA 1", "type": "private"}],
                "backup_cas": [{"name": "Backup Public CA", "type": "public", "pre_approved": True}],
            },
            "no pre-approved CA that this scenario leaves usable: 30 days of onboarding before the first "
            "reissue",
        ),
    ],
)
def test_replacement_ca_reason_is_true_for_each_branch(
    org: Inventory, profile_change: dict[str, object], expected: str
) -> None:
    changed = parse_profile(profile_change)
    profile = dataclasses.replace(org.profile, **{k: getattr(changed, k) for k in profile_change})
    inv = dataclasses.replace(org, profile=profile)
    res = drill.run(inv, drill.load_scenario("primary-intermediate-compromise-24h"), now=NOW, runs=10)
    assert expected in res.reasons, "\n".join(res.reasons)
