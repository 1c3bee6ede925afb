"""A plan an SRE can execute: locations and environment per certificate, one step per issuance change,
trust bundles before a CA change, revocation and rollback, a fallback for every miss; CSV, JSON, Markdown."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from cmmm import drill
from cmmm.drill.plan import csv_frame, plan_csv, write_plan
from cmmm.drill.result import FALLBACK_COLUMNS, PLAN_COLUMNS, STEP_COLUMNS, DrillResult
from cmmm.drill.steps import ROUTES, Fallback, Route
from cmmm.errors import UsageError
from cmmm.model import Inventory
from cmmm.report.adapters import FIRST_WAVE_ROWS, drill_section
from cmmm.report.terminal.drill import render_drill
from tests.conftest import NOW
from tests.drill.plan_orgs import cert, profile, write_bundle

COMPROMISE = "primary-intermediate-compromise-24h"
ISSUER_TAG = "issuer_ref=ClusterIssuer/corp-ca"
ACM_ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b"
LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/1"
SERVICES = [
    {"service": "shop", "criticality": "critical", "depends_on": "api"},
    {"service": "api", "criticality": "high", "depends_on": ""},
    {"service": "=cmd|' /C calc'!A0", "criticality": "low", "depends_on": ""},
]


def _cluster_rows() -> list[dict[str, object]]:
    """300 cert-manager certificates under one ClusterIssuer in 12 namespaces, two ACME clients of one
    account, one ACM certificate on a load balancer, three manual certificates (one on five hosts)."""
    rows = []
    for i in range(300):
        ns = f"team{i % 12:02}-{'prod' if i % 3 else 'staging'}"
        rows.append(
            cert(
                f"svc{i:03}.{ns}.svc",
                service="api" if i % 2 else "shop",
                environment="prod" if i % 3 else "staging",
                automation="cert-manager",
                team="platform",
                endpoints=f"k8s:{ns}/secret/svc{i:03}-tls",
                tags=f"{ISSUER_TAG};k8s_secret={ns}/svc{i:03}-tls",
            )
        )
    for name in ("www.org.test", "shop.org.test"):
        rows.append(
            cert(
                name, service="shop", automation="acme", team="web", tags="acme_server=https://acme.test/dir"
            )
        )
    rows.append(
        cert(
            "lb.org.test",
            service="api",
            automation="cloud-managed",
            team="web",
            endpoints=LB_ARN,
            tags=f"arn={ACM_ARN}",
        )
    )
    rows.append(cert("legacy1.org.test", service="api", team="legacy"))
    rows.append(cert("legacy2.org.test", service="=cmd|' /C calc'!A0", team="legacy"))
    rows.append(
        cert(
            "wide.org.test",
            service="api",
            team="legacy",
            endpoints=";".join(f"h{i}.org.test:443" for i in range(5)),
        )
    )
    return rows


TEAMS = [
    {"name": "platform", "engineers": 4, "hours_per_day": 8},
    {"name": "web", "engineers": 2, "hours_per_day": 8},
    {"name": "legacy", "engineers": 1, "hours_per_day": 8},
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return write_bundle(
        tmp_path_factory.mktemp("cluster"), _cluster_rows(), profile=profile(TEAMS), services=SERVICES
    )


@pytest.fixture(scope="module")
def compromised(cluster: Inventory) -> DrillResult:
    return drill.run(cluster, drill.load_scenario(COMPROMISE), now=NOW, runs=30)


def _by_name(r: DrillResult) -> pd.DataFrame:
    return r.plan.set_index("common_name")


# ---------------------------------------------------------------- rows: where, which environment, which step
def test_rows_say_where_each_certificate_is_deployed(compromised: DrillResult) -> None:
    plan = _by_name(compromised)
    assert list(compromised.plan.columns) == list(PLAN_COLUMNS)
    assert plan.loc["svc001.team01-prod.svc", "locations"] == "k8s:team01-prod/secret/svc001-tls"
    assert plan.loc["svc001.team01-prod.svc", "environment"] == "prod"
    assert plan.loc["svc000.team00-staging.svc", "environment"] == "staging"
    assert plan.loc["lb.org.test", "locations"] == LB_ARN
    wide = plan.loc["wide.org.test"]
    assert wide["location_count"] == 5
    assert wide["locations"] == "h0.org.test:443;h1.org.test:443;h2.org.test:443 (+2 more)"
    assert plan.loc["www.org.test", "locations"] == "www.org.test:443"


def test_one_step_per_issuance_change_not_one_per_certificate(compromised: DrillResult) -> None:
    steps = compromised.steps
    assert list(steps.columns) == list(STEP_COLUMNS)
    assert list(steps["step"]) == list(range(1, len(steps) + 1))
    issuer = steps[steps["target"] == "ClusterIssuer/corp-ca"]
    assert len(issuer) == 1 and issuer["certificates"].iloc[0] == 300
    title = issuer["title"].iloc[0]
    assert title.startswith("Re-point ClusterIssuer/corp-ca (300 certificates in namespaces team00-staging")
    assert "(+7 more)" in title and title.endswith("cert-manager re-issues every Certificate that uses it")
    assert "Org Issuing CA 2" in title
    kinds = dict(zip(steps["target"], steps["mechanism"], strict=True))
    assert kinds["ACME account at https://acme.test/dir"] == Route.ACME_ACCOUNT.value
    assert kinds["ACM 111122223333 eu-west-1"] == Route.ACM.value
    assert kinds["team legacy"] == Route.MANUAL.value
    manual = steps[steps["target"] == "team legacy"].iloc[0]
    assert manual["certificates"] == 3 and manual["title"].startswith(
        "team legacy: re-issue 3 certificates by hand"
    )
    # every plan row points at the step that re-issues it
    plan = _by_name(compromised)
    assert (plan.loc[plan["issuance_via"] == "ClusterIssuer/corp-ca", "step"] == issuer["step"].iloc[0]).all()
    assert plan["step"].notna().all()
    assert len(steps) < 10  # 305 certificates, a handful of steps


def test_every_route_has_its_instructions() -> None:
    for route in Route:
        text = ROUTES[route]
        for template in (text.new_ca, text.same_ca, text.rechain, text.rollback):
            assert template.format(what="X", count="2 certificates", scope="", ca="CA", old="Old")
        assert text.verify


# ---------------------------------------------------------------- trust bundles before a CA change
def test_a_new_intermediate_under_the_same_root_is_distributed_first(compromised: DrillResult) -> None:
    steps = compromised.steps
    first = steps.iloc[0]
    assert first["kind"] == "trust bundle"
    assert "the intermediate Org Issuing CA 2 (same root: Org Root CA" in first["title"]
    assert "shop" in first["title"]  # shop calls api: its trust store must hold the new CA first
    assert "trust-manager" in first["title"]  # the namespaces' bundles
    issues = steps[steps["kind"].isin(["issuer change", "manual"])]
    assert (issues["after_steps"] == "1").all()


def test_a_new_root_is_named_and_private_stores_come_first(tmp_path: Path) -> None:
    rows = [cert(f"app{i}.org.test", service="api") for i in range(4)]
    prof = profile(
        [{"name": "ops", "engineers": 2, "hours_per_day": 8}],
        approved_cas=[{"name": "Org Issuing CA 1", "type": "private"}],
        backup_cas=[{"name": "Other Issuing CA", "type": "private", "pre_approved": True}],
    )
    inv = write_bundle(tmp_path / "root", rows, profile=prof, services=SERVICES)
    r = drill.run(inv, drill.load_scenario(COMPROMISE), now=NOW, runs=10)
    trust = r.steps.iloc[0]
    assert trust["kind"] == "trust bundle" and trust["replacement_ca"] == "Other Issuing CA"
    assert "the root Other Root CA and the intermediate Other Issuing CA" in trust["title"]
    assert "before the first re-issue" in trust["title"]
    assert r.steps.iloc[1]["after_steps"] == "1"


# ---------------------------------------------------------------- revocation
def test_revocation_follows_the_baseline_requirements(
    compromised: DrillResult, cluster: Inventory, tmp_path: Path
) -> None:
    # our own intermediate compromised: its certificate revoked within 7 days (BR §4.9.1.2)
    assert "BR §4.9.1.2" in compromised.revocation
    assert (compromised.plan["revoke_by"] == pd.Timestamp(NOW) + pd.Timedelta(hours=168)).all()
    last = compromised.steps.iloc[-1]
    assert last["kind"] == "revocation"
    issue_steps = compromised.steps[compromised.steps["kind"].isin(["issuer change", "manual"])]
    assert last["after_steps"] == ";".join(str(s) for s in issue_steps["step"])
    # a 24-hour mass revocation: the CA revokes each certificate at its deadline
    mass = drill.run(
        cluster,
        _scenario(tmp_path, "mass_revocation", 24, "filter: {issuer: {names: [Org Issuing CA 1]}}"),
        now=NOW,
        runs=10,
    )
    assert "24 hours" in mass.revocation and "BR §4.9.1.1" in mass.revocation
    assert (mass.plan["revoke_by"] == mass.plan["deadline"]).all()
    assert mass.steps["kind"].iloc[0] != "trust bundle"  # the same CA: nothing new to trust
    slow = drill.run(
        cluster,
        _scenario(tmp_path, "mass_revocation", 120, "filter: {issuer: {names: [Org Issuing CA 1]}}"),
        now=NOW,
        runs=10,
    )
    assert "5 days" in slow.revocation
    # an outage: the old certificates expire on their own
    outage = drill.run(
        cluster,
        _scenario(tmp_path, "ca_outage", 2400, "target: {names: [Org Issuing CA 1]}\n  outage_days: 100"),
        now=NOW,
        runs=10,
    )
    assert outage.revocation.startswith("Nothing to revoke")
    assert outage.plan["revoke_by"].isna().all() and "revocation" not in set(outage.steps["kind"])


def _scenario(tmp: Path, kind: str, hours: int, parameters: str) -> drill.Scenario:
    path = tmp / f"{kind}-{hours}.yaml"
    path.write_text(
        f"kind: {kind}\ntitle: {kind} drill\ndescription: a test\ndeadline_hours: {hours}\n"
        f"parameters:\n  {parameters}\n",
        encoding="utf-8",
    )
    return drill.load_scenario(str(path))


def test_every_step_says_how_to_roll_back(compromised: DrillResult) -> None:
    assert compromised.steps["rollback"].str.len().gt(20).all()
    issuer = compromised.steps[compromised.steps["target"] == "ClusterIssuer/corp-ca"].iloc[0]
    assert "ClusterIssuer/corp-ca" in issuer["rollback"] and "until the revocation step" in issuer["rollback"]


# ---------------------------------------------------------------- fallbacks for every miss
@pytest.fixture(scope="module")
def stretched(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    """One engineer, one hour a day, manual certificates: most of them miss a 24-hour deadline."""
    rows = [cert(f"shop{i}.org.test", service="shop") for i in range(6)]
    rows += [cert(f"stage{i}.org.test", service="shop", environment="staging") for i in range(3)]
    rows += [cert("blog.org.test", service="blog")]
    services = [*SERVICES, {"service": "blog", "criticality": "medium", "depends_on": ""}]
    teams = [{"name": "ops", "engineers": 1, "hours_per_day": 1}]
    return write_bundle(tmp_path_factory.mktemp("slow"), rows, profile=profile(teams), services=services)


def test_every_miss_gets_an_explicit_fallback(stretched: Inventory, tmp_path: Path) -> None:
    r = drill.run(stretched, drill.load_scenario(COMPROMISE), now=NOW, runs=10)
    missed = ~r.plan["on_time"].astype(bool)
    assert missed.sum() >= 5
    assert list(r.fallbacks.columns) == list(FALLBACK_COLUMNS)
    assert set(r.fallbacks["cert_id"]) == set(r.plan.loc[missed, "cert_id"])
    assert r.plan["fallback"].notna().equals(missed)
    fb = r.fallbacks.set_index("common_name")
    late_stage = [n for n in fb.index if n.startswith("stage")]
    assert late_stage and set(fb.loc[late_stage, "fallback"]) == {Fallback.ACCEPTED.value}
    assert "shop (staging, critical)" in fb.loc[late_stage[0], "detail"]
    assert fb.loc["blog.org.test", "fallback"] == Fallback.ACCEPTED.value  # medium: accepted, named
    late_prod = [n for n in fb.index if n.startswith("shop")]
    # our own CA compromised: no extension exists, an emergency change does
    assert late_prod and set(fb.loc[late_prod, "fallback"]) == {Fallback.EMERGENCY.value}
    assert (fb["hours_late"] > 0).all()
    mass = drill.run(
        stretched,
        _scenario(tmp_path, "mass_revocation", 24, "filter: {issuer: {names: [Org Issuing CA 1]}}"),
        now=NOW,
        runs=10,
    )
    fb = mass.fallbacks.set_index("common_name")
    late_prod = [n for n in fb.index if n.startswith("shop")]
    assert set(fb.loc[late_prod, "fallback"]) == {Fallback.EXTENSION.value}
    assert "exception from the revocation policy" in fb.loc[late_prod[0], "detail"]


# ---------------------------------------------------------------- writers
def test_csv_opens_in_a_spreadsheet_with_dates_as_dates(compromised: DrillResult, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    assert write_plan(compromised, path) == "csv"
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == len(compromised.plan) + 1
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(rows) == len(compromised.plan)
    for col in ("planned_start_utc", "planned_finish_utc", "deadline_utc", "revoke_by_utc"):
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[col]) for r in rows), col
    hostile = next(r for r in rows if r["common_name"] == "legacy2.org.test")
    assert hostile["service"].startswith("'=")  # a formula is text, never run


def test_cells_with_line_breaks_are_quoted() -> None:
    frame = pd.DataFrame({"a": ["one\ntwo", "x\ry", "+1"], "b": [1, 2, 3]})
    text = plan_csv(frame)
    assert '"one\ntwo"' in text and '"x\ry"' in text
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back == [["a", "b"], ["one\ntwo", "1"], ["x\ry", "2"], ["'+1", "3"]]
    assert list(csv_frame(pd.DataFrame({"t": pd.to_datetime(["2026-12-05T13:30:00Z"])})).columns) == ["t_utc"]


@pytest.mark.slow
def test_libreoffice_reads_the_dates_as_dates(compromised: DrillResult, tmp_path: Path) -> None:
    """LibreOffice with "Detect special numbers" (the import dialog's option; Excel and Google Sheets need
    none) reads the date columns as dates and runs no formula."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-calc)")
    path = tmp_path / "plan.csv"
    path.write_text(plan_csv(compromised.plan.tail(3)), encoding="utf-8", newline="")
    # CSV import options: comma, double quote, UTF-8, from line 1, no column types, en-US, quoted fields
    # not forced to text, detect special numbers
    options = "CSV:44,34,76,1,,1033,false,true"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            f"--infilter={options}",
            "--convert-to",
            "fods",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xml = (tmp_path / "plan.fods").read_text(encoding="utf-8")
    finish = compromised.plan["planned_finish"].iloc[-1].strftime("%Y-%m-%dT%H:%M:%S")
    assert f'office:value-type="date" office:date-value="{finish}' in xml
    assert "table:formula" not in xml  # the neutralized service name stays text


