"""--cluster on the command line: the same drill on a local Dask cluster, and one line, exit 2, when the
cluster cannot be used."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cmmm.cli import app
from tests.conftest import SAMPLES_DIR

runner = CliRunner()
DRILL = ["drill", str(SAMPLES_DIR / "level3-defined"), "--scenario", "entrust-2024", "--runs", "40"]


@pytest.mark.slow
def test_drill_on_a_local_cluster_prints_the_in_process_result() -> None:
    here = runner.invoke(app, [*DRILL, "--format", "json"])
    there = runner.invoke(app, [*DRILL, "--format", "json", "--cluster", "local:2"])
    assert here.exit_code == 0, here.output
    assert there.exit_code == 0, there.output
    assert here.stdout == there.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--cluster", "local:two"], {}, "expected local, local:WORKERS or tcp://HOST:PORT"),
        ([], {"CMMM_DASK_SCHEDULER": "bogus"}, "expected local"),
    ],
)
def test_a_bad_cluster_is_one_line_and_exit_2(args: list[str], env: dict[str, str], message: str) -> None:
    res = runner.invoke(app, [*DRILL, *args], env=env)
    assert res.exit_code == 2
    assert message in res.stderr
    assert "Traceback" not in res.output
