"""One analysis, many renderings: a number a reader can compare is the same wherever it appears — tile,
risk card, criterion, roadmap, inventory section, JSON and Markdown — on every sample organization."""

from __future__ import annotations

import re

import pytest

from cmmm import report
from cmmm.report.format import share
from cmmm.report.view import ReportView
from tests.conftest import SAMPLE_ORGS
from tests.report.report_bundle import sample_view


def _tile(v: ReportView, label_start: str) -> float | None:
    return next(t.value for t in v.summary.tiles if t.label.startswith(label_start))


def _criterion(v: ReportView, cid: str) -> tuple[bool | None, str]:
    assert v.maturity is not None
    row = next(c for c in v.maturity.criteria if c.id == cid)
    return row.met, row.detail


def _finding_count(v: ReportView, code: str) -> int:
    return next((f.count for f in v.findings if f.code == code), 0)


@pytest.fixture(scope="module", params=SAMPLE_ORGS)
def view(request: pytest.FixtureRequest) -> ReportView:
    return sample_view(request.param)


def test_expired_but_deployed_is_one_number(view: ReportView) -> None:
    n = view.summary.expired_deployed
    assert _tile(view, "expired yet still deployed") == n
    assert _finding_count(view, "risk.expired-deployed") == n
    _, evidence = _criterion(view, "inv.expired-deployed")
    assert f"{n:,} of {view.summary.certificates:,} certificates expired but still deployed" in evidence
    roadmap = [r for r in view.roadmap if r.criterion_id == "inv.expired-deployed"]
    assert all(r.concerned.startswith(f"{n} certificates") for r in roadmap)


def test_owner_share_is_one_number(view: ReportView) -> None:
    value = view.summary.owner_share
    assert _tile(view, "end-entity certificates have a known owner") == value == view.inventory.owner_share
    _, evidence = _criterion(view, "own.responsible-recorded")
    if value is None:
        assert "nothing to measure" in evidence
        return
    found = re.search(r"([\d,]+) of ([\d,]+) end-entity certificates with an owner or team", evidence)
    assert found is not None, evidence
    owned, leaves = (int(g.replace(",", "")) for g in found.groups())
    assert owned / leaves == pytest.approx(value)
    missing = _finding_count(view, "risk.owner-missing")
    assert leaves - owned == missing


def test_deprecated_crypto_is_one_number(view: ReportView) -> None:
    n = _finding_count(view, "risk.deprecated-crypto")
    _, evidence = _criterion(view, "agi.no-deprecated-crypto")
    # the known-bad count, also where the criterion is unknown for lack of verified key data
    body = evidence.split("; ", 1)[1] if evidence.startswith("no evidence:") else evidence
    assert body.startswith(f"{n:,} unexpired certificates with "), evidence
    _, limited = _criterion(view, "agi.deprecated-limited")
    body = limited.split("; ", 1)[1] if limited.startswith("no evidence:") else limited
    assert body.startswith(f"{n:,} of ") or (n == 0 and "no unexpired" in body), limited


def test_quantum_vulnerable_share_is_one_number(view: ReportView) -> None:
    value = view.summary.quantum_vulnerable_share
    assert _tile(view, "unexpired certificates use quantum-vulnerable keys") == value
    assert view.pqc.vulnerable_share == value
    assert view.pqc.unknown_share == view.summary.key_unknown_share
    assert sum(r.vulnerable for r in view.pqc.by_criticality) == view.pqc.vulnerable


def test_automated_share_is_one_number(view: ReportView) -> None:
    value = view.summary.automated_share
    assert view.inventory.automated_share == value
    assert _tile(view, "unexpired end-entity certificates renew automatically") == value


def test_json_and_markdown_carry_the_same_numbers(view: ReportView) -> None:
    doc = report.render_json(view)
    s = doc["summary"]
    assert s["expired_deployed"] == view.summary.expired_deployed
    for key in ("owner_share", "automated_share", "quantum_vulnerable_share"):
        expected = getattr(view.summary, key)
        assert s[key] == (round(expected, 6) if expected is not None else None), key
    assert [f["count"] for f in doc["findings"]] == [f.count for f in view.findings]
    md = report.render_markdown(view)
    tiles = md.split("## Executive summary")[1].split("###")[0]
    assert share(view.summary.owner_share) in tiles
    for f in view.summary.risks:
        assert f"`{f.code}`" in md
