"""certificate_facts: per-certificate discovery sets and first values, by integer codes (and the first-of-each
kernel behind them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmmm.model import CERTIFICATE_COLUMNS, OBSERVATION_COLUMNS, Inventory, conform
from cmmm.model._facts import first_of_each


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


def test_first_of_each_is_numpy_unique_with_first_indices() -> None:
    keys = np.array([5, 3, 5, 1, 3, 3, 9, 1])
    got_keys, got_at = first_of_each(keys)
    want_keys, want_at = np.unique(keys, return_index=True)
    assert got_keys.tolist() == want_keys.tolist() and got_at.tolist() == want_at.tolist()
    empty_keys, empty_at = first_of_each(np.zeros(0, dtype=np.int64))
    assert len(empty_keys) == 0 and len(empty_at) == 0
