"""Algorithm facts (cmmm.crypto) applied to inventory columns."""

from __future__ import annotations

import pandas as pd

from cmmm.crypto import quantum_vulnerable


def _plain(values: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in values]


def test_quantum_vulnerable_per_value() -> None:
    algs = pd.Series(["RSA", "EC", "ML-DSA-65", None, "mystery"] * 3, dtype="string")
    assert _plain(quantum_vulnerable(algs))[:5] == [True, True, False, None, None]
