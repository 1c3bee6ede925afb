"""Review findings: vocabularies, optional dates, time zones, inverted validity, plan teams, output folders,
drill reason wording."""

from __future__ import annotations

import dataclasses
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import cmmm
from cmmm import drill
from cmmm.cli import app
from cmmm.ingest._dates import ZONE_OFFSETS, parse_dates
from cmmm.lab.pki import issue
from cmmm.model import Inventory
from cmmm.profile import parse_profile
from tests.conftest import NOW, write
from tests.drill.orgs import build_org

runner = CliRunner()
HEADER = "common_name,not_before,not_after,criticality,environment,automation,trust,last_seen\n"


def _csv(tmp_path: Path, rows: list[str], header: str = HEADER) -> Inventory:
    write(tmp_path / "inv.csv", header + "".join(r + "\n" for r in rows))
    return cmmm.load([tmp_path / "inv.csv"], now=NOW)


def _notes(inv: Inventory, needle: str) -> list[str]:
    return [n for n in inv.notes if needle in n]


# ------------------------------------------------------------------ 1. closed vocabularies
def test_unknown_vocabulary_values_become_empty_with_one_note_per_column(tmp_path: Path) -> None:
    inv = _csv(
        tmp_path,
        [
            "a.test,,2027-01-01,ultra,Production,certbot,public,",
            "b.test,,2027-01-01,ultra,perf,Cert-Manager,internal,",
            "c.test,,2027-01-01,ULTRA ,qa,\x1b[31mevil,External,",
            "d.test,,2027-01-01,Tier1,n/a,manual,private,",
            "e.test,,2027-01-01,,-,none,,",
        ],
    )
    assert len(inv) == 5 and not inv.rejected
    obs = inv.observations.set_index("source_ref")
    crit = obs["criticality"]
    assert crit.isna().sum() == 4 and crit["line 5"] == "high"
    assert list(obs["environment"].fillna("∅")) == ["prod", "∅", "test", "∅", "∅"]
    assert list(obs["automation"].fillna("∅")) == ["acme", "cert-manager", "∅", "manual", "none"]
    trust = inv.certificates.set_index("common_name")["trust"]
    assert trust["b.test"] == "private" and trust["c.test"] == "public" and trust["d.test"] == "private"

    (crit_note,) = _notes(inv, "criticality:")
    assert crit_note.endswith(
        "criticality: 3 value(s) not in the vocabulary ('ultra', 'ULTRA') left empty; "
        "known: critical, high, medium, low"
    )
    (env_note,) = _notes(inv, "environment:")
    assert "1 value(s) not in the vocabulary ('perf') left empty" in env_note  # 'n/a' and '-' are blanks
    (auto_note,) = _notes(inv, "automation:")
    assert "'\\x1b[31mevil'" in auto_note and "\x1b" not in auto_note
    assert "known: acme, cert-manager, cloud-managed, est, scep, vault, manual, none" in auto_note
    assert not _notes(inv, "trust:") and not _notes(inv, "discovered_by:")


def test_vocabulary_note_shows_at_most_five_shortened_values(tmp_path: Path) -> None:
    rows = [f"h{i}.test,,2027-01-01,,,,,,{'x' * 60}{i}" for i in range(8)]
    inv = _csv(tmp_path, rows, header=HEADER.rstrip("\n") + ",discovered_by\n")
    (note,) = _notes(inv, "discovered_by:")
    assert "8 value(s) not in the vocabulary" in note and "and 3 more) left empty" in note
    assert note.count("…") == 5 and "x" * 60 not in note
    assert set(inv.observations["discovered_by"]) == {"manual"}  # the documented default for sheets


def test_every_canonical_value_and_the_samples_stay_known() -> None:
    from cmmm.ingest import _columns
    from cmmm.model import Automation, Criticality, Discovery, Environment, Trust

    for enum, table in (
        (Automation, _columns.AUTOMATION_VALUES),
        (Criticality, _columns.CRITICALITY_VALUES),
        (Environment, _columns.ENVIRONMENT_VALUES),
        (Discovery, _columns.DISCOVERY_VALUES),
        (Trust, _columns.TRUST_VALUES),
    ):
        assert {table.get(_columns.squash(v.value)) for v in enum} == {v.value for v in enum}
    samples = Path(__file__).resolve().parents[2] / "sample_inventories" / "level1-chaos"
    inv = cmmm.load([samples], now=NOW)
    assert not [n for n in inv.notes if "vocabulary" in n]