def test_json_plan_has_steps_fallbacks_and_rows(compromised: DrillResult, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    assert write_plan(compromised, path) == "json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) == {
        "scenario",
        "as_of",
        "deadline",
        "verdict",
        "revocation",
        "steps",
        "fallbacks",
        "rows",
    }
    assert len(doc["rows"]) == len(compromised.plan) and set(doc["steps"][0]) == set(STEP_COLUMNS)
    assert doc["rows"][0]["planned_start"].endswith("+00:00")
    full = drill.drill_document(compromised)
    assert {"steps", "fallbacks", "revocation"} <= set(full)


def test_markdown_plan_is_a_runbook(compromised: DrillResult, tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    assert write_plan(compromised, path) == "markdown"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# Replacement plan: ")
    for heading in (
        "## Steps",
        "## Verification and rollback",
        "## Revocation",
        "## Fallbacks",
        "## Certificates",
    ):
        assert any(line.startswith(heading) for line in lines), heading
    assert "ClusterIssuer/corp-ca (300 certificates" in text
    assert "=cmd\\|" in text  # a pipe in a service name cannot break the table
    with pytest.raises(UsageError):
        write_plan(compromised, tmp_path / "plan.xlsx")


def test_markdown_lists_the_fallbacks(stretched: Inventory, tmp_path: Path) -> None:
    r = drill.run(stretched, drill.load_scenario(COMPROMISE), now=NOW, runs=10)
    write_plan(r, tmp_path / "p.md")
    text = (tmp_path / "p.md").read_text(encoding="utf-8")
    section = text.split("## Fallbacks")[1].split("## Certificates")[0]
    assert "emergency change" in section and "accepted exposure" in section and "| shop |" in section


# ---------------------------------------------------------------- report and terminal show steps
def test_report_first_wave_shows_steps(compromised: DrillResult) -> None:
    rows = drill_section(compromised).first_wave
    assert 0 < len(rows) <= FIRST_WAVE_ROWS and len(rows) == len(compromised.steps)
    assert rows[0].action == "trust bundle"
    issuer = [p for p in rows if "ClusterIssuer/corp-ca" in p.target]
    assert len(issuer) == 1 and "300 certificates" in issuer[0].target


def test_terminal_shows_steps_not_every_certificate(compromised: DrillResult) -> None:
    console = Console(record=True, width=200)
    render_drill(console, compromised)
    out = console.export_text()
    assert "ClusterIssuer/corp-ca" in out and "trust bundle" in out
    assert "svc150" not in out  # 300 certificates are one row
    assert "revocation" in out and "--plan plan.md" in out
