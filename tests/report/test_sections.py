"""The report's data against the inventory it aggregates, the optional sections, the golden files, the CLI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

import cmmm
from cmmm import report
from cmmm.maturity import assess
from cmmm.model import AUTOMATED
from tests.conftest import NOW
from tests.maturity_org import frames, inventory, rows
from tests.report.report_bundle import view_of


def test_inventory_numbers_match_the_inventory(inv: cmmm.Inventory) -> None:
    v = view_of(inv, NOW)
    f = inv.certificate_facts()
    s = v.inventory
    assert s.certificates == len(f) == v.summary.certificates
    assert s.expired == int((f["not_after"] < NOW).sum())
    assert s.cas + s.leaves == len(f)
    unexpired = f["not_after"] >= NOW
    active_leaf = f[unexpired & ~f["is_ca"].astype(bool)]
    automated = active_leaf["automation"].isin([a.value for a in AUTOMATED]).mean()
    assert s.automated_share == pytest.approx(automated) == v.summary.automated_share
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
    assert v.pqc.vulnerable == int((f["quantum_vulnerable"].fillna(False) & unexpired).sum())
    assert sum(r.certificates for r in v.pqc.by_criticality) == int(unexpired.sum())
    assert {c.label for c in v.pqc.pqc_certificates} == {"ML-DSA-44", "ML-DSA-65"}
    # Mosca: payments keeps data 12 years; 12 + 6 (migration) > 10 (threat) → exposed.
    assert v.pqc.migration_years == 6 and v.pqc.quantum_threat_years == 10
    assert any(r.service == "payments" and r.margin_years == 8 for r in v.pqc.mosca_services)
    assert v.organization == "Contoso Test Bank"


def test_findings_rank_risks_and_actions(inv: cmmm.Inventory) -> None:
    v = view_of(inv, NOW)
    codes = [x.code for x in v.findings]
    assert codes[0] == "risk.expired-deployed"
    expected = {
        "risk.expiring-manual",
        "risk.deprecated-crypto",
        "risk.owner-missing",
        "risk.manual-public-renewals",
    }
    assert expected <= set(codes)
    assert len(v.summary.risks) == 3 and v.summary.risks == v.findings[:3]
    assert len(v.summary.actions) == 5
    assert v.roadmap_source == "assessment" and v.roadmap == v.maturity.roadmap  # type: ignore[union-attr]
    renewals = next(x for x in v.findings if x.code == "risk.manual-public-renewals")
    assert "2027-03-15" in renewals.detail and "47-day cap" in renewals.detail


def test_as_of_moves_the_caps_in_force(inv: cmmm.Inventory) -> None:
    later = view_of(inv, NOW.replace(year=2027, month=3, day=15))
    assert [c.max_days for c in later.inventory.caps if c.in_force] == [100]
    assert [c.max_days for c in later.inventory.caps] == [100, 47]
    assert later.inventory.expiry_weeks[0].start.isoformat() == "2027-03-15"
    renewals = next(x for x in later.findings if x.code == "risk.manual-public-renewals")
    assert "From 2029-03-15" in renewals.detail


def test_absent_stages_render_as_not_evaluated(inv: cmmm.Inventory) -> None:
    v = view_of(inv, NOW)
    html = report.render_html(v)
    assert "The dependency graph was not evaluated in this run." in html
    assert "No fire drill was run in this run." in html
    doc = report.render_json(v)
    assert doc["dependency"] is None and doc["drills"] == []
    assert doc["summary"]["level"] == v.maturity.level  # type: ignore[union-attr]


def test_sections_from_the_stages(inv: cmmm.Inventory) -> None:
    v = view_of(inv, NOW, graph=True, scenarios=("primary-intermediate-compromise-24h",))
    statuses = [s.status for s in v.ladder]
    assert statuses[: v.summary.level] == ["achieved"] * v.summary.level  # type: ignore[operator]
    assert statuses[v.summary.level] == "blocking"  # type: ignore[index]
    assert v.summary.actions[0].source == "assessment"
    assert v.dependency is not None and v.dependency.top_cas[0].name.startswith("Contoso Issuing CA")
    html = report.render_html(v)
    for text in ("chart-radar", "chart-drill0", "Contoso Issuing CA 1", 'class="tag measured"'):
        assert text in html
    assert "not evaluated in this run" not in html
    doc = report.render_json(v)
    assert doc["drills"][0]["scenario"] == "primary-intermediate-compromise-24h"
    assert doc["drills"][0]["burn_down"], "a replacement drill has a burn-down"
    md = report.render_markdown(v)
    assert f"CMMM level {v.summary.level}" in md and "## Fire drills" in md


def test_empty_inventory_renders() -> None:
    v = view_of(cmmm.Inventory(), NOW)
    assert v.inventory.certificates == 0 and v.findings == ()
    assert v.summary.automated_share is None and v.summary.owner_share is None  # nothing to measure
    assert "<html" in report.render_html(v)
    assert report.render_json(v)["inventory"]["certificates"] == 0
    assert report.render_markdown(v).startswith("# CMMM report")


def test_over_cap_needs_an_issuance_date(tmp_path: Path) -> None:
    (tmp_path / "inv.csv").write_text(
        "Common Name,Issuer,Valid From,Expiration Date,Trust\n"
        "a.example,R11,2026-04-01,2027-04-20,public\n"  # 384 days under the 200-day cap: over
        "b.example,R11,,2027-04-20,public\n"  # no issuance date: not judged
        "c.example,R11,2026-10-01,2026-12-30,public\n",  # 90 days: fine
        encoding="utf-8",
    )
    v = view_of(cmmm.load([tmp_path], now=NOW), NOW)
    assert v.inventory.over_current_cap == 1


def test_report_adapter_maps_the_assessment() -> None:
    from cmmm.report.adapters import maturity_section

    c, o = frames()
    o.loc[rows(10, 40), "owner"] = pd.NA
    a = assess(inventory(c, o), now=NOW)
    m = maturity_section(a)
    assert (
        m.level == 2
        and m.floor == "Ownership & process"
        and set(m.dimensions) == set(a.dimension_titles.values())
    )
    assert len(m.criteria) == len(a.criteria)
    assert m.roadmap[0].criterion_id == "own.owner-coverage" and "10 certificates" in m.roadmap[0].concerned
    simulated = [r for r in m.criteria if r.evidence == "simulated"]
    assert all(r.met is None for r in simulated)  # not evaluated: shown as no evidence