# ------------------------------------------------------------------ 2. optional dates
def test_bad_optional_dates_keep_the_row_and_are_noted(tmp_path: Path) -> None:
    inv = _csv(
        tmp_path,
        [
            "a.test,2026-01-01,2027-01-01,,,,,2026-11-01",
            "b.test,garbage,2027-01-01,,,,,yesterday-ish",
            "c.test,N/A,2027-01-01,,,,,",
            "d.test,2026-01-01,not a date,,,,,",
        ],
    )
    certs = inv.certificates.set_index("common_name")
    assert sorted(certs.index) == ["a.test", "b.test", "c.test"]
    assert pd.isna(certs.at["b.test", "not_before"]) and pd.isna(certs.at["c.test", "not_before"])
    assert certs.at["a.test", "not_before"] == pd.Timestamp("2026-01-01", tz="UTC")
    assert [r.reason for r in inv.rejected] == ["not_after is not a date: 'not a date'"]
    assert _notes(inv, "not_before is not a date") == [
        f"{tmp_path / 'inv.csv'}: line 3: not_before is not a date: 'garbage' (cell ignored)"
    ]
    assert _notes(inv, "last_seen is not a date") == [
        f"{tmp_path / 'inv.csv'}: line 3: last_seen is not a date: 'yesterday-ish' (cell ignored)"
    ]
    seen = inv.observations.set_index("source_ref")["last_seen"]
    assert pd.isna(seen["line 3"]) and seen["line 2"] == pd.Timestamp("2026-11-01", tz="UTC")


def test_ignored_date_cells_are_listed_twenty_times_then_counted(tmp_path: Path) -> None:
    inv = _csv(tmp_path, [f"h{i}.test,bad{i},2027-01-01,,,,," for i in range(26)])
    assert len(inv) == 26 and not inv.rejected
    listed = _notes(inv, "not_before is not a date")
    assert len(listed) == 20 and listed[0].endswith("line 2: not_before is not a date: 'bad0' (cell ignored)")
    assert _notes(inv, "more cell(s)") == [
        f"{tmp_path / 'inv.csv'}: not_before: 6 more cell(s) not a date ignored"
    ]


