"""The report's data against the inventory it aggregates, the optional sections, the golden files, the CLI."""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import cmmm
from cmmm import report
from cmmm.cli import app
from cmmm.model import AUTOMATED
from cmmm.report.view import (
    BurnPoint,
    CaRow,
    CriterionRow,
    DependencySection,
    DrillSection,
    MaturitySection,
    PlanRow,
    RoadmapRow,
    clean_text,
)
from tests.conftest import NOW
from tests.report_bundle import write_bundle

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(tmp_path_factory.mktemp("report") / "contoso", NOW)


@pytest.fixture(scope="module")
def inv(bundle: Path) -> cmmm.Inventory:
    return cmmm.load([bundle], now=NOW)


def _maturity() -> MaturitySection:
    return MaturitySection(
        level=2,
        score=2.4,
        floor="Automation",
        dimensions={
            "Inventory & visibility": 3.1,
            "Discovery": 2.6,
            "Ownership & process": 2.2,
            "Policy & compliance": 2.5,
            "Automation": 1.6,
            "Crypto-agility": 1.9,
        },
        criteria=(
            CriterionRow(
                id="INV-1",
                level=1,
                dimension="Inventory & visibility",
                title="Inventory exists",
                evidence="measured",
                met=True,
                value="27",
                threshold="> 0",
            ),
            CriterionRow(
                id="OWN-2",
                level=2,
                dimension="Ownership & process",
                title="Owners known",
                evidence="measured",
                met=True,
                value="78 %",
                threshold="≥ 70 %",
            ),
            CriterionRow(
                id="POL-3",
                level=3,
                dimension="Policy & compliance",
                title="Documented policy",
                evidence="attested",
                met=None,
            ),
            CriterionRow(
                id="AUT-3",
                level=3,
                dimension="Automation",
                title="Automated renewal ≥ 50 %",
                evidence="measured",
                met=False,
                value="30 %",
                threshold="≥ 50 %",
            ),
            CriterionRow(
                id="AGI-5",
                level=5,
                dimension="Crypto-agility",
                title="CA replaced within 24 h at p90",
                evidence="simulated",
                met=False,
            ),
        ),
        blockers=("Automated renewal covers 30 % of certificates; level 3 needs 50 %.",),
        roadmap=(
            RoadmapRow(
                title="Automated renewal below 50 %",
                action="Move the web team's certificates to ACME",
                level=3,
                dimension="Automation",
                criterion_id="AUT-3",
                concerned="12 certificates; team edge",
                effect="unblocks level 3",
            ),
        ),
    )


def _drill() -> DrillSection:
    return DrillSection(
        scenario="entrust-distrust",
        title="Issuing CA distrusted in 30 days",
        kind="ca_distrust",
        verdict="fail",
        deadline_hours=720,
        affected_certificates=120,
        completion_p50_hours=640,
        completion_p90_hours=910,
        on_time_probability=0.62,
        exposed={"certificates": 14, "services": 3},
        burn_down=tuple(
            BurnPoint(hours=h, p10=max(0, 120 - h / 5), p50=max(0, 120 - h / 6), p90=max(0, 120 - h / 8))
            for h in range(0, 1000, 50)
        ),
        first_wave=(
            PlanRow(
                target="shop.contoso.example",
                owner="erin",
                action="reissue at backup CA",
                method="acme",
                start_hours=0,
                finish_hours=4,
            ),
        ),
    )


def _deps() -> DependencySection:
    return DependencySection(
        top_cas=(
            CaRow(
                name="Contoso Root CA",
                kind="root",
                certificates=9,
                services=3,
                critical_services=1,
                share=0.5,
            ),
        ),
        roots=2,
        intermediates=3,
        single_points_of_failure=("Contoso Issuing CA 1",),
    )


def test_inventory_numbers_match_the_inventory(inv: cmmm.Inventory) -> None:
    v = report.build_view(inv, now=NOW, generated_at=NOW)
    f = inv.certificate_facts()
    s = v.inventory
    assert s.certificates == len(f) == v.summary.certificates
    assert s.expired == int((f["not_after"] < NOW).sum())
    assert s.cas + s.leaves == len(f)
    assert s.automated_share == pytest.approx(f["automation"].isin([a.value for a in AUTOMATED]).mean())
    horizon = (f["not_after"] >= NOW) & (f["not_after"] < NOW + timedelta(days=364))
    assert sum(w.automated + w.manual for w in s.expiry_weeks) == int(horizon.sum())
    assert len(s.expiry_weeks) == 52 and s.expiry_weeks[0].start == NOW.date()
    assert sum(c.count for c in s.issuers) == s.leaves
    assert sum(c.count for c in s.automation) == len(f)
    assert sum(b.count for b in s.validity_bins) == int(
        f.loc[~f["is_ca"].astype(bool), "validity_days"].notna().sum()
    )
    assert s.rejected == len(inv.rejected) == 1
    assert s.rejected_rows[0].reason.startswith("not_after is not a date")
    assert {c.max_days for c in s.caps} == {200, 100, 47}
    caps = {c.max_days: c.over_cap for c in s.caps}
    assert caps[47] >= caps[100] >= caps[200] > 0
    assert v.pqc.vulnerable == int(f["quantum_vulnerable"].fillna(False).sum())
    assert sum(r.certificates for r in v.pqc.by_criticality) == len(f)
    assert {c.label for c in v.pqc.pqc_certificates} == {"ML-DSA-44", "ML-DSA-65"}
    # Mosca: payments keeps data 12 years; 12 + 6 (migration) > 10 (threat) → exposed.
    assert v.pqc.migration_years == 6 and v.pqc.quantum_threat_years == 10
    assert any(r.service == "payments" and r.margin_years == 8 for r in v.pqc.mosca_services)
    assert v.organization == "Contoso Test Bank"


