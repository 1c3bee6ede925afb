"""The store from the command line: `ingest --store`, every analysis command with `--store` (or a store as
its path) giving what the raw sources give, `history`, `diff` with `--fail-on`, and one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cmmm.cli import app
from tests.conftest import Chain
from tests.store.conftest import build_bundle

runner = CliRunner()
AS_OF = ["--as-of", "2026-11-28"]


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory, chain: Chain) -> tuple[Path, Path]:
    """A bundle and a store of two snapshots of it (read-only for the tests: copy it to change it)."""
    folder = tmp_path_factory.mktemp("store")
    bundle = build_bundle(folder / "org", chain)
    path = folder / "inv.duckdb"
    code, _, err = run("ingest", str(bundle), "--store", str(path), "--as-of", "2026-09-01")
    assert code == 0, err
    assert f"stored snapshot 1 (9 certificates) in {path}" in err
    code, _, err = run("ingest", str(bundle), "--store", str(path), *AS_OF)
    assert code == 0 and "stored snapshot 2" in err, err
    return path, bundle


@pytest.fixture
def store(stored: tuple[Path, Path]) -> Path:
    return stored[0]


@pytest.fixture
def bundle(stored: tuple[Path, Path]) -> Path:
    return stored[1]


def test_assess_from_the_store_equals_assess_from_the_files(store: Path, bundle: Path) -> None:
    args = ["assess", "--format", "json", *AS_OF]
    code, from_files, _ = run(*args, str(bundle))
    assert code == 0
    for source in (["--store", str(store)], [str(store)]):
        code, from_store, err = run(*args, *source)
        assert code == 0, err
        assert json.loads(from_store) == json.loads(from_files)


def test_drill_graph_and_report_read_the_store(store: Path, bundle: Path, tmp_path: Path) -> None:
    drill = ["drill", "--scenario", "validity-100-day-2027", "--format", "json", "--runs", "20", *AS_OF]
    assert json.loads(run(*drill, "--store", str(store))[1]) == json.loads(run(*drill, str(bundle))[1])
    graph = ["graph", "--format", "json"]
    assert json.loads(run(*graph, "--store", str(store))[1]) == json.loads(run(*graph, str(bundle))[1])
    out = tmp_path / "r.json"
    code, _, err = run(
        "report", "--store", str(store), "--snapshot", "1", "--format", "json", "-o", str(out), *AS_OF
    )
    assert code == 0, err
    assert json.loads(out.read_text())["inventory"]["certificates"] == 9


def test_history_lists_the_snapshots_with_their_assessment(store: Path) -> None:
    code, out, _ = run("history", "--store", str(store), "--format", "json")
    assert code == 0
    snaps = json.loads(out)["snapshots"]
    assert [s["id"] for s in snaps] == [1, 2]
    assert [s["taken_at"][:10] for s in snaps] == ["2026-09-01", "2026-11-28"]
    assert all(isinstance(s["level"], int) and s["score"] >= 1 for s in snaps)
    assert all(s["criteria"] and "automated_share" in s["metrics"] for s in snaps)
    code, text, _ = run("history", "--store", str(store))
    assert code == 0 and "2026-09-01" in text and "2026-11-28" in text
    code, md, _ = run("history", "--store", str(store), "--format", "markdown")
    assert md.startswith("# Snapshots") and md.count("\n| ") >= 3


def test_diff_of_the_two_snapshots(store: Path) -> None:
    code, out, _ = run("diff", "--store", str(store), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["a"]["id"], doc["b"]["id"]) == (1, 2)
    assert doc["counts"]["added"] == 0 and doc["counts"]["removed"] == 0
    # legacy.example.test expires on 2026-12-10: not between the snapshots; nothing else changed
    assert doc["counts"]["expired"] == 0
    code, text, _ = run("diff", "--store", str(store), "1", "2")
    assert code == 0 and text.startswith("snapshot 1 (2026-09-01) → 2 (2026-11-28)")
    code, md, _ = run("diff", "--store", str(store), "--format", "markdown")
    assert code == 0 and md.startswith("# snapshot 1")


def test_diff_fail_on_a_regression_exits_1(stored: tuple[Path, Path], tmp_path: Path) -> None:
    store, bundle = tmp_path / "copy.duckdb", stored[1]
    shutil.copyfile(stored[0], store)
    # a third snapshot months later: certificates have expired in the meantime
    code, _, err = run("ingest", str(bundle), "--store", str(store), "--as-of", "2027-06-01", "--no-assess")
    assert code == 0, err
    code, _, err = run("diff", "--store", str(store), "--fail-on", "expired")
    assert code == 1
    assert err.startswith("cmmm: regressions: expired ")
    # the third snapshot has no assessment: its level is unknown, which is not a drop
    assert run("diff", "--store", str(store), "--fail-on", "level")[0] == 0
    assert (
        json.loads(run("history", "--store", str(store), "--format", "json")[1])["snapshots"][2]["level"]
        is None
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assess", "--snapshot", "9"], "no snapshot 9 (the store has snapshots 1–2)"),
        (["assess", "--snapshot", "2001-01-01"], "no snapshot taken on or before 2001-01-01"),
        (["diff", "1", "5"], "no snapshot 5"),
        (["diff", "--fail-on", "mood"], "--fail-on 'mood': use level, score, criterion, pqc, expired"),
    ],
)
def test_bad_snapshot_arguments_are_one_line_exit_2(store: Path, args: list[str], message: str) -> None:
    code, _, err = run(*args, "--store", str(store))
    assert code == 2
    assert err.startswith("cmmm: error: ") and err.count("\n") == 1 and message in err, err


def test_a_file_that_is_not_a_store(tmp_path: Path, bundle: Path) -> None:
    not_store = tmp_path / "x.duckdb"
    not_store.write_text("hello")
    for args in (["history"], ["assess"], ["ingest", str(bundle)]):
        code, _, err = run(*args, "--store", str(not_store))
        assert (
            code == 2 and err == f"cmmm: error: {not_store}: not a cmmm store (not a DuckDB database file)\n"
        )
    code, _, err = run("assess", str(bundle), "--store", str(tmp_path / "y.duckdb"))
    assert code == 2 and "either inventory paths or --store" in err
    code, _, err = run("assess")
    assert code == 2 and "nothing to read" in err


def test_demo_writes_a_store_and_a_report_with_a_trend(stored: tuple[Path, Path], tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "level3-defined").symlink_to(stored[1], target_is_directory=True)
    reports = tmp_path / "reports"
    code, out, err = run("demo", "--samples", str(samples), "--reports", str(reports), *AS_OF)
    assert code == 0, err
    store = reports / "demo.duckdb"
    assert f"store: {store}" in " ".join(out.split())
    doc = json.loads(run("history", "--store", str(store), "--format", "json")[1])
    assert [s["taken_at"][:10] for s in doc["snapshots"]] == ["2026-06-01", "2026-08-30", "2026-11-28"]
    assert '<section id="trend">' in (reports / "level3-defined.html").read_text(encoding="utf-8")
    code, text, _ = run("diff", "--store", str(store))
    assert code == 0 and "certificates added: 4" in text  # issued between the second snapshot and the third