# ------------------------------------------------------------------ 3. time-zone abbreviations
@pytest.mark.filterwarnings("error")
def test_zone_abbreviations_are_converted_or_refused(recwarn: pytest.WarningsRecorder) -> None:
    values = pd.Series(
        [
            "Jan 5 12:00:00 2027 PST",
            "Jan 5 12:00:00 2027 EDT",
            "Jan 5 12:00:00 2027 CEST",
            "Jan 5 12:00:00 2027 BST",
            "Jan  5 12:00:00 2027 GMT",
            "Jan 5 12:00:00 2027 UT",
            "Jan 5 12:00:00 2027 Z",
            "Jan 5 12:00:00 2027 IST",
            "Jan 5 12:00:00 2027 XYZ",
            "Jan 5 12:00:00 2027 -0800",
            "Jan 5 12:00:00 2027",
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, _ = parse_dates(values)
    noon = datetime(2027, 1, 5, 12, tzinfo=UTC)
    hours = [8, 4, -2, -1, 0, 0, 0]
    assert list(got[:7]) == [pd.Timestamp(noon + timedelta(hours=h)) for h in hours]
    assert got[7:9].isna().all()
    assert got[9] == pd.Timestamp(noon + timedelta(hours=8)) and got[10] == pd.Timestamp(noon)
    assert not recwarn.list
    assert ZONE_OFFSETS["PST"] == -8 and "IST" not in ZONE_OFFSETS


@pytest.mark.filterwarnings("error")
def test_unknown_zone_rejects_not_after_and_ignores_not_before(tmp_path: Path) -> None:
    inv = _csv(
        tmp_path,
        [
            "a.test,Jan 5 12:00:00 2026 IST,Jan 5 12:00:00 2027 PST,,,,,",
            "b.test,,Jan 5 12:00:00 2027 IST,,,,,",
        ],
    )
    (row,) = inv.certificates.itertuples()
    assert row.not_after == pd.Timestamp("2027-01-05 20:00", tz="UTC") and pd.isna(row.not_before)
    assert [r.reason for r in inv.rejected] == ["not_after is not a date: 'Jan 5 12:00:00 2027 IST'"]
    assert _notes(inv, "not_before is not a date: 'Jan 5 12:00:00 2026 IST' (cell ignored)")


# ------------------------------------------------------------------ 6. inverted validity
def test_inverted_spreadsheet_row_is_rejected(tmp_path: Path) -> None:
    inv = _csv(tmp_path, ["a.test,2027-02-01,2027-01-01,,,,,", "b.test,2026-02-01,2027-01-01,,,,,"])
    assert list(inv.certificates["common_name"]) == ["b.test"]
    assert (inv.certificates["validity_days"] > 0).all()
    (rej,) = inv.rejected
    assert rej.locator == "line 2"
    assert rej.reason == (
        "not_before (2027-02-01T00:00:00+00:00) is after not_after (2027-01-01T00:00:00+00:00)"
    )


def _swap(der: bytes, a: bytes, b: bytes) -> bytes:
    assert der.count(a) == 1 and der.count(b) == 1 and len(a) == len(b)
    return der.replace(a, b"\0" * len(a)).replace(b, a).replace(b"\0" * len(a), b)


def test_certificate_file_with_inverted_dates_is_kept_with_a_note(tmp_path: Path) -> None:
    leaf = issue(cn="odd.test", not_before=datetime(2026, 1, 1, tzinfo=UTC), days=30)
    der = _swap(leaf.der, b"260101000000Z", b"260131000000Z")  # swap notBefore and notAfter in the TBS
    path = write(tmp_path / "odd.der", der)
    inv = cmmm.load([path], now=NOW)
    (row,) = inv.certificates.itertuples()
    assert row.not_before == pd.Timestamp("2026-01-31", tz="UTC") and row.validity_days == -30
    (note,) = _notes(inv, "notBefore")
    assert note.startswith(f"{path}: der: notBefore 2026-01-31") and "negative" in note


# ------------------------------------------------------------------ 4. plan team vs capacity team
@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    root = build_org(
        tmp_path_factory.mktemp("findings") / "org",
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
    original = org.certificates["trust"].copy()
    org.certificates["trust"] = "public"
    try:
        res = drill.run(org, sc, now=NOW, runs=10)
    finally:
        org.certificates["trust"] = original
    assert list(res.plan.columns) == list(drill.PLAN_COLUMNS) and len(res.plan)
    assert set(res.plan.loc[res.plan["team"] == "growth", "capacity_team"]) == {"Pki"}


# ------------------------------------------------------------------ 7. replacement CA wording
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


# ------------------------------------------------------------------ 5. output folders
def test_outputs_into_a_missing_folder_are_one_line_errors(tmp_path: Path) -> None:
    write(tmp_path / "in" / "inv.csv", "cn,not_after\na.example,2027-01-01\n")
    inv = str(tmp_path / "in")
    missing = tmp_path / "no" / "such"
    blocker = write(tmp_path / "file.txt", "x")
    cases = [
        ["report", inv, "-o", str(missing / "report.html")],
        ["ingest", inv, "-o", str(missing / "inv.json")],
        ["graph", inv, "--export", str(missing / "g.json")],
        ["drill", inv, "--scenario", "sha1-end-2026", "--plan", str(missing / "plan.csv")],
        ["scan", "127.0.0.1:9", "--timeout", "0.1", "-o", str(missing / "scan.json")],
    ]
    for args in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        name = Path(args[-1]).name
        assert res.output == f"cmmm: error: {missing}: output folder does not exist (for {name})\n", (
            res.output
        )
    assert not (tmp_path / "no").exists()
    res = runner.invoke(app, ["report", inv, "-o", str(blocker / "report.html")])
    assert res.exit_code == 2 and res.output.startswith(f"cmmm: error: {blocker}: output folder is not a")
    res = runner.invoke(app, ["report", inv, "-o", str(tmp_path / "report.md"), "--format", "markdown"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("#")
