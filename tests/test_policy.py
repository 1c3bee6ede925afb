"""Policy checks: each code fires on a certificate built to violate it, the dated CA/B caps, the catalog,
policy.yaml types checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from cmmm.errors import InputError
from cmmm.policy import BASELINE_POLICY, CATALOG, CHECKS, PolicyCode, Severity, check, parse_policy
from tests.conftest import NOW
from tests.maturity_org import POLICY, frames, inventory


def _codes(c: pd.DataFrame, o: pd.DataFrame, policy: dict[str, Any] | None = None) -> dict[str, set[str]]:
    res = check(inventory(c, o, policy=policy), policy if policy is not None else POLICY, now=NOW)
    return {code: set(g["cert_id"]) for code, g in res.findings.groupby("code")}


def test_compliant_organization_has_no_findings() -> None:
    c, o = frames()
    res = check(inventory(c, o), POLICY, now=NOW)
    assert res.findings.empty and res.compliance == 1.0 and res.checked == 100


@pytest.mark.parametrize(
    ("code", "cols", "values", "obs"),
    [
        (PolicyCode.KEY_ALGORITHM_NOT_ALLOWED, ["key_algorithm", "key_size"], ["DSA", 2048], {}),
        (
            PolicyCode.KEY_SIZE_BELOW_MINIMUM,
            ["key_algorithm", "key_size", "key_curve"],
            ["RSA", 1024, pd.NA],
            {},
        ),
        (PolicyCode.CURVE_NOT_ALLOWED, ["key_size", "key_curve"], [521, "secp521r1"], {}),
        (PolicyCode.KEY_ALGORITHM_UNKNOWN, ["key_algorithm"], [pd.NA], {}),
        (PolicyCode.SIGNATURE_HASH_FORBIDDEN, ["signature_hash"], ["sha1"], {}),
        (PolicyCode.ISSUER_NOT_APPROVED, ["issuer_name", "issuer_org"], ["Rogue CA", "Rogue"], {}),
        (PolicyCode.ISSUER_UNKNOWN, ["issuer_name", "issuer_org"], [pd.NA, pd.NA], {}),
        (PolicyCode.VALIDITY_EXCEEDS_MAXIMUM, ["not_after"], [pd.Timestamp(NOW + timedelta(days=400))], {}),
        (PolicyCode.WILDCARD_NOT_ALLOWED, ["common_name"], ["*.example.test"], {}),
        (PolicyCode.OWNER_MISSING, [], [], {"owner": pd.NA, "team": pd.NA}),
    ],
)
def test_each_check_fires(code: PolicyCode, cols: list[str], values: list[Any], obs: dict[str, Any]) -> None:
    c, o = frames()
    row = 40  # a private end-entity certificate
    if cols:
        c.loc[row, cols] = values
    for k, v in obs.items():
        o.loc[row, k] = v
    found = _codes(c, o)
    assert found.get(code.value) == {f"c{row:03d}"}, found


def test_cabf_cap_applies_by_issuance_date() -> None:
    c, o = frames()
    # 300 days issued before 2026-03-15 (cap 398): fine; 300 days issued after (cap 200): a finding
    c.loc[0, ["not_before", "not_after"]] = [
        pd.Timestamp(datetime(2026, 3, 1, tzinfo=UTC)),
        pd.Timestamp(datetime(2026, 12, 26, tzinfo=UTC)),
    ]
    c.loc[1, ["not_before", "not_after"]] = [
        pd.Timestamp(datetime(2026, 3, 16, tzinfo=UTC)),
        pd.Timestamp(datetime(2027, 1, 10, tzinfo=UTC)),
    ]
    # exactly 200 days (notAfter = notBefore + 200 d − 1 s) after 2026-03-15: allowed; one second more: not
    start = pd.Timestamp(datetime(2026, 6, 1, tzinfo=UTC))
    c.loc[2, ["not_before", "not_after"]] = [start, start + pd.Timedelta(days=200) - pd.Timedelta(seconds=1)]
    c.loc[3, ["not_before", "not_after"]] = [start, start + pd.Timedelta(days=200)]
    c.loc[[2, 3], "has_body"] = True  # the exact BR count applies to parsed certificates
    # a spreadsheet row with date-only 200 days is read as 200 days; 201 is over
    c.loc[4, ["not_before", "not_after"]] = [start, start + pd.Timedelta(days=200)]
    c.loc[5, ["not_before", "not_after"]] = [start, start + pd.Timedelta(days=201)]
    c.loc[[4, 5], "has_body"] = False
    found = _codes(c, o)
    assert found[PolicyCode.VALIDITY_EXCEEDS_CABF_CAP.value] == {"c001", "c003", "c005"}


def test_numeric_maximum_reads_not_after_minus_not_before() -> None:
    c, o = frames()
    start = pd.Timestamp(NOW - timedelta(days=10))
    c.loc[[0, 1], "not_before"] = start
    c.loc[0, "not_after"] = start + pd.Timedelta(days=90)  # exactly 90 days: within a 90-day maximum
    c.loc[1, "not_after"] = start + pd.Timedelta(days=90, seconds=1)
    c.loc[[0, 1], "has_body"] = True
    policy = {**POLICY, "max_validity_days": {"public": 90, "private": 397}}
    assert _codes(c, o, policy)[PolicyCode.VALIDITY_EXCEEDS_MAXIMUM.value] == {"c001"}


def test_wildcard_allowed_in_listed_environment() -> None:
    c, o = frames()
    c.loc[40, "common_name"] = "*.dev.example.test"
    o.loc[40, "environment"] = "dev"
    assert PolicyCode.WILDCARD_NOT_ALLOWED.value not in _codes(c, o)


def test_baseline_policy_when_none_given() -> None:
    c, o = frames()
    c.loc[5, "signature_hash"] = "sha1"
    res = check(inventory(c, o, policy={}), None, now=NOW)
    assert res.source == "built-in" and res.policy_name == BASELINE_POLICY["name"]
    assert set(res.findings["code"]) == {PolicyCode.SIGNATURE_HASH_FORBIDDEN.value}
    assert res.compliant == 99


def test_bad_policy_is_an_input_error() -> None:
    with pytest.raises(InputError, match="max_validity_days"):
        parse_policy({"max_validity_days": "long"})
    with pytest.raises(InputError, match="min_size"):
        parse_policy({"allowed_key_algorithms": {"RSA": {"min_size": "big"}}})


def test_catalog_and_checks_match() -> None:
    assert set(CHECKS) == set(CATALOG) == set(PolicyCode)
    for code, fn in CHECKS.items():
        assert fn.__doc__, code
        assert CATALOG[code].severity in Severity


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"forbidden_signature_hashes": 5}, "forbidden_signature_hashes must be a list"),
        ({"require_owner": "no"}, "require_owner must be true or false"),
        ({"max_validity_days": {"public": -5}}, "max_validity_days.public"),
        ({"allowed_key_algorithms": {"RSA": 5}}, "allowed_key_algorithms.RSA must be a mapping"),
    ],
)
def test_policy_types_are_checked(doc: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_policy(doc)


def test_a_bare_string_is_one_name_not_its_letters() -> None:
    spec = parse_policy({"forbidden_signature_hashes": "sha1", "approved_issuers": "DigiCert"})
    assert spec.forbidden_signature_hashes == ("sha1",) and spec.approved_issuers == ("digicert",)
