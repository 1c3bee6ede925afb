"""cmmm.model's vectorized `isin` and `remap` give exactly pandas' `isin` and `map`, on every dtype a
certificate column has, with missing values, absent keys and empty columns."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from cmmm.model import isin, remap, sorted_positions

COLUMNS = {
    "arrow text": pd.Series(["a", None, "b", "c", "a", "é", ""], dtype="string[pyarrow]"),
    "str": pd.Series(["a", None, "b", "c", "a", "é", ""], dtype="str"),
    "object": pd.Series(["a", None, "b", np.nan, "a", 3, ""], dtype=object),
    "int": pd.Series([1, 2, 3, 1, 5], dtype="int64"),
    "nullable int": pd.Series([1, None, 3, 1, 5], dtype="Int64"),
    "float": pd.Series([1.0, np.nan, 3.0, 1.0], dtype="float64"),
    "bool": pd.Series([True, False, None], dtype="boolean"),
    "empty text": pd.Series([], dtype="string[pyarrow]"),
    "all missing": pd.Series([None, None], dtype="string[pyarrow]"),
}
MAPPINGS = {
    "text → int": {"a": 1, "b": 2, "é": 9},
    "text → text": {"a": "x", "c": "z", "": "blank"},
    "text → float": {"a": 0.5, "b": np.nan},
    "int → text": {1: "one", 3: "three"},
    "empty": {},
    "series": pd.Series([10, 20], index=["a", "b"]),
    "series of text": pd.Series(["p", None], index=["b", "c"], dtype="string"),
    "bool → int": {True: 1, False: 0},
    "criticality ranks": {"a": 1, "b": 2, "c": 3, "é": 4, "": 0},  # every value known: int, NaN if missing
    "missing key": {None: "none", "a": "A"},
    "int → int": {1: 10, 2: 20, 3: 30, 5: 50},
}


@pytest.mark.parametrize(("col", "mapping"), list(itertools.product(COLUMNS, MAPPINGS)))
def test_remap_is_pandas_map(col: str, mapping: str) -> None:
    column = COLUMNS[col].set_axis(range(100, 100 + len(COLUMNS[col])))
    want = column.map(MAPPINGS[mapping])
    got = remap(column, MAPPINGS[mapping])
    pd.testing.assert_series_equal(got, want, check_exact=True)


@pytest.mark.parametrize(
    ("col", "values"), list(itertools.product(COLUMNS, ["ab", "none", "mixed", "empty"]))
)
def test_isin_is_pandas_isin(col: str, values: str) -> None:
    column = COLUMNS[col]
    chosen = {"ab": ["a", "b"], "none": [None], "mixed": ["a", 1, None], "empty": []}[values]
    assert np.array_equal(isin(column, chosen), column.isin(chosen).to_numpy(dtype=bool))
    assert np.array_equal(
        isin(column, pd.Series(chosen, dtype=object)), column.isin(chosen).to_numpy(dtype=bool)
    )


SORTABLE = {
    "text": pd.Series(["b", None, "a", "é", "e\u0301", "", "ﬀ", "B"], dtype="string"),
    "object text": pd.Series(["b", None, "a", "é", "", "B", "a", "b"], dtype=object),
    "object numbers": pd.Series([2, 10, 1, None, 3, 2, 7, 1], dtype=object),
    "float": pd.Series([1.0, np.nan, -0.0, 0.0, np.inf, -np.inf, 1.0, 2.0]),
    "Int64": pd.Series([3, None, 1, 1, 2, None, 0, 3], dtype="Int64"),
    "dates": pd.Series(
        pd.to_datetime(
            ["2026-01-02", None, "2025-01-01", "2026-01-02", None, "2024-05-05", "2030-01-01", "2025-01-01"],
            utc=True,
        )
    ),
    "category": pd.Series(["x", "y", None, "x", "z", "y", "x", "z"], dtype="category"),
}


@pytest.mark.parametrize(
    "cols", [[a, b] for a in SORTABLE for b in SORTABLE if a != b] + [[a] for a in SORTABLE]
)
def test_sorted_positions_is_a_stable_sort_values(cols: list[str]) -> None:
    frame = pd.DataFrame(
        {c: SORTABLE[c].to_numpy() if SORTABLE[c].dtype == object else SORTABLE[c] for c in cols}
    )
    frame = frame.set_axis(range(50, 50 + len(frame)))
    want = frame.reset_index(drop=True).sort_values(cols, kind="stable").index.to_numpy()
    assert np.array_equal(sorted_positions(frame, cols), want)
