"""`cmmm init`: a starter bundle that `cmmm assess` reads with every question init asked answered, never an
overwritten profile.yaml, a spreadsheet template with the columns cmmm reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

import cmmm
from cmmm.cli import app
from cmmm.export.bundle import SPREADSHEET
from cmmm.maturity import Status, assess, load_catalog
from cmmm.maturity.catalog import EvidenceKind
from cmmm.profile import parse_profile
from tests.conftest import NOW, SAMPLES_DIR

runner = CliRunner()
QUESTIONS = [c for c in load_catalog().criteria if c.attested]


def _one_csv(tmp_path: Path) -> Path:
    folder = tmp_path / "inventory"
    folder.mkdir()
    lines = (SAMPLES_DIR / "level2-aware" / "inventory.csv").read_text(encoding="utf-8").splitlines()
    (folder / "certs.csv").write_text("\n".join(lines[:16]) + "\n", encoding="utf-8")
    return folder


def test_init_defaults_on_one_csv_gives_a_bundle_assess_reads_with_every_question_answered(
    tmp_path: Path,
) -> None:
    folder = _one_csv(tmp_path)
    res = runner.invoke(app, ["init", str(folder), "--defaults"])
    assert res.exit_code == 0, res.output
    assert "15 certificates in 1 file (csv 1)" in " ".join(res.stderr.split())
    assert sorted(p.name for p in folder.iterdir()) == ["certs.csv", "policy.yaml", "profile.yaml"]
    doc = yaml.safe_load((folder / "profile.yaml").read_text(encoding="utf-8"))
    assert {t["name"] for t in doc["teams"]} == {"web-ops", "infrastructure"}
    assert set(doc["attested"]) == {c.attested for c in QUESTIONS}
    parse_profile(doc)  # the profile parser accepts what init wrote
    inv = cmmm.load([folder], now=NOW)
    assert inv.profile.found and inv.policy
    result = assess(inv, now=NOW)
    attested = [r for r in result.criteria if r.criterion.evidence is EvidenceKind.ATTESTED]
    assert len(attested) == len(QUESTIONS)
    assert all(r.status is Status.NOT_MET for r in attested), [(r.id, r.status) for r in attested]
    shown = runner.invoke(app, ["assess", str(folder), "--verbose", "--no-drills"])
    assert (
        shown.exit_code == 0 and "not answered" not in shown.stdout and "no profile.yaml" not in shown.stdout
    )


def test_init_never_overwrites_a_profile(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    shutil.copytree(SAMPLES_DIR / "level1-chaos", folder)
    before = (folder / "profile.yaml").read_bytes()
    res = runner.invoke(app, ["init", str(folder), "--defaults"])
    assert res.exit_code == 2 and "already exists" in res.stderr and len(res.stderr.splitlines()) == 1
    assert (folder / "profile.yaml").read_bytes() == before


def test_init_keeps_an_existing_policy(tmp_path: Path) -> None:
    folder = _one_csv(tmp_path)
    (folder / "policy.yaml").write_text("name: ours\n", encoding="utf-8")
    res = runner.invoke(app, ["init", str(folder), "--defaults"])
    assert res.exit_code == 0 and "kept the existing" in res.stderr
    assert (folder / "policy.yaml").read_text(encoding="utf-8") == "name: ours\n"


def test_init_in_an_empty_folder_writes_a_spreadsheet_template_that_reads_back(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    res = runner.invoke(app, ["init", str(folder), "--defaults"])
    assert res.exit_code == 0, res.output
    assert (folder / SPREADSHEET).is_file()
    # the template's example rows are not read as certificates where it lies ...
    assert runner.invoke(app, ["assess", str(folder)]).exit_code == 2
    # ... and once renamed it is an inventory with no rejection
    (folder / SPREADSHEET).rename(folder / "certificates.csv")
    inv = cmmm.load([folder], now=NOW)
    assert len(inv) == 2 and not inv.rejected


def test_init_asks_the_questions_and_writes_the_answers(tmp_path: Path) -> None:
    folder = tmp_path / "asked"
    folder.mkdir()
    answers = [
        "Acme Corp",
        "pki",
        "3",
        "4",
        "Acme Issuing CA:private",
        "Google Trust Services:acme",
        "y",
        "21",
    ]
    for c in QUESTIONS:
        if c.max_age_days is not None:
            answers += ["2026-10-01", "drill report DR-7"]
        elif c.attested == "hsm_ca_keys":
            answers += ["y", "30/09/2026", "2026-09-30", "HSM audit AR-11"]  # a bad date is asked again
        else:
            answers += ["n"]
    res = runner.invoke(app, ["init", str(folder)], input="\n".join(answers) + "\n")
    assert res.exit_code == 0, res.output
    assert "CA keys protected in HSMs" in res.stderr  # each question is shown with what it means
    assert "is not a date" in res.output
    doc = yaml.safe_load((folder / "profile.yaml").read_text(encoding="utf-8"))
    p = parse_profile(doc)
    assert p.organization == "Acme Corp" and p.teams[0].engineers == 3
    assert [c.name for c in p.backup_cas] == ["Google Trust Services"] and p.backup_cas[0].pre_approved
    assert p.ca_onboarding_days == 21
    hsm = p.attested["hsm_ca_keys"]
    assert hsm.answer is True and str(hsm.on) == "2026-09-30" and hsm.evidence == "HSM audit AR-11"
    assert str(p.attested["last_fire_drill"].on) == "2026-10-01"
