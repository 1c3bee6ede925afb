"""Closed vocabularies (criticality, environment, automation, trust, discovered_by): unknown values are left
empty with one note per column; every canonical value, and every value the samples use, stays known."""

from __future__ import annotations

from pathlib import Path

import cmmm
from cmmm.model import Inventory
from tests.conftest import NOW, sample, write

HEADER = "common_name,not_before,not_after,criticality,environment,automation,trust,last_seen\n"


def _csv(tmp_path: Path, rows: list[str], header: str = HEADER) -> Inventory:
    write(tmp_path / "inv.csv", header + "".join(r + "\n" for r in rows))
    return cmmm.load([tmp_path / "inv.csv"], now=NOW)


def _notes(inv: Inventory, needle: str) -> list[str]:
    return [n for n in inv.notes if needle in n]


def test_unknown_vocabulary_values_become_empty_with_one_note_per_column(tmp_path: Path) -> None:
    inv = _csv(
        tmp_path,
        [
            "a.test,,2027-01-01,ultra,Production,certbot,public,",
            "b.test,,2027-01-01,ultra,perf,Cert-Manager,internal,",
            "c.test,,2027-01-01,ULTRA ,qa,\x1b[31mevil,External,",
            "d.test,,2027-01-01,Tier1,n/a,manual,private,",
            "e.test,,2027-01-01,,-,none,,",
        ],
    )
    assert len(inv) == 5 and not inv.rejected
    obs = inv.observations.set_index("source_ref")
    crit = obs["criticality"]
    assert crit.isna().sum() == 4 and crit["line 5"] == "high"
    assert list(obs["environment"].fillna("∅")) == ["prod", "∅", "test", "∅", "∅"]
    assert list(obs["automation"].fillna("∅")) == ["acme", "cert-manager", "∅", "manual", "none"]
    trust = inv.certificates.set_index("common_name")["trust"]
    assert trust["b.test"] == "private" and trust["c.test"] == "public" and trust["d.test"] == "private"

    (crit_note,) = _notes(inv, "criticality:")
    assert crit_note.endswith(
        "criticality: 3 value(s) not in the vocabulary ('ultra', 'ULTRA') left empty; "
        "known: critical, high, medium, low"
    )
    (env_note,) = _notes(inv, "environment:")
    assert "1 value(s) not in the vocabulary ('perf') left empty" in env_note  # 'n/a' and '-' are blanks
    (auto_note,) = _notes(inv, "automation:")
    assert "'\\x1b[31mevil'" in auto_note and "\x1b" not in auto_note
    assert "known: acme, cert-manager, cloud-managed, est, scep, vault, manual, none" in auto_note
    assert not _notes(inv, "trust:") and not _notes(inv, "discovered_by:")


def test_vocabulary_note_shows_at_most_five_shortened_values(tmp_path: Path) -> None:
    rows = [f"h{i}.test,,2027-01-01,,,,,,{'x' * 60}{i}" for i in range(8)]
    inv = _csv(tmp_path, rows, header=HEADER.rstrip("\n") + ",discovered_by\n")
    (note,) = _notes(inv, "discovered_by:")
    assert "8 value(s) not in the vocabulary" in note and "and 3 more) left empty" in note
    assert note.count("…") == 5 and "x" * 60 not in note
    assert set(inv.observations["discovered_by"]) == {"manual"}  # the documented default for sheets


def test_every_canonical_value_and_the_samples_stay_known() -> None:
    from cmmm.ingest import _columns
    from cmmm.model import Automation, Criticality, Discovery, Environment, Trust

    for enum, table in (
        (Automation, _columns.AUTOMATION_VALUES),
        (Criticality, _columns.CRITICALITY_VALUES),
        (Environment, _columns.ENVIRONMENT_VALUES),
        (Discovery, _columns.DISCOVERY_VALUES),
        (Trust, _columns.TRUST_VALUES),
    ):
        assert {table.get(_columns.squash(v.value)) for v in enum} == {v.value for v in enum}
    inv = sample("level1-chaos")
    assert not [n for n in inv.notes if "vocabulary" in n]
