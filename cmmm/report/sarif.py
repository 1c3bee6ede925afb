"""Findings as SARIF 2.1.0 (`--format sarif` on `ingest` and `assess`), for code-scanning dashboards.

One rule per check of `cmmm checks` (policy checks, maturity criteria, risk findings) with its catalog text;
one result per policy finding (a certificate, located at the inventory file and line that named it, or the
endpoint that served it), per criterion not met and per risk raised. Partial fingerprints make a finding
the same finding from one run to the next, so a dashboard tracks it instead of re-opening it.
Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from cmmm._version import VERSION
from cmmm.maturity import Assessment, CriterionResult, Status
from cmmm.maturity.catalog import Catalog, load_catalog
from cmmm.maturity.risks import RiskFinding, RiskSeverity, load_risks
from cmmm.model import Inventory
from cmmm.policy import CATALOG as POLICY_CATALOG
from cmmm.policy import PolicyResult, Severity

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DOCS = "docs/maturity.md"  # where the checks are explained (the repository's page; the rule id is its anchor)

POLICY_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
RISK_LEVEL = {
    RiskSeverity.CRITICAL: "error",
    RiskSeverity.HIGH: "error",
    RiskSeverity.MEDIUM: "warning",
    RiskSeverity.LOW: "note",
}
_LINE = re.compile(r"(?:line|row)\s+(\d+)", re.IGNORECASE)


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _uri(source: str) -> str:
    """A relative path stays relative (SARIF viewers resolve it against the checkout); an absolute one
    becomes a file: URI."""
    p = Path(source)
    return p.as_uri() if p.is_absolute() else p.as_posix()


def _physical(source: str, ref: str | None) -> dict[str, Any]:
    loc: dict[str, Any] = {"artifactLocation": {"uri": _uri(source)}}
    m = _LINE.search(ref or "")
    if m and int(m.group(1)) >= 1:
        loc["region"] = {"startLine": int(m.group(1))}
    return loc


def _locations(inv: Inventory) -> dict[str, dict[str, Any]]:
    """Each certificate's first sighting as a SARIF location: the file (and line) that named it, with the
    endpoint (host:port) as a logical location when a scanner saw it there."""
    obs = inv.observations
    if not len(obs):
        return {}
    first = obs.drop_duplicates("cert_id")
    out: dict[str, dict[str, Any]] = {}
    for cert_id, source, ref, host, port in zip(
        first["cert_id"], first["source"], first["source_ref"], first["host"], first["port"], strict=True
    ):
        loc: dict[str, Any] = {}
        if isinstance(source, str) and source and not source.startswith(("http://", "https://")):
            loc["physicalLocation"] = _physical(source, ref if isinstance(ref, str) else None)
        if isinstance(host, str) and host and pd.notna(port):
            loc["logicalLocations"] = [{"name": f"{host}:{int(port)}", "kind": "resource"}]
        if loc:
            out[str(cert_id)] = loc
    return out


def _bundle_location(inv: Inventory) -> list[dict[str, Any]]:
    """Where a finding about the whole inventory points: the first file read."""
    return [{"physicalLocation": _physical(inv.sources[0].path, None)}] if inv.sources else []


def _policy_rules() -> list[dict[str, Any]]:
    return [
        {
            "id": p.code.value,
            "name": p.code.name.title().replace("_", ""),
            "shortDescription": {"text": p.title},
            "fullDescription": {"text": f"{p.title}. Applies to {p.applies_to}."},
            "help": {"text": f"{p.title} (policy.yaml; applies to {p.applies_to}). See `cmmm checks`."},
            "helpUri": f"{DOCS}#policy-checks",
            "defaultConfiguration": {"level": POLICY_LEVEL[p.severity]},
            "properties": {"tags": ["policy"]},
        }
        for p in POLICY_CATALOG.values()
    ]


def _criterion_rules(catalog: Catalog) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "shortDescription": {"text": c.title},
            "fullDescription": {"text": f"{c.title}: {c.measures} (threshold {c.threshold_text})."},
            "help": {"text": f"Level {c.level}, {c.dimension.value}. {c.action}"},
            "helpUri": f"{DOCS}#criteria",
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["maturity", f"level-{c.level}", c.evidence.value]},
        }
        for c in catalog.criteria
    ]


def _risk_rules() -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "shortDescription": {"text": r.measures},
            "fullDescription": {"text": r.rationale},
            "help": {"text": r.action},
            "helpUri": f"{DOCS}#risk-findings",
            "defaultConfiguration": {"level": RISK_LEVEL[r.severity]},
            "properties": {"tags": ["risk"]},
        }
        for r in load_risks()
    ]


def _policy_results(policy: PolicyResult, where: dict[str, dict[str, Any]]) -> Iterable[dict[str, Any]]:
    f = policy.findings
    for cert_id, code, severity, message in zip(
        f["cert_id"], f["code"], f["severity"], f["message"], strict=True
    ):
        loc = where.get(str(cert_id))
        yield {
            "ruleId": str(code),
            "level": POLICY_LEVEL[Severity(str(severity))],
            "message": {"text": f"{message} ({cert_id})" if isinstance(message, str) else str(cert_id)},
            "locations": [loc] if loc else [],
            "partialFingerprints": {"cmmmFinding/v1": _fingerprint(str(code), str(cert_id))},
            "properties": {"certificate": str(cert_id)},
        }


# A criterion not met is a result: blocking the next level makes it an error; undecided ones are notes.
_UNDECIDED = frozenset({Status.UNKNOWN, Status.NO_EVIDENCE, Status.NOT_EVALUATED})


def _criterion_results(
    a: Assessment, where: dict[str, dict[str, Any]], bundle: list[dict[str, Any]]
) -> Iterable[dict[str, Any]]:
    blockers = set(a.blockers)
    for r in a.criteria:
        if r.status.met:
            continue
        c = r.criterion
        level = "note" if r.status in _UNDECIDED else "error" if c.id in blockers else "warning"
        yield {
            "ruleId": c.id,
            "level": level,
            "message": {"text": _criterion_message(r)},
            "locations": _first_failing(r, where) or bundle,
            "partialFingerprints": {"cmmmFinding/v1": _fingerprint(c.id, a.organization)},
            "properties": {"status": r.status.value, "level": c.level, "failing": r.failing_count},
        }


def _criterion_message(r: CriterionResult) -> str:
    text = f"{r.criterion.title}: {r.status.value}"
    if r.evidence:
        text += f" — {r.evidence}"
    return text


def _first_failing(r: CriterionResult, where: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    if not len(r.failing) or "cert_id" not in r.failing:
        return []
    loc = where.get(str(r.failing["cert_id"].iloc[0]))
    return [loc] if loc else []


def _risk_results(
    a: Assessment, risks: Iterable[RiskFinding], bundle: list[dict[str, Any]]
) -> Iterable[dict[str, Any]]:
    for f in risks:
        examples = f"; e.g. {', '.join(f.examples)}" if f.examples else ""
        yield {
            "ruleId": f.code,
            "level": RISK_LEVEL[f.severity],
            "message": {"text": f"{f.title}: {f.detail}{examples}. {f.action}"},
            "locations": bundle,
            "partialFingerprints": {"cmmmFinding/v1": _fingerprint(f.code, a.organization)},
            "properties": {"count": f.count, "severity": f.severity.value},
        }


def sarif_document(
    inv: Inventory, assessment: Assessment | None = None, *, policy: PolicyResult | None = None
) -> dict[str, Any]:
    """SARIF 2.1.0 log of the inventory's findings: the policy findings, and with an assessment its criteria
    not met and its risk findings. `policy` defaults to the assessment's policy result."""
    if policy is None:
        if assessment is None:
            raise ValueError("sarif_document needs a policy result or an assessment")
        policy = assessment.policy
    where = _locations(inv)
    bundle = _bundle_location(inv)
    rules = _policy_rules()
    results = list(_policy_results(policy, where))
    if assessment is not None:
        rules += _criterion_rules(load_catalog()) + _risk_rules()
        results += _criterion_results(assessment, where, bundle)
        results += _risk_results(assessment, assessment.risks, bundle)
    index = {r["id"]: i for i, r in enumerate(rules)}
    for res in results:
        res["ruleIndex"] = index[res["ruleId"]]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cmmm",
                        "version": VERSION,
                        "semanticVersion": VERSION,
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
