"""Service lookups of the graph (cmmm.graph.services)."""

from __future__ import annotations

import pandas as pd

from cmmm.graph.services import _positions


def test_positions_match_get_indexer_and_tolerate_repeated_ids() -> None:
    table = pd.Series(["a", "b", "c"], dtype="string")
    keys = pd.Series(["c", "x", "a", None, "a"], dtype="string")
    assert _positions(table, keys).tolist() == [2, -1, 0, -1, 0]
    repeated = pd.Series(["a", "b", "a"], dtype="string")
    assert _positions(repeated, keys).tolist() == [-1, -1, 0, -1, 0]  # first row of a repeated id
