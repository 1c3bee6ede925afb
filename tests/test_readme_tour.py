"""The README's five-minute tour runs as written: every `cmmm` line of it, in a folder laid out like a
checkout after `make demo` (sample_inventories/ and reports/), exits 0. The scan line runs against a loopback
TLS server this test starts (its port stands in for 8443). The README's code fences are all closed."""

from __future__ import annotations

import re
import shlex
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cmmm.cli import app
from cmmm.lab.pki import issue
from tests.conftest import NOW, SAMPLES_DIR
from tests.scan.tls_servers import LoopbackServers, tls_context

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner()


def tour_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## A five-minute tour\s+```sh\n(.*?)\n```", text, flags=re.DOTALL)
    assert block, "README has no tour block"
    return [ln for ln in block.group(1).splitlines() if ln.startswith("cmmm ")]


def test_every_readme_fence_is_closed() -> None:
    fences = [ln for ln in README.read_text(encoding="utf-8").splitlines() if ln.startswith("```")]
    opened = fences[0::2]
    closed = fences[1::2]
    assert len(fences) % 2 == 0, "an unclosed code fence"
    assert all(f != "```" for f in opened) and all(f == "```" for f in closed), list(
        zip(opened, closed, strict=False)
    )


@pytest.mark.slow  # every tour command, the whole sample folder included
def test_the_readme_tour_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sample_inventories").symlink_to(SAMPLES_DIR, target_is_directory=True)
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path)
    leaf = issue(cn="localhost", not_before=NOW - timedelta(days=5), days=60, sans=("localhost", "127.0.0.1"))
    servers = LoopbackServers()
    port = servers.tls(tls_context([leaf]))
    servers.start()
    lines = tour_lines()
    assert len(lines) >= 10 and any(ln.startswith("cmmm scan") for ln in lines)
    try:
        for line in lines:
            args = shlex.split(line.replace("127.0.0.1:8443", f"127.0.0.1:{port}"), comments=True)
            res = runner.invoke(app, args[1:])
            assert res.exit_code == 0, (line, res.output[-2000:])
    finally:
        servers.stop()
    assert (tmp_path / "reports" / "contoso.html").is_file() and (tmp_path / "plan.csv").is_file()
    assert (tmp_path / "inventory.cdx.json").is_file()