def test_findings_rank_risks_and_actions(inv: cmmm.Inventory) -> None:
    v = report.build_view(inv, now=NOW, generated_at=NOW)
    codes = [x.code for x in v.findings]
    assert codes[0] == "expired-deployed"
    assert {"expiring-manual", "deprecated-crypto", "owner-missing", "manual-public-renewals"} <= set(codes)
    assert len(v.summary.risks) == 3 and v.summary.risks == v.findings[:3]
    assert len(v.summary.actions) == 5
    assert v.roadmap_source == "inventory" and len(v.roadmap) == len(v.findings)
    renewals = next(x for x in v.findings if x.code == "manual-public-renewals")
    assert "2027-03-15" in renewals.detail and "47-day cap" in renewals.detail


def test_as_of_moves_the_caps_in_force(inv: cmmm.Inventory) -> None:
    later = report.build_view(inv, now=NOW.replace(year=2027, month=3, day=15), generated_at=NOW)
    assert [c.max_days for c in later.inventory.caps if c.in_force] == [100]
    assert [c.max_days for c in later.inventory.caps] == [100, 47]
    assert later.inventory.expiry_weeks[0].start.isoformat() == "2027-03-15"
    renewals = next(x for x in later.findings if x.code == "manual-public-renewals")
    assert "From 2029-03-15" in renewals.detail


def test_absent_stages_render_as_not_evaluated(inv: cmmm.Inventory) -> None:
    v = report.build_view(inv, now=NOW, generated_at=NOW)
    html = report.render_html(v)
    assert "Maturity was not evaluated in this run." in html
    assert "The dependency graph was not evaluated in this run." in html
    assert "No fire drill was run in this run." in html
    doc = report.render_json(v)
    assert doc["maturity"] is None and doc["dependency"] is None and doc["drills"] == []
    assert doc["summary"]["level"] is None


def test_adapters_fill_their_sections(inv: cmmm.Inventory) -> None:
    v = report.build_view(
        inv, now=NOW, generated_at=NOW, assessment=_maturity(), graph_summary=_deps(), drills=[_drill()]
    )
    assert [s.status for s in v.ladder] == ["achieved", "achieved", "blocking", "ahead", "ahead"]
    assert v.ladder[2].met == 0 and v.ladder[2].total == 2
    assert v.summary.level == 2 and v.summary.actions[0].source == "assessment"
    assert v.roadmap_source == "assessment"
    html = report.render_html(v)
    for text in (
        "chart-radar",
        "chart-drill0",
        "Contoso Root CA",
        "reissue at backup CA",
        "unblocks level 3",
    ):
        assert text in html
    assert 'class="tag attested"' in html and 'class="tag simulated"' in html and "no evidence" in html
    assert "not evaluated in this run" not in html
    doc = report.render_json(v)
    assert doc["drills"][0]["burn_down"][0] == {"hours": 0, "p10": 120, "p50": 120, "p90": 120}
    assert doc["maturity"]["criteria"][2]["met"] is None
    md = report.render_markdown(v)
    assert "CMMM level 2" in md and "Issuing CA distrusted in 30 days: fail" in md


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def test_html_is_self_contained(inv: cmmm.Inventory) -> None:
    html = report.render_html(report.build_view(inv, now=NOW, generated_at=NOW))
    p = _Tags()
    p.feed(html)
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags and "iframe" not in p.tags
    assert not [a for a, _ in p.attrs if a.startswith("on")]
    refs = [val for a, val in p.attrs if a in ("href", "src", "xlink:href") and val]
    assert all(r.startswith("#") for r in refs), refs
    assert "default-src 'none'" in html
    assert p.tags.count("svg") >= 7
    assert "@media print" in html


def test_render_is_deterministic(inv: cmmm.Inventory) -> None:
    a = report.render_html(report.build_view(inv, now=NOW, generated_at=NOW))
    b = report.render_html(report.build_view(inv, now=NOW, generated_at=NOW))
    assert a == b


