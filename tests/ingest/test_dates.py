"""Dates in inventories: every common form, the day-first/month-first rule for slashes, time-zone
abbreviations converted or refused, a bad not_after rejects its row while a bad optional date is ignored
with a note, and validity the wrong way round."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import cmmm
from cmmm.ingest._dates import ZONE_OFFSETS, parse_dates
from cmmm.model import Inventory
from tests.conftest import NOW, write

HEADER = "common_name,not_before,not_after,criticality,environment,automation,trust,last_seen\n"


def _csv(tmp_path: Path, rows: list[str], header: str = HEADER) -> Inventory:
    write(tmp_path / "inv.csv", header + "".join(r + "\n" for r in rows))
    return cmmm.load([tmp_path / "inv.csv"], now=NOW)


def _notes(inv: Inventory, needle: str) -> list[str]:
    return [n for n in inv.notes if needle in n]


def test_every_common_date_form() -> None:
    values = pd.Series(
        [
            "2027-01-05T12:00:00Z",
            "2027-01-05 12:00:00+02:00",
            "1799150400",
            "1799150400000",
            "Jan  5 12:00:00 2027 GMT",
            "January 5, 2027",
            "5.1.2027",
        ]
    )
    parsed, _ = parse_dates(values)
    assert parsed.notna().all()
    assert parsed.iloc[0].isoformat() == "2027-01-05T12:00:00+00:00"
    assert parsed.iloc[1].isoformat() == "2027-01-05T10:00:00+00:00"
    assert parsed.iloc[2] == parsed.iloc[3]
    assert parsed.iloc[4].isoformat() == "2027-01-05T12:00:00+00:00"
    assert {d.date().isoformat() for d in parsed.iloc[5:]} == {"2027-01-05"}


@pytest.mark.parametrize(
    ("values", "expected_month", "note"),
    [
        (["05/01/2027", "13/02/2027"], 1, "day-first"),
        (["01/05/2027", "02/13/2027"], 1, "month-first"),
        (["05/01/2027", "06/02/2027"], 1, "default"),
    ],
)
def test_slash_date_ambiguity_rule(values: list[str], expected_month: int, note: str) -> None:
    parsed, got_note = parse_dates(pd.Series(values))
    assert parsed.iloc[0].month == expected_month
    assert got_note is not None and note.split("-", maxsplit=1)[0] in got_note


def test_repeated_dates_parse_like_distinct_ones() -> None:
    days = ["2027-01-05T00:00:00Z", "05/01/2027", "Jan  5 12:00:00 2027 GMT", "garbage", ""]
    many = pd.Series(days * 50, dtype="string")  # few distinct values: parsed once each
    few = pd.Series(days, dtype="string")
    parsed_many, note_many = parse_dates(many)
    parsed_few, note_few = parse_dates(few)
    assert note_many == note_few
    assert list(parsed_many[:5]) == list(parsed_few)
    assert parsed_many.dtype == parsed_few.dtype and parsed_many.index.equals(many.index)
    assert parsed_many.isna().sum() == 100


@pytest.mark.filterwarnings("error")
def test_zone_abbreviations_are_converted_or_refused(recwarn: pytest.WarningsRecorder) -> None:
    values = pd.Series(
        [
            "Jan 5 12:00:00 2027 PST",
            "Jan 5 12:00:00 2027 EDT",
            "Jan 5 12:00:00 2027 CEST",
            "Jan 5 12:00:00 2027 BST",
            "Jan  5 12:00:00 2027 GMT",
            "Jan 5 12:00:00 2027 UT",
            "Jan 5 12:00:00 2027 Z",
            "Jan 5 12:00:00 2027 IST",
            "Jan 5 12:00:00 2027 XYZ",
            "Jan 5 12:00:00 2027 -0800",
            "Jan 5 12:00:00 2027",
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, _ = parse_dates(values)
    noon = datetime(2027, 1, 5, 12, tzinfo=UTC)
    hours = [8, 4, -2, -1, 0, 0, 0]
    assert list(got[:7]) == [pd.Timestamp(noon + timedelta(hours=h)) for h in hours]
    assert got[7:9].isna().all()
    assert got[9] == pd.Timestamp(noon + timedelta(hours=8)) and got[10] == pd.Timestamp(noon)
    assert not recwarn.list
    assert ZONE_OFFSETS["PST"] == -8 and "IST" not in ZONE_OFFSETS


@pytest.mark.filterwarnings("error")
def test_unknown_zone_rejects_not_after_and_ignores_not_before(tmp_path: Path) -> None:
    inv = _csv(
        tmp_path,
        [
            "a.test,Jan 5 12:00:00 2026 IST,Jan 5 12:00:00 2027 PST,,,,,",
            "b.test,,Jan 5 12:00:00 2027 IST,,,,,",
        ],
    )
    (row,) = inv.certificates.itertuples()
    assert row.not_after == pd.Timestamp("2027-01-05 20:00", tz="UTC") and pd.isna(row.not_before)
    assert [r.reason for r in inv.rejected] == ["not_after is not a date: 'Jan 5 12:00:00 2027 IST'"]
    assert _notes(inv, "not_before is not a date: 'Jan 5 12:00:00 2026 IST' (cell ignored)")


def test_bad_optional_dates_keep_the_row_and_are_noted(tmp_path: Path) -> None:
    inv = _csv(
        tmp_path,
        [
            "a.test,2026-01-01,2027-01-01,,,,,2026-11-01",
            "b.test,garbage,2027-01-01,,,,,yesterday-ish",
            "c.test,N/A,2027-01-01,,,,,",
            "d.test,2026-01-01,not a date,,,,,",
        ],
    )
    certs = inv.certificates.set_index("common_name")
    assert sorted(certs.index) == ["a.test", "b.test", "c.test"]
    assert pd.isna(certs.at["b.test", "not_before"]) and pd.isna(certs.at["c.test", "not_before"])
    assert certs.at["a.test", "not_before"] == pd.Timestamp("2026-01-01", tz="UTC")
    assert [r.reason for r in inv.rejected] == ["not_after is not a date: 'not a date'"]
    assert _notes(inv, "not_before is not a date") == [
        f"{tmp_path / 'inv.csv'}: line 3: not_before is not a date: 'garbage' (cell ignored)"
    ]
    assert _notes(inv, "last_seen is not a date") == [
        f"{tmp_path / 'inv.csv'}: line 3: last_seen is not a date: 'yesterday-ish' (cell ignored)"
    ]
    seen = inv.observations.set_index("source_ref")["last_seen"]
    assert pd.isna(seen["line 3"]) and seen["line 2"] == pd.Timestamp("2026-11-01", tz="UTC")


def test_ignored_date_cells_are_listed_twenty_times_then_counted(tmp_path: Path) -> None:
    inv = _csv(tmp_path, [f"h{i}.test,bad{i},2027-01-01,,,,," for i in range(26)])
    assert len(inv) == 26 and not inv.rejected
    listed = _notes(inv, "not_before is not a date")
    assert len(listed) == 20 and listed[0].endswith("line 2: not_before is not a date: 'bad0' (cell ignored)")
    assert _notes(inv, "more cell(s)") == [
        f"{tmp_path / 'inv.csv'}: not_before: 6 more cell(s) not a date ignored"
    ]


def test_inverted_spreadsheet_row_is_rejected(tmp_path: Path) -> None:
    inv = _csv(tmp_path, ["a.test,2027-02-01,2027-01-01,,,,,", "b.test,2026-02-01,2027-01-01,,,,,"])
    assert list(inv.certificates["common_name"]) == ["b.test"]
    assert (inv.certificates["validity_days"] > 0).all()
    (rej,) = inv.rejected
    assert rej.locator == "line 2"
    assert rej.reason == (
        "not_before (2027-02-01T00:00:00+00:00) is after not_after (2027-01-01T00:00:00+00:00)"
    )
