"""The `cmmm` command line: parse, make one library call, render, return an exit code.

Start-up time is part of the interface (`cmmm --help`, `--version` and `scenarios` should answer within
0.3 s; benchmarks/startup.py measures them): at module level this file imports only typer, rich and cmmm
modules that load no heavy library. pandas, pyarrow, numpy, matplotlib, networkx, jinja2 and the
certificate parsing come in through the command bodies that need them, directly or through the lazy
package interfaces (`cmmm.load`, `cmmm.drill.run`, `cmmm.report.write_report`) and `cmmm.pipeline`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

import cmmm
from cmmm import drill as drill_
from cmmm import report
from cmmm._lenient import tolerated_warnings
from cmmm.errors import CmmmError, InputError, UsageError
from cmmm.report import terminal
from cmmm.report.terminal import render_demo_table, render_summary, safe

if TYPE_CHECKING:
    from cmmm.model import Inventory

app = typer.Typer(
    name="cmmm",
    help="Crypto-agility assessment and fire-drill simulator for certificate inventories.\n\n"
    "Ingest what you have (spreadsheets, PEM/DER/PKCS#7/PKCS#12 files), see where you stand on the "
    "Certificate Management Maturity Model, and rehearse the bad days.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
out = Console(highlight=False, soft_wrap=True, emoji=False)  # ":ski:" in an id is not an emoji
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _print_version(value: bool) -> None:
    if value:
        out.print(f"cmmm {cmmm.__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print cmmm's version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Log the traceback of every unexpected error (a file or endpoint cmmm could not handle).",
        ),
    ] = False,
) -> None:
    """Options that come before the command."""
    if debug:  # the defects a boundary turned into a rejection are logged by their modules (cmmm.*)
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("cmmm").setLevel(logging.DEBUG)


P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_THRESHOLD, EXIT_BAD_INPUT = 0, 1, 2
PASSWORD_ENV = "CMMM_PKCS12_PASSWORDS"


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def handled(fn: Callable[P, R]) -> Callable[P, R]:
    """The one place where cmmm's own errors become one stderr line and exit code 2. Also where the
    warnings about certificates cmmm keeps on purpose stay off the terminal, whichever stage parses them."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with tolerated_warnings():
                return fn(*args, **kwargs)
        except CmmmError as exc:
            err.print(f"cmmm: error: {safe(str(exc))}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except OSError as exc:  # an output path that cannot be written (missing folder, a file in the way)
            where = exc.filename if exc.filename is not None else "output"
            err.print(f"cmmm: error: {safe(str(where))}: {safe(exc.strerror or str(exc))}")
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
    if not 1970 <= dt.year <= 2200:
        raise InputError("--as-of", f"{value!r} is outside 1970–2200")
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def check_output(path: Path | None) -> None:
    """An output's folder must already exist: cmmm creates no folders on its own (`demo` excepted)."""
    if path is None or path.parent.is_dir():
        return
    what = "is not a folder" if path.parent.exists() else "does not exist"
    raise InputError(str(path.parent), f"output folder {what} (for {path.name})")


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
        except UnicodeDecodeError:
            raise InputError(
                str(password_file), "password file is not UTF-8 text (one password per line)"
            ) from None
    env = os.environ.get(PASSWORD_ENV)
    if env:
        pw += [p for p in env.split("\n") if p]
    return pw


def load_inventory(
    paths: list[Path],
    now: datetime,
    password_file: Path | None = None,
    profile: Path | None = None,
    policy: Path | None = None,
) -> Inventory:
    """Every command that reads an inventory reads it here. --profile/--policy replace the bundle's
    profile.yaml/policy.yaml, so every stage (assessment, its drills, the report) sees the same organization.
    Arrow's memory pool is chosen first: a process-wide choice, so the program's to make, never the
    library's at import (cmmm.ingest.configure_arrow says why jemalloc)."""
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise InputError(str(missing[0]), "no such file or directory")
    cmmm.configure_arrow()
    with terminal.progress_bar(err, "reading files") as progress:
        return cmmm.load(
            paths,
            now=now,
            passwords=read_passwords(password_file),
            progress=progress,
            profile=profile,
            policy=policy,
        )


PathsArg = Annotated[
    list[Path], typer.Argument(help="Files or directories (bundles) to read; recursed.", show_default=False)
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate at this date (YYYY-MM-DD); default now.")
]
ProfileOpt = Annotated[
    Path | None, typer.Option("--profile", help="profile.yaml to use instead of the bundle's.")
]
PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="policy.yaml to use instead of the bundle's.")
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
        typer.Option(
            "-o",
            "--output",
            help="Write the normalized inventory: .parquet, .csv, .json, or .cdx.json (CycloneDX 1.6 CBOM).",
        ),
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
    "Expiration Date"), PEM bundles, DER, PKCS#7 and PKCS#12 files, Kubernetes/cert-manager objects, AWS ACM,
    Azure Key Vault, Vault PKI, certbot, Venafi/Lemur/Keyfactor exports and crt.sh records. One certificate
    seen in several places becomes one certificate with several observations.
    """
    from cmmm.export import inventory_document, write_inventory
    from cmmm.ingest.summary import summarize

    now = parse_as_of(as_of)
    check_output(output)
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


class AssessFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


class AssessModel(StrEnum):
    """The maturity model the evidence is read on (docs/maturity.md, "One evidence set, two models")."""

    CMMM = "cmmm"
    PKIMM = "pkimm"


@app.command("assess")
@handled
def assess_cmd(
    paths: PathsArg,
    profile: ProfileOpt = None,
    policy: PolicyOpt = None,
    fmt: Annotated[
        AssessFormat, typer.Option("--format", help="text, json or markdown.")
    ] = AssessFormat.TEXT,
    model: Annotated[
        AssessModel,
        typer.Option(
            "--model",
            help="cmmm (levels and criteria) or pkimm (the PKI Consortium's PKIMM 1.0.0 categories).",
        ),
    ] = AssessModel.CMMM,
    fail_below: Annotated[
        int | None, typer.Option("--fail-below", min=1, max=5, help="Exit 1 when the level is below this.")
    ] = None,
    drills: Annotated[
        bool, typer.Option("--drills/--no-drills", help="Run the level-5 drills (else: not evaluated).")
    ] = True,
    password_file: PasswordOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Score the inventory on the CMMM levels: every criterion with its evidence, then the roadmap.

    With --model pkimm the same criteria are read on the PKI Consortium's PKI Maturity Model 1.0.0: a level
    per category, the weighted overall and the weakest category, beside the CMMM level.
    """
    from cmmm.maturity import assess
    from cmmm.maturity.pkimm import categorize
    from cmmm.pipeline import drill_evidence
    from cmmm.report.assessment import assessment_document, render_assessment, render_markdown
    from cmmm.report.pkimm import pkimm_document, pkimm_markdown, render_pkimm

    now = parse_as_of(as_of)
    inv = load_inventory(paths, now, password_file, profile, policy)
    observed = min(datetime.now(UTC), now)  # --as-of in the future looks ahead from today's inventory
    result = assess(inv, now=now, observed_at=observed, simulate=drill_evidence if drills else None)
    pk = categorize(result) if model is AssessModel.PKIMM else None
    if fmt is AssessFormat.JSON:
        doc = assessment_document(result) if pk is None else pkimm_document(result, pk)
        sys.stdout.write(json.dumps(doc, indent=1, default=str) + "\n")
    elif fmt is AssessFormat.MARKDOWN:
        sys.stdout.write(render_markdown(result) if pk is None else pkimm_markdown(result, pk))
    elif pk is None:
        render_assessment(out, result)
    else:
        render_pkimm(out, result, pk)
    if fail_below is not None and result.level < fail_below:
        raise typer.Exit(EXIT_THRESHOLD)