def test_empty_inventory_renders() -> None:
    v = report.build_view(cmmm.Inventory(), now=NOW, generated_at=NOW)
    assert v.inventory.certificates == 0 and v.findings == ()
    assert "<html" in report.render_html(v)
    assert report.render_json(v)["inventory"]["certificates"] == 0
    assert report.render_markdown(v).startswith("# CMMM report")


def test_clean_text_neutralizes_and_truncates() -> None:
    assert clean_text("a\u202eb\x00c\n") == "a\ufffdb\ufffdc\ufffd"
    assert clean_text("x" * 10_000) == "x" * 59 + "…"
    assert clean_text(None) == "" and clean_text(pd.NA) == ""


def test_every_format_has_a_renderer_with_a_docstring() -> None:
    for fmt in report.ReportFormat:
        assert report.FORMATS[fmt].__doc__, fmt


def _golden(path: Path, text: str, update: bool) -> None:
    if update:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing; create it with --update-golden"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; rerun with --update-golden if intended"
    )


def test_golden_small_inventory(update_golden: bool) -> None:
    inv = cmmm.load([GOLDEN / "report_small"], now=NOW)
    v = report.build_view(inv, now=NOW, generated_at=NOW)
    _golden(
        GOLDEN / "report_small.json",
        json.dumps(report.render_json(v), indent=1, ensure_ascii=False) + "\n",
        update_golden,
    )
    _golden(GOLDEN / "report_small.md", report.render_markdown(v), update_golden)


runner = CliRunner()


def test_cli_report_formats(bundle: Path, tmp_path: Path) -> None:
    for fmt, check in (
        ("html", "<!DOCTYPE html>"),
        ("json", '"schema": "cmmm.report/1"'),
        ("markdown", "# CMMM report"),
    ):
        out = tmp_path / f"r.{fmt}"
        res = runner.invoke(
            app, ["report", str(bundle), "-o", str(out), "--format", fmt, "--as-of", "2026-11-28"]
        )
        assert res.exit_code == 0, res.output
        assert check in out.read_text(encoding="utf-8")
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["as_of"].startswith("2026-11-28") and doc["inventory"]["certificates"] == 27


def test_cli_report_profile_override_and_bad_input(bundle: Path, tmp_path: Path) -> None:
    prof = tmp_path / "other.yaml"
    prof.write_text("organization: Other Org\n", encoding="utf-8")
    out = tmp_path / "r.json"
    res = runner.invoke(
        app, ["report", str(bundle), "--profile", str(prof), "-o", str(out), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text(encoding="utf-8"))["organization"] == "Other Org"
    res = runner.invoke(app, ["report", str(tmp_path / "missing"), "-o", str(out)])
    assert res.exit_code == 2 and "no such file" in " ".join(res.output.split())


def test_cli_demo_writes_one_report_per_org(bundle: Path, tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "contoso").symlink_to(bundle, target_is_directory=True)
    reports = tmp_path / "reports"
    res = runner.invoke(
        app, ["demo", "--samples", str(samples), "--reports", str(reports), "--as-of", "2026-11-28"]
    )
    assert res.exit_code == 0, res.output
    assert (reports / "contoso.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "contoso.html" in res.output


def test_docs_list_every_json_key() -> None:
    import dataclasses
    import re

    from cmmm.report import view as view_module

    doc = (Path(__file__).parents[1] / "docs" / "report.md").read_text(encoding="utf-8")
    entries = dict(re.findall(r"- \*\*(\w+)\*\*[^:]*: (.*?)(?=\n- \*\*|\Z)", doc, flags=re.DOTALL))
    for name, text in entries.items():
        cls = getattr(view_module, name)
        documented = re.findall(r"^`(\w+)`|[,(] ?`(\w+)`", " ".join(text.split()))
        keys = [a or b for a, b in documented]
        assert [f.name for f in dataclasses.fields(cls) if f.name in keys] == [
            f.name for f in dataclasses.fields(cls)
        ], name
    reachable = {
        "ReportView",
        "Summary",
        "Finding",
        "InventorySection",
        "PqcSection",
        "DrillSection",
        "MaturitySection",
    }
    assert reachable <= set(entries)


def test_over_cap_needs_an_issuance_date(tmp_path: Path) -> None:
    (tmp_path / "inv.csv").write_text(
        "Common Name,Issuer,Valid From,Expiration Date,Trust\n"
        "a.example,R11,2026-04-01,2027-04-20,public\n"  # 384 days under the 200-day cap: over
        "b.example,R11,,2027-04-20,public\n"  # no issuance date: not judged
        "c.example,R11,2026-10-01,2026-12-30,public\n",  # 90 days: fine
        encoding="utf-8",
    )
    v = report.build_view(cmmm.load([tmp_path], now=NOW), now=NOW, generated_at=NOW)
    assert v.inventory.over_current_cap == 1
