"""certificate_facts: per-certificate discovery sets and first values, by integer codes."""

from __future__ import annotations

import pandas as pd

from cmmm.model import CERTIFICATE_COLUMNS, OBSERVATION_COLUMNS, Inventory, conform


def _inv(cert_ids: list[str], obs: list[dict[str, object]]) -> Inventory:
    return Inventory(
        certificates=conform(pd.DataFrame({"cert_id": cert_ids}), CERTIFICATE_COLUMNS),
        observations=conform(pd.DataFrame(obs), OBSERVATION_COLUMNS),
    )


def test_discovery_sets_are_sorted_unique_and_na_when_none() -> None:
    inv = _inv(
        ["a", "b", "c"],
        [
            {"cert_id": "a", "discovered_by": "network-scan", "owner": "x"},
            {"cert_id": "a", "discovered_by": "ca-api"},
            {"cert_id": "a", "discovered_by": "network-scan"},
            {"cert_id": "b", "discovered_by": "odd-tool", "owner": "y"},
            {"cert_id": "zz-unknown", "discovered_by": "kubernetes"},
        ],
    )
    f = inv.certificate_facts().set_index("cert_id")
    assert f.loc["a", "discovered_by"] == "ca-api;network-scan"
    assert f.loc["b", "discovered_by"] == "odd-tool"
    assert pd.isna(f.loc["c", "discovered_by"])
    assert f.loc["a", "observations"] == 3 and f.loc["c", "observations"] == 0
    assert f.loc["a", "owner"] == "x" and f.loc["b", "owner"] == "y"


def test_duplicate_certificate_rows_get_the_same_facts() -> None:
    inv = _inv(["a", "a"], [{"cert_id": "a", "discovered_by": "ca-api", "team": "t"}])
    f = inv.certificate_facts()
    assert list(f["discovered_by"]) == ["ca-api", "ca-api"] and list(f["team"]) == ["t", "t"]