@app.command("checks")
@handled
def checks_cmd(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
) -> None:
    """List the maturity criteria and the policy checks with their stable ids."""
    from cmmm.maturity import load_catalog
    from cmmm.report.assessment import checks_document, render_checks

    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(checks_document(load_catalog()), indent=1) + "\n")
    else:
        render_checks(out, load_catalog())


@app.command("report")
@handled
def report_cmd(
    paths: PathsArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="The report file to write.")],
    fmt: Annotated[
        report.ReportFormat, typer.Option("--format", help="html (self-contained), json or markdown.")
    ] = report.ReportFormat.HTML,
    profile: ProfileOpt = None,
    policy: PolicyOpt = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            help="A drill to run and report (name or file); repeatable. Default: the 24-hour intermediate compromise, the 100-day cap and the PQC migration.",
        ),
    ] = None,
    password_file: PasswordOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Write the executive report: level, risks, inventory facts, PQC readiness, drills and roadmap.

    HTML is one self-contained file (inline CSS and SVG charts, no scripts, no network) that prints to PDF;
    json has the same content with stable keys; markdown suits tickets and wikis.
    """
    from cmmm import pipeline
    from cmmm.drill.scenario import DEMO_SCENARIOS

    now = parse_as_of(as_of)
    check_output(output)
    inv = load_inventory(paths, now, password_file, profile, policy)
    result = pipeline.run(inv, now=now, scenarios=scenario or DEMO_SCENARIOS)
    report.write_report(pipeline.report_view(result, generated_at=datetime.now(UTC)), output, fmt)
    err.print(f"wrote {fmt.value} report to {escape(str(output))}")


@app.command("graph")
@handled
def graph_cmd(
    paths: PathsArg,
    blast: Annotated[
        str | None,
        typer.Option("--blast-radius", help="A CA (name, fingerprint or ca: id): what goes down with it."),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top", help="How many CAs to list (with --blast-radius: 5× as many certificates).", min=1
        ),
    ] = 10,
    export: Annotated[
        Path | None, typer.Option("--export", help="Write the graph: .graphml, .json, .svg or .png.")
    ] = None,
    all_leaves: Annotated[
        bool,
        typer.Option("--all-leaves", help="Export every leaf and endpoint (default: grouped above 20,000)."),
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
    as_of: AsOfOpt = None,
) -> None:
    """The dependency graph: CA concentration and the riskiest CAs, or the blast radius of one CA.

    Certificates → issuing CAs → roots (linked by key identifiers and names, confirmed by signatures),
    certificates → endpoints → services → the services that depend on them.
    """
    from cmmm import graph
    from cmmm.report.documents import blast_document, summary_document
    from cmmm.report.picture import write_graph
    from cmmm.report.terminal.graph import render_blast_radius, render_graph_summary

    check_output(export)
    inv = load_inventory(paths, parse_as_of(as_of))
    if export is not None:
        kind = write_graph(inv, export, aggregate=False if all_leaves else None)
        err.print(f"wrote the dependency graph to {escape(str(export))} ({kind})")
    if blast is not None:
        b = graph.blast_radius(inv, blast)
        if fmt is OutputFormat.JSON:
            sys.stdout.write(json.dumps(blast_document(b), indent=1, default=str) + "\n")
        else:
            render_blast_radius(out, b, limit=top * 5)
        return
    s = graph.summarize_graph(inv, top=top)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(summary_document(s), indent=1, default=str) + "\n")
    else:
        render_graph_summary(out, s)


@app.command("scenarios")
@handled
def scenarios_cmd(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
) -> None:
    """List the fire-drill scenario catalog (scenarios/*.yaml): name, kind, deadline, the real event."""
    # The catalog and its table load without pandas: this command answers as fast as --help.
    from cmmm.drill.scenario import catalog
    from cmmm.report.terminal.catalog import render_catalog

    items = catalog()
    if fmt is OutputFormat.JSON:
        doc = [
            {
                "name": s.name,
                "kind": s.kind.value,
                "title": s.title,
                "deadline_hours": s.deadline_hours,
                "replays": s.replays.id if s.replays else None,
            }
            for s in items
        ]
        sys.stdout.write(json.dumps(doc, indent=1) + "\n")
    else:
        render_catalog(out, items)


@app.command("drill")
@handled
def drill_cmd(
    paths: PathsArg,
    scenario: Annotated[
        str, typer.Option("--scenario", help="A catalog name (see `cmmm scenarios`) or a YAML file.")
    ],
    runs: Annotated[int, typer.Option("--runs", min=1, max=100_000, help="Monte Carlo runs.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 0,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text or json (stable keys).")
    ] = OutputFormat.TEXT,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan", help="Write the replacement plan: .csv (spreadsheet), .json or .md (runbook)."
        ),
    ] = None,
    fail_on_miss: Annotated[
        bool,
        typer.Option(
            "--fail-on-miss",
            help="Exit 1 when the verdict is fail, overdue or unknown (unknown is never compliant).",
        ),
    ] = False,
    profile: ProfileOpt = None,
    policy: PolicyOpt = None,
    password_file: PasswordOpt = None,
) -> None:
    """Rehearse a bad day on an inventory: can every affected certificate be replaced in time, and how?

    --profile tries a what-if organization (more engineers, a pre-approved backup CA) on the same inventory.
    """
    from cmmm.drill.result import MISSED
    from cmmm.report.terminal.drill import render_drill

    now = parse_as_of(as_of)
    sc = drill_.load_scenario(scenario)
    check_output(plan)
    inv = load_inventory(paths, now, password_file, profile, policy)
    result = drill_.run(inv, sc, now=now, runs=runs, seed=seed)
    if plan is not None:
        kind = drill_.write_plan(result, plan)
        err.print(f"wrote {len(result.plan)} plan rows to {escape(str(plan))} ({kind})")
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(drill_.drill_document(result), indent=1, default=str) + "\n")
    else:
        render_drill(out, result)
    if fail_on_miss and result.verdict in MISSED:
        err.print(
            f"cmmm: drill verdict {result.verdict.value}: {safe(result.verdict_reason)} (--fail-on-miss)"
        )
        raise typer.Exit(EXIT_THRESHOLD)


@app.command("demo")
@handled
def demo_cmd(
    samples: Annotated[
        Path,
        typer.Option(
            "--samples",
            help="Folder of sample organizations (a cmmm checkout's sample_inventories/; default: the one "
            "in the current folder).",
        ),
    ] = Path("sample_inventories"),
    reports: Annotated[Path, typer.Option("--reports", help="Where reports are written.")] = Path("reports"),
    as_of: AsOfOpt = None,
) -> None:
    """Run the pipeline on every sample organization, print what each looks like, write reports/<org>.html."""
    from cmmm import pipeline
    from cmmm.drill.scenario import DEMO_SCENARIOS

    now = parse_as_of(as_of)
    if not samples.is_dir():
        # The samples are not installed with the package (they are a checkout's, with their generator).
        raise InputError(
            str(samples),
            "not a folder of sample organizations: run `cmmm demo` in a cmmm checkout or give --samples FOLDER",
        )
    orgs = sorted(p for p in samples.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not orgs:
        raise InputError(str(samples), "no sample organizations found (run sample_inventories/generate.py)")
    reports.mkdir(parents=True, exist_ok=True)  # documented: demo writes its own reports folder
    rows: list[tuple[str, report.ReportView, Path]] = []
    for org in orgs:
        out.rule(f"[bold]{escape(org.name)}")
        inv = load_inventory([org], now)
        result = pipeline.run(inv, now=now, scenarios=DEMO_SCENARIOS)
        render_summary(out, result.summary, inv)
        view = pipeline.report_view(result, generated_at=datetime.now(UTC))
        path = report.write_report(view, reports / f"{org.name}.html")
        rows.append((org.name, view, path))
        out.print(f"report: [bold]{escape(str(path))}[/]")
    render_demo_table(out, rows)


# ------------------------------------------------------------------------------------------- scan
@contextmanager
def _stop_on_sigint(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C: finish the connections in flight and keep the results; a second one aborts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        stop.set()
        err.print("cmmm: stopping the scan (Ctrl-C again to abort)")
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)

    previous = signal.signal(signal.SIGINT, handler)
    previous_term = signal.signal(signal.SIGTERM, handler)  # SIGTERM keeps the partial result like Ctrl-C
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)


EXIT_INTERRUPTED = 130


TargetsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="host, host:port, IPv4/IPv6 address (\\[v6]:port), CIDR range, or NAME@ADDRESS[:PORT] "
        "to send SNI NAME.",
        show_default=False,
    ),
]
PortsOpt = Annotated[
    str | None,
    typer.Option(
        "--ports", help="Ports for targets without one, e.g. 443,8443,9000-9010 (default: common TLS ports)."
    ),
]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", min=0.05, max=600.0, help="Seconds per connection attempt.")
]
RateOpt = Annotated[float | None, typer.Option("--rate", help="At most R new connections per second.")]
ScanOutputOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write the scan: .json (ingestible) or .csv.")
]
MergeOpt = Annotated[
    Path | None,
    typer.Option("--merge", help="Compare with this inventory: shadow certificates and stale rows."),
]


@app.command("scan")
@handled
def scan_cmd(
    targets: TargetsArg = None,
    ports: PortsOpt = None,
    targets_file: Annotated[Path | None, typer.Option("--targets-file", help="One target per line.")] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency", help="Endpoints scanned at once (clamped to 512 and to the open-file limit)."
        ),
    ] = 64,
    timeout: TimeoutOpt = 5.0,
    rate: RateOpt = None,
    per_host: Annotated[int, typer.Option("--per-host", help="At most N connections at once per host.")] = 4,
    sni: Annotated[str | None, typer.Option("--sni", help="SNI name to send to address targets.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Allow CIDR ranges over --max-range addresses.")] = False,
    max_range: Annotated[
        int, typer.Option("--max-range", help="Largest range scanned without --yes.")
    ] = 1024,
    output: ScanOutputOpt = None,
    merge_with: MergeOpt = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Text tables or JSON.")] = OutputFormat.TEXT,
    as_of: AsOfOpt = None,
) -> None:
    """Discover the certificates actually served: chain, TLS versions, key-exchange group, hybrid PQC
    (X25519MLKEM768), hostname match, chain validity and classified errors, per endpoint.

    The output (-o scan.json) is an inventory source: `cmmm ingest scan.json spreadsheet.csv` merges it.
    Ctrl-C stops cleanly and keeps what was gathered (exit 130).
    """
    from cmmm.scan import DEFAULT_PORTS, compare, parse_ports, read_targets_file, scan, write_scan

    now = parse_as_of(as_of)
    listed = list(targets or []) + (read_targets_file(targets_file) if targets_file else [])
    if not listed:
        raise UsageError("no targets: give TARGET arguments or --targets-file")
    port_list = parse_ports(ports) if ports else DEFAULT_PORTS
    check_output(output)
    stop = threading.Event()
    with terminal.progress_bar(err, "scanning") as progress, _stop_on_sigint(stop):
        result = scan(
            listed,
            now=now,
            ports=port_list,
            concurrency=concurrency,
            timeout=timeout,
            rate=rate,
            per_host=per_host,
            sni=sni,
            max_range=max_range,
            yes=yes,
            progress=progress,
            stop=stop,
        )
    for note in result.notes:
        err.print(f"cmmm: {safe(note)}")
    if output is not None:
        err.print(
            f"wrote {len(result.results)} endpoints to {escape(str(output))} ({write_scan(result, output)})"
        )
    _print_scan(result, compare(result, load_inventory([merge_with], now)) if merge_with else None, fmt)
    if result.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)


def _print_scan(result: Any, comparison: Any, fmt: OutputFormat) -> None:
    """The scan (and its comparison with an inventory) as JSON or as terminal tables."""
    from cmmm.report.terminal.scan import render_comparison, render_scan

    if fmt is OutputFormat.JSON:
        doc = {**result.to_document(), "comparison": comparison.to_document() if comparison else None}
        sys.stdout.write(json.dumps(doc, indent=1, default=str) + "\n")
        return
    render_scan(out, result)
    if comparison is not None:
        render_comparison(out, comparison)


EXIT_TERMINATED = 128 + signal.SIGTERM


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C does, so every writer's temporary file is removed and the previous
    output stays whole (cmmm.export.atomic)."""
    raise SystemExit(EXIT_TERMINATED)


def main() -> Any:
    signal.signal(signal.SIGTERM, _terminate)
    return app()
