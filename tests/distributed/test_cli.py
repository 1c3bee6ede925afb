"""--cluster on the command line: the same drill on a local Dask cluster, and one line, exit 2, when the
cluster cannot be used."""

from __future__ import annotations

from pathlib import Path

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


SKEWED = """\
# Preloaded into each worker process before it imports anything of cmmm's: it runs another cmmm version.
import cmmm._version

cmmm._version.VERSION = "0.0.0-skewed"
"""


@pytest.mark.slow
def test_a_worker_on_another_cmmm_version_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Real worker processes whose cmmm reports another version (set by a worker preload script, the way a
    stale image would): the client refuses them before any work is sent."""
    from distributed import LocalCluster

    script = tmp_path / "skewed_worker.py"
    script.write_text(SKEWED, encoding="utf-8")
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", preload=[str(script)]
    ) as cluster:
        res = runner.invoke(app, [*DRILL, "--cluster", cluster.scheduler_address])
    assert res.exit_code == 2
    line = res.stderr.strip()
    assert "workers run cmmm 0.0.0-skewed, this client" in line and "\n" not in line
    assert "Traceback" not in res.output


@pytest.mark.slow
def test_report_and_graph_on_a_local_cluster_are_the_in_process_ones(tmp_path: Path) -> None:
    import json

    bundle = str(SAMPLES_DIR / "level1-chaos")
    docs = []
    for extra in ([], ["--cluster", "local:2"]):
        out = tmp_path / f"r{len(extra)}.json"
        res = runner.invoke(
            app, ["report", bundle, "-o", str(out), "--scenario", "mass-revocation-5d", *extra]
        )
        assert res.exit_code == 0, res.output
        doc = json.loads(out.read_text(encoding="utf-8"))
        doc.pop("generated_at", None)
        docs.append(doc)
    assert docs[0] == docs[1]
    assert docs[0]["drills"]  # the drill ran (on the workers, the second time)
    graphs = [
        runner.invoke(app, ["graph", bundle, "--format", "json", *extra])
        for extra in ([], ["--cluster", "local:2"])
    ]
    assert graphs[0].exit_code == graphs[1].exit_code == 0
    assert graphs[0].stdout == graphs[1].stdout
