"""The command line's outputs as a team wires them in: strict JSON on stdout, SARIF that validates, `-o`
named by what it is, input that yields no certificate refused with exit 2, and thresholds that say why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cmmm.cli import app
from tests.conftest import SAMPLES_DIR
from tests.test_machine_outputs import spelled_unknowns, strict_loads, validate

runner = CliRunner()
CHAOS = str(SAMPLES_DIR / "level1-chaos")
AS_OF = ["--as-of", "2026-11-28"]


def _json(args: list[str]) -> object:
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return strict_loads(res.stdout)


@pytest.mark.slow  # reads the level-1 organization once per command
def test_every_command_prints_strict_json_valid_against_its_schema() -> None:
    for name, args in (
        ("inventory", ["ingest", CHAOS, "--format", "json"]),
        ("assessment", ["assess", CHAOS, "--format", "json", "--no-drills"]),
        ("pkimm", ["assess", CHAOS, "--format", "json", "--no-drills", "--model", "pkimm"]),
        ("graph", ["graph", CHAOS, "--format", "json"]),
        (
            "drill",
            ["drill", CHAOS, "--scenario", "validity-100-day-2027", "--runs", "30", "--format", "json"],
        ),
        ("checks", ["checks", "--format", "json"]),
        ("scenarios", ["scenarios", "--format", "json"]),
    ):
        doc = _json([*args, *AS_OF] if name not in ("checks", "scenarios") else args)
        validate(name, doc)
        assert not spelled_unknowns(doc), name


@pytest.mark.slow
def test_sarif_from_ingest_and_assess_validates_and_locates_findings() -> None:
    ingest = _json(["ingest", CHAOS, "--format", "sarif", *AS_OF])
    assess = _json(["assess", CHAOS, "--format", "sarif", "--no-drills", *AS_OF])
    for doc in (ingest, assess):
        validate("sarif", doc)
    assert isinstance(ingest, dict) and isinstance(assess, dict)
    run = assess["runs"][0]
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    results = run["results"]
    assert {r["ruleId"] for r in results} <= rules
    assert {r["level"] for r in results} <= {"error", "warning", "note"}
    # a policy finding on a spreadsheet row points at that row; a criterion not met is a result too
    key_size = [r for r in results if r["ruleId"] == "policy.key_size_below_minimum"]
    assert key_size and all(
        r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in key_size
    )
    assert any(r["ruleId"].startswith("risk.") for r in results)
    assert any(r["properties"].get("status") == "not met" for r in results)
    prints = [r["partialFingerprints"]["cmmmFinding/v1"] for r in results]
    assert len(prints) == len(set(prints))  # one finding, one fingerprint
    # ingest has no assessment: policy findings only, the same fingerprints as assess gives them
    ingest_prints = {r["partialFingerprints"]["cmmmFinding/v1"] for r in ingest["runs"][0]["results"]}
    assert ingest_prints and ingest_prints <= set(prints)


def test_report_output_format_follows_the_extension(tmp_path: Path) -> None:
    for name in ("r.pdf", "r.txt", "report"):
        res = runner.invoke(app, ["report", CHAOS, "-o", str(tmp_path / name)])
        assert res.exit_code == 2
        assert "cannot write" in res.stderr and ".html" in res.stderr and len(res.stderr.splitlines()) == 1
        assert not (tmp_path / name).exists()
    res = runner.invoke(app, ["report", CHAOS, "-o", str(tmp_path / "r.html"), "--format", "json"])
    assert res.exit_code == 2 and "does not match" in res.stderr


@pytest.mark.slow  # the whole pipeline once per format
def test_report_writes_markdown_and_json_by_extension(tmp_path: Path) -> None:
    md, js = tmp_path / "r.md", tmp_path / "r.json"
    for out in (md, js):
        res = runner.invoke(app, ["report", CHAOS, "-o", str(out), *AS_OF])
        assert res.exit_code == 0, res.output
    assert md.read_text(encoding="utf-8").startswith("# ")
    validate("report", strict_loads(js.read_text(encoding="utf-8")))


@pytest.mark.parametrize("command", ["ingest", "assess", "graph", "report", "drill"])
def test_input_without_certificates_is_exit_2_with_one_line(command: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    unrelated = tmp_path / "notes"
    unrelated.mkdir()
    (unrelated / "todo.csv").write_text("task,done\nrenew,no\n", encoding="utf-8")
    extra = {"report": ["-o", str(tmp_path / "r.html")], "drill": ["--scenario", "mass-revocation-5d"]}
    for path, says in ((empty, "no file cmmm recognizes"), (unrelated, "1 file read, no certificate")):
        res = runner.invoke(app, [command, str(path), *extra.get(command, [])])
        assert res.exit_code == 2, (command, res.output)
        line = res.stderr.strip()
        assert len(line.splitlines()) == 1 and says in line and "cmmm reads" in line
        assert "level 1" not in res.stdout and "0 certificates" not in res.stdout
    assert not (tmp_path / "r.html").exists()


def test_fail_below_says_why_it_exits_1() -> None:
    res = runner.invoke(app, ["assess", CHAOS, "--fail-below", "3", "--no-drills", *AS_OF])
    assert res.exit_code == 1
    assert "cmmm: level 1 is below --fail-below 3" in res.stderr


def _without_profile(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(SAMPLES_DIR / "level1-chaos", bundle)
    (bundle / "profile.yaml").unlink()
    return bundle


def test_assess_says_once_that_no_profile_was_found(tmp_path: Path) -> None:
    bundle = _without_profile(tmp_path)
    for extra in ([], ["--verbose"]):
        res = runner.invoke(app, ["assess", str(bundle), "--no-drills", *AS_OF, *extra])
        assert res.exit_code == 0, res.output
        text = " ".join(res.stdout.split())
        assert text.count("no profile.yaml found") == 1 and "cmmm init" in text and "docs/bundle.md" in text
        assert "not answered" not in text
    short = runner.invoke(app, ["assess", str(SAMPLES_DIR / "level1-chaos"), "--no-drills", *AS_OF])
    assert "no profile.yaml found" not in short.stdout
    assert len(short.stdout.splitlines()) < 80  # the summary; --verbose has every criterion


def test_every_command_has_examples_in_its_help() -> None:
    from cmmm.cli import EXAMPLES

    commands = {c.name for c in app.registered_commands}
    assert set(EXAMPLES) == commands
    for name in commands:
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0
        assert "Examples" in res.stdout and EXAMPLES[name][0][1].split()[1] in res.stdout, name
    top = runner.invoke(app, ["--help"])
    assert "--install-completion" in top.stdout  # shell completion (README, "Shell completion")


def test_written_json_files_are_strict(tmp_path: Path) -> None:
    for args, out in (
        (["graph", CHAOS, "--export"], tmp_path / "graph.json"),
        (["ingest", CHAOS, "-o"], tmp_path / "inventory.json"),
        (
            ["drill", CHAOS, "--scenario", "mass-revocation-5d", "--runs", "20", "--plan"],
            tmp_path / "plan.json",
        ),
    ):
        res = runner.invoke(app, [*args, str(out), *AS_OF])
        assert res.exit_code == 0, res.output
        doc = strict_loads(out.read_text(encoding="utf-8"))
        assert not spelled_unknowns(doc), out.name
        if out.name != "graph.json":
            validate(out.stem, doc)
