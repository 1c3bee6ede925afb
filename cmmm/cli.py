"""The `cmmm` command line: parse, make one library call, render, return an exit code."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cmmm import ingest
from cmmm.errors import CmmmError, InputError
from cmmm.export import inventory_document, write_inventory
from cmmm.model import Inventory
from cmmm.render_text import render_summary
from cmmm.summary import summarize

app = typer.Typer(
    name="cmmm",
    help="Crypto-agility assessment and fire-drill simulator for certificate inventories.\n\n"
    "Ingest what you have (spreadsheets, PEM/DER/PKCS#7/PKCS#12 files), see where you stand on the "
    "Certificate Management Maturity Model, and rehearse the bad days.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_THRESHOLD, EXIT_BAD_INPUT = 0, 1, 2
PASSWORD_ENV = "CMMM_PKCS12_PASSWORDS"


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def handled(fn: Callable[P, R]) -> Callable[P, R]:
    """The one place where cmmm's own errors become one stderr line and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CmmmError as exc:
            err.print(f"cmmm: error: {escape(str(exc))}")
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper


def parse_as_of(value: str | None) -> datetime:
    """--as-of: a date or datetime (naive means UTC); default now. Only the CLI reads the clock."""
    if not value:
        return datetime.now(UTC)
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", f"not an ISO date: {value!r} (use YYYY-MM-DD)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def read_passwords(password_file: Path | None) -> list[str]:
    """PKCS#12 passwords: one per line in --password-file, or newline-separated in CMMM_PKCS12_PASSWORDS."""
    pw: list[str] = []
    if password_file is not None:
        try:
            pw += [
                ln.rstrip("\r\n")
                for ln in password_file.read_text(encoding="utf-8").splitlines()
                if ln.strip()
            ]
        except OSError as exc:
            raise InputError(str(password_file), f"cannot read password file: {exc.strerror}") from None
    env = os.environ.get(PASSWORD_ENV)
    if env:
        pw += [p for p in env.split("\n") if p]
    return pw


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    if not err.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def load_inventory(paths: list[Path], now: datetime, password_file: Path | None = None) -> Inventory:
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise InputError(str(missing[0]), "no such file or directory")
    with _progress("reading files") as progress:
        return ingest.load(paths, now=now, passwords=read_passwords(password_file), progress=progress)


PathsArg = Annotated[
    list[Path], typer.Argument(help="Files or directories (bundles) to read; recursed.", show_default=False)
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate at this date (YYYY-MM-DD); default now.")
]
PasswordOpt = Annotated[
    Path | None,
    typer.Option("--password-file", help=f"PKCS#12 passwords, one per line (or set {PASSWORD_ENV})."),
]


@app.command("ingest")
@handled
def ingest_cmd(
    paths: PathsArg,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the normalized inventory: .parquet, .csv or .json."),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Summary as text or the whole inventory as JSON.")
    ] = OutputFormat.TEXT,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 2 when any input was rejected.")] = False,
    password_file: PasswordOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Read and merge inventories; print what was found, what expires, and what was rejected.

    Formats are detected by content: CSV/JSON/YAML inventories (header aliases such as "Common Name" or
    "Expiration Date"), PEM bundles, DER, PKCS#7 and PKCS#12 files. One certificate seen in several places
    becomes one certificate with several observations.
    """
    now = parse_as_of(as_of)
    inv = load_inventory(paths, now, password_file)
    if output is not None:
        kind = write_inventory(inv, output)
        err.print(f"wrote {len(inv)} certificates to {escape(str(output))} ({kind})")
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(inventory_document(inv), indent=1, default=str) + "\n")
    else:
        render_summary(out, summarize(inv, now=now), inv)
    if strict and inv.rejected:
        err.print(f"cmmm: {len(inv.rejected)} input record(s) rejected (--strict)")
        raise typer.Exit(EXIT_BAD_INPUT)


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def _yaml_option(path: Path | None) -> dict[str, Any] | None:
    from cmmm.ingest.bundle import load_yaml_mapping

    if path is None:
        return None
    if not path.is_file():
        raise InputError(str(path), "no such file")
    return load_yaml_mapping(path)


@app.command("assess")
@handled
def assess_cmd(
    paths: PathsArg,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="profile.yaml to use instead of the bundle's.")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="policy.yaml to use instead of the bundle's.")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="text, json or markdown.")
    ] = ReportFormat.TEXT,
    fail_below: Annotated[
        int | None, typer.Option("--fail-below", min=1, max=5, help="Exit 1 when the level is below this.")
    ] = None,
    password_file: PasswordOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Score the inventory on the CMMM levels: every criterion with its evidence, then the roadmap."""
    from cmmm.maturity import assess
    from cmmm.maturity.render import assessment_document, render_assessment, render_markdown

    now = parse_as_of(as_of)
    inv = load_inventory(paths, now, password_file)
    observed = min(datetime.now(UTC), now)  # --as-of in the future looks ahead from today's inventory
    result = assess(
        inv, now=now, observed_at=observed, profile=_yaml_option(profile), policy=_yaml_option(policy)
    )
    if fmt is ReportFormat.JSON:
        sys.stdout.write(json.dumps(assessment_document(result), indent=1, default=str) + "\n")
    elif fmt is ReportFormat.MARKDOWN:
        sys.stdout.write(render_markdown(result))
    else:
        render_assessment(out, result)
    if fail_below is not None and result.level < fail_below:
        raise typer.Exit(EXIT_THRESHOLD)


@app.command("checks")
@handled
def checks_cmd(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
) -> None:
    """List the maturity criteria and the policy checks with their stable ids."""
    from cmmm.maturity import load_catalog
    from cmmm.maturity.render import checks_document, render_checks

    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(checks_document(load_catalog()), indent=1) + "\n")
    else:
        render_checks(out, load_catalog())


SAMPLES_DIR = Path(__file__).resolve().parent.parent / "sample_inventories"


@app.command("demo")
@handled
def demo_cmd(
    samples: Annotated[Path, typer.Option("--samples", help="Folder of sample organizations.")] = SAMPLES_DIR,
    reports: Annotated[Path, typer.Option("--reports", help="Where reports are written.")] = Path("reports"),
    as_of: AsOfOpt = None,
) -> None:
    """Run the pipeline on every sample organization and print what each one looks like."""
    now = parse_as_of(as_of)
    orgs = sorted(p for p in samples.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not orgs:
        raise InputError(str(samples), "no sample organizations found (run sample_inventories/generate.py)")
    for org in orgs:
        out.rule(f"[bold]{escape(org.name)}")
        inv = load_inventory([org], now)
        render_summary(out, summarize(inv, now=now), inv)


def main() -> Any:
    return app()
