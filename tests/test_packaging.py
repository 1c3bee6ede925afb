"""The package as it ships: what a wheel holds and does outside a checkout, and what `import cmmm` costs."""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cmmm
from cmmm.cli import app
from tests.conftest import NOW
from tests.report.report_bundle import write_bundle

REPO = Path(__file__).resolve().parents[1]
PIP = [sys.executable, "-m", "pip"]
HEAVY = ("pandas", "numpy", "pyarrow", "matplotlib", "networkx", "jinja2", "OpenSSL", "cryptography")


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_folder_is_listed_in_pyproject() -> None:
    # The packages are listed, not discovered (pyproject.toml says why): a new stage package must be added.
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {
        ".".join(d.relative_to(REPO).parts)
        for d in (REPO / "cmmm").rglob("*")
        if d.is_dir() and d.name != "__pycache__" and any(f.is_file() for f in d.iterdir())
    }
    assert listed == found | {"cmmm", "cmmm.scenarios"}
    assert _pyproject()["tool"]["setuptools"]["package-dir"] == {"cmmm.scenarios": "scenarios"}


def test_the_version_has_one_source() -> None:
    project = _pyproject()["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert _pyproject()["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cmmm._version.VERSION"}
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output == f"cmmm {cmmm.__version__}\n"


def _fresh_interpreter(code: str) -> str:
    """Run `code` in a new interpreter (the test process has imported everything already)."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return run.stdout


def test_importing_cmmm_loads_no_heavy_library_and_changes_nothing() -> None:
    out = _fresh_interpreter(
        "import sys, warnings\n"
        "before = list(warnings.filters)\n"
        "import cmmm, cmmm.cli, cmmm.drill, cmmm.report, cmmm.drill.scenario, cmmm.report.terminal.catalog\n"
        "import json\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))\n"
        "print(json.dumps({'heavy': heavy, 'filters_changed': warnings.filters != before}))\n"
    )
    assert json.loads(out) == {"heavy": [], "filters_changed": False}


def test_the_lazy_names_resolve_and_are_all_exported() -> None:
    from cmmm import drill, report

    for module in (cmmm, drill, report):
        lazy = module._LAZY  # type: ignore[attr-defined]
        assert set(lazy) <= set(module.__all__), module.__name__
        # a submodule of the same name would shadow a lazy name as soon as anything imported it
        submodules = {m.name for m in pkgutil.iter_modules(module.__path__)}
        assert not set(lazy) & submodules, module.__name__
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{module.__name__}.{name}"
    assert cmmm.load is cmmm.ingest.load
    with pytest.raises(AttributeError):
        _ = cmmm.no_such_name  # type: ignore[attr-defined]


def test_the_arrow_pool_is_chosen_by_the_program_not_at_import() -> None:
    out = _fresh_interpreter(
        "import cmmm, cmmm.ingest, pyarrow as pa\n"
        "print(pa.default_memory_pool().backend_name)\n"
        "cmmm.configure_arrow()\n"
        "print(pa.default_memory_pool().backend_name)\n"
    )
    at_import, configured = out.split()
    assert at_import != "jemalloc" or os.environ.get("ARROW_DEFAULT_MEMORY_POOL") == "jemalloc"
    assert configured in {"jemalloc", at_import}  # builds without jemalloc keep their default


def test_demo_outside_a_checkout_asks_for_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["demo"])
    assert res.exit_code == 2
    assert "--samples" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "reports").exists()


# --------------------------------------------------------------------------------------------- the wheel
def _build_wheel(work: Path) -> Path:
    """Build from a copy of the shipped sources, so that no build/ or egg-info lands in the checkout and
    no stale build/lib file can slip into the wheel."""
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for folder in ("cmmm", "scenarios"):
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    dist = work / "dist"
    subprocess.run(
        [
            *PIP,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "-w",
            str(dist),
            str(src),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = dist.glob("cmmm-*.whl")
    return wheel


def _venv_with(wheel: Path, work: Path) -> Path:
    """A new virtual environment holding the cmmm wheel and nothing else of cmmm.

    The third-party dependencies (pandas, pyarrow, matplotlib, cryptography …, hundreds of MB) are not
    downloaded again: after the wheel is installed, a .pth file puts the development environment's
    site-packages behind the new one's. That folder holds no `cmmm` package (the editable install is a
    finder registered by a .pth file there, and .pth files in a folder added that way are not run), so
    `import cmmm` can only find the wheel. The wheel is installed by this environment's pip acting on the
    new interpreter (`pip --python`), so its `cmmm` script starts the new interpreter, offline.
    """
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*PIP, "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "cmmm-dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


@pytest.mark.slow
def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    catalog = sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))
    assert {f"cmmm/scenarios/{n}.yaml" for n in catalog} <= set(names)
    assert "cmmm/report/templates/report.html.j2" in names and "cmmm/maturity/criteria.yaml" in names
    assert not [n for n in names if n.startswith(("scenarios/", "tests/", "sample_inventories/"))]

    venv = _venv_with(wheel, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    bundle = write_bundle(elsewhere / "bundle", NOW, leaves=6)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}

    def cmmm_(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / "cmmm"), *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import cmmm; print(cmmm.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(REPO)

    version = cmmm_("--version")
    assert (version.returncode, version.stdout) == (0, f"cmmm {cmmm.__version__}\n")

    listed = cmmm_("scenarios")
    assert listed.returncode == 0 and "scenario catalog" in listed.stdout, listed.stderr
    as_json = cmmm_("scenarios", "--format", "json")
    assert as_json.returncode == 0 and [s["name"] for s in json.loads(as_json.stdout)] == catalog

    as_of = f"--as-of={NOW:%Y-%m-%d}"
    drilled = cmmm_(
        "drill", str(bundle), "--scenario", "primary-intermediate-compromise-24h", "--runs", "50", as_of
    )
    assert drilled.returncode == 0, drilled.stderr
    assert "primary-intermediate-compromise-24h" in drilled.stdout
    assert "Warning" not in drilled.stderr and "Traceback" not in drilled.stderr

    reported = cmmm_("report", str(bundle), "-o", "report.html", as_of)
    assert reported.returncode == 0, reported.stderr
    html = (elsewhere / "report.html").read_text(encoding="utf-8")
    assert "Contoso Test Bank" in html and "</html>" in html
    assert "Warning" not in reported.stderr and "Traceback" not in reported.stderr

    demo = cmmm_("demo")  # no sample_inventories/ here: one clear line, no traceback
    assert demo.returncode == 2 and "--samples" in demo.stderr and "Traceback" not in demo.stderr
