"""Hostile and malformed configuration: one clear error or rejection, never a traceback or a wrong verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import cmmm
from cmmm import _yaml
from cmmm.cli import app
from cmmm.errors import InputError
from cmmm.policy import parse_policy
from cmmm.profile import check_profile
from tests.conftest import NOW, write

runner = CliRunner()


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    with pytest.raises(_yaml.YamlError, match="aliases"):
        _yaml.load("\n".join(lines))


def test_impossible_yaml_date_is_a_rejection_and_the_rest_is_kept(tmp_path: Path) -> None:
    write(tmp_path / "inv.yaml", "certificates:\n- common_name: a.example\n  not_after: 2026-02-30\n")
    write(tmp_path / "ok.csv", "cn,not_after\nok.example,2027-01-01\n")
    inv = cmmm.load([tmp_path], now=NOW)
    assert list(inv.certificates["common_name"]) == ["ok.example"]
    assert [r.reason for r in inv.rejected] == ["invalid value in YAML: day is out of range for month"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"teams": 5}, "teams: expected a list"),
        ({"teams": [{"name": "x", "engineers": "many"}]}, "teams[0].engineers: expected a number"),
        ({"ca_onboarding_days": -30}, "ca_onboarding_days: expected a number from 0"),
        ({"backup_cas": [{"name": "B", "pre_approved": "yes"}]}, "backup_cas[0].pre_approved"),
    ],
)
def test_profile_types_are_checked(doc: dict, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_profile(doc)


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


def test_assess_an_all_rsa_inventory_without_curves(tmp_path: Path) -> None:
    write(
        tmp_path / "inv.csv", "common_name,not_after,key_algorithm,key_size\na.example,2027-01-01,RSA,2048\n"
    )
    res = runner.invoke(
        app, ["assess", str(tmp_path), "--no-drills", "--format", "json", "--as-of", "2026-11-28"]
    )
    assert res.exit_code == 0, res.output
    assert '"level": 1' in res.stdout


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    write(tmp_path / "inv.csv", "cn,not_after\na.example,2027-01-01\n")
    write(tmp_path.parent / "prof.yaml", "teams: 5\n")
    cases = [
        [
            "drill",
            str(tmp_path),
            "--scenario",
            "primary-intermediate-compromise-24h",
            "--profile",
            str(tmp_path.parent / "prof.yaml"),
        ],
        ["ingest", str(tmp_path), "-o", str(tmp_path / "missing" / "x.json")],
        ["assess", str(tmp_path), "--as-of", "9999-12-31"],
        ["demo", "--samples", str(tmp_path / "inv.csv")],
    ]
    for args in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output and res.output.startswith("cmmm: error: "), res.output


def test_error_lines_neutralize_terminal_escapes(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b]8;;http://evil\x1b\\x.yaml"
    write(bad, "teams: 5\n")
    write(tmp_path / "d" / "inv.csv", "cn,not_after\na.example,2027-01-01\n")
    res = runner.invoke(
        app, ["drill", str(tmp_path / "d"), "--scenario", "sha1-end-2026", "--profile", str(bad)]
    )
    assert res.exit_code == 2 and "\x1b" not in res.output


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    f = write(tmp_path / "inv.csv", "cn,not_after\na.example,2027-01-01\n")
    inv = cmmm.load([f, f, tmp_path], now=NOW)
    assert len(inv.sources) == 1 and len(inv.observations) == 1


def test_graphml_stays_readable_with_control_characters(tmp_path: Path) -> None:
    import networkx as nx

    from cmmm.graph import export_graph

    write(
        tmp_path / "in" / "inv.csv",
        "cn,not_after,issuer,service\nevil\x1b[31m.example,2027-01-01,Bad\x07 CA,web\n",
    )
    inv = cmmm.load([tmp_path / "in"], now=NOW)
    out = tmp_path / "g.graphml"
    export_graph(inv, out, aggregate=False)
    g = nx.read_graphml(out)
    assert any("Bad" in str(d.get("name", "")) for _, d in g.nodes(data=True))


def test_assess_markdown_carries_no_terminal_escapes_or_links(tmp_path: Path) -> None:
    write(
        tmp_path / "inv.csv",
        "cn,not_after,issuer,team\n"
        "a.example,2027-01-01,\x1b]8;;http://evil\x1b\\CA\x1b[31m,[click](http://evil) <b>\n",
    )
    res = runner.invoke(
        app, ["assess", str(tmp_path), "--no-drills", "--format", "markdown", "--as-of", "2026-11-28"]
    )
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.stdout and "<b>" not in res.stdout and "[click](" not in res.stdout
